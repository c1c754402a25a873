"""Who is signed in, and which logins failed: the server-side half of every web session."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime
from factdb.models.editor import Editor


class LoginSession(Base):
    """One signed-in browser. Its cookie carries a random token; only the token's SHA-256 is stored.

    The session is live while ``ended_at`` is unset, the editor is active and neither the idle nor
    the absolute lifetime has run out (see ``factdb.services.sessions``). Logging out, changing the
    password, deactivation and "sign out everywhere" set ``ended_at`` and ``end_reason``, so a
    replayed cookie finds an ended record and is refused.
    """

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    editor_id: Mapped[int] = mapped_column(ForeignKey("editors.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    editor: Mapped[Editor] = relationship()


class LoginFailure(Base):
    """A wrong password (or unknown username) from an address: what login throttling counts.

    Kept in the database so the count holds across gunicorn workers and restarts; rows older than
    the throttling window are pruned as new failures arrive.
    """

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


Index("ix_login_failures_username_created_at", LoginFailure.username, LoginFailure.created_at)
Index("ix_login_failures_address_created_at", LoginFailure.address, LoginFailure.created_at)
