"""Recording what services change: one audit row per write, in the same transaction.

The rows form a keyed hash chain: each event's ``hash`` is an HMAC-SHA256 under the audit key (kept
outside the database, see :mod:`factdb.services.audit_key`) over its id, its fields and the hash of
the event before it (see :func:`signed_digest`). Events written before the chain was keyed (format 1)
keep their plain SHA-256 (:func:`event_digest`); the first keyed event after them signs their head.

Appending is serialized so concurrent writers never fork the chain: every write transaction first
takes the audit lock (a transaction-scoped advisory lock on PostgreSQL; on SQLite write transactions
begin IMMEDIATE and so hold the database's write lock), then reads the chain's head. Ids are given
by this module (head + 1), and the database refuses an insert that does not continue the chain.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from sqlalchemy import insert, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from factdb.db import utcnow
from factdb.enums import EditorRole
from factdb.errors import InputError, PermissionDeniedError
from factdb.models import AuditEvent, Base, Editor
from factdb.services.audit_key import AuditKey, Keyring, require_keyring

#: ``prev_hash`` of the first event.
GENESIS_HASH = "0" * 64

#: Event formats: 1 = plain SHA-256 (before revision 0009), 2 = HMAC-SHA256 under the audit key.
LEGACY_FORMAT = 1
KEYED_FORMAT = 2

#: ``session.info`` key under which a caller may lend a :class:`Keyring` (instead of the configured one).
KEYRING_INFO = "factdb_audit_keyring"

#: The PostgreSQL advisory lock that serializes writers: this constant ("fact" in ASCII) and the hash of
#: the schema, whose audit chain it guards. Advisory locks are per database, so one key for every schema
#: made the writers of unrelated schemas on one server (a benchmark and a test run) wait for each other.
AUDIT_LOCK_KEY = 0x66616374

_LOCKED = "factdb_audit_locked"

#: ``session.info`` key naming the credential the session's changes come through (an API token's label):
#: each event it records carries it as ``after["via"]``, so the trail tells a program's writes from the
#: editor's own.
VIA_INFO = "factdb_audit_via"

#: The name recorded for changes made from the command line without ``--editor``.
SYSTEM_ACTOR = "system"

#: ``None`` is the system itself (command line, migrations); otherwise a logged-in editor.
Actor = Editor | None


def actor_name(actor: Actor) -> str:
    """The username recorded for ``actor``."""
    return SYSTEM_ACTOR if actor is None else actor.username


def require_role(actor: Actor, role: EditorRole) -> None:
    """Refuse the change unless ``actor`` is the system or an active editor holding ``role``."""
    if actor is None:
        return
    if not actor.active:
        raise PermissionDeniedError(f"editor {actor.username!r} is deactivated")
    if not actor.role.allows(role):
        raise PermissionDeniedError(
            f"editor {actor.username!r} is a {actor.role.value}; this needs the {role.value} role"
        )


def json_value(value: Any) -> Any:
    """A value as JSON can hold it: enums by value, dates and times in ISO 8601."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-safe values, for an event's before/after."""
    return {name: json_value(getattr(obj, name)) for name in fields}


class EventFields(TypedDict):
    """The fields of an event that every format's digest covers."""

    prev_hash: str
    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: dt.datetime


def canonical_event(fields: Mapping[str, Any]) -> bytes:
    """The bytes a digest of an event covers: ``fields`` as sorted-key compact JSON in UTF-8, the time
    ``created_at`` in UTC ISO 8601 (:func:`canonical_time`).

    Both formats hash exactly this: any change to it breaks every stored chain.
    """
    payload = {**fields, "created_at": canonical_time(fields["created_at"])}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def event_digest(**fields: Unpack[EventFields]) -> str:
    """SHA-256 over the canonical form of an event (format 1, see :func:`canonical_event`)."""
    return hashlib.sha256(canonical_event(fields)).hexdigest()


