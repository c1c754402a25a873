"""Who may do what in the web UI: login for every page, a role for every change."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar, cast

from flask import abort
from flask_login import current_user, login_required

from factdb.enums import EditorRole
from factdb.models import Editor

P = ParamSpec("P")
R = TypeVar("R")


def current_editor() -> Editor:
    """The logged-in editor (views behind :func:`requires` only)."""
    return cast(Editor, current_user._get_current_object())


def requires(role: EditorRole) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Log in first; then refuse with 403 unless the editor's role includes ``role``."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if not current_editor().role.allows(role):
                abort(403, f"this needs the {role.value} role; you are a {current_editor().role.value}")
            return view(*args, **kwargs)

        return cast(Callable[P, R], login_required(wrapper))

    return decorate


def can(role: str) -> bool:
    """For templates: whether the logged-in editor holds ``role``."""
    return bool(current_user.is_authenticated and current_editor().role.allows(EditorRole(role)))


def form_error_text(errors: dict[str, list[str]] | dict[str, object]) -> str:
    """One line naming every invalid field and why."""
    parts = []
    for field, messages in errors.items():
        if isinstance(messages, dict):
            parts.append(form_error_text(messages))
        elif isinstance(messages, list):
            flat = [m if isinstance(m, str) else form_error_text(m) for m in messages if m]
            if flat:
                parts.append(f"{field}: {'; '.join(flat)}")
    return "; ".join(p for p in parts if p)
