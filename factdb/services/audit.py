"""Recording what services change: one audit row per write, in the same transaction.

The rows form a hash chain (see :func:`event_digest`). Appending is serialized so concurrent
writers never fork it: every write transaction first takes the audit lock (a transaction-scoped
advisory lock on PostgreSQL; on SQLite write transactions begin IMMEDIATE and so hold the
database's write lock), then reads the chain's head.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction, sessionmaker

from factdb.db import utcnow
from factdb.enums import EditorRole
from factdb.errors import PermissionDeniedError
from factdb.models import AuditEvent, Base, Editor

#: ``prev_hash`` of the first event.
GENESIS_HASH = "0" * 64

#: The PostgreSQL advisory lock that serializes writers: this constant ("fact" in ASCII) and the hash of
#: the schema, whose audit chain it guards. Advisory locks are per database, so one key for every schema
#: made the writers of unrelated schemas on one server (a benchmark and a test run) wait for each other.
AUDIT_LOCK_KEY = 0x66616374

_LOCKED = "factdb_audit_locked"
_HEAD = "factdb_audit_head"

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


def event_digest(
    *,
    prev_hash: str,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    created_at: dt.datetime,
) -> str:
    """SHA-256 over the canonical form of an event: sorted-key compact JSON, time in UTC ISO 8601."""
    payload = {
        "prev_hash": prev_hash,
        "actor": actor,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def digest_of(row: Any) -> str:
    """What ``row.hash`` should be, recomputed from its stored fields (an AuditEvent or a row of them)."""
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


def _chain_head(session: Session) -> str:
    head: str | None = session.info.get(_HEAD)
    if head is None:
        head = session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return head or GENESIS_HASH


def keep_audit_chain(target: Session | sessionmaker[Session]) -> None:
    """Set up ``target`` (a session factory, or one session) so its sessions keep the audit chain whole.

    Its sessions take the audit lock before a transaction's first write (so writers cannot deadlock on
    it), and forget the lock and the cached chain head when a transaction or savepoint ends (so the
    next one re-reads the head). :func:`factdb.db.make_session_factory` calls this for every factory
    it makes; whatever makes sessions another way calls it itself. Never done at import, so importing
    factdb changes no Session in the process. Calling it twice is harmless.
    """
    # Remembered by the object itself (weakly), not by event.contains: SQLAlchemy's registry keys
    # listeners by id(), and a dead factory's id may be reused by a new one before the registry forgets.
    if target in _KEPT:
        return
    for name, listener in _CHAIN_LISTENERS:
        event.listen(target, name, listener)
    _KEPT.add(target)


def _require_kept_chain(session: Session) -> None:
    if _forget_lock_and_head not in session.dispatch.after_transaction_end:
        raise RuntimeError(
            "this session was not set up to keep the audit chain: make it with "
            "factdb.db.make_session_factory or call factdb.services.audit.keep_audit_chain on it"
        )


def _lock_before_writing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if session.new or session.dirty or session.deleted:
        lock_audit_chain(session)


def _lock_before_bulk_writes(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        lock_audit_chain(state.session)


def _forget_lock_and_head(session: Session, _transaction: SessionTransaction) -> None:
    # Savepoints end too; forgetting is always safe (the lock is re-taken, the head re-read).
    session.info.pop(_LOCKED, None)
    session.info.pop(_HEAD, None)


_KEPT: weakref.WeakSet[Session | sessionmaker[Session]] = weakref.WeakSet()

_CHAIN_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_flush", _lock_before_writing),
    ("do_orm_execute", _lock_before_bulk_writes),
    ("after_transaction_end", _forget_lock_and_head),
)


def _json_dict(values: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if values is None else {k: json_value(v) for k, v in values.items()}


def _chained_row(
    actor: Actor,
    prev_hash: str,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    created_at: dt.datetime,
) -> dict[str, Any]:
    """An audit_events row linked to ``prev_hash``, its own hash computed over its fields."""
    fields: dict[str, Any] = {
        "actor": actor_name(actor),
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": _json_dict(before),
        "after": _json_dict(after),
        "created_at": created_at,
    }
    digest = event_digest(prev_hash=prev_hash, **fields)
    return {
        "editor_id": None if actor is None else actor.id,
        "prev_hash": prev_hash,
        "hash": digest,
        **fields,
    }


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
    """Append an audit event for a change made in this transaction (it commits or rolls back with it)."""
    _require_kept_chain(session)
    lock_audit_chain(session)
    row = AuditEvent(
        **_chained_row(actor, _chain_head(session), action, entity_type, entity_id, before, after, utcnow())
    )
    session.add(row)
    # Flush now so ids follow chain order and the head is this event for the next one.
    session.flush()
    session.info[_HEAD] = row.hash
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
    lock_audit_chain(session)
    prev_hash = _chain_head(session)
    now = utcnow()
    rows = []
    for spec in specs:
        row = _chained_row(
            actor, prev_hash, spec.action, spec.entity_type, spec.entity_id, spec.before, spec.after, now
        )
        rows.append(row)
        prev_hash = row["hash"]
    if rows:
        # RETURNING in parameter order keeps ids in chain order on every backend.
        session.execute(insert(AuditEvent).returning(AuditEvent.id, sort_by_parameter_order=True), rows).all()
        session.info[_HEAD] = prev_hash
    return len(rows)


@dataclass(frozen=True)
class ChainReport:
    """The outcome of :func:`verify_chain`."""

    events: int
    head_id: int | None
    head_hash: str
    broken_at: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_at is None


_CHAIN_COLUMNS = (
    AuditEvent.id, AuditEvent.prev_hash, AuditEvent.hash, AuditEvent.actor, AuditEvent.action,
    AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.before, AuditEvent.after, AuditEvent.created_at,
)  # fmt: skip


def _walk(session: Session, chunk: int = 5000) -> Iterator[Any]:
    # Plain rows by keyset, so memory stays flat and the caller's session holds no objects.
    last_id = 0
    while True:
        rows = session.execute(
            select(*_CHAIN_COLUMNS).where(AuditEvent.id > last_id).order_by(AuditEvent.id).limit(chunk)
        ).all()
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id


def verify_chain(session: Session) -> ChainReport:
    """Walk the audit events in id order; report the first one whose link or hash is wrong."""
    expected_prev = GENESIS_HASH
    count = 0
    last_id: int | None = None
    for row in _walk(session):
        count += 1
        if row.prev_hash != expected_prev:
            problem = (
                "its prev_hash does not match the event before it "
                "(an event was deleted, inserted or moved here)"
            )
            return ChainReport(count, last_id, expected_prev, row.id, problem)
        if digest_of(row) != row.hash:
            return ChainReport(
                count, last_id, expected_prev, row.id, "its fields do not match its hash (changed)"
            )
        expected_prev = row.hash
        last_id = row.id
    return ChainReport(count, last_id, expected_prev)
