"""API tokens: how programs act for an editor on the JSON API."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime
from factdb.enums import TokenScope
from factdb.models._types import enum_column
from factdb.models.editor import Editor


class ApiToken(Base):
    """One API token of an editor. Only the secret's SHA-256 is stored; ``prefix`` (the first
    characters of the secret, shown in lists) lets an editor tell tokens apart without the secret.

    The token acts with its editor's role, narrowed by ``scope``; it stops working the moment it is
    revoked (``revoked_at``) or its editor is deactivated. ``last_used_at`` is rewritten at most once a
    minute (see ``factdb.services.tokens``) so reads stay reads.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[TokenScope] = mapped_column(enum_column(TokenScope, "token_scope"))
    prefix: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    editor: Mapped[Editor] = relationship()

    @property
    def label(self) -> str:
        """How the audit trail and lists name the token: ``API token #3 (newsroom-bot)``."""
        return f"API token #{self.id} ({self.name})"
