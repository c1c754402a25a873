"""The audit page: every change by every editor, filterable; per-claim and per-speaker history."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template, request
from flask_login import login_required
from sqlalchemy import select

from factdb.errors import InputError
from factdb.models import AuditEvent, Editor
from factdb.web.app import db_session
from factdb.web.filters import day_param, id_param

bp = Blueprint("audit", __name__)

PAGE_SIZE = 100
ENTITY_TYPES = ("claim", "speaker", "source", "editor")


def _start_of(day: dt.date | None) -> dt.datetime | None:
    return None if day is None else dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


@bp.route("/audit")
@login_required
def index() -> str:
    """Audit events, newest first, filtered by editor, action, date and entity."""
    session = db_session()
    stmt = select(AuditEvent).order_by(AuditEvent.id.desc())
    username = request.args.get("editor", "").strip().lower()
    action = request.args.get("action", "").strip()
    entity_type = request.args.get("entity", "").strip()
    entity_id = id_param(request.args, "entity_id")
    date_from, date_to = _start_of(day_param(request.args, "from")), _start_of(day_param(request.args, "to"))
    if username:
        stmt = stmt.where(AuditEvent.actor == username)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if entity_type:
        if entity_type not in ENTITY_TYPES:
            raise InputError(f"entity={entity_type!r} is not one of: {', '.join(ENTITY_TYPES)}")
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
        if entity_id is not None:
            stmt = stmt.where(AuditEvent.entity_id == entity_id)
    if date_from:
        stmt = stmt.where(AuditEvent.created_at >= date_from)
    if date_to:
        stmt = stmt.where(AuditEvent.created_at < date_to + dt.timedelta(days=1))
    after = id_param(request.args, "after")
    if after is not None:
        stmt = stmt.where(AuditEvent.id < after)
    events = list(session.scalars(stmt.limit(PAGE_SIZE + 1)))
    more = len(events) > PAGE_SIZE
    events = events[:PAGE_SIZE]
    args = {k: v for k, v in request.args.items() if k != "after" and v}
    return render_template(
        "audit/list.html",
        events=events,
        more=more,
        args=args,
        editors=session.scalars(select(Editor.username).order_by(Editor.username)).all(),
        actions=session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)).all(),
        entity_types=ENTITY_TYPES,
    )
