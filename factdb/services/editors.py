"""Editor accounts: creation, passwords, roles."""

from __future__ import annotations

import functools
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from factdb.enums import EditorRole
from factdb.errors import InputError, NotFoundError
from factdb.models import Editor
from factdb.services.audit import Actor, record_event, require_role, snapshot
from factdb.services.sessions import ENDED_DEACTIVATED, ENDED_PASSWORD, end_sessions

MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,79}$")


@functools.cache
def _dummy_hash() -> str:
    """A real hash to compare against when the username is unknown, so both paths take as long.

    Made on first use, not at import: scrypt costs tens of milliseconds, which every CLI command
    would otherwise pay.
    """
    return generate_password_hash("factdb-timing-equaliser")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters long")


def get_editor(session: Session, username: str) -> Editor:
    """The editor with ``username``, or NotFoundError."""
    editor = session.scalar(select(Editor).where(Editor.username == username))
    if editor is None:
        raise NotFoundError(f"no editor named {username!r}")
    return editor


def create_editor(
    session: Session,
    actor: Actor,
    *,
    username: str,
    password: str,
    role: EditorRole = EditorRole.EDITOR,
    display_name: str | None = None,
) -> Editor:
    """Create an editor account (admins only). The password is stored hashed."""
    require_role(actor, EditorRole.ADMIN)
    username = username.strip().lower()
    if not _USERNAME.match(username):
        raise InputError(
            f"username {username!r} must be 2-80 characters of lowercase letters, digits, '.', '_' or '-'"
        )
    if session.scalar(select(Editor.id).where(Editor.username == username)) is not None:
        raise InputError(f"an editor named {username!r} already exists")
    _check_password(password)
    editor = Editor(
        username=username,
        display_name=(display_name or username).strip(),
        password_hash=generate_password_hash(password),
        role=role,
        active=True,
    )
    session.add(editor)
    session.flush()
    record_event(
        session,
        actor,
        "editor.create",
        "editor",
        editor.id,
        after=snapshot(editor, ("username", "display_name", "role", "active")),
    )
    return editor


def authenticate(session: Session, username: str, password: str) -> Editor | None:
    """The active editor whose password matches, else None (same timing either way)."""
    editor = session.scalar(select(Editor).where(Editor.username == username.strip().lower()))
    if editor is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(editor.password_hash, password) or not editor.active:
        return None
    return editor


def change_password(session: Session, actor: Editor, *, current: str, new: str) -> None:
    """Let an editor change their own password, given the current one.

    Every session of the editor ends, this one included: whoever held a copy of any cookie is out.
    The web UI opens a new session for the browser that made the change.
    """
    if not check_password_hash(actor.password_hash, current):
        raise InputError("the current password is wrong")
    _check_password(new)
    actor.password_hash = generate_password_hash(new)
    record_event(session, actor, "editor.password", "editor", actor.id)
    end_sessions(session, actor, actor, ENDED_PASSWORD)


def update_editor(
    session: Session,
    actor: Actor,
    editor: Editor,
    *,
    role: EditorRole | None = None,
    active: bool | None = None,
) -> Editor:
    """Change an editor's role or deactivate/reactivate them (admins only; not yourself)."""
    require_role(actor, EditorRole.ADMIN)
    if actor is not None and actor.id == editor.id:
        raise InputError("you cannot change your own role or deactivate yourself")
    before = snapshot(editor, ("role", "active"))
    if role is not None:
        editor.role = role
    if active is not None:
        editor.active = active
    after = snapshot(editor, ("role", "active"))
    if after != before:
        record_event(session, actor, "editor.update", "editor", editor.id, before=before, after=after)
    if before["active"] and not editor.active:
        end_sessions(session, actor, editor, ENDED_DEACTIVATED)
    return editor


#: Every account by username, built once (the claims list reads it on every request, for its queue menu).
_EDITORS_BY_NAME = select(Editor).order_by(Editor.username)


def list_editors(session: Session) -> list[Editor]:
    """Every account, by username (a newsroom has dozens, not thousands)."""
    return list(session.scalars(_EDITORS_BY_NAME))


def is_reviewer(editor: Editor) -> bool:
    """Whether ``editor`` is an active account that may review claims (an editor or an admin): someone
    a claim can be assigned to."""
    return editor.active and editor.role.allows(EditorRole.EDITOR)


#: :func:`is_reviewer` in SQL: the accounts a claim can be assigned to.
_REVIEWER = Editor.active.is_(True) & Editor.role.in_(
    [role for role in EditorRole if role.allows(EditorRole.EDITOR)]
)
_REVIEWERS = select(Editor).where(_REVIEWER).order_by(Editor.username)


def reviewers(session: Session) -> list[Editor]:
    """The active accounts that may review claims (editors and admins): whom a claim can be assigned to."""
    return list(session.scalars(_REVIEWERS))


#: What the claims list's queue menu shows of each reviewer, as plain values (every list page of an
#: editor reads it; loading Editor objects for it cost more than the query): the accounts of
#: :func:`reviewers`, by username.
_REVIEWER_NAMES = _REVIEWERS.with_only_columns(Editor.id, Editor.username, Editor.display_name)


def reviewer_names(session: Session) -> list[Any]:
    """The accounts a claim can be assigned to (:func:`reviewers`), as rows of id, username and
    display name."""
    return list(session.execute(_REVIEWER_NAMES).all())


def reset_password(session: Session, actor: Actor, editor: Editor, new: str) -> None:
    """Give another editor a new password (admins only); their sessions end with the old one.

    The event records who reset whose password, never the password.
    """
    require_role(actor, EditorRole.ADMIN)
    if actor is not None and actor.id == editor.id:
        raise InputError("change your own password on your account page, with your current password")
    _check_password(new)
    editor.password_hash = generate_password_hash(new)
    record_event(
        session, actor, "editor.password_reset", "editor", editor.id, after={"username": editor.username}
    )
    end_sessions(session, actor, editor, ENDED_PASSWORD)
