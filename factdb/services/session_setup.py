"""The one place a session factory gets its listeners.

Every factdb session does two things by itself, through SQLAlchemy session events:

1. before each flush, it refuses text no database could store, naming the row and field
   (:func:`factdb.services.validation.refuse_unstorable_text`, the floor under every entry point's checks);
2. it keeps the audit chain whole: takes the audit lock before a transaction's first write and forgets
   the lock and the cached chain head when a transaction or savepoint ends
   (:data:`factdb.services.audit.CHAIN_LISTENERS`).

:func:`set_up_sessions` registers all of them, in that order (text is refused before the audit lock is
taken for it). :func:`factdb.db.make_session_factory` calls it for every factory it makes; whatever makes
sessions another way (a factory lent to the web app, a test's savepoint session) calls it itself. Nothing
is registered at import, so importing factdb changes no Session in the process. A new session-wide
listener goes in :data:`SESSION_LISTENERS`, nowhere else.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from factdb.services.audit import CHAIN_LISTENERS
from factdb.services.validation import refuse_unstorable_text

#: Every listener a factdb session gets, as (event name, function), in the order they are registered.
SESSION_LISTENERS: tuple[tuple[str, Callable[..., None]], ...] = (
    ("before_flush", refuse_unstorable_text),
    *CHAIN_LISTENERS,
)

# Remembered by the object itself (weakly), not by event.contains: SQLAlchemy's registry keys listeners
# by id(), and a dead factory's id may be reused by a new one before the registry forgets it.
_SET_UP: weakref.WeakSet[Session | sessionmaker[Session]] = weakref.WeakSet()


def set_up_sessions(target: Session | sessionmaker[Session]) -> None:
    """Register :data:`SESSION_LISTENERS` on ``target`` (a session factory, or one session), so its
    sessions refuse unstorable text and keep the audit chain. Calling it twice is harmless."""
    if target in _SET_UP:
        return
    for name, listener in SESSION_LISTENERS:
        event.listen(target, name, listener)
    _SET_UP.add(target)
