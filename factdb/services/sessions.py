"""Web sessions kept on the server: started at login, checked on every request, ended for good.

The browser's cookie holds only a random token; the database holds its SHA-256 in a
:class:`~factdb.models.LoginSession`. A session is live while it has not ended, its editor is active,
it has been used within the idle lifetime and it began within the absolute lifetime. Ending it
(logout, a password change, deactivation, "sign out everywhere") is recorded in the audit trail,
and a cookie replayed afterwards finds an ended record and is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, CursorResult, bindparam, delete, func, select, update
from sqlalchemy.orm import Session, joinedload

from factdb.db import utcnow
from factdb.models import Editor, LoginSession
from factdb.services.audit import Actor, record_event

#: Bytes of randomness in a session token (256 bits; the cookie carries it URL-safe encoded).
TOKEN_BYTES = 32
#: ``last_seen_at`` is written at most this often per session: every request checks the session,
#: but rewriting the row on every page view would turn each read into a write.
TOUCH_INTERVAL = dt.timedelta(seconds=60)
#: Longest address and user agent kept with a session (the columns' sizes).
MAX_ADDRESS = 64
MAX_USER_AGENT = 300
#: Session records are kept this long after they ended or were last used (the account page and an
#: investigation of a stolen cookie read them), then deleted at the next login. Logins and logouts
#: stay in the audit trail for good; these rows are bookkeeping.
SESSION_RETENTION = dt.timedelta(days=90)

# Why a session ended, as recorded in ``end_reason`` and the audit trail.
ENDED_LOGOUT = "logout"
ENDED_PASSWORD = "password changed"  # noqa: S105 (a reason, not a password)
ENDED_DEACTIVATED = "deactivated"
ENDED_EVERYWHERE = "signed out everywhere"
ENDED_IDLE = "idle"
ENDED_EXPIRED = "expired"


@dataclass(frozen=True)
class SessionPolicy:
    """How long a session lives: ``idle`` without a request, ``absolute`` after login at most."""

    idle: dt.timedelta
    absolute: dt.timedelta

    @classmethod
    def from_minutes(cls, idle_minutes: int, max_hours: int) -> SessionPolicy:
        """The policy of the settings ``session_idle_minutes`` and ``session_max_hours``."""
        return cls(dt.timedelta(minutes=idle_minutes), dt.timedelta(hours=max_hours))


def token_hash(token: str) -> str:
    """What is stored for a token: its SHA-256, so a copy of the database opens no session."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def printable(text: str | None, limit: int) -> str | None:
    """``text`` without control characters and cut to ``limit``, fit to store and show (None stays None)."""
    if text is None:
        return None
    return "".join(c if c.isprintable() else "\ufffd" for c in text[:limit])


