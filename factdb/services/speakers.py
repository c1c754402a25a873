"""Speakers and their aliases: lookup, creation, affiliation, merging."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from factdb.enums import EditorRole, SpeakerKind, SuggestionStatus
from factdb.errors import InputError, NotFoundError
from factdb.extract import normalize_alias
from factdb.models import Claim, Speaker, SpeakerAlias, SpeakerAliasGram, SpeakerMergeSuggestion
from factdb.services.audit import Actor, record_event, require_role, snapshot
from factdb.services.speaker_names import GRAM_MAX, KEY_MAX, name_grams, name_key
from factdb.services.validation import require_id

_SPEAKER_FIELDS = ("name", "kind", "role", "affiliation_id", "needs_review")


def get_speaker(session: Session, speaker_id: int) -> Speaker:
    """The speaker with ``speaker_id``, or NotFoundError."""
    speaker = session.get(Speaker, require_id(speaker_id, "speaker"))
    if speaker is None:
        raise NotFoundError(f"no speaker with id {speaker_id}")
    return speaker


def find_by_alias(session: Session, name: str) -> Speaker | None:
    """The speaker any of whose aliases normalizes like ``name``, if there is one."""
    key = normalize_alias(name)
    if not key:
        return None
    return session.scalar(select(Speaker).join(SpeakerAlias).where(SpeakerAlias.normalized == key))


def resolve_speaker(session: Session, ref: str) -> Speaker:
    """A speaker named by id ("42") or by any alias, for the CLI and forms."""
    # ASCII digits only: str.isdigit also takes other scripts' digits ("²"), which int() refuses.
    if ref.strip().isascii() and ref.strip().isdigit():
        return get_speaker(session, int(ref))
    speaker = find_by_alias(session, ref)
    if speaker is None:
        raise NotFoundError(f"no speaker is known as {ref!r}")
    return speaker


def _merge_hint(speaker: Speaker, other: Speaker) -> str:
    this = f"#{speaker.id}" if speaker.id is not None else "the new speaker"
    return (
        f"if {this} and #{other.id} are the same speaker, merge them instead "
        f"(the Merge form on a speaker's page, or: factdb speakers merge {speaker.id or 'ID'} {other.id})"
    )


def speakers_named_by(session: Session, alias: str) -> list[Speaker]:
    """The speakers ``alias`` already names: as one of their aliases, or as the surname of a person.

    A surname counts because articles name people by it ("Zelensky said"), and the engine resolves
    a lone surname to the person named in full; giving it to someone else would send those claims
    astray.
    """
    key = normalize_alias(" ".join(alias.split()))
    if not key:
        return []
    named = select(SpeakerAlias.speaker_id).where(SpeakerAlias.normalized == key)
    if " " not in key:
        surname = (
            select(SpeakerAlias.speaker_id)
            .join(Speaker)
            .where(
                Speaker.kind == SpeakerKind.PERSON,
                SpeakerAlias.normalized.endswith(f" {key}", autoescape=True),
            )
        )
        named = named.union(surname)  # type: ignore[assignment]
    return list(session.scalars(select(Speaker).where(Speaker.id.in_(named)).order_by(Speaker.id)))


def _refuse_if_names_another(session: Session, speaker: Speaker, alias: str) -> None:
    key = normalize_alias(" ".join(alias.split()))
    named = speakers_named_by(session, alias)
    if speaker in named:
        # Its own alias or surname: only an exact alias of someone else still stands in the way
        # (two people may share a surname; an editor may say which one it means).
        named = [s for s in named if any(a.normalized == key for a in s.aliases)]
    others = [s for s in named if s.id != speaker.id]
    if others:
        other = others[0]
        how = "an alias" if any(a.normalized == key for a in other.aliases) else "the surname"
        what = f"{' '.join(alias.split())!r} is already {how} of speaker #{other.id} ({other.name!r})"
        raise InputError(f"{what}; {_merge_hint(speaker, other)}")


def set_name_key(alias: SpeakerAlias) -> bool:
    """Give ``alias`` its name key and search grams (as this release folds names); True if they changed.

    For an alias already stored (the refresh of an archive); a new alias gets them from
    :func:`_add_alias_rows`, in bulk.
    """
    key = name_key(alias.alias)[:KEY_MAX]
    grams = _grams_of(key)
    if alias.name_key == key and {g.gram for g in alias.grams} == grams:
        return False
    alias.name_key = key
    alias.grams = [g for g in alias.grams if g.gram in grams]
    alias.grams += [SpeakerAliasGram(gram=g) for g in sorted(grams - {g.gram for g in alias.grams})]
    return True


def _grams_of(key: str) -> set[str]:
    return {g[:GRAM_MAX] for g in name_grams(key)}


def _add_alias_rows(session: Session, speaker: Speaker, aliases: Iterable[str]) -> list[SpeakerAlias]:
    """Store ``aliases`` of ``speaker`` (those it has already are returned as they are), with their
    name keys and search grams; refuse an alias of another speaker. Flushes.

    One query finds the aliases already held; the gram rows go in one executemany after the flush
    (through the ORM, one object per gram, creating a speaker cost tens of milliseconds).
    """
    wanted: dict[str, str] = {}
    for alias in aliases:
        alias = " ".join(alias.split())
        key = normalize_alias(alias)
        if not key:
            raise InputError("an alias cannot be empty")
        wanted.setdefault(key, alias)
    holders = {
        row.normalized: row
        for row in session.scalars(select(SpeakerAlias).where(SpeakerAlias.normalized.in_(list(wanted))))
    }
    rows: list[SpeakerAlias] = []
    new: list[SpeakerAlias] = []
    for key, alias in wanted.items():
        holder = holders.get(key)
        if holder is None:
            row = SpeakerAlias(
                speaker=speaker, alias=alias, normalized=key, name_key=name_key(alias)[:KEY_MAX]
            )
            session.add(row)
            new.append(row)
            rows.append(row)
        elif holder.speaker_id == speaker.id and speaker.id is not None:
            rows.append(holder)
        else:
            raise InputError(
                f"{alias!r} is already an alias of speaker #{holder.speaker_id} ({holder.speaker.name!r}); "
                + _merge_hint(speaker, holder.speaker)
            )
    session.flush()
    grams = [{"alias_id": row.id, "gram": g} for row in new for g in sorted(_grams_of(row.name_key))]
    if grams:
        session.execute(insert(SpeakerAliasGram), grams)
    return rows


def create_speaker(
    session: Session,
    actor: Actor,
    *,
    name: str,
    kind: SpeakerKind,
    role: str | None = None,
    affiliation: Speaker | None = None,
    aliases: tuple[str, ...] = (),
    needs_review: bool = False,
) -> Speaker:
    """Create a speaker whose name (and any ``aliases``) go into the alias registry."""
    require_role(actor, EditorRole.EDITOR)
    name = " ".join(name.split())
    if not name:
        raise InputError("a speaker needs a name")
    speaker = Speaker(
        name=name, kind=kind, role=role or None, affiliation=affiliation, needs_review=needs_review
    )
    for alias in aliases:  # those an editor gives; the name itself may be a new person's surname
        _refuse_if_names_another(session, speaker, alias)
    session.add(speaker)
    _add_alias_rows(session, speaker, (name, *aliases))
    record_event(
        session, actor, "speaker.create", "speaker", speaker.id, after=snapshot(speaker, _SPEAKER_FIELDS)
    )
    return speaker


def add_alias(session: Session, actor: Actor, speaker: Speaker, alias: str) -> SpeakerAlias:
    """Record that ``alias`` also names ``speaker``.

    Refused, with a pointer to merging, when the alias already names another speaker (see
    :func:`speakers_named_by`): two speakers answering to one name would split their claims.
    """
    require_role(actor, EditorRole.EDITOR)
    _refuse_if_names_another(session, speaker, alias)
    [row] = _add_alias_rows(session, speaker, [alias])
    record_event(session, actor, "speaker.alias_add", "speaker", speaker.id, after={"alias": row.alias})
    return row


def add_name_variant(session: Session, actor: Actor, speaker: Speaker, alias: str) -> SpeakerAlias:
    """Record ``alias``, a variant of one of ``speaker``'s names (same name key), found at ingest.

    Audited as ``speaker.alias_add`` with ``"by": "name key"``, so editors can tell it from theirs.
    """
    [row] = _add_alias_rows(session, speaker, [alias])
    record_event(
        session,
        actor,
        "speaker.alias_add",
        "speaker",
        speaker.id,
        after={"alias": row.alias, "by": "name key"},
    )
    return row


def remove_alias(session: Session, actor: Actor, alias: SpeakerAlias) -> None:
    """Remove an alias; a speaker's own name stays (it is how the registry finds them)."""
    require_role(actor, EditorRole.EDITOR)
    if alias.normalized == normalize_alias(alias.speaker.name):
        raise InputError("a speaker's own name cannot be removed from their aliases")
    record_event(
        session, actor, "speaker.alias_remove", "speaker", alias.speaker_id, before={"alias": alias.alias}
    )
    session.delete(alias)
    session.flush()


