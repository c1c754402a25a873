"""Editor accounts: admins manage them; everyone changes their own password."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from factdb.enums import EditorRole
from factdb.errors import InputError, NotFoundError
from factdb.models import Editor
from factdb.services import editors as editor_service
from factdb.services.sessions import SessionPolicy, live_sessions
from factdb.web.access import current_editor, form_error_text, requires
from factdb.web.auth import current_login_session, start_browser_session
from factdb.web.forms import EditorCreateForm, EditorUpdateForm, PasswordForm, PasswordResetForm
from factdb.web.request import db_session, settings

bp = Blueprint("editors", __name__)


def _render(
    error: str | None = None, form: EditorCreateForm | None = None, status: int = 200
) -> tuple[str, int]:
    editors = editor_service.list_editors(db_session())
    update_forms = {
        e.id: EditorUpdateForm(formdata=None, role=e.role.value, active=e.active) for e in editors
    }
    return (
        render_template(
            "editors/list.html",
            editors=editors,
            form=form or EditorCreateForm(formdata=None),
            update_forms=update_forms,
            reset_form=PasswordResetForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.route("/editors")
@requires(EditorRole.ADMIN)
def index() -> tuple[str, int]:
    """Every account, with forms to create one and change roles (admins)."""
    return _render()


@bp.route("/editors", methods=["POST"])
@requires(EditorRole.ADMIN)
def create() -> Response | tuple[str, int]:
    """Create an account."""
    form = EditorCreateForm()
    try:
        if not form.validate_on_submit():
            raise InputError(form_error_text(form.errors))
        editor = editor_service.create_editor(
            db_session(),
            current_editor(),
            username=form.username.data or "",
            password=form.password.data or "",
            role=EditorRole(form.role.data),
            display_name=form.display_name.data or None,
        )
    except InputError as error:
        db_session().rollback()
        return _render(str(error), form, 400)
    flash(f"Editor {editor.username} created.", "info")
    return redirect(url_for("editors.index"))


@bp.route("/editors/<int:editor_id>", methods=["POST"])
@requires(EditorRole.ADMIN)
def update(editor_id: int) -> Response | tuple[str, int]:
    """Change an account's role or deactivate it."""
    session = db_session()
    editor = session.get(Editor, editor_id)
    if editor is None:
        raise NotFoundError(f"no editor with id {editor_id}")
    form = EditorUpdateForm()
    try:
        if not form.validate_on_submit():
            raise InputError(form_error_text(form.errors))
        editor_service.update_editor(
            session, current_editor(), editor, role=EditorRole(form.role.data), active=bool(form.active.data)
        )
    except InputError as error:
        session.rollback()
        return _render(str(error), status=400)
    flash(f"Editor {editor.username} saved.", "info")
    return redirect(url_for("editors.index"))


@bp.route("/editors/<int:editor_id>/password", methods=["POST"])
@requires(EditorRole.ADMIN)
def reset_password(editor_id: int) -> Response | tuple[str, int]:
    """Give an account a new password (for an editor who forgot theirs); their sessions end."""
    session = db_session()
    editor = session.get(Editor, editor_id)
    if editor is None:
        raise NotFoundError(f"no editor with id {editor_id}")
    form = PasswordResetForm()
    try:
        if not form.validate_on_submit():
            raise InputError(form_error_text(form.errors))
        editor_service.reset_password(session, current_editor(), editor, form.new.data or "")
    except InputError as error:
        session.rollback()
        return _render(f"{editor.username}: {error}", status=400)
    flash(
        f"Password of {editor.username} reset; tell them the new one in person. Their sessions have ended.",
        "info",
    )
    return redirect(url_for("editors.index"))


def _account_page(form: PasswordForm, error: str | None = None) -> str:
    config = settings()
    policy = SessionPolicy.from_minutes(config.session_idle_minutes, config.session_max_hours)
    return render_template(
        "editors/password.html",
        form=form,
        error=error,
        sessions=live_sessions(db_session(), current_editor(), policy),
        this_session=current_login_session(),
    )


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password() -> Response | str | tuple[str, int]:
    """Change your own password; see and end your sessions."""
    form = PasswordForm()
    if form.is_submitted():
        try:
            if not form.validate():
                raise InputError(form_error_text(form.errors))
            editor_service.change_password(
                db_session(), current_editor(), current=form.current.data or "", new=form.new.data or ""
            )
        except InputError as error:
            db_session().rollback()
            return _account_page(form, str(error)), 400
        # Every session ended with the old password, this one too; this browser gets a new one.
        start_browser_session(current_editor())
        flash("Password changed; you were signed out everywhere else.", "info")
        return redirect(url_for("claims.index"))
    return _account_page(form)
