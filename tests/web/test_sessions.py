"""Server-side sessions: a cookie is only as good as its live record; logins throttled and audited."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from factdb.config import Settings
from factdb.db import make_engine, make_session_factory
from factdb.enums import EditorRole
from factdb.migrate import upgrade
from factdb.models import AuditEvent, Claim, Editor, LoginFailure, LoginSession, Review
from factdb.services.editors import create_editor
from factdb.services.logins import MAX_FAILURES_PER_ACCOUNT, MAX_FAILURES_PER_ADDRESS
from factdb.services.sessions import SESSION_RETENTION
from tests.conftest import TEST_PASSWORD
from tests.handmade import ingest_sample
from tests.web.conftest import MakeApp, log_in

COOKIE = "session"


def _cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, value: str) -> FlaskClient:
    """A new client presenting a copied session cookie, as an attacker holding it would."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, value)
    return thief


def _signed_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert response.location.startswith("/login")
        return False
    assert response.status_code == 200
    return True


def _review(client: FlaskClient, claim: Claim) -> int:
    data = {"status": "disputed", "rationale": "replayed", "version": claim.version}
    return client.post(f"/claims/{claim.id}/review", data=data).status_code


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def test_cookie_replayed_after_logout_is_refused(
    app: Flask, editor: Editor, claim: Claim, db_session: Session
) -> None:
    client = log_in(app.test_client(), editor.username)
    stolen = _cookie(client)
    assert _signed_in(_replay(app, stolen)), "the copy works while the session is live"
    assert client.post("/logout").status_code == 302
    thief = _replay(app, stolen)
    assert not _signed_in(thief)
    assert _review(thief, claim) == 302  # sent to the login page, nothing saved
    assert db_session.scalars(select(Review).where(Review.claim_id == claim.id)).first() is None
    (record,) = db_session.scalars(select(LoginSession).where(LoginSession.editor_id == editor.id))
    assert record.ended_at is not None and record.end_reason == "logout"
    assert [e.after for e in _events(db_session, "editor.logout")] == [
        {"session": record.id, "reason": "logout"}
    ]