def canonical_time(value: dt.datetime) -> str:
    """A time as the chain signs it: UTC, ISO 8601 with microseconds."""
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def signed_digest(
    key: AuditKey,
    *,
    id: int,  # noqa: A002 (the column's name)
    editor_id: int | None,
    **fields: Unpack[EventFields],
) -> str:
    """HMAC-SHA256 under ``key`` over the canonical form of a keyed event (every column but ``hash``)."""
    keyed = {**fields, "format": KEYED_FORMAT, "key_id": key.id, "id": id, "editor_id": editor_id}
    return hmac.new(key.secret, canonical_event(keyed), hashlib.sha256).hexdigest()


def signature_of(row: Any, key: AuditKey) -> str:
    """What a keyed row's ``hash`` should be under ``key``, recomputed from its stored fields."""
    return signed_digest(
        key,
        id=row.id,
        prev_hash=row.prev_hash,
        actor=row.actor,
        editor_id=row.editor_id,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        created_at=row.created_at,
    )


def digest_of(row: Any) -> str:
    """What a legacy (format 1) row's ``hash`` should be, recomputed from its stored fields."""
    return event_digest(
        prev_hash=row.prev_hash,
        actor=row.actor,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        before=row.before,
        after=row.after,
        created_at=row.created_at,
    )


def lock_audit_chain(session: Session) -> None:
    """Take the audit lock for the rest of this transaction (idempotent).

    Called before a transaction's first write, so the lock is always taken before any row lock
    and writers cannot deadlock on it.
    """
    if session.info.get(_LOCKED):
        return
    session.info[_LOCKED] = True
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(:key, hashtext(current_schema()))"), {"key": AUDIT_LOCK_KEY}
        )


def signing_keyring(session: Session) -> Keyring:
    """The keyring lent to ``session`` (``session.info[KEYRING_INFO]``), else the configured one."""
    lent: Keyring | None = session.info.get(KEYRING_INFO)
    return lent if lent is not None else require_keyring()


def _chain_head(session: Session) -> tuple[int, str]:
    """The id and hash of the last event (0 and the genesis hash when there is none).

    The chain is the events with ids from 1 up; rows with other ids are not part of it. Read from
    the database every time (one index lookup under the audit lock), never cached: another session
    sharing the connection (a test's, a request's) may have appended since.
    """
    row = session.execute(
        select(AuditEvent.id, AuditEvent.hash)
        .where(AuditEvent.id > 0)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    return (0, GENESIS_HASH) if row is None else (row.id, row.hash)


def _require_kept_chain(session: Session) -> None:
    if _forget_lock_and_head not in session.dispatch.after_transaction_end:
        raise RuntimeError(
            "this session was not set up to keep the audit chain: make it with "
            "factdb.db.make_session_factory or call factdb.services.session_setup.set_up_sessions on it"
        )


def _lock_before_writing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        lock_audit_chain(session)


def _lock_before_bulk_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        lock_audit_chain(state.session)


def _forget_lock_and_head(session: Session, _transaction: SessionTransaction) -> None:
    # Savepoints end too; forgetting is always safe (the lock is re-taken).
    session.info.pop(_LOCKED, None)


#: The listeners that keep the audit chain whole, as (event name, function). Registered with the
#: others by :func:`factdb.services.session_setup.set_up_sessions`, the one place sessions get listeners.
CHAIN_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_flush", _lock_before_writing),
    ("do_orm_execute", _lock_before_bulk_writes),
    ("after_transaction_end", _forget_lock_and_head),
)


def _json_default(value: Any) -> Any:
    """What JSON writes for a value it cannot write itself (enums by value, times in ISO 8601)."""
    plain = json_value(value)
    if plain is value:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
    return plain


def _json_dict(values: dict[str, Any] | None) -> dict[str, Any] | None:
    # Signed exactly as stored: JSON round trip (nested enums, dates, tuples made plain). The
    # encoder asks _json_default only for what it cannot write: walking every value in Python first
    # cost more than the rest of the event (an ingest event lists each new claim).
    return None if values is None else json.loads(json.dumps(values, default=_json_default))


def _chained_row(
    key: AuditKey,
    event_id: int,
    prev_hash: str,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    created_at: dt.datetime,
) -> dict[str, Any]:
    """An audit_events row with id ``event_id`` linked to ``prev_hash``, signed under ``key``."""
    fields: dict[str, Any] = {
        "id": event_id,
        "prev_hash": prev_hash,
        "actor": actor_name(actor),
        "editor_id": None if actor is None else actor.id,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": _json_dict(before),
        "after": _json_dict(after),
        "created_at": created_at,
    }
    return {**fields, "format": KEYED_FORMAT, "key_id": key.id, "hash": signed_digest(key, **fields)}


