"""Logging in: password check, throttling of wrong guesses, a session, and an audit event either way.

Throttling counts :class:`~factdb.models.LoginFailure` rows in the database, so every gunicorn
worker and every restart sees the same counts (an in-process counter would give each worker its
own allowance, and Flask-Limiter's shared storages -- Redis, Memcached, MongoDB -- are servers an
embedded SQLite deployment does not have). The check and the new row are written under the audit
lock, which serializes writers (see ``factdb.services.audit``), so two workers cannot both let a
sixth guess through.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from factdb.db import utcnow
from factdb.errors import TooManyAttemptsError
from factdb.models import Editor, LoginFailure, LoginSession
from factdb.services.audit import lock_audit_chain, record_event
from factdb.services.editors import authenticate
from factdb.services.sessions import MAX_ADDRESS, printable, start_session

#: Failed logins are counted over this window; each one stops counting this long after it happened.
FAILURE_WINDOW = dt.timedelta(minutes=15)
#: Wrong passwords allowed per account within the window; the next attempt is refused unchecked.
MAX_FAILURES_PER_ACCOUNT = 5
#: Wrong passwords allowed per address within the window (a newsroom may share one address, and
#: one guesser may try many accounts).
MAX_FAILURES_PER_ADDRESS = 20
#: The longest username recorded (the column's size; the login form allows no more).
MAX_USERNAME = 80
#: Recorded when the request carries no peer address (it always does under gunicorn).
UNKNOWN_ADDRESS = "unknown"


@dataclass(frozen=True)
class LoginResult:
    """A successful login: the editor, their new session and the token for the cookie."""

    editor: Editor
    record: LoginSession
    token: str


def _key(username: str) -> str:
    return printable(username.strip().lower(), MAX_USERNAME) or ""


def _retry_after(
    session: Session, condition: ColumnElement[bool], since: dt.datetime, now: dt.datetime
) -> int:
    """Seconds until the oldest failure in the window stops counting."""
    oldest: dt.datetime | None = session.scalar(
        select(func.min(LoginFailure.created_at)).where(condition, LoginFailure.created_at > since)
    )
    if oldest is None:
        return 1
    return max(1, math.ceil((oldest + FAILURE_WINDOW - now).total_seconds()))


def _throttle(session: Session, username: str, address: str, now: dt.datetime) -> None:
    since = now - FAILURE_WINDOW
    for condition, limit, what in (
        (LoginFailure.username == username, MAX_FAILURES_PER_ACCOUNT, "this account"),
        (LoginFailure.address == address, MAX_FAILURES_PER_ADDRESS, "your address"),
    ):
        count = session.scalar(
            select(func.count()).select_from(LoginFailure).where(condition, LoginFailure.created_at > since)
        )
        if (count or 0) >= limit:
            wait = _retry_after(session, condition, since, now)
            raise TooManyAttemptsError(
                f"Too many failed logins for {what}: try again in {math.ceil(wait / 60)} minute(s).", wait
            )


def attempt_login(
    session: Session, username: str, password: str, *, address: str | None, user_agent: str | None
) -> LoginResult | None:
    """Check a login; on success open a session, else record the failure (None).

    Raises :class:`TooManyAttemptsError` without checking the password once the account or the
    address has used up its failures in :data:`FAILURE_WINDOW`. Every outcome -- success, wrong
    password, unknown or deactivated account, throttled -- is an audit event. The caller commits in
    every case (a refused login must stay recorded).
    """
    lock_audit_chain(session)
    now = utcnow()
    key = _key(username)
    where = printable(address, MAX_ADDRESS) or UNKNOWN_ADDRESS
    known = session.scalar(select(Editor).where(Editor.username == key)) if key else None
    subject = None if known is None else known.id
    try:
        _throttle(session, key, where, now)
    except TooManyAttemptsError:
        record_event(
            session, None, "editor.login_failed", "editor", subject,
            after={"username": key, "address": where, "reason": "throttled"},
        )  # fmt: skip
        raise
    editor = authenticate(session, key, password) if key else None
    if editor is None:
        reason = (
            "unknown username" if known is None else ("deactivated" if not known.active else "wrong password")
        )
        session.add(LoginFailure(username=key, address=where, created_at=now))
        session.execute(delete(LoginFailure).where(LoginFailure.created_at <= now - FAILURE_WINDOW))
        record_event(
            session, None, "editor.login_failed", "editor", subject,
            after={"username": key, "address": where, "reason": reason},
        )  # fmt: skip
        return None
    # A success clears the account's count (the address's count stands: it may be guessing others).
    session.execute(delete(LoginFailure).where(LoginFailure.username == key))
    record, token = start_session(session, editor, address=where, user_agent=user_agent, now=now)
    record_event(
        session, editor, "editor.login", "editor", editor.id, after={"address": where, "session": record.id}
    )
    return LoginResult(editor, record, token)
