"""The application factory and the per-request unit of work."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from flask import Flask, g, render_template, session
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from factdb.config import Settings
from factdb.db import is_database_busy, make_engine, make_session_factory
from factdb.errors import DatabaseBusyError, FactdbError
from factdb.models import Editor
from factdb.resources import static_folder, template_loader
from factdb.services.session_setup import set_up_sessions
from factdb.services.sessions import SessionPolicy, live_session, needs_touch, touch
from factdb.services.validation import is_http_url
from factdb.web.api import problems
from factdb.web.request import db_session, note_use, read_only_from_here, settings
from factdb.web.validation import IdConverter, refuse_control_characters

__all__ = ["create_app", "db_session", "settings"]  # the last two live in factdb.web.request

log = logging.getLogger(__name__)

csrf = CSRFProtect()
login_manager = LoginManager()
#: Room in a request for the form around an article (title, outlet, link, CSRF token, multipart headers).
FORM_MARGIN_BYTES = 64 * 1024
login_manager.login_view = "auth.login"
login_manager.login_message_category = "info"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app.

    ``config`` may set any Flask key plus ``FACTDB_SETTINGS`` (a :class:`Settings`) and
    ``FACTDB_SESSION_FACTORY`` (a sessionmaker to use instead of one built from the settings;
    the test suite lends its transaction this way).
    """
    # Templates are read through the package (a folder or a zip archive), not from a path; static
    # files from a real folder (copied out of a zip archive), which Flask's own lookup would miss.
    app = Flask(__name__, static_folder=static_folder(), static_url_path="/static")
    app.jinja_loader = template_loader()
    config = dict(config or {})
    settings: Settings = config.pop("FACTDB_SETTINGS", None) or Settings.from_env()
    session_factory: sessionmaker[Session] | None = config.pop("FACTDB_SESSION_FACTORY", None)
    write_session_factory = session_factory
    if session_factory is None:
        engine = make_engine(settings.database_url)
        session_factory = make_session_factory(engine)
        write_session_factory = make_session_factory(engine, write=True)
    else:
        set_up_sessions(session_factory)  # a lent factory may not have been made by make_session_factory
    app.config.update(
        SECRET_KEY=settings.secret_key or secrets.token_hex(32),
        # A request may carry one article and a form around it; a pasted article is a form field,
        # which Werkzeug otherwise caps at 500 KB (pastes over that were told "the limit is 5 MB").
        MAX_CONTENT_LENGTH=settings.max_ingest_bytes + FORM_MARGIN_BYTES,
        MAX_FORM_MEMORY_SIZE=settings.max_ingest_bytes + FORM_MARGIN_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        # A form older than the idle lifetime could not be sent by a live session anyway.
        WTF_CSRF_TIME_LIMIT=settings.session_idle_minutes * 60,
    )
    app.config.update(config)
    app.extensions["factdb"] = {
        "settings": settings,
        "session_factory": session_factory,
        "write_session_factory": write_session_factory,
    }

    # Before any blueprint is registered: every <int:...> in a route is then an id within range.
    app.url_map.converters["int"] = IdConverter
    app.jinja_env.tests["http_url"] = is_http_url
    csrf.init_app(app)
    login_manager.init_app(app)
    app.before_request(refuse_control_characters)
    _register_request_transaction(app)
    _register_error_pages(app)

    from factdb.web import (
        access,
        audit,
        auth,
        claims,
        clusters,
        editors,
        exports,
        forms,
        rows,
        sources,
        speakers,
        tokens,
    )
    from factdb.web.api import init_api

    for blueprint in (
        auth.bp,
        claims.bp,
        clusters.bp,
        sources.bp,
        speakers.bp,
        audit.bp,
        editors.bp,
        exports.bp,
        tokens.bp,
    ):
        app.register_blueprint(blueprint)
    init_api(app, settings, csrf)
    app.jinja_env.globals["can"] = access.can
    app.jinja_env.globals["url_for"] = access.template_url_for
    app.jinja_env.globals["id_url"] = access.id_url
    app.jinja_env.globals["id_url_prefix"] = access.id_url_prefix
    app.jinja_env.globals["status_badge"] = access.status_badge
    app.jinja_env.globals["speaker_link"] = access.speaker_of
    app.jinja_env.globals["claim_rows"] = rows.claim_rows
    app.jinja_env.globals["page_id_fields"] = rows.page_id_fields
    app.jinja_env.globals["csrf_token_field"] = forms.csrf_token_field

    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if "_user_id" in session:
            # Pages of a signed-in editor stay out of every cache (shared, proxy, back button).
            response.headers["Cache-Control"] = "no-store"
        return response

    return app


def _register_request_transaction(app: Flask) -> None:
    @app.after_request
    def _commit(response: Response) -> Response:
        session: Session | None = g.pop("db", None)
        if session is not None:
            try:
                if response.status_code < 400:
                    session.commit()
                else:
                    session.rollback()
            finally:
                session.close()
        return response

    @app.teardown_request
    def _rollback(_exc: BaseException | None) -> None:
        # Reached with the session still open only when the view raised.
        session: Session | None = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()

    @login_manager.user_loader
    def _load_editor(token: str) -> Editor | None:
        # The cookie holds a session token (see factdb.web.auth); only a live record lets it in.
        config = settings()
        policy = SessionPolicy.from_minutes(config.session_idle_minutes, config.session_max_hours)
        record = live_session(db_session(), token, policy)
        if record is None:
            return None  # unknown, logged out, revoked, deactivated, idle or expired
        g.login_session = record
        if needs_touch(record):
            session_id = record.id
            note_use(lambda connection: touch(connection, session_id), f"login session {session_id}")
        return record.editor


def _abandon_request_work() -> None:
    """Roll back the request's session before an error page is drawn.

    The page reads the database too (the logged-in editor for the menu); a session whose flush
    failed would refuse that with PendingRollbackError and turn a 4xx into a 500.
    """
    session: Session | None = g.get("db")
    if session is not None:
        session.rollback()


def _register_error_pages(app: Flask) -> None:
    # API paths answer with problem details (RFC 9457), every other path with an HTML page.
    @app.errorhandler(FactdbError)
    def _factdb_error(error: FactdbError) -> tuple[str, int, dict[str, str]] | Response:
        _abandon_request_work()
        if problems.is_api_request():
            return problems.from_factdb_error(error)
        page = render_template("error.html", code=error.http_status, message=str(error))
        return page, error.http_status, problems.retry_after_header(error)

    @app.errorhandler(OperationalError)
    def _database_error(error: OperationalError) -> tuple[str, int, dict[str, str]] | Response:
        if not is_database_busy(error):
            raise error  # a failure, answered 500 as before
        # Nothing was written (the lock is taken before a write request's first statement). The page
        # is drawn from a read session, which the writer holding the lock does not block.
        read_only_from_here()
        return _factdb_error(DatabaseBusyError())

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int] | Response:
        _abandon_request_work()
        if problems.is_api_request():
            return problems.from_http_exception(error)
        code = error.code or 500
        message = error.description
        if code == 413:
            limit = app.extensions["factdb"]["settings"].max_ingest_bytes
            message = (
                f"That article is too large: the limit is {limit / 1024 / 1024:.1f} MB "
                f"({limit:,} bytes) per article, pasted or uploaded."
            )
        elif code == 400 and "CSRF" in (message or ""):
            message = f"{message} Reload the page and try again."
        return render_template("error.html", code=code, message=message), code
