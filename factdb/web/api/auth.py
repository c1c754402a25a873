"""Who is calling the API: a bearer token, never a session cookie.

Every API request must carry ``Authorization: Bearer <token>``. The token acts as its editor, with
the editor's role narrowed by the token's scope: a read token may only read, a write token may
also change what the editor's role allows. The editor of the request is never taken from a login
cookie here, and the HTML views never look at this header (Flask-Login has no request loader), so
neither credential opens the other's door.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import Flask, Request, g, request
from flask.sessions import SecureCookieSessionInterface

from factdb.enums import EditorRole, TokenScope
from factdb.errors import PermissionDeniedError
from factdb.models import ApiToken, Editor
from factdb.services.audit import VIA_INFO
from factdb.services.tokens import authenticate_token, needs_touch, touch
from factdb.web.api.problems import is_api_path, problem
from factdb.web.request import db_session, note_use

log = logging.getLogger(__name__)

#: Methods that only read; every other method needs a write token.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="factdb"'}


def presented_token() -> str | None:
    """The bearer token of the request, if it has one."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


class PageSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions for the HTML pages only.

    An API request gets Flask's null session: its login cookie, if it sent one, is never even
    decoded (so it cannot authorize anything), and no cookie is ever set on an API answer. It also
    spares every API request the cookie's signature check (about half a millisecond).
    """

    def open_session(self, app: Flask, request: Request) -> Any:
        if is_api_path(request.path):
            return None  # Flask then uses its null session
        return super().open_session(app, request)


def rate_key() -> str:
    """Whose allowance a request spends (Flask-Limiter's key): the token's (hashed, so no secret is
    kept in the counts' store), or the address's for requests without one."""
    token = presented_token()
    if token:
        return "token:" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()
    return "address:" + (request.remote_addr or "unknown")


def authenticate() -> object | None:
    """``before_request`` of every API blueprint: find the token's editor or answer 401/403."""
    secret = presented_token()
    if secret is None:
        return problem(401, "the API needs an API token: send 'Authorization: Bearer <token>'", CHALLENGE)
    session = db_session()
    token = authenticate_token(session, secret)
    if token is None:
        return problem(401, "this API token is unknown, revoked, or its editor is deactivated", CHALLENGE)
    if request.method not in READ_METHODS and token.scope is not TokenScope.WRITE:
        return problem(403, f"{token.label} is a read token; this needs a write token")
    g.api_token = token
    # Every change this request records names the token it came through.
    session.info[VIA_INFO] = token.label
    log.info("%s %s by %s via %s", request.method, request.path, token.editor.username, token.label)
    if needs_touch(token):
        note_use(lambda connection: touch(connection, token.id), f"API token {token.id}")
    return None


def api_editor() -> Editor:
    """The editor the request's token acts for."""
    token: ApiToken = g.api_token
    return token.editor


def require_api_role(role: EditorRole) -> Editor:
    """The request's editor, if their role includes ``role``; PermissionDeniedError (403) otherwise."""
    editor = api_editor()
    if not editor.role.allows(role):
        raise PermissionDeniedError(
            f"this needs the {role.value} role; {editor.username} is a {editor.role.value}"
        )
    return editor