def start_session(
    session: Session,
    editor: Editor,
    *,
    address: str | None,
    user_agent: str | None,
    now: dt.datetime | None = None,
) -> tuple[LoginSession, str]:
    """Open a session for ``editor``; returns the record and the token for the cookie (never stored).

    Records older than :data:`SESSION_RETENTION` are pruned here, so the table stays as small as the
    desk's recent logins without a scheduled job.
    """
    now = now or utcnow()
    prune_sessions(session, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    record = LoginSession(
        editor=editor,
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
        address=printable(address, MAX_ADDRESS),
        user_agent=printable(user_agent, MAX_USER_AGENT),
    )
    session.add(record)
    session.flush()
    return record, token


def prune_sessions(session: Session, now: dt.datetime | None = None) -> int:
    """Delete session records that ended, or were last used, over :data:`SESSION_RETENTION` ago."""
    cutoff = (now or utcnow()) - SESSION_RETENTION
    # The newest record always stays: SQLite would hand a deleted highest id to the next session, and
    # the audit trail names sessions by id.
    newest = select(func.max(LoginSession.id)).scalar_subquery()
    result = session.execute(
        delete(LoginSession)
        .where(func.coalesce(LoginSession.ended_at, LoginSession.last_seen_at) < cutoff)
        .where(LoginSession.id < newest)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount


def why_not_live(record: LoginSession, policy: SessionPolicy, now: dt.datetime) -> str | None:
    """Why ``record`` may no longer be used (ended, editor deactivated, idle, expired), or None."""
    if record.ended_at is not None:
        return record.end_reason or "ended"
    if not record.editor.active:
        return ENDED_DEACTIVATED
    if now - record.last_seen_at > policy.idle:
        return ENDED_IDLE
    if now - record.created_at > policy.absolute:
        return ENDED_EXPIRED
    return None


#: One indexed lookup with the editor joined: every page asks, and the editor is always needed. Built
#: once: building the select (and its cache key) per request cost more than running it.
_SESSION_BY_HASH = (
    select(LoginSession)
    .options(joinedload(LoginSession.editor))
    .where(LoginSession.token_hash == bindparam("token_hash"))
)


def live_session(
    session: Session, token: str, policy: SessionPolicy, now: dt.datetime | None = None
) -> LoginSession | None:
    """The live session of cookie token ``token``, or None (unknown, ended or out of lifetime)."""
    if not token or len(token) > 2 * TOKEN_BYTES:
        return None
    record = session.scalar(_SESSION_BY_HASH, {"token_hash": token_hash(token)})
    if record is None or why_not_live(record, policy, now or utcnow()) is not None:
        return None
    return record


def needs_touch(record: LoginSession, now: dt.datetime | None = None) -> bool:
    """Whether ``last_seen_at`` is old enough to be rewritten (see :data:`TOUCH_INTERVAL`)."""
    return (now or utcnow()) - record.last_seen_at >= TOUCH_INTERVAL


def touch(connection: Connection, session_id: int, now: dt.datetime | None = None) -> None:
    """Mark a session as used now (bookkeeping, not a change of the record: not audited).

    One UPDATE on ``connection``, in the caller's transaction: it writes no audit event, so it need
    not wait for the audit lock behind a long writer.
    """
    connection.execute(
        update(LoginSession)
        .where(LoginSession.id == session_id, LoginSession.ended_at.is_(None))
        .values(last_seen_at=now or utcnow())
    )


def end_session(session: Session, record: LoginSession, reason: str = ENDED_LOGOUT) -> None:
    """End one session (logging out); its cookie is refused from now on."""
    if record.ended_at is not None:
        return
    record.ended_at = utcnow()
    record.end_reason = reason
    session.flush()
    record_event(
        session,
        record.editor,
        "editor.logout",
        "editor",
        record.editor_id,
        after={"session": record.id, "reason": reason},
    )


def end_sessions(
    session: Session, actor: Actor, editor: Editor, reason: str, *, keep: LoginSession | None = None
) -> int:
    """End every live session of ``editor`` (but ``keep``, if given); returns how many ended.

    Called for a password change, a deactivation and "sign out everywhere"; one audit event names
    the reason and the count.
    """
    query = update(LoginSession).where(LoginSession.editor_id == editor.id, LoginSession.ended_at.is_(None))
    if keep is not None:
        query = query.where(LoginSession.id != keep.id)
    result = session.execute(
        query.values(ended_at=utcnow(), end_reason=reason).execution_options(synchronize_session="fetch")
    )
    ended: int = cast(CursorResult[Any], result).rowcount
    record_event(
        session,
        actor,
        "editor.sessions_end",
        "editor",
        editor.id,
        after={"reason": reason, "sessions": ended},
    )
    return ended


def live_sessions(session: Session, editor: Editor, policy: SessionPolicy) -> list[LoginSession]:
    """``editor``'s sessions that are still live, newest first (for the account page)."""
    now = utcnow()
    records = session.scalars(
        select(LoginSession)
        .where(LoginSession.editor_id == editor.id, LoginSession.ended_at.is_(None))
        .order_by(LoginSession.id.desc())
    )
    return [r for r in records if why_not_live(r, policy, now) is None]
