"""``factdb audit verify``: check the whole record against its signed history, and report every break.

What is checked (each break is reported with what it hides, and the walk goes on past it):

1. **The chain.** Every row of ``audit_events`` whatever its id, in id order: ids run 1, 2, 3, ...
   with none missing and none outside that range; each event's ``prev_hash`` is the hash of the one
   before; each keyed event's HMAC verifies under the key its ``key_id`` names (with the key); each
   legacy event (from before the chain was keyed) hashes to its SHA-256 and is anchored by the signed
   ``audit.format`` event after it; keys change only at a recorded ``audit.key_rotate`` event whose
   proof verifies under the old key.
2. **Verdict rows.** Every review and evidence row equals the copy its (valid) audit event carries,
   and none exists without one; rows from before the chain was keyed match the digest the signed
   ``audit.format`` event holds. Every ``review_follows`` row (a review that applied another claim's
   verdict to its cluster) names the review its event's ``followed_review_id`` names, and none exists
   without one.
3. **State.** Replaying the valid events (claims' origins at ingest, status changes, attribution
   edits, speaker merges, restores) gives each claim's status, speaker and span; every claim whose
   stored values disagree is reported, and its content must be the source text of its span.

:func:`fix_state` writes the replayed values back (an audited ``claim.restore`` per claim).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, EditorRole
from factdb.errors import InputError
from factdb.models import AuditEvent, Claim, Evidence, Review, ReviewFollow, Source, Speaker
from factdb.services.audit import (
    GENESIS_HASH,
    KEYED_FORMAT,
    KEYRING_INFO,
    LEGACY_FORMAT,
    ROTATE_ACTION,
    Actor,
    digest_of,
    record_event,
    require_role,
    rotation_proof,
    signature_of,
)
from factdb.services.audit_key import Keyring, load_keyring
from factdb.services.claims import EVIDENCE_FIELDS, REVIEW_FIELDS, row_snapshot
from factdb.services.ingest import CLAIM_ORIGINS

#: Events read per query: memory stays flat however long the chain.
CHUNK = 5000
#: Action of the event that starts the keyed chain after legacy events (appended by revision 0009).
FORMAT_ACTION = "audit.format"
#: Action of the event recording a claim restored from its history.
RESTORE_ACTION = "claim.restore"
#: Key of a status change event's ``after`` naming the review whose verdict it applied (review once).
FOLLOWED = "followed_review_id"
#: Longest excerpt of a forged or orphaned record quoted in a report.
EXCERPT_CHARS = 80

_CHAIN_COLUMNS = (
    AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.format, AuditEvent.key_id,
    AuditEvent.actor, AuditEvent.editor_id, AuditEvent.action, AuditEvent.entity_type,
    AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.created_at,
)  # fmt: skip


@dataclass(frozen=True)
class Problem:
    """One break: where, what is wrong, and what it hides."""

    where: str
    problem: str
    hides: str
    event_id: int | None = None


@dataclass
class KeyUse:
    """The events signed under one key id."""

    key_id: str
    events: int = 0
    first_id: int | None = None
    last_id: int | None = None
    available: bool = False


@dataclass(frozen=True)
class StateMismatch:
    """A claim whose stored value is not what its history says."""

    claim_id: int
    field: str
    stored: Any
    expected: Any
    event_id: int | None


@dataclass
class VerifyReport:
    """The outcome of :func:`verify`. ``ok``: nothing wrong was found. ``complete``: every signature
    could be checked (there was a key for every keyed event)."""

    events: int = 0
    head_id: int | None = None
    head_hash: str = GENESIS_HASH
    key_checked: bool = False
    keys: list[KeyUse] = field(default_factory=list)
    legacy_events: int = 0
    unchecked_signatures: int = 0
    reviews: int = 0
    evidence: int = 0
    follows: int = 0
    claims: int = 0
    claims_unchecked: int = 0
    problems: list[Problem] = field(default_factory=list)
    state: list[StateMismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.state

    @property
    def complete(self) -> bool:
        return self.key_checked and self.unchecked_signatures == 0

    @property
    def broken_at(self) -> int | None:
        """The first event with a problem (None if the events are all right)."""
        return next((p.event_id for p in self.problems if p.event_id is not None), None)

    @property
    def problem(self) -> str | None:
        return self.problems[0].problem if self.problems else None

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (``factdb audit verify --json``)."""
        data = asdict(self)
        data["state"] = [
            {**asdict(m), "stored": _plain(m.stored), "expected": _plain(m.expected)} for m in self.state
        ]
        data.update(ok=self.ok, complete=self.complete)
        return data


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, ClaimStatus) else value


