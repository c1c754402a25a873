"""Who may do what in the web UI: login for every page, a role for every change."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

from flask import abort, current_app, g, has_request_context, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup, escape

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
                held = current_editor().role.value
                abort(403, f"this needs the {role.value} role; you are {_article(held)} {held}")
            return view(*args, **kwargs)

        return cast(Callable[P, R], login_required(wrapper))

    return decorate


def _article(word: str) -> str:
    return "an" if word[:1] in "aeiou" else "a"


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


#: URLs the templates built, kept per app (a bound: past it the kept ones are dropped and built again).
URLS_KEPT = 4096


def template_url_for(endpoint: str, **values: Any) -> str:
    """For templates: ``url_for``, each URL built once per app and kept.

    A page builds about 30 URLs (menu, static files, filter and export links), the same ones on every
    request, and Werkzeug builds each by matching rules (15-30 µs). A URL is decided by the endpoint,
    its arguments and where the app is mounted (the script root): those are the key. A relative
    endpoint (".x"), an option such as ``_external`` or ``_anchor``, or an unhashable argument is
    built each time, as Flask builds it."""
    if not has_request_context() or endpoint.startswith(".") or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    urls: dict[Any, str] = current_app.extensions["factdb"].setdefault("urls", {})
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    try:
        url = urls.get(key)
    except TypeError:  # an unhashable argument, e.g. a list of values for one parameter
        return url_for(endpoint, **values)
    if url is None:
        url = url_for(endpoint, **values)
        if len(urls) >= URLS_KEPT:
            urls.clear()
        urls[key] = url
    return url


# A number no route is built with, replaced by each row's id in a URL built once per request.
_ID_SENTINEL = 918_273_645_546_372_819


def id_url(endpoint: str, name: str, value: int) -> str:
    """For templates: ``url_for(endpoint, name=value)`` for the id routes a list repeats on every row.

    Werkzeug builds each URL by matching rules (tens of microseconds, three times a row on a 50-row
    page); this builds the endpoint's URL once per request and puts each id into it.
    """
    return _id_template(endpoint, name).replace(str(_ID_SENTINEL), str(int(value)))


def _id_template(endpoint: str, name: str) -> str:
    """The endpoint's URL with the sentinel for its id, built once per request."""
    cache: dict[tuple[str, str], str] = g.setdefault("factdb_id_urls", {})
    template = cache.get((endpoint, name))
    if template is None:
        values: dict[str, Any] = {name: _ID_SENTINEL}
        template = cache[(endpoint, name)] = url_for(endpoint, **values)
    return template


def id_url_prefix(endpoint: str, name: str) -> str:
    """For templates: what ``url_for(endpoint, name=id)`` gives before the id, for routes that end
    with it (``/claims/<id>``); a row's link is then the prefix and its id, with no call per row."""
    prefix, sentinel, rest = _id_template(endpoint, name).rpartition(str(_ID_SENTINEL))
    if not sentinel or rest:
        raise ValueError(f"{endpoint}'s URL does not end with its {name}: use id_url")
    return prefix


# Template helpers for what every row of a list repeats, written in Python: a Jinja macro call costs
# several times the few string operations it stands for, and a list page calls them 100 times.


@functools.cache
def status_badge(value: str) -> Markup:
    """A claim status as a badge (``status`` in ``_macros.html``); one per status, made once."""
    badge: Markup = Markup('<span class="status status-%s">%s</span>') % (value, value)
    return badge


def speaker_of(claim: Any, *, prefix: str | None = None) -> Markup:
    """Who said a claim (``speaker_of`` in ``_macros.html``): a link to its speaker, else the words that
    named an unresolved speaker, else the publication itself. ``claim`` is a Claim or a listed row;
    ``prefix``, the escaped :func:`id_url_prefix` of ``speakers.show``, for a caller that draws many."""
    # f-strings over escaped values: the same markup as Markup's % operator, at a third of its cost
    # (it wraps each value in a helper object); a list page draws this 50 times.
    speaker = claim.speaker
    if speaker:
        if prefix is None:
            prefix = escape(id_url_prefix("speakers.show", "speaker_id"))
        return Markup(f'<a href="{prefix}{speaker.id:d}">{escape(speaker.name)}</a>')  # noqa: S704 (values escaped)
    if claim.mention_text:
        return Markup(f'<span class="muted">{escape(claim.mention_text)} (unresolved)</span>')  # noqa: S704
    return Markup('<span class="muted">the publication</span>')
