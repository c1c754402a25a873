"""Recording what services change: one audit row per write, in the same transaction."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from factdb.enums import EditorRole
from factdb.errors import PermissionDeniedError
from factdb.models import AuditEvent, Base, Editor

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


def _json_value(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def snapshot(obj: Base, fields: Iterable[str]) -> dict[str, Any]:
    """The named attributes of ``obj`` as JSON-safe values, for an event's before/after."""
    return {name: _json_value(getattr(obj, name)) for name in fields}


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
    """Add an audit event for a change made in this transaction (it commits or rolls back with it)."""
    event = AuditEvent(
        editor_id=None if actor is None else actor.id,
        actor=actor_name(actor),
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before={k: _json_value(v) for k, v in before.items()} if before is not None else None,
        after={k: _json_value(v) for k, v in after.items()} if after is not None else None,
    )
    session.add(event)
    return event
