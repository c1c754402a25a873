"""API tokens: created and revoked by their editor (or an admin), checked on every API request.

A token is a random secret shown once when it is made; the database keeps its SHA-256 (the same
hash as login sessions, :func:`factdb.services.sessions.token_hash`), so a copy of the database
authorizes nothing. A token acts with its editor's role, narrowed by its scope (:class:`TokenScope`):
a read token of an admin cannot write, a write token of a viewer still cannot review. Creating and
revoking are audited on the editor; writes made with a token are audited as the editor, with the
token named in each event (``after["via"]``, see :data:`factdb.services.audit.VIA_INFO`).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.orm import Session, joinedload

from factdb.db import utcnow
from factdb.enums import EditorRole, TokenScope
from factdb.errors import InputError, NotFoundError, PermissionDeniedError
from factdb.models import ApiToken, Editor
from factdb.services.audit import Actor, record_event, require_role
from factdb.services.sessions import printable, token_hash

#: Marks factdb's secrets in logs and secret scanners (``fdb_`` then 43 URL-safe characters, 256 bits).
TOKEN_PREFIX = "fdb_"  # noqa: S105 (a marker, not a secret)
TOKEN_BYTES = 32
#: Characters of the secret kept in clear, to tell tokens apart in lists.
SHOWN_PREFIX = 12
#: The longest value a presented token can have; anything longer is not one of ours (never hashed).
MAX_TOKEN_LENGTH = len(TOKEN_PREFIX) + 2 * TOKEN_BYTES
MAX_NAME = 80
#: ``last_used_at`` is rewritten at most this often per token, so an API read stays a read.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


def _check_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise InputError("a token needs a name (what uses it, e.g. 'partner feed')")
    if len(name) > MAX_NAME:
        raise InputError(f"a token name is at most {MAX_NAME} characters")
    if printable(name, MAX_NAME) != name:
        raise InputError("a token name cannot contain control characters")
    return name


def _may_manage(actor: Actor, editor: Editor) -> None:
    """Editors manage their own tokens; admins (and the system) anyone's."""
    if actor is None:
        return
    require_role(actor, EditorRole.VIEWER)  # refuses a deactivated editor
    if actor.id != editor.id and not actor.role.allows(EditorRole.ADMIN):
        raise PermissionDeniedError("only an admin may manage another editor's tokens")


def create_token(
    session: Session, actor: Actor, editor: Editor, *, name: str, scope: TokenScope
) -> tuple[ApiToken, str]:
    """Make a token for ``editor``; returns the row and the secret (shown once, never stored)."""
    _may_manage(actor, editor)
    if not editor.active:
        raise InputError(f"editor {editor.username!r} is deactivated")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken(
        editor=editor,
        name=_check_name(name),
        scope=scope,
        prefix=secret[:SHOWN_PREFIX],
        token_hash=token_hash(secret),
        created_at=utcnow(),
    )
    session.add(token)
    session.flush()
    record_event(
        session,
        actor,
        "token.create",
        "editor",
        editor.id,
        after={"token": token.label, "scope": scope, "prefix": token.prefix},
    )
    return token, secret


def list_tokens(session: Session, editor: Editor | None = None) -> list[ApiToken]:
    """Tokens of ``editor`` (every editor's when None), newest first, revoked ones included."""
    stmt = select(ApiToken).order_by(ApiToken.id.desc())
    if editor is not None:
        stmt = stmt.where(ApiToken.editor_id == editor.id)
    return list(session.scalars(stmt))


def get_token(session: Session, token_id: int) -> ApiToken:
    """The token with id ``token_id``; NotFoundError if there is none."""
    token = session.get(ApiToken, token_id)
    if token is None:
        raise NotFoundError(f"no API token #{token_id}")
    return token


def revoke_token(session: Session, actor: Actor, token: ApiToken) -> None:
    """Stop ``token`` working, from the next request on (every request looks the token up)."""
    _may_manage(actor, token.editor)
    if token.revoked_at is not None:
        raise InputError(f"{token.label} was already revoked")
    token.revoked_at = utcnow()
    session.flush()
    record_event(session, actor, "token.revoke", "editor", token.editor_id, after={"token": token.label})


#: One indexed lookup with the editor joined, which every API request makes: built once, as building
#: it per request cost about as much as running it.
_TOKEN_BY_HASH = (
    select(ApiToken)
    .options(joinedload(ApiToken.editor))
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def authenticate_token(session: Session, secret: str) -> ApiToken | None:
    """The live token whose secret is ``secret``: None when unknown, revoked or its editor deactivated."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    token = session.scalar(_TOKEN_BY_HASH, {"token_hash": token_hash(secret)})
    if token is None or token.revoked_at is not None or not token.editor.active:
        return None
    return token


def needs_touch(token: ApiToken, now: dt.datetime | None = None) -> bool:
    """Whether ``last_used_at`` is old enough to be rewritten (see :data:`TOUCH_INTERVAL`)."""
    return token.last_used_at is None or (now or utcnow()) - token.last_used_at >= TOUCH_INTERVAL


def touch(connection: Connection, token_id: int) -> None:
    """Record that the token was just used: one UPDATE on ``connection``, in the caller's transaction.

    Bookkeeping, not a change of the record: not audited, and written below the ORM so it takes no
    audit lock (a read request must not queue behind every writer to note it)."""
    connection.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=utcnow()))
