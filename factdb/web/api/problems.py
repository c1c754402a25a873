"""Every API error in one shape: RFC 9457 problem details (``application/problem+json``)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response

from factdb.errors import ConflictError, FactdbError

API_PREFIX = "/api/v1"
PROBLEM_TYPE = "application/problem+json"


class ProblemSchema(Schema):
    """RFC 9457 problem details, with factdb's extension members."""

    type = fields.String(required=True, metadata={"description": "A URI naming the kind of problem."})
    title = fields.String(required=True, metadata={"description": "The HTTP status in words."})
    status = fields.Integer(required=True)
    detail = fields.String(required=True, metadata={"description": "What was wrong, in plain words."})
    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "For malformed parameters: each location and field with its messages."},
    )
    changes = fields.List(
        fields.String(),
        metadata={"description": "For a stale write (409): what others changed since the version given."},
    )
    current_version = fields.Integer(metadata={"description": "For a stale write (409): the version now."})


def is_api_path(path: str) -> bool:
    """Whether ``path`` is under the API's prefix."""
    return path == API_PREFIX or path.startswith(API_PREFIX + "/")


def is_api_request() -> bool:
    """Whether the running request is one of the API's (its errors are problem details, not pages)."""
    return is_api_path(request.path)


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> Response:
    """A problem-details response."""
    body = {
        "type": "about:blank",
        "title": HTTP_STATUS_CODES.get(status, "Error"),
        "status": status,
        "detail": detail,
        **{k: v for k, v in extra.items() if v is not None},
    }
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flat(messages: Any, prefix: str = "") -> list[str]:
    if isinstance(messages, dict):
        return [line for key, value in messages.items() for line in _flat(value, f"{prefix}{key}: ")]
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return [prefix + " ".join(messages)]
    if isinstance(messages, list):
        return [line for m in messages for line in _flat(m, prefix)]
    return [prefix + str(messages)]


def retry_after_header(error: FactdbError) -> dict[str, str]:
    """``Retry-After`` for a refusal that says when to try again (too many logins, a busy database)."""
    retry_after = getattr(error, "retry_after", None)
    return {} if retry_after is None else {"Retry-After": str(retry_after)}


def from_factdb_error(error: FactdbError) -> Response:
    """A service's refusal as a problem (a conflict lists what changed)."""
    headers = retry_after_header(error)
    extra: dict[str, Any] = {}
    if isinstance(error, ConflictError):
        extra["changes"] = error.changes
        extra["current_version"] = getattr(error, "current_version", None)
    return problem(error.http_status, str(error), headers, **extra)


def from_http_exception(error: HTTPException) -> Response:
    """Werkzeug's and Flask-Limiter's errors, and webargs' 422 (with its field messages), as problems."""
    code = error.code or 500
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") if isinstance(data, dict) else None
    detail = (
        "; ".join(_flat(messages)) if messages else (error.description or HTTP_STATUS_CODES.get(code, ""))
    )
    headers = {
        k: v for k, v in error.get_headers() if k.lower() in ("retry-after", "allow", "www-authenticate")
    }
    return problem(code, detail, headers, errors=messages if isinstance(messages, dict) else None)