# --- reading -------------------------------------------------------------------------------


def _chunks_in_id_order(session: Session, id_column: Any, *columns: Any) -> Iterator[Sequence[Any]]:
    """Plain rows of ``columns`` (``id_column`` among them, as ``id``) by keyset, CHUNK rows at a
    time: from the smallest id, whatever it is, so no row escapes the walk, in bounded memory."""
    last_id: int | None = None
    while True:
        stmt = select(*columns).order_by(id_column).limit(CHUNK)
        if last_id is not None:
            stmt = stmt.where(id_column > last_id)
        rows = session.execute(stmt).all()
        if not rows:
            return
        yield rows
        last_id = rows[-1].id


def _in_id_order(session: Session, id_column: Any, *columns: Any) -> Iterator[Any]:
    """The rows of :func:`_chunks_in_id_order`, one by one."""
    for rows in _chunks_in_id_order(session, id_column, *columns):
        yield from rows


def _walk(session: Session) -> Iterator[Any]:
    return _in_id_order(session, AuditEvent.id, *_CHAIN_COLUMNS)


def _describe(row: Any) -> str:
    entity = f"{row.entity_type} #{row.entity_id}" if row.entity_id is not None else row.entity_type
    when = row.created_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return f"{row.action} on {entity} by {row.actor} at {when}"


def _excerpt(value: Any) -> str:
    text_value = json.dumps(value, ensure_ascii=False, default=str)
    return text_value if len(text_value) <= EXCERPT_CHARS else text_value[: EXCERPT_CHARS - 1] + "…"


def _without_id(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in snapshot.items() if k != "id"}


def _fingerprint(snapshot: dict[str, Any]) -> str:
    canonical = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# --- legacy rows (before the chain was keyed) ----------------------------------------------


