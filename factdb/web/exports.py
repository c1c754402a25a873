"""Downloads: the claims list's filter, the speakers' scorecards and the audit page, in any format.

Each response streams: the report is written chunk by chunk while rows are read, in a database
session of its own (the request's session is closed before a streamed body is sent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

from flask import Blueprint, Response, current_app, request
from flask_login import login_required
from sqlalchemy.orm import Session

from factdb.errors import InputError
from factdb.reports.audit import AUDIT_FORMATS, audit_chunks
from factdb.reports.claims import CLAIM_FORMATS, ReportOptions, claim_report
from factdb.reports.scorecards import SCORECARD_FORMATS, scorecard_chunks
from factdb.services.scorecards import SORTS
from factdb.web.filters import audit_filter_from_args, claim_filter_from_args
from factdb.web.request import db_session, settings

bp = Blueprint("exports", __name__, url_prefix="/export")

#: Chunks are gathered to about this many characters before they go on the wire.
WIRE_CHUNK = 64 * 1024

# A downloaded report may carry its own inline styles (the printable HTML) but never scripts.
EXPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _coalesce(chunks: Iterator[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for chunk in chunks:
        buffer.append(chunk)
        size += len(chunk)
        if size >= WIRE_CHUNK:
            yield "".join(buffer).encode("utf-8")
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode("utf-8")


def _stream(make_chunks: Callable[[Session], Iterator[str]], media_type: str, filename: str) -> Response:
    factory = current_app.extensions["factdb"]["session_factory"]

    def body() -> Iterator[bytes]:
        session: Session = factory()
        try:
            yield from _coalesce(make_chunks(session))
        finally:
            session.rollback()
            session.close()

    response = Response(body(), mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Security-Policy"] = EXPORT_CSP
    response.headers["Cache-Control"] = "no-store"
    return response


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M")


def _bom() -> bool:
    return request.args.get("bom", "") in ("1", "on", "true", "yes")


@bp.route("/claims.<fmt>")
@login_required
def claims(fmt: str) -> Response:
    """The claims matching the query string's filter (the same parameters as the claims list)."""
    if fmt not in CLAIM_FORMATS:
        raise InputError(f"format {fmt!r} is not one of: {', '.join(CLAIM_FORMATS)}")
    claim_filter = claim_filter_from_args(request.args, db_session())
    config = settings()
    options = ReportOptions(config.base_url, config.org_name, config.org_url, bom=_bom())
    spec = CLAIM_FORMATS[fmt]
    return _stream(
        lambda session: claim_report(session, claim_filter, fmt, options).chunks(),
        spec.media_type + "; charset=utf-8",
        f"claims-{_stamp()}.{spec.extension}",
    )


@bp.route("/scorecards.<fmt>")
@login_required
def scorecards(fmt: str) -> Response:
    """Every speaker's scorecard."""
    if fmt not in SCORECARD_FORMATS:
        raise InputError(f"format {fmt!r} is not one of: {', '.join(SCORECARD_FORMATS)}")
    sort = request.args.get("sort", "claims")
    if sort not in SORTS:
        raise InputError(f"sort={sort!r} is not one of: {', '.join(SORTS)}")
    media_type, extension = SCORECARD_FORMATS[fmt]
    bom = _bom()
    return _stream(
        lambda session: scorecard_chunks(session, fmt, sort=sort, bom=bom),
        media_type + "; charset=utf-8",
        f"scorecards-{_stamp()}.{extension}",
    )


@bp.route("/audit.<fmt>")
@login_required
def audit(fmt: str) -> Response:
    """Audit events and reviews, filtered like the audit page."""
    if fmt not in AUDIT_FORMATS:
        raise InputError(f"format {fmt!r} is not one of: {', '.join(AUDIT_FORMATS)}")
    audit_filter = audit_filter_from_args(request.args)
    media_type, extension = AUDIT_FORMATS[fmt]
    bom = _bom()
    return _stream(
        lambda session: audit_chunks(session, fmt, audit_filter, bom=bom),
        media_type + "; charset=utf-8",
        f"audit-{_stamp()}.{extension}",
    )
