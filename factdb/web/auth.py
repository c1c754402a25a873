"""Logging in and out."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from factdb.services.editors import authenticate
from factdb.web.request import db_session

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


def _safe_next(target: str | None) -> str:
    # Only same-site paths: never send a freshly logged-in editor to another host.
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("claims.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response:
    """Show the login form; log the editor in when the password matches."""
    form = LoginForm()
    if form.validate_on_submit():
        editor = authenticate(db_session(), form.username.data or "", form.password.data or "")
        if editor is not None:
            login_user(editor)
            return redirect(_safe_next(request.args.get("next")))
        flash("Unknown username or wrong password.", "error")
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Log out (a POST, so a link elsewhere cannot log you out)."""
    logout_user()
    return redirect(url_for("auth.login"))
