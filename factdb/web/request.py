"""What a view needs from the running request: its database session and the app's settings.

A module of its own so that blueprints import it, never ``factdb.web.app`` (which imports the
blueprints): the web layer has no import circle. The app factory commits or rolls back the
session this module opens (see ``factdb.web.app``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app, g, request
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from factdb.config import Settings
from factdb.db import SQLITE_BUSY_TIMEOUT_MS
from factdb.services.audit import lock_audit_chain

log = logging.getLogger(__name__)

#: Methods whose requests get a read session (deferred: it takes no write lock).
READ_SESSION_METHODS = ("GET", "HEAD")
#: How long a read request waits to note a use (a login session's, an API token's) when another
#: worker holds SQLite's write lock (an ingest may hold it for seconds): the note is skipped rather
#: than the reader kept waiting.
NOTE_WAIT_MS = 100


def db_session() -> Session:
    """The request's database session: created on first use, committed when the request succeeds.

    Requests that may change data (anything but GET and HEAD) get a write session.
    """
    if "db" not in g:
        kind = "session_factory" if _reads_only() else "write_session_factory"
        g.db = current_app.extensions["factdb"][kind]()
    session: Session = g.db
    return session


def _reads_only() -> bool:
    return request.method in READ_SESSION_METHODS or bool(g.get("reads_only"))


def read_only_from_here() -> None:
    """Drop what the request's session did (rolled back, closed) and let the rest of the request
    only read: the next :func:`db_session` is a read session, and notes of use go in a short
    transaction of their own. For the answer to a busy database: drawing it must not queue for
    the write lock again."""
    session: Session | None = g.pop("db", None)
    if session is not None:
        session.rollback()
        session.close()
    g.reads_only = True


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


def note_use(write: Callable[[Connection], None], what: str) -> None:
    """Run ``write`` (a plain UPDATE noting that ``what`` was just used: bookkeeping, not audited)
    without making the request wait for a second write transaction.

    A write request holds SQLite's write lock already (it begins IMMEDIATE): a second transaction
    would wait for it until the busy timeout and fail, so the note goes in with the request's own
    changes, after the audit lock every writer takes before any row lock. A read request writes it
    in a short transaction of its own that waits :data:`NOTE_WAIT_MS` at most; a busy database only
    skips the note.
    """
    if not _reads_only():
        session = db_session()
        lock_audit_chain(session)
        write(session.connection())
        return
    factory: sessionmaker[Session] = current_app.extensions["factdb"]["session_factory"]
    with factory() as writer:
        connection = writer.connection()
        sqlite = connection.dialect.name == "sqlite"
        try:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout = {NOTE_WAIT_MS}")
            write(connection)
            writer.commit()
        except SQLAlchemyError as error:
            writer.rollback()
            log.warning("could not record the use of %s: %s", what, error)
        finally:
            if sqlite:
                writer.connection().exec_driver_sql(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
