"""The editor's desk: who has a claim in their queue, and who opened a claim lately."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from factdb.models.claim import Claim
    from factdb.models.editor import Editor


class Assignment(Base):
    """A claim put in an editor's queue: one queue per claim at a time (reassigning moves it)."""

    __tablename__ = "assignments"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editors.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))
    assigned_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    claim: Mapped[Claim] = relationship()
    editor: Mapped[Editor] = relationship(foreign_keys=[editor_id])


# "My queue" pages an editor's claims by claim id.
Index("ix_assignments_editor_claim", Assignment.editor_id, Assignment.claim_id)


class ClaimOpening(Base):
    """When an editor last opened a claim's page: a hint to others ("opened by Ada 2 minutes ago"),
    never a lock. Presence, not a change to the record, so it is kept out of the audit trail."""

    __tablename__ = "claim_openings"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editors.id", ondelete="CASCADE"), primary_key=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    editor: Mapped[Editor] = relationship()
