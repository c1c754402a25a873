"""API tokens in the web UI: an editor makes and revokes their own; an admin sees and revokes anyone's."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from factdb.enums import EditorRole, TokenScope
from factdb.errors import FactdbError
from factdb.services import tokens as token_service
from factdb.web.access import current_editor, form_error_text
from factdb.web.request import db_session

bp = Blueprint("tokens", __name__)


class TokenForm(FlaskForm):
    """A new token: what uses it, and whether it may write."""

    name = StringField("Name", validators=[DataRequired(), Length(max=token_service.MAX_NAME)])
    scope = SelectField(
        "Scope",
        choices=[
            SelectChoice(TokenScope.READ.value, "read: read only"),
            SelectChoice(TokenScope.WRITE.value, "write: read and change"),
        ],
        default=TokenScope.READ.value,
    )


class RevokeForm(FlaskForm):
    """The revoke button (its CSRF token)."""


def _render(
    form: TokenForm, secret: str | None = None, error: str | None = None, status: int = 200
) -> tuple[str, int]:
    editor = current_editor()
    session = db_session()
    everyone = editor.role.allows(EditorRole.ADMIN)
    return (
        render_template(
            "tokens/list.html",
            form=form,
            revoke_form=RevokeForm(),
            tokens=token_service.list_tokens(session, None if everyone else editor),
            everyone=everyone,
            secret=secret,
            error=error,
        ),
        status,
    )


@bp.route("/account/tokens")
@login_required
def index() -> tuple[str, int]:
    """The editor's tokens (every token for an admin) and the form to make one."""
    return _render(TokenForm())


@bp.route("/account/tokens", methods=["POST"])
@login_required
def create() -> tuple[str, int]:
    """Make a token; its secret is shown on this page once and never again."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, error=form_error_text(form.errors), status=400)
    try:
        token, secret = token_service.create_token(
            db_session(), current_editor(), current_editor(), name=form.name.data or "",
            scope=TokenScope(form.scope.data),
        )  # fmt: skip
    except FactdbError as error:
        db_session().rollback()
        return _render(form, error=str(error), status=error.http_status)
    flash(f"{token.label} made. Copy its secret now: it is not shown again.", "info")
    return _render(TokenForm(formdata=None), secret=secret)


@bp.route("/account/tokens/<int:token_id>/revoke", methods=["POST"])
@login_required
def revoke(token_id: int) -> Response | tuple[str, int]:
    """Revoke a token: the next request that presents it is refused."""
    if not RevokeForm().validate_on_submit():
        return _render(TokenForm(formdata=None), error="the form expired; try again", status=400)
    session = db_session()
    try:
        token = token_service.get_token(session, token_id)
        token_service.revoke_token(session, current_editor(), token)
    except FactdbError as error:
        session.rollback()
        return _render(TokenForm(formdata=None), error=str(error), status=error.http_status)
    flash(f"{token.label} revoked.", "info")
    return redirect(url_for("tokens.index"))
