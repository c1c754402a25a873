"""Speakers that may be one: resolving a name by its name key at ingest, and the queue of suggested merges.

A name whose key (:func:`factdb.services.speaker_names.name_key`) is that of exactly one speaker of
the same kind resolves to that speaker and becomes one of its aliases. A new speaker that only may be
someone already known ("Zelensky" and "Volodymyr Zelensky", "Shoigu" and "Shoygu") is put to editors
as a suggested merge; accepting merges the two (:func:`factdb.services.speakers.merge_speakers`),
rejecting records "not the same", and a rejected pair is never proposed again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, bindparam, func, insert, or_, select
from sqlalchemy.orm import Session, selectinload

from factdb.db import in_chunks, utcnow
from factdb.enums import EditorRole, SpeakerKind, SuggestionStatus
from factdb.errors import InputError, NotFoundError
from factdb.models import Speaker, SpeakerAlias, SpeakerAliasGram, SpeakerMergeSuggestion, SpeakerStatusCount
from factdb.services.audit import (
    Actor,
    EventSpec,
    lock_audit_chain,
    record_event,
    record_events,
    require_role,
)
from factdb.services.speaker_names import GRAM_MAX, KEY_MAX, Judgement, Match, compare, name_grams, name_key
from factdb.services.speakers import merge_speakers, set_name_key
from factdb.services.validation import require_id

#: At most this many candidate speakers are judged per new speaker (the lowest ids), so one common
#: name part cannot make an ingest judge a whole registry.
MAX_CANDIDATES = 500
#: The suggestions page shows this many at a time.
PAGE_SIZE = 50
#: Speakers judged per round by :func:`compute_suggestions` (loaded, judged and stored together).
SPEAKERS_PER_ROUND = 200


def alias_key(alias: str) -> str:
    """The name key stored for ``alias``."""
    return name_key(alias)[:KEY_MAX]


def speaker_by_name_key(session: Session, name: str, kind: SpeakerKind) -> Speaker | None:
    """The one speaker of ``kind`` with an alias whose key is ``name``'s, or None (none, or several)."""
    key = alias_key(name)
    if not key:
        return None
    found = list(
        session.scalars(
            select(Speaker.id)
            .join(SpeakerAlias)
            .where(SpeakerAlias.name_key == key, Speaker.kind == kind)
            .distinct()
            .limit(2)
        )
    )
    return session.get(Speaker, found[0]) if len(found) == 1 else None


