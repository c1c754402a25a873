"""The audit page: every change by every editor, in words, filterable; per-claim and per-speaker history."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select

from factdb.models import AuditEvent
from factdb.services.editors import list_editors
from factdb.services.history import describe_events
from factdb.services.queries import ENTITY_TYPES, audit_page
from factdb.web.filters import AUDIT_PARAMS, audit_filter_from_args, id_param
from factdb.web.request import db_session

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100


@bp.route("/audit")
@login_required
def index() -> str:
    """Audit events, newest first, filtered by editor, action, date and entity, each told in words."""
    session = db_session()
    audit_filter = audit_filter_from_args(request.args)
    events, more = audit_page(
        session, audit_filter, before_id=id_param(request.args, "after"), size=PAGE_SIZE
    )
    # Only the filter's own parameters travel to the next page: anything else (``_method``, ``_external``)
    # would be read by url_for as an instruction.
    args = {k: v for k, v in request.args.items() if k in AUDIT_PARAMS and v}
    return render_template(
        "audit/list.html",
        events=events,
        described=describe_events(session, events),
        more=more,
        args=args,
        editors=list_editors(session),
        actions=session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all(),
        entity_types=ENTITY_TYPES,
    )
