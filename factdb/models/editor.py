"""People who log in and change things."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import String, func, true
from sqlalchemy.orm import Mapped, mapped_column

from factdb.db import Base, UTCDateTime, utcnow
from factdb.enums import EditorRole
from factdb.models._types import enum_column


class Editor(Base):
    """An editor account; the role sets what it may do (see :class:`EditorRole`)."""

    __tablename__ = "editors"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[EditorRole] = mapped_column(
        enum_column(EditorRole, "editor_role"), server_default=EditorRole.VIEWER.value
    )
    active: Mapped[bool] = mapped_column(server_default=true(), default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    # The four members Flask-Login asks of a user, kept here so models need not import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The session remembers the id and a fingerprint of the password hash: changing the password
        # signs the editor out of every other session.
        return f"{self.id}:{self.session_fingerprint}"

    @property
    def session_fingerprint(self) -> str:
        """A short digest of the password hash (never the hash itself) for session cookies."""
        return hashlib.sha256(self.password_hash.encode("utf-8")).hexdigest()[:16]

    def __repr__(self) -> str:
        return f"<Editor {self.username} {self.role.value}>"