def _ordered(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


# The aliases with any of a set of search grams, with their speaker and its kind: from the grams'
# primary key to each alias and its speaker, index lookups only. Built once (a statement built per
# new speaker cost more than running it).
_GRAM_ALIASES = (
    select(SpeakerAliasGram.gram, SpeakerAlias.speaker_id, SpeakerAlias.name_key, Speaker.kind)
    .select_from(SpeakerAliasGram)
    .join(SpeakerAlias, SpeakerAlias.id == SpeakerAliasGram.alias_id)
    .join(Speaker, Speaker.id == SpeakerAlias.speaker_id)
    .where(SpeakerAliasGram.gram.in_(bindparam("grams", expanding=True)))
)


class _Registry:
    """The aliases sharing a search gram with the names of a round of speakers, read in one query
    (a query per speaker cost more than judging its candidates)."""

    def __init__(self, session: Session, keys_of: dict[int, list[str]]) -> None:
        self.grams_of = {
            speaker_id: sorted({g[:GRAM_MAX] for key in keys for g in name_grams(key)})
            for speaker_id, keys in keys_of.items()
        }
        wanted = sorted({gram for grams in self.grams_of.values() for gram in grams})
        self.by_gram: dict[str, list[tuple[int, str, SpeakerKind]]] = {}
        connection = session.connection()  # the ORM's handling of plain columns cost more than the query
        for grams in in_chunks(wanted):
            for gram, speaker_id, key, kind in connection.execute(_GRAM_ALIASES, {"grams": grams}):
                self.by_gram.setdefault(gram, []).append((speaker_id, key, kind))

    def candidates(self, speaker: Speaker) -> dict[int, list[str]]:
        """Alias keys of the other speakers of ``speaker``'s kind sharing a search gram with its
        names, of at most :data:`MAX_CANDIDATES` speakers (the lowest ids)."""
        found: dict[int, set[str]] = {}
        own_id, own_kind = speaker.id, speaker.kind
        for gram in self.grams_of.get(own_id, []):
            for other_id, key, kind in self.by_gram.get(gram, []):
                if other_id != own_id and kind is own_kind:
                    found.setdefault(other_id, set()).add(key)
        return {other_id: sorted(found[other_id]) for other_id in sorted(found)[:MAX_CANDIDATES]}


def _judged_pairs(session: Session, speaker_ids: list[int]) -> set[tuple[int, int]]:
    """The pairs (lower id first) with a suggestion, pending or judged, that involve ``speaker_ids``."""
    found: set[tuple[int, int]] = set()
    for chunk in in_chunks(speaker_ids):
        rows = session.execute(
            select(SpeakerMergeSuggestion.speaker_id, SpeakerMergeSuggestion.other_id).where(
                or_(SpeakerMergeSuggestion.speaker_id.in_(chunk), SpeakerMergeSuggestion.other_id.in_(chunk))
            )
        )
        found.update((low, high) for low, high in rows)
    return found


def _best(keys: list[str], others: list[str]) -> Judgement:
    judgements = [compare(a, b) for a in keys for b in others]
    same = [j for j in judgements if j.match is Match.SAME]
    if same:
        return Judgement(Match.SAME, 1.0, "same name key")
    unsure = [j for j in judgements if j.match is Match.UNSURE]
    return max(unsure, key=lambda j: j.score) if unsure else Judgement(Match.DIFFERENT, 0.0, "")


def propose_merges_many(session: Session, actor: Actor, speakers: Sequence[Speaker]) -> list[int]:
    """Suggest merging each of ``speakers``, in turn, with each known speaker it may be; never a
    pair already judged, and a pair once when two of ``speakers`` may be each other.

    The suggestions are stored and audited together (``speaker.suggest_merge`` each): one insert and
    one run of audit events for all (an ORM object, a flush and an event each cost more than judging
    a new speaker's candidates). Returns the new suggestions' ids.
    """
    judged = _judged_pairs(session, sorted({speaker.id for speaker in speakers}))
    keys_of = {
        speaker.id: sorted({a.name_key or alias_key(a.alias) for a in speaker.aliases} - {""})
        for speaker in speakers
    }
    registry = _Registry(session, keys_of)
    # (pair, score, reason as stored) of each new suggestion.
    found: list[tuple[tuple[int, int], float, str]] = []
    for speaker in speakers:
        keys = keys_of[speaker.id]
        if not keys:
            continue
        for other_id, other_keys in registry.candidates(speaker).items():
            pair = _ordered(speaker.id, other_id)
            if pair in judged:
                continue
            judgement = _best(keys, other_keys)
            if judgement.match is Match.DIFFERENT:
                continue
            judged.add(pair)  # two new speakers of one round find each other: one suggestion
            found.append((pair, judgement.score, judgement.reason[:KEY_MAX]))
    if not found:
        return []
    table = cast(Table, SpeakerMergeSuggestion.__table__)
    rows = [
        {"speaker_id": low, "other_id": high, "score": score, "reason": reason}
        for (low, high), score, reason in found
    ]
    # A Core insert (the ORM's bookkeeping per row cost more than the row); each returned row names
    # its pair, so the ids are matched to the pairs whatever their order.
    lock_audit_chain(session)  # before the first write, as every write of a session takes it
    returning = insert(table).returning(table.c.id, table.c.speaker_id, table.c.other_id)
    inserted = session.connection().execute(returning, rows)
    ids = {(low, high): suggestion_id for suggestion_id, low, high in inserted}
    record_events(
        session, actor,
        [EventSpec("speaker.suggest_merge", "speaker", low,
                   after={"suggestion": ids[low, high], "speakers": [low, high], "score": score,
                          "reason": reason})
         for (low, high), score, reason in found],
    )  # fmt: skip
    return [ids[pair] for pair, _, _ in found]


@dataclass(frozen=True)
class ComputeResult:
    """What :func:`compute_suggestions` did."""

    speakers: int
    keys_refreshed: int
    suggested: int


def compute_suggestions(
    session: Session, actor: Actor, *, progress: Callable[[int], None] | None = None
) -> ComputeResult:
    """For an existing archive: refresh every alias's name key and grams, then suggest merges.

    Pairs already suggested or rejected are left as they are. ``progress`` is called with the number
    of speakers done after each one.
    """
    require_role(actor, EditorRole.EDITOR)
    refreshed = 0
    aliases = select(SpeakerAlias).options(selectinload(SpeakerAlias.grams)).order_by(SpeakerAlias.id)
    for alias in session.scalars(aliases):
        refreshed += set_name_key(alias)
    session.flush()
    if refreshed:
        record_event(session, actor, "speaker.rekey", "speaker", None, after={"aliases": refreshed})
    suggested = 0
    ids = list(session.scalars(select(Speaker.id).order_by(Speaker.id)))
    for start in range(0, len(ids), SPEAKERS_PER_ROUND):
        chunk = ids[start : start + SPEAKERS_PER_ROUND]
        suggested += len(propose_merges_many(session, actor, speakers_with_aliases(session, chunk)))
        if progress is not None:
            progress(start + len(chunk))
    return ComputeResult(len(ids), refreshed, suggested)


def speakers_with_aliases(session: Session, speaker_ids: Sequence[int]) -> list[Speaker]:
    """The speakers of ``speaker_ids`` that still exist, in that order, their aliases loaded in the
    same round (what :func:`propose_merges_many` reads of each)."""
    found: dict[int, Speaker] = {}
    for chunk in in_chunks(speaker_ids):
        query = select(Speaker).where(Speaker.id.in_(chunk)).options(selectinload(Speaker.aliases))
        found.update((speaker.id, speaker) for speaker in session.scalars(query))
    return [found[i] for i in speaker_ids if i in found]


def get_suggestion(session: Session, suggestion_id: int) -> SpeakerMergeSuggestion:
    """The suggestion with ``suggestion_id``, or NotFoundError."""
    suggestion = session.get(SpeakerMergeSuggestion, require_id(suggestion_id, "speaker merge suggestion"))
    if suggestion is None:
        raise NotFoundError(f"no speaker merge suggestion with id {suggestion_id}")
    return suggestion


@dataclass(frozen=True)
class SuggestionView:
    """A suggestion as editors see it: both speakers with their claim counts."""

    suggestion: SpeakerMergeSuggestion
    speaker_claims: int
    other_claims: int

    @property
    def default_keep(self) -> Speaker:
        """The speaker kept by default: the one with more claims (the older one on a tie)."""
        s = self.suggestion
        return s.other if self.other_claims > self.speaker_claims else s.speaker


def claim_counts(session: Session, speaker_ids: Iterable[int]) -> dict[int, int]:
    """Claims per speaker, from the counts the scorecards read."""
    ids = list(speaker_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SpeakerStatusCount.speaker_key, func.sum(SpeakerStatusCount.n))
        .where(SpeakerStatusCount.speaker_key.in_(ids))
        .group_by(SpeakerStatusCount.speaker_key)
    )
    return {speaker_id: int(n or 0) for speaker_id, n in rows}