def _with_via(session: Session, after: dict[str, Any] | None) -> dict[str, Any] | None:
    """``after`` with the session's credential (see :data:`VIA_INFO`) added, when there is one."""
    via = session.info.get(VIA_INFO)
    return after if via is None else {**(after or {}), "via": via}


def record_event(
    session: Session,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an audit event for a change made in this transaction (it commits or rolls back with it).

    ``before`` and ``after`` are stored as JSON (enums by value, times in ISO 8601) and signed with
    the rest of the event; AuditKeyError if no audit key is configured.
    """
    _require_kept_chain(session)
    key = signing_keyring(session).signing
    lock_audit_chain(session)
    after = _with_via(session, after)
    head_id, head_hash = _chain_head(session)
    row = AuditEvent(
        **_chained_row(
            key, head_id + 1, head_hash, actor, action, entity_type, entity_id, before, after, utcnow()
        )
    )
    session.add(row)
    # Flush now so the database checks the link and the next event reads this one as the head.
    session.flush()
    return row


@dataclass(frozen=True)
class EventSpec:
    """One event for :func:`record_events`."""

    action: str
    entity_type: str
    entity_id: int | None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


def record_events(session: Session, actor: Actor, specs: Iterable[EventSpec]) -> int:
    """Append many audit events at once (bulk paths): chained in order, inserted in one statement."""
    _require_kept_chain(session)
    key = signing_keyring(session).signing
    lock_audit_chain(session)
    event_id, prev_hash = _chain_head(session)
    now = utcnow()
    rows = []
    for spec in specs:
        event_id += 1
        row = _chained_row(
            key, event_id, prev_hash, actor, spec.action, spec.entity_type, spec.entity_id,
            spec.before, _with_via(session, spec.after), now,
        )  # fmt: skip
        rows.append(row)
        prev_hash = row["hash"]
    if rows:
        # Rows go in chain order; the database checks each continues the one before.
        session.execute(insert(AuditEvent), rows)
    return len(rows)


#: Action of the event recording a key rotation (signed under the new key, proven by the old one).
ROTATE_ACTION = "audit.key_rotate"


def rotation_proof(old_key: AuditKey, new_key_id: str, prev_hash: str) -> str:
    """HMAC under the old key over the new key's id and the chain head: the old key's holder agreed."""
    message = f"factdb key rotation:{new_key_id}:{prev_hash}".encode()
    return hmac.new(old_key.secret, message, hashlib.sha256).hexdigest()


def record_key_rotation(session: Session, actor: Actor, old: Keyring, new: Keyring) -> AuditEvent:
    """Record in the chain that signing moves from ``old``'s signing key to ``new``'s.

    The event is signed under the new key and carries a proof made with the old one; from it on,
    every event must be signed under the new key. Admins only. The caller stores the new keyring
    (key file or environment) in the same unit of work, before committing.
    """
    require_role(actor, EditorRole.ADMIN)
    if new.signing.id == old.signing.id:
        raise InputError("the new signing key is the current one")
    if any(new.get(k.id) is None for k in old.keys):
        raise InputError("the new keyring must keep every old key (events signed under them need it)")
    lock_audit_chain(session)
    _head_id, head_hash = _chain_head(session)
    lent = session.info.get(KEYRING_INFO)
    session.info[KEYRING_INFO] = new
    try:
        return record_event(
            session, actor, ROTATE_ACTION, "audit", None,
            before={"key_id": old.signing.id},
            after={"from_key_id": old.signing.id, "to_key_id": new.signing.id,
                   "proof": rotation_proof(old.signing, new.signing.id, head_hash)},
        )  # fmt: skip
    finally:
        if lent is None:
            session.info.pop(KEYRING_INFO, None)
        else:
            session.info[KEYRING_INFO] = lent


def verify_chain(session: Session) -> Any:
    """Verify the whole audit trail with the configured keys (see :func:`factdb.services.verify.verify`)."""
    from factdb.services.verify import verify

    return verify(session)