def test_password_change_ends_every_old_session(app: Flask, editor: Editor) -> None:
    here, elsewhere = log_in(app.test_client(), editor.username), log_in(app.test_client(), editor.username)
    old_here = _cookie(here)
    new = "a brand new password"
    response = here.post("/account/password", data={"current": TEST_PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert _signed_in(here), "the browser that changed the password carries on, in a new session"
    assert _cookie(here) != old_here
    assert not _signed_in(elsewhere)
    assert not _signed_in(_replay(app, old_here))


def test_deactivation_ends_every_session(
    app: Flask, admin: Editor, editor: Editor, claim: Claim, db_session: Session
) -> None:
    victim = log_in(app.test_client(), editor.username)
    stolen = _cookie(victim)
    boss = log_in(app.test_client(), admin.username)
    assert boss.post(f"/editors/{editor.id}", data={"role": "editor"}).status_code == 302  # active unticked
    assert not _signed_in(victim) and not _signed_in(_replay(app, stolen))
    assert _review(_replay(app, stolen), claim) == 302
    (event,) = _events(db_session, "editor.sessions_end")
    assert event.after == {"reason": "deactivated", "sessions": 1} and event.actor == admin.username


def test_sign_out_everywhere(app: Flask, editor: Editor) -> None:
    laptop, phone = log_in(app.test_client(), editor.username), log_in(app.test_client(), editor.username)
    page = laptop.get("/account/password").get_data(as_text=True)
    assert "Sign out everywhere" in page and "(this browser)" in page
    response = laptop.post("/account/sessions/end")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert not _signed_in(laptop) and not _signed_in(phone)


@pytest.mark.parametrize("column", ["last_seen_at", "created_at"])
def test_idle_and_absolute_lifetimes(app: Flask, editor: Editor, db_session: Session, column: str) -> None:
    client = log_in(app.test_client(), editor.username)
    assert _signed_in(client)
    settings = Settings()
    # Just beyond the idle lifetime, or just beyond the absolute one (used a minute ago).
    age = (
        dt.timedelta(minutes=settings.session_idle_minutes, seconds=5)
        if column == "last_seen_at"
        else dt.timedelta(hours=settings.session_max_hours, seconds=5)
    )
    past = dt.datetime.now(dt.UTC) - age
    values = {column: past} if column == "last_seen_at" else {"created_at": past}
    db_session.execute(update(LoginSession).where(LoginSession.editor_id == editor.id).values(**values))
    assert not _signed_in(client)


def test_use_is_recorded_at_most_once_a_minute(app: Flask, editor: Editor, db_session: Session) -> None:
    client = log_in(app.test_client(), editor.username)
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    db_session.execute(update(LoginSession).values(last_seen_at=an_hour_ago))
    assert _signed_in(client)
    db_session.expire_all()
    (record,) = db_session.scalars(select(LoginSession))
    assert record.last_seen_at > an_hour_ago + dt.timedelta(minutes=59)


def test_old_session_records_are_pruned_at_the_next_login(
    app: Flask, editor: Editor, db_session: Session
) -> None:
    old, recent, idle, newest = (log_in(app.test_client(), editor.username) for _ in range(4))
    assert all(_signed_in(c) for c in (old, recent, idle, newest))
    assert old.post("/logout").status_code == 302 and recent.post("/logout").status_code == 302
    ids = [r.id for r in db_session.scalars(select(LoginSession).order_by(LoginSession.id))]
    beyond = dt.datetime.now(dt.UTC) - SESSION_RETENTION - dt.timedelta(minutes=1)
    # The first ended long ago; the third and the fourth were never ended but unused as long (their
    # lifetime ran out). The fourth is the newest record, which stays so that no id is used twice.
    db_session.execute(update(LoginSession).where(LoginSession.id == ids[0]).values(ended_at=beyond))
    db_session.execute(
        update(LoginSession)
        .where(LoginSession.id.in_(ids[2:]))
        .values(last_seen_at=beyond, created_at=beyond)
    )
    log_in(app.test_client(), editor.username)
    db_session.expire_all()
    kept = [r.id for r in db_session.scalars(select(LoginSession).order_by(LoginSession.id))]
    assert kept[:-1] == [ids[1], ids[3]], "the recent ended one and the newest old one stay"
    assert kept[-1] > ids[3], "the new login's record has an id never used before"
    assert len(_events(db_session, "editor.logout")) == 2, "the audit trail keeps every logout"


def _attempt(client: FlaskClient, username: str, password: str, address: str = "192.0.2.7") -> int:
    response = client.post(
        "/login", data={"username": username, "password": password}, environ_base={"REMOTE_ADDR": address}
    )
    return response.status_code


def test_logins_and_failures_are_audited(app: Flask, editor: Editor, db_session: Session) -> None:
    client = app.test_client()
    assert _attempt(client, editor.username, "wrong password") == 200
    assert _attempt(client, "nobody", "wrong password") == 200
    # A NUL is refused before any login is tried (400, see factdb.web.validation): no account has one.
    assert _attempt(client, "nul\x00name", "x") == 400
    assert _attempt(client, editor.username, TEST_PASSWORD) == 302
    failed = _events(db_session, "editor.login_failed")
    assert [(e.actor, e.entity_id, e.after) for e in failed] == [
        ("system", editor.id, {"username": "eddie", "address": "192.0.2.7", "reason": "wrong password"}),
        ("system", None, {"username": "nobody", "address": "192.0.2.7", "reason": "unknown username"}),
    ]
    (login,) = _events(db_session, "editor.login")
    record = db_session.scalars(select(LoginSession)).one()
    assert (login.actor, login.entity_id, login.after) == (
        "eddie", editor.id, {"address": "192.0.2.7", "session": record.id}
    )  # fmt: skip


def test_sixth_guess_is_throttled_even_when_right(app: Flask, editor: Editor, db_session: Session) -> None:
    client = app.test_client()
    for _ in range(MAX_FAILURES_PER_ACCOUNT):
        assert _attempt(client, editor.username, "wrong password") == 200
    response = client.post("/login", data={"username": editor.username, "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins for this account" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 15 * 60
    assert not _signed_in(client)
    assert _events(db_session, "editor.login_failed")[-1].after["reason"] == "throttled"  # type: ignore[index]
    # Other accounts from other addresses are not held up...
    # ...and once the failures are older than the window, the right password works again.
    db_session.execute(
        update(LoginFailure).values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    )
    assert _attempt(client, editor.username, TEST_PASSWORD) == 302


def test_one_address_guessing_many_accounts_is_throttled(app: Flask, editor: Editor) -> None:
    client = app.test_client()
    for n in range(MAX_FAILURES_PER_ADDRESS):
        assert _attempt(client, f"guess{n}", "wrong password", address="198.51.100.9") == 200
    assert _attempt(client, editor.username, TEST_PASSWORD, address="198.51.100.9") == 429
    assert _attempt(client, editor.username, TEST_PASSWORD, address="203.0.113.5") == 302


def test_signed_in_responses_are_not_stored(app: Flask, editor: Editor) -> None:
    client = app.test_client()
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    log_in(client, editor.username)
    for path in ("/", "/speakers", "/account/password"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path


@pytest.mark.parametrize("secure", [False, True])
def test_secure_cookies_setting(
    make_app: MakeApp, editor: Editor, database_url: str, secure: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACTDB_SECURE_COOKIES", "1" if secure else "0")
    app = make_app(WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/login", data={"username": editor.username, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert ("; Secure" in cookie) is secure and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_tokens_expire(make_app: MakeApp, editor: Editor) -> None:
    assert make_app().config["WTF_CSRF_TIME_LIMIT"] == Settings().session_idle_minutes * 60
    app = make_app(WTF_CSRF_TIME_LIMIT=1)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    time.sleep(2.1)
    data = {"username": editor.username, "password": TEST_PASSWORD, "csrf_token": token}
    response = client.post("/login", data=data)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)


def test_settings_refuse_bad_values(monkeypatch: pytest.MonkeyPatch) -> None:
    checks: list[tuple[str, str, Callable[[Settings], object]]] = [
        ("FACTDB_SECURE_COOKIES", "maybe", lambda s: s.secure_cookies),
        ("FACTDB_SESSION_IDLE_MINUTES", "0", lambda s: s.session_idle_minutes),
        ("FACTDB_SESSION_MAX_HOURS", "twelve", lambda s: s.session_max_hours),
    ]
    for name, value, _ in checks:
        monkeypatch.setenv(name, value)
        with pytest.raises(ValueError, match=name):
            Settings.from_env()
        monkeypatch.delenv(name)
    assert replace(Settings.from_env()).secure_cookies is False


def test_a_write_request_records_the_sessions_use_without_a_second_transaction(
    new_database_url: Callable[[], str], app_on: Callable[[str], Flask]
) -> None:
    # A database of its own (not the test's transaction), so the app's write sessions really take
    # SQLite's write lock. A note of use in a second write transaction waited for the request's own
    # lock until the busy timeout, then was dropped: the POST stalled and the use went unrecorded.
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        create_editor(session, None, username="eve", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        claim_id = session.scalars(
            select(Claim.id).where(Claim.source_id == ingest_sample(session, None, title="Sample").source.id)
        ).first()
    app = app_on(url)
    client = log_in(app.test_client(), "eve")
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with make_session_factory(engine, write=True).begin() as session:
        session.execute(update(LoginSession).values(last_seen_at=an_hour_ago))
    response = client.post(
        f"/claims/{claim_id}/review", data={"status": "disputed", "rationale": "Checked.", "version": 1}
    )
    assert response.status_code == 302
    with make_session_factory(engine)() as session:
        (record,) = session.scalars(select(LoginSession))
        assert record.last_seen_at > an_hour_ago + dt.timedelta(minutes=59)
        assert (
            session.scalars(select(Review.to_status).where(Review.claim_id == claim_id)).one() == "disputed"
        )
    engine.dispose()
