"""The audit trail: one row for every write a service makes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, SmallInteger, String, func
from sqlalchemy.orm import Mapped, mapped_column

from factdb.db import Base, UTCDateTime, utcnow


class AuditEvent(Base):
    """Who did what to which entity, with the entity's state before and after.

    ``actor`` keeps the username as it was (``system`` for the command line without
    an editor), so the trail reads the same after an account is renamed or removed.

    The events form one hash chain in id order from id 1: ``prev_hash`` is the ``hash`` of the
    event before (``GENESIS_HASH`` for the first) and ``hash`` covers this event's fields and
    ``prev_hash``: an HMAC under the audit key named by ``key_id`` (``format`` 2, see
    ``factdb.services.audit.signed_digest``), or for events from before revision 0009 a plain
    SHA-256 (``format`` 1). The database refuses UPDATE, DELETE and REPLACE on this table, and
    inserts that do not continue the chain.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"), index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(50), index=True)
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now(), index=True
    )
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    format: Mapped[int] = mapped_column(SmallInteger, server_default="1")
    key_id: Mapped[str | None] = mapped_column(String(16))


Index("ix_audit_events_entity", AuditEvent.entity_type, AuditEvent.entity_id)
