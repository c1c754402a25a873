"""Logging in and out, backed by server-side session records (``factdb.services.sessions``).

The signed cookie Flask keeps holds a random session token in Flask-Login's ``_user_id`` slot; the
user loader (in ``factdb.web.app``) finds the live record for it on every request.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, session, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from factdb.errors import TooManyAttemptsError
from factdb.models import Editor, LoginSession
from factdb.services.logins import attempt_login
from factdb.services.sessions import ENDED_EVERYWHERE, end_session, end_sessions, start_session
from factdb.web.access import current_editor
from factdb.web.redirects import clean_redirect_target
from factdb.web.request import db_session

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def current_login_session() -> LoginSession | None:
    """The session record behind this request's login (set by the user loader), if any."""
    record: LoginSession | None = g.get("login_session")
    return record


def sign_in(editor: Editor, record: LoginSession, token: str) -> None:
    """Make ``record`` (a session just started for ``editor``) this browser's login."""
    session.clear()  # nothing from before the login carries over into it
    login_user(editor)
    session["_user_id"] = token
    g.login_session = record


def start_browser_session(editor: Editor) -> None:
    """Open a new session for ``editor`` in this browser (after its old one was ended)."""
    record, token = start_session(
        db_session(), editor, address=request.remote_addr, user_agent=request.user_agent.string
    )
    sign_in(editor, record, token)


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int, dict[str, str]]:
    """Show the login form; log the editor in when the password matches."""
    form = LoginForm()
    if form.validate_on_submit():
        try:
            result = attempt_login(
                db_session(),
                form.username.data or "",
                form.password.data or "",
                address=request.remote_addr,
                user_agent=request.user_agent.string,
            )
        except TooManyAttemptsError as error:
            # Refused, yet the attempt stays in the audit trail: commit before answering 429.
            db_session().commit()
            page = render_template("auth/login.html", form=form, error=str(error))
            return page, error.http_status, {"Retry-After": str(error.retry_after)}
        if result is not None:
            sign_in(result.editor, result.record, result.token)
            return redirect(clean_redirect_target(request.args.get("next")) or url_for("claims.index"))
        flash("Unknown username or wrong password.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Log out (a POST, so a link elsewhere cannot log you out); the session record ends for good."""
    record = current_login_session()
    if record is not None:
        end_session(db_session(), record)
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


@bp.route("/account/sessions/end", methods=["POST"])
@login_required
def sign_out_everywhere() -> Response:
    """End every session of the logged-in editor, this one included."""
    editor = current_editor()
    count = end_sessions(db_session(), editor, editor, ENDED_EVERYWHERE)
    logout_user()
    session.clear()
    flash(f"Signed out everywhere ({count} session{'s' if count != 1 else ''} ended).", "info")
    return redirect(url_for("auth.login"))
