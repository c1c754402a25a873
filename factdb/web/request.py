"""What a view needs from the running request: its database session and the app's settings.

A module of its own so that blueprints import it, never ``factdb.web.app`` (which imports the
blueprints): the web layer has no import circle. The app factory commits or rolls back the
session this module opens (see ``factdb.web.app``).
"""

from __future__ import annotations

from flask import current_app, g, request
from sqlalchemy.orm import Session

from factdb.config import Settings


def db_session() -> Session:
    """The request's database session: created on first use, committed when the request succeeds.

    Requests that may change data (anything but GET and HEAD) get a write session.
    """
    if "db" not in g:
        kind = "session_factory" if request.method in ("GET", "HEAD") else "write_session_factory"
        g.db = current_app.extensions["factdb"][kind]()
    session: Session = g.db
    return session


def end_transaction() -> None:
    """Commit what the request's session did so far; its next statement begins a new transaction.

    For a view about to compute for long before it writes (extracting a long article's claims):
    on SQLite a write request's transaction holds the database's write lock from its first
    statement (the login check), and every other writer would wait for it, then fail.
    """
    if "db" in g:
        g.db.commit()


def settings() -> Settings:
    """The running app's settings."""
    result: Settings = current_app.extensions["factdb"]["settings"]
    return result