def update_speaker(
    session: Session,
    actor: Actor,
    speaker: Speaker,
    *,
    name: str | None = None,
    kind: SpeakerKind | None = None,
    role: str | None = None,
    affiliation: Speaker | None = None,
    clear_affiliation: bool = False,
    needs_review: bool | None = None,
) -> Speaker:
    """Edit a speaker's details; the affiliation chain may not loop back to the speaker."""
    require_role(actor, EditorRole.EDITOR)
    before = snapshot(speaker, _SPEAKER_FIELDS)
    if name is not None and " ".join(name.split()) != speaker.name:
        speaker.name = " ".join(name.split())
        if not speaker.name:
            raise InputError("a speaker needs a name")
        _add_alias_rows(session, speaker, [speaker.name])
    if kind is not None:
        speaker.kind = kind
    if role is not None:
        speaker.role = role.strip() or None
    if clear_affiliation:
        speaker.affiliation = None
    elif affiliation is not None:
        seen: Speaker | None = affiliation
        while seen is not None:
            if seen.id == speaker.id:
                raise InputError(f"{speaker.name!r} cannot speak for {affiliation.name!r}: that makes a loop")
            seen = seen.affiliation
        speaker.affiliation = affiliation
    if needs_review is not None:
        speaker.needs_review = needs_review
    session.flush()
    after = snapshot(speaker, _SPEAKER_FIELDS)
    if after != before:
        record_event(session, actor, "speaker.update", "speaker", speaker.id, before=before, after=after)
    return speaker


