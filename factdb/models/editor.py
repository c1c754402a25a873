"""People who log in and change things."""

from __future__ import annotations

import datetime as dt

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
        # Flask-Login asks for it; the web layer stores a server-side session token in its place
        # (see factdb.services.sessions), so the cookie never identifies the editor by itself.
        return str(self.id)

    def __repr__(self) -> str:
        return f"<Editor {self.username} {self.role.value}>"