def list_suggestions(
    session: Session,
    status: SuggestionStatus = SuggestionStatus.PENDING,
    *,
    limit: int = PAGE_SIZE,
    offset: int = 0,
) -> list[SuggestionView]:
    """Suggestions in ``status``, the surest first."""
    suggestions = list(
        session.scalars(
            select(SpeakerMergeSuggestion)
            .where(SpeakerMergeSuggestion.status == status)
            .order_by(SpeakerMergeSuggestion.score.desc(), SpeakerMergeSuggestion.id)
            .limit(limit)
            .offset(offset)
        )
    )
    counts = claim_counts(session, {i for s in suggestions for i in (s.speaker_id, s.other_id)})
    return [SuggestionView(s, counts.get(s.speaker_id, 0), counts.get(s.other_id, 0)) for s in suggestions]


def count_pending(session: Session) -> int:
    """How many suggestions wait for an editor."""
    return (
        session.scalar(select(func.count()).where(SpeakerMergeSuggestion.status == SuggestionStatus.PENDING))
        or 0
    )


def _pending(suggestion: SpeakerMergeSuggestion) -> None:
    if suggestion.status is not SuggestionStatus.PENDING:
        raise InputError(f"suggestion #{suggestion.id} was already judged ({suggestion.status.value})")


def _describe(suggestion: SpeakerMergeSuggestion) -> dict[str, object]:
    return {
        "suggestion": suggestion.id,
        "speakers": [suggestion.speaker_id, suggestion.other_id],
        "names": [suggestion.speaker.name, suggestion.other.name],
        "score": suggestion.score,
        "reason": suggestion.reason,
    }


def accept_suggestion(
    session: Session, actor: Actor, suggestion: SpeakerMergeSuggestion, *, keep: int | None = None
) -> Speaker:
    """The two speakers are one: merge the other into ``keep`` (default: the one with more claims).

    Merging is for admins, as on a speaker's page. Audited as ``speaker.suggestion_accept`` followed
    by the merge's own ``speaker.merge``, in this transaction.
    """
    require_role(actor, EditorRole.ADMIN)
    _pending(suggestion)
    pair = (suggestion.speaker_id, suggestion.other_id)
    if keep is None:
        counts = claim_counts(session, pair)
        keep = pair[1] if counts.get(pair[1], 0) > counts.get(pair[0], 0) else pair[0]
    if keep is not None:
        require_id(keep, "speaker")
    if keep not in pair:
        raise InputError(
            f"speaker #{keep} is not one of suggestion #{suggestion.id}'s speakers (#{pair[0]}, #{pair[1]})"
        )
    target = suggestion.speaker if keep == pair[0] else suggestion.other
    source = suggestion.other if keep == pair[0] else suggestion.speaker
    record_event(
        session,
        actor,
        "speaker.suggestion_accept",
        "speaker",
        target.id,
        after={**_describe(suggestion), "kept": keep},
    )
    return merge_speakers(session, actor, source=source, target=target)


def reject_suggestion(session: Session, actor: Actor, suggestion: SpeakerMergeSuggestion) -> None:
    """The two speakers are not the same: keep them apart and never propose the pair again (audited)."""
    require_role(actor, EditorRole.EDITOR)
    _pending(suggestion)
    suggestion.status = SuggestionStatus.REJECTED
    suggestion.decided_at = utcnow()
    suggestion.decided_by_id = None if actor is None else actor.id
    session.flush()
    record_event(
        session,
        actor,
        "speaker.suggestion_reject",
        "speaker",
        suggestion.speaker_id,
        after=_describe(suggestion),
    )