def _carry_over_suggestions(session: Session, source: Speaker, target: Speaker) -> None:
    """Move ``source``'s merge suggestions to ``target`` before ``source`` goes.

    The pair now inside one speaker is dropped; a pair that already exists for ``target`` is kept
    once, and an editor's "not the same" wins over a pending suggestion, so it is never lost.
    """
    rows = list(
        session.scalars(
            select(SpeakerMergeSuggestion).where(
                (SpeakerMergeSuggestion.speaker_id == source.id)
                | (SpeakerMergeSuggestion.other_id == source.id)
            )
        )
    )
    for row in rows:
        other = row.other_id if row.speaker_id == source.id else row.speaker_id
        if other == target.id:
            session.delete(row)
            continue
        low, high = sorted((other, target.id))
        existing = session.scalar(
            select(SpeakerMergeSuggestion).where(
                SpeakerMergeSuggestion.speaker_id == low, SpeakerMergeSuggestion.other_id == high
            )
        )
        if existing is None:
            row.speaker_id, row.other_id = low, high
            continue
        if row.status is SuggestionStatus.REJECTED and existing.status is SuggestionStatus.PENDING:
            existing.status = SuggestionStatus.REJECTED
            existing.decided_at, existing.decided_by_id = row.decided_at, row.decided_by_id
        session.delete(row)
    session.flush()


def merge_speakers(session: Session, actor: Actor, *, source: Speaker, target: Speaker) -> Speaker:
    """Fold ``source`` into ``target``: its claims, aliases and followers move over, then it is removed.

    Admins only. The audit event keeps the removed speaker's details and what moved.
    """
    require_role(actor, EditorRole.ADMIN)
    if source.id == target.id:
        raise InputError("a speaker cannot be merged into itself")
    before = snapshot(source, ("id", *_SPEAKER_FIELDS))
    aliases = [a.alias for a in source.aliases]
    claim_count = session.scalar(select(func.count()).where(Claim.speaker_id == source.id)) or 0
    session.execute(update(Claim).where(Claim.speaker_id == source.id).values(speaker_id=target.id))
    session.execute(
        update(Speaker).where(Speaker.affiliation_id == source.id).values(affiliation_id=target.id)
    )
    session.execute(
        update(SpeakerAlias).where(SpeakerAlias.speaker_id == source.id).values(speaker_id=target.id)
    )
    _carry_over_suggestions(session, source, target)
    if target.affiliation_id == source.id:
        target.affiliation_id = source.affiliation_id if source.affiliation_id != target.id else None
    # The bulk updates bypassed the relationships: reload them so the delete cascades to nothing.
    session.expire(target, ["aliases"])
    session.expire(source, ["aliases"])
    session.delete(source)
    session.flush()
    record_event(
        session,
        actor,
        "speaker.merge",
        "speaker",
        target.id,
        before=before,
        after={"into": target.id, "moved_claims": claim_count, "moved_aliases": aliases},
    )
    return target