def _legacy_time(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return str(value.astimezone(dt.UTC).isoformat(timespec="microseconds"))


def legacy_rows_digest(session: Session, table: str, columns: Sequence[str], max_id: int) -> dict[str, Any]:
    """The digest revision 0009 signed over ``table``'s rows with ids up to ``max_id`` (same code)."""
    digest = hashlib.sha256()
    count = 0
    last = 0
    query = text(f"SELECT {', '.join(columns)} FROM {table} WHERE id <= :max_id ORDER BY id")  # noqa: S608
    for row in session.execute(query, {"max_id": max_id}):
        values = dict(row._mapping)
        values["created_at"] = _legacy_time(values["created_at"])
        digest.update(json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode())
        digest.update(b"\n")
        count, last = count + 1, row.id
    return {"count": count, "max_id": last, "sha256": digest.hexdigest()}


# --- the walk -------------------------------------------------------------------------------


@dataclass
class _Replay:
    """Claims' state rebuilt from valid events.

    claim id -> [status, speaker_id, start, end, last event id, sequence number of the event that set
    the speaker]. The speaker's own sequence number matters: a merge made after the speaker was set
    moves the claim, even when a later event changed only the status.
    """

    claims: dict[int, list[Any]] = field(default_factory=dict)
    # speaker id -> [(seq, into)] in chain order: merges move every claim the speaker had then.
    merges: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    seq: int = 0


_UNKNOWN = object()  # a value history does not state (claims from before origins were recorded)


def _replay_event(replay: _Replay, row: Any) -> None:
    replay.seq += 1
    after = row.after if isinstance(row.after, dict) else {}
    if row.action == "source.ingest":
        for origin in after.get(CLAIM_ORIGINS) or ():
            claim_id, speaker_id, start, end = origin
            replay.claims[claim_id] = [
                ClaimStatus.UNVERIFIED.value,
                speaker_id,
                start,
                end,
                row.id,
                replay.seq,
            ]
    elif row.entity_type == "claim" and row.entity_id is not None:
        state = replay.claims.setdefault(
            row.entity_id, [ClaimStatus.UNVERIFIED.value, _UNKNOWN, _UNKNOWN, _UNKNOWN, None, 0]
        )
        touched = False
        for index, name in ((0, "status"), (1, "speaker_id"), (2, "content_start"), (3, "content_end")):
            if name in after:
                state[index] = after[name]
                touched = True
        if touched:
            state[4] = row.id
        if "speaker_id" in after:
            state[5] = replay.seq
    elif row.action == "speaker.merge":
        before = row.before if isinstance(row.before, dict) else {}
        if isinstance(before.get("id"), int) and isinstance(after.get("into"), int):
            replay.merges.setdefault(before["id"], []).append((replay.seq, after["into"]))


def _resolve_speaker(replay: _Replay, speaker_id: Any, since: int) -> Any:
    # Follow every merge of the speaker made after the claim got it (ids may be reused later).
    for _ in range(len(replay.merges) + 1):
        later = [(seq, into) for seq, into in replay.merges.get(speaker_id, ()) if seq > since]
        if not later:
            return speaker_id
        since, speaker_id = min(later)
    return speaker_id


@dataclass
class _Walk:
    report: VerifyReport
    keyring: Keyring | None
    reviews: dict[int, tuple[int, str]] = field(default_factory=dict)  # id -> (event id, fingerprint)
    evidence: dict[int, tuple[int, str]] = field(default_factory=dict)
    # review id -> (event id, the review it followed), from events carrying ``followed_review_id``.
    follows: dict[int, tuple[int, int]] = field(default_factory=dict)
    format_event: dict[str, Any] | None = None
    replay: _Replay = field(default_factory=_Replay)


def _check_event(walk: _Walk, row: Any, state: dict[str, Any]) -> bool:
    """Check one event's own signature or hash and its place among keys; True if its content is valid."""
    report = walk.report
    where = f"event #{row.id}"
    if row.format == LEGACY_FORMAT:
        if state["keyed"]:
            report.problems.append(
                Problem(
                    where,
                    "an unsigned (format 1) event after the chain became keyed: written without the key",
                    f"a record nobody can vouch for: {_describe(row)}",
                    row.id,
                )
            )
            return False
        report.legacy_events += 1
        if digest_of(row) != row.hash:
            report.problems.append(
                Problem(
                    where,
                    "its fields do not match its hash (changed after it was written)",
                    f"the original content of this event; it now says: {_describe(row)}",
                    row.id,
                )
            )
            return False
        return True
    if row.format != KEYED_FORMAT:
        report.problems.append(Problem(where, f"unknown event format {row.format!r}", _describe(row), row.id))
        return False
    if not state["keyed"] and report.legacy_events and row.action != FORMAT_ACTION:
        report.problems.append(
            Problem(
                where,
                f"the first keyed event after {report.legacy_events} legacy events is not the signed "
                f"{FORMAT_ACTION} event that anchors them",
                "any rewrite of the legacy events",
                row.id,
            )
        )
    state["keyed"] = True
    use = next((k for k in report.keys if k.key_id == row.key_id), None)
    if use is None:
        use = KeyUse(
            str(row.key_id), available=walk.keyring is not None and walk.keyring.get(row.key_id) is not None
        )
        report.keys.append(use)
    use.events += 1
    use.first_id = row.id if use.first_id is None else use.first_id
    use.last_id = row.id
    valid = True
    if walk.keyring is None:
        report.unchecked_signatures += 1
    else:
        key = walk.keyring.get(row.key_id)
        if key is None:
            report.problems.append(
                Problem(
                    where,
                    f"signed under key id {row.key_id}, which is not in the keyring: forged with another "
                    "key, or a key is missing from the keyring",
                    f"whether this event is genuine: {_describe(row)}",
                    row.id,
                )
            )
            valid = False
        elif not hmac.compare_digest(signature_of(row, key), row.hash):
            report.problems.append(
                Problem(
                    where,
                    "its content does not match its signature: changed after it was written, or written "
                    "without the key",
                    f"the genuine content of this event; it now says: {_describe(row)}",
                    row.id,
                )
            )
            valid = False
    current = state["key_id"]
    if current is not None and row.key_id != current:
        if row.action != ROTATE_ACTION:
            report.problems.append(
                Problem(
                    where,
                    f"the signing key changes from {current} to {row.key_id} without a recorded rotation",
                    "events signed by a key the chain never handed over to",
                    row.id,
                )
            )
            valid = False
        elif walk.keyring is not None:
            old = walk.keyring.get(current)
            after = row.after if isinstance(row.after, dict) else {}
            proof_ok = (
                old is not None
                and after.get("from_key_id") == current
                and after.get("to_key_id") == row.key_id
                and hmac.compare_digest(
                    str(after.get("proof")), rotation_proof(old, str(row.key_id), row.prev_hash)
                )
            )
            if not proof_ok:
                report.problems.append(
                    Problem(
                        where,
                        f"key rotation from {current} to {row.key_id} is not proven by the old key",
                        "a takeover of the chain by a key its holder never approved",
                        row.id,
                    )
                )
                valid = False
    if valid or current is None:
        state["key_id"] = row.key_id
    if row.action == FORMAT_ACTION and valid and walk.format_event is None and isinstance(row.after, dict):
        walk.format_event = {**row.after, "event_id": row.id}
        if row.after.get("legacy_head_id") != state["last_legacy_id"]:
            report.problems.append(
                Problem(
                    where,
                    "the format change does not sign the last legacy event",
                    "legacy events after it",
                    row.id,
                )
            )
    return valid


def _walk_events(session: Session, walk: _Walk) -> None:
    report = walk.report
    state: dict[str, Any] = {"keyed": False, "key_id": None, "last_legacy_id": None}
    last_id, last_hash = 0, GENESIS_HASH
    for row in _walk(session):
        report.events += 1
        where = f"event #{row.id}"
        if row.id <= 0:
            report.problems.append(
                Problem(
                    where,
                    "its id is outside the chain (ids start at 1): a row put into the table directly",
                    f"nothing in the chain; it claims: {_describe(row)}",
                    row.id,
                )
            )
            continue
        if row.id != last_id + 1:
            missing = f"#{last_id + 1}" if row.id == last_id + 2 else f"#{last_id + 1}..#{row.id - 1}"
            report.problems.append(
                Problem(
                    where,
                    f"events {missing} are missing before it (deleted)",
                    f"{row.id - last_id - 1} recorded change(s), whatever they were",
                    row.id,
                )
            )
        elif row.prev_hash != last_hash:
            report.problems.append(
                Problem(
                    where,
                    "its prev_hash is not the hash of the event before it: the chain was cut, rebuilt "
                    "or an event before it replaced",
                    f"what the chain said before event #{row.id}",
                    row.id,
                )
            )
        valid = _check_event(walk, row, state)
        if row.format == LEGACY_FORMAT and not state["keyed"]:
            state["last_legacy_id"] = row.id
        if valid:
            _collect(walk, row)
            _replay_event(walk.replay, row)
        last_id, last_hash = row.id, row.hash
    report.head_id = last_id or None
    report.head_hash = last_hash
    if report.legacy_events and walk.format_event is None:
        report.problems.append(
            Problem(
                "audit_events",
                f"{report.legacy_events} legacy events are not anchored by a signed {FORMAT_ACTION} event",
                "any rewrite of the legacy history",
            )
        )


def _collect(walk: _Walk, row: Any) -> None:
    after = row.after if isinstance(row.after, dict) else {}
    review = after.get("review")
    if isinstance(review, dict) and isinstance(review.get("id"), int):
        walk.reviews[review["id"]] = (row.id, _fingerprint(review))
        followed = after.get(FOLLOWED)
        if isinstance(followed, int):
            walk.follows[review["id"]] = (row.id, followed)
    for item in after.get("evidence") or ():
        if isinstance(item, dict) and isinstance(item.get("id"), int):
            walk.evidence[item["id"]] = (row.id, _fingerprint(item))


# --- verdict rows --------------------------------------------------------------------------


def _recorded_copy(session: Session, event_id: int, kind: str, row_id: int) -> dict[str, Any]:
    after = session.scalar(select(AuditEvent.after).where(AuditEvent.id == event_id)) or {}
    if kind == "review":
        return dict(after.get("review") or {})
    return next(
        (dict(e) for e in after.get("evidence") or () if isinstance(e, dict) and e.get("id") == row_id), {}
    )


def _check_rows(session: Session, walk: _Walk, kind: str) -> None:
    model, fields, seen = (
        (Review, REVIEW_FIELDS, walk.reviews)
        if kind == "review"
        else (Evidence, EVIDENCE_FIELDS, walk.evidence)
    )
    report = walk.report
    legacy = (walk.format_event or {}).get("reviews" if kind == "review" else "evidence") or {}
    legacy_max = int(legacy.get("max_id") or 0)
    columns = [getattr(model, name) for name in fields]
    found: set[int] = set()
    for row in _in_id_order(session, model.id, *columns):
        if kind == "review":
            report.reviews += 1
        else:
            report.evidence += 1
        snapshot = row_snapshot(row, fields)
        recorded = seen.get(row.id)
        if recorded is not None:
            found.add(row.id)
            if recorded[1] != _fingerprint(snapshot):
                copy = _recorded_copy(session, recorded[0], kind, row.id)
                changed = sorted(k for k in fields if copy.get(k) != snapshot.get(k))
                was = {k: copy.get(k) for k in changed}
                report.problems.append(
                    Problem(
                        f"{kind} #{row.id}",
                        f"differs from its audit event #{recorded[0]} in {', '.join(changed)}",
                        f"the recorded {kind}: {_excerpt(was)}",
                        recorded[0],
                    )
                )
        elif 0 < row.id <= legacy_max:
            continue  # covered by the legacy digest below
        else:
            report.problems.append(
                Problem(
                    f"{kind} #{row.id}",
                    "has no valid audit event: put into the table directly",
                    f"a {kind} nobody recorded: {_excerpt(_without_id(snapshot))}",
                )
            )
    for row_id, (event_id, _fp) in seen.items():
        if row_id not in found:
            report.problems.append(
                Problem(
                    f"{kind} #{row_id}",
                    f"recorded by audit event #{event_id} but missing from the table (deleted)",
                    f"the {kind} itself: {_excerpt(_recorded_copy(session, event_id, kind, row_id))}",
                    event_id,
                )
            )
    if legacy_max and walk.format_event is not None:
        table = "reviews" if kind == "review" else "evidence"
        now = legacy_rows_digest(session, table, fields, legacy_max)
        format_id = int(walk.format_event["event_id"])
        if now != {"count": legacy.get("count"), "max_id": legacy_max, "sha256": legacy.get("sha256")}:
            report.problems.append(
                Problem(
                    f"{table} #1..#{legacy_max}",
                    f"the {table} from before the chain was keyed differ from what signed event "
                    f"#{format_id} recorded ({legacy.get('count')} rows then, {now['count']} now)",
                    f"the original {table} written before revision 0009",
                    format_id,
                )
            )


def _check_follows(session: Session, walk: _Walk) -> None:
    """Every ``review_follows`` row against the ``followed_review_id`` its review's event recorded."""
    report = walk.report
    found: set[int] = set()
    rows = _in_id_order(
        session, ReviewFollow.review_id, ReviewFollow.review_id.label("id"), ReviewFollow.followed_review_id
    )
    for row in rows:
        report.follows += 1
        where = f"review_follows row of review #{row.id}"
        recorded = walk.follows.get(row.id)
        if recorded is None:
            report.problems.append(
                Problem(
                    where,
                    "has no valid audit event: put into the table directly",
                    f"a claim of review once nobody recorded: review #{row.id} follows "
                    f"review #{row.followed_review_id}",
                )
            )
            continue
        found.add(row.id)
        event_id, followed = recorded
        if row.followed_review_id != followed:
            report.problems.append(
                Problem(
                    where,
                    f"differs from its audit event #{event_id} in {FOLLOWED}",
                    f"the recorded review it followed: #{followed} (the row says #{row.followed_review_id})",
                    event_id,
                )
            )
    for review_id, (event_id, followed) in walk.follows.items():
        if review_id not in found:
            report.problems.append(
                Problem(
                    f"review_follows row of review #{review_id}",
                    f"recorded by audit event #{event_id} but missing from the table (deleted)",
                    f"that review #{review_id} applied the verdict of review #{followed}",
                    event_id,
                )
            )


# --- state ---------------------------------------------------------------------------------


def _expected_state(walk: _Walk, claim_id: int) -> dict[str, Any] | None:
    state = walk.replay.claims.get(claim_id)
    if state is None:
        return None
    status, speaker_id, start, end, event_id, seq = state
    if speaker_id is not _UNKNOWN and speaker_id is not None:
        speaker_id = _resolve_speaker(walk.replay, speaker_id, seq)
    return {
        "status": status,
        "speaker_id": speaker_id,
        "content_start": start,
        "content_end": end,
        "event_id": event_id,
    }


def _check_state(session: Session, walk: _Walk) -> None:
    report = walk.report
    seen: set[int] = set()
    for row in _in_id_order(
        session, Claim.id, Claim.id, Claim.status, Claim.speaker_id, Claim.content_start, Claim.content_end
    ):
        report.claims += 1
        seen.add(row.id)
        expected = _expected_state(walk, row.id)
        if expected is None:
            # No history at all: it was never reviewed, so it must be unverified; its attribution
            # predates recorded origins and cannot be checked.
            expected = {
                "status": ClaimStatus.UNVERIFIED.value,
                "speaker_id": _UNKNOWN,
                "content_start": _UNKNOWN,
                "content_end": _UNKNOWN,
                "event_id": None,
            }
        if expected["speaker_id"] is _UNKNOWN:
            report.claims_unchecked += 1
        for name in ("status", "speaker_id", "content_start", "content_end"):
            stored = getattr(row, name)
            stored = stored.value if isinstance(stored, ClaimStatus) else stored
            if expected[name] is not _UNKNOWN and stored != expected[name]:
                report.state.append(StateMismatch(row.id, name, stored, expected[name], expected["event_id"]))
    for claim_id in walk.replay.claims.keys() - seen:
        report.problems.append(
            Problem(
                f"claim #{claim_id}",
                "recorded in the history but missing from the table (deleted)",
                "the claim and its whole record",
            )
        )
    _check_contents(session, report)


def _check_contents(session: Session, report: VerifyReport) -> None:
    """Report every claim whose content is not the source text of its span (character offsets).

    Compared here, not with SQL's substr: PostgreSQL detoasts the whole article for every claim's
    substr, so a 5 MB article of 65,000 claims read hundreds of gigabytes. Each chunk of claims
    reads the texts of its sources once (a chunk's claims come from few sources: an article's
    claims are stored together).
    """
    columns = (Claim.id, Claim.source_id, Claim.content, Claim.content_start, Claim.content_end)
    for rows in _chunks_in_id_order(session, Claim.id, *columns):
        source_ids = {row.source_id for row in rows}
        sources = select(Source.id, Source.text).where(Source.id.in_(source_ids))
        texts: dict[int, str] = {source_id: body for source_id, body in session.execute(sources)}
        for row in rows:
            source_text = texts.get(row.source_id)
            start, end = row.content_start, row.content_end
            # Offsets outside the text are a mismatch of their own (a negative start would slice
            # from the end in Python).
            if (
                source_text is None
                or not 0 <= start <= end <= len(source_text)
                or row.content != source_text[start:end]
            ):
                report.state.append(
                    StateMismatch(row.id, "content", row.content, "(the source text of its span)", None)
                )


def verify(session: Session, keyring: Keyring | None = None) -> VerifyReport:
    """Check the audit chain, the verdict rows and the claims' state; see the module docstring.

    ``keyring`` defaults to the one lent to the session or the configured one; without any, every
    check but the signatures runs and the report is not ``complete``.
    """
    if keyring is None:
        keyring = session.info.get(KEYRING_INFO) or load_keyring()
    walk = _Walk(VerifyReport(key_checked=keyring is not None), keyring)
    _walk_events(session, walk)
    _check_rows(session, walk, "review")
    _check_rows(session, walk, "evidence")
    _check_follows(session, walk)
    _check_state(session, walk)
    return walk.report


# --- repair --------------------------------------------------------------------------------


def fix_state(session: Session, actor: Actor, report: VerifyReport) -> list[int]:
    """Restore every claim ``report`` found out of step with its history; returns the claims restored.

    Admins only, and only from a complete verification (every signature checked): each claim gets
    its replayed status, speaker and span back (content from the source text), a version bump and a
    ``claim.restore`` audit event with the values before and after.
    """
    require_role(actor, EditorRole.ADMIN)
    if not report.complete:
        raise InputError(
            "restoring from history needs the audit key: without it the history itself is unproven"
        )
    by_claim: dict[int, list[StateMismatch]] = {}
    for mismatch in report.state:
        by_claim.setdefault(mismatch.claim_id, []).append(mismatch)
    restored = []
    for claim_id, mismatches in sorted(by_claim.items()):
        claim = session.get(Claim, claim_id)
        if claim is None:
            continue
        before = {
            "status": claim.status.value,
            "speaker_id": claim.speaker_id,
            "content_start": claim.content_start,
            "content_end": claim.content_end,
            "content": claim.content,
            "version": claim.version,
        }
        for mismatch in mismatches:
            if mismatch.field == "status":
                claim.status = ClaimStatus(mismatch.expected)
            elif mismatch.field == "speaker_id":
                if mismatch.expected is not None and session.get(Speaker, mismatch.expected) is None:
                    raise InputError(
                        f"claim {claim_id}: its recorded speaker #{mismatch.expected} no longer exists; "
                        "nothing was restored"
                    )
                claim.speaker_id = mismatch.expected
            elif mismatch.field in ("content_start", "content_end"):
                setattr(claim, mismatch.field, mismatch.expected)
        claim.content = claim.source.text[claim.content_start : claim.content_end]
        session.flush()
        after = {
            "status": claim.status.value,
            "speaker_id": claim.speaker_id,
            "content_start": claim.content_start,
            "content_end": claim.content_end,
            "content": claim.content,
            "version": claim.version,
            "restored_from_event": mismatches[0].event_id,
        }
        record_event(session, actor, RESTORE_ACTION, "claim", claim_id, before=before, after=after)
        restored.append(claim_id)
    return restored
