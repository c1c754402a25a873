"""The audit trail for auditors: every audit event and every review in a date range, CSV or JSON Lines.

Both kinds share one shape (``record``, ``id``, ``at``, ``actor``, ``action``, ``entity_type``,
``entity_id``, ``before``, ``after``), merged in time order; a review appears as action ``review``
with the status before and after, its rationale and evidence.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.errors import InputError
from factdb.models import AuditEvent, Editor, Evidence, Review
from factdb.reports.text import csv_dict_chunks, dumps, jsonl_chunks
from factdb.services.queries import AuditFilter

__all__ = ["AUDIT_FORMATS", "AuditFilter", "audit_chunks", "audit_records"]

AUDIT_FORMATS = {"csv": ("text/csv", "csv"), "jsonl": ("application/x-ndjson", "jsonl")}
AUDIT_HEADER = ("record", "id", "at", "actor", "action", "entity_type", "entity_id", "before", "after")
CHUNK = 1000


def _events(session: Session, audit_filter: AuditFilter) -> Iterator[dict[str, Any]]:
    stmt = audit_filter.apply(select(AuditEvent)).order_by(AuditEvent.created_at, AuditEvent.id)
    for event in session.scalars(stmt.execution_options(yield_per=CHUNK)):
        yield {
            "record": "audit_event", "id": event.id, "at": event.created_at, "actor": event.actor,
            "action": event.action, "entity_type": event.entity_type, "entity_id": event.entity_id,
            "before": event.before, "after": event.after,
        }  # fmt: skip


def _reviews(session: Session, audit_filter: AuditFilter) -> Iterator[dict[str, Any]]:
    if audit_filter.action and audit_filter.action != "review":
        return
    start, end = audit_filter.bounds()
    stmt = (
        select(Review.id, Review.created_at, Editor.username, Review.claim_id, Review.from_status,
               Review.to_status, Review.rationale, Review.claim_version)
        .outerjoin(Editor, Editor.id == Review.editor_id)
        .order_by(Review.created_at, Review.id)
    )  # fmt: skip
    if start:
        stmt = stmt.where(Review.created_at >= start)
    if end:
        stmt = stmt.where(Review.created_at < end)
    if audit_filter.actor:
        stmt = stmt.where(Editor.username == audit_filter.actor)
    result = session.execute(stmt.execution_options(yield_per=CHUNK))
    for rows in result.partitions():
        evidence: dict[int, list[dict[str, Any]]] = {}
        linked = select(Evidence.review_id, Evidence.url, Evidence.stance).where(
            Evidence.review_id.in_([r.id for r in rows])
        )
        for review_id, url, stance in session.execute(linked):
            if review_id is not None:
                evidence.setdefault(review_id, []).append({"url": url, "stance": stance.value})
        for review_id, at, username, claim_id, before, after, rationale, version in rows:
            yield {
                "record": "review", "id": review_id, "at": at, "actor": username or "system",
                "action": "review",
                "entity_type": "claim", "entity_id": claim_id, "before": {"status": before.value},
                "after": {"status": after.value, "version": version, "rationale": rationale,
                          "evidence": evidence.get(review_id, [])},
            }  # fmt: skip


def audit_records(session: Session, audit_filter: AuditFilter) -> Iterator[dict[str, Any]]:
    """Audit events and reviews merged in time order."""
    return heapq.merge(
        _events(session, audit_filter),
        _reviews(session, audit_filter),
        key=lambda r: (r["at"], r["record"], r["id"]),
    )


def audit_chunks(
    session: Session, fmt: str, audit_filter: AuditFilter, *, bom: bool = False
) -> Iterator[str]:
    """The audit export in ``fmt`` (csv or jsonl)."""
    if fmt not in AUDIT_FORMATS:
        raise InputError(f"format {fmt!r} is not one of: {', '.join(AUDIT_FORMATS)}")
    records = audit_records(session, audit_filter)
    if fmt == "jsonl":
        return jsonl_chunks(records)
    rows = (
        {**r, "before": "" if r["before"] is None else dumps(r["before"]),
         "after": "" if r["after"] is None else dumps(r["after"])}
        for r in records
    )  # fmt: skip
    return csv_dict_chunks(AUDIT_HEADER, rows, bom=bom)
