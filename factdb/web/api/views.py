"""The API's endpoints under ``/api/v1/``: thin faces over the same services and queries as the web UI.

Reads: claims (the claims list's filter, newest first, a keyset cursor), one claim with its history,
evidence, relations and cluster, its ClaimReview; speakers with their scorecards; sources with their
claims; the audit trail (admins). Writes: ingest an article, set a status with rationale and evidence,
edit an attribution, each with the claim's version (a stale one gets 409 with what changed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, cast
from urllib.parse import urlencode

from flask import Response, current_app, g, request, url_for
from flask_smorest import Blueprint
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from factdb.enums import ClaimStatus, EditorRole, Stance
from factdb.errors import ConflictError, InputError, NotFoundError
from factdb.models import Claim, Source, Speaker
from factdb.reports.claims import ReportOptions, claim_review
from factdb.reports.records import claim_record
from factdb.services import claims as claim_service
from factdb.services import clusters as cluster_service
from factdb.services.articles import decode_article
from factdb.services.claims import EvidenceInput
from factdb.services.history import describe_events
from factdb.services.ingest import derive_after_ingest, ingest_text, prepare_ingest
from factdb.services.queries import ListedClaim, audit_page, claims_page, sources_page
from factdb.services.scorecards import Scorecard, scorecard_of, scorecards
from factdb.services.speakers import resolve_speaker
from factdb.services.validation import check_text, check_url, parse_day, require_id, start_of
from factdb.web.api import schemas as s
from factdb.web.api.auth import api_editor, authenticate, require_api_role
from factdb.web.filters import audit_filter_from_args, claim_filter_from_args
from factdb.web.request import db_session, end_transaction, settings

claims_bp = Blueprint("api_claims", __name__, url_prefix="/api/v1", description="Claims and their reviews.")
speakers_bp = Blueprint(
    "api_speakers", __name__, url_prefix="/api/v1", description="Speakers and their records."
)
sources_bp = Blueprint("api_sources", __name__, url_prefix="/api/v1", description="Ingested articles.")
audit_bp = Blueprint("api_audit", __name__, url_prefix="/api/v1", description="The audit trail (admins).")

BLUEPRINTS = (claims_bp, speakers_bp, sources_bp, audit_bp)
for _blueprint in BLUEPRINTS:
    _blueprint.before_request(authenticate)

#: Claims a source's endpoint lists; the rest are a ``claims_url`` away.
SOURCE_CLAIMS_SHOWN = 200


def _checked_id(value: int, what: str) -> int:
    """A path id any database can look up; NotFoundError otherwise (Flask's int converter has no bound)."""
    return require_id(value, what)


def _next_link(endpoint: str, cursor: int | None, **values: Any) -> str | None:
    """The ``next`` link: this request's query with the cursor moved on (None on the last page)."""
    if cursor is None:
        return None
    pairs = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
    pairs.append(("cursor", str(cursor)))
    return url_for(endpoint, _external=True, **values) + "?" + urlencode(pairs)


def _listed_json(
    claim: ListedClaim, wanted: Iterable[str] | None = None, claims_url: str | None = None
) -> dict[str, Any]:
    """A list row as :class:`~factdb.web.api.schemas.ListedClaimSchema` describes it (``claims_url``:
    this server's ``/api/v1/claims``, looked up once by a caller that lists many claims)."""
    item: dict[str, Any] = {
        "id": claim.id,
        "content": claim.content,
        "cue": claim.cue,
        "stance": claim.stance,
        "status": claim.status,
        "mention": claim.mention_text,
        "speaker": None if claim.speaker is None else {"id": claim.speaker.id, "name": claim.speaker.name},
        "source": {
            "id": claim.source.id, "title": claim.source.title, "outlet": claim.source.outlet,
            "published_at": claim.source.published_at,
        },
        "url": f"{claims_url or _claims_url()}/{claim.id}",
    }  # fmt: skip
    if wanted is not None:
        item = {k: v for k, v in item.items() if k in wanted}
    return item


def _claims_url() -> str:
    """This server's ``/api/v1/claims`` (a claim's URL is it and the id): built once per request, not
    by Werkzeug's rule matching for each of a page's claims."""
    cached: str | None = g.get("api_claims_url")
    if cached is None:
        cached = g.api_claims_url = url_for("api_claims.claims", _external=True)
    return cached


def _wanted_fields(raw: str | None) -> set[str] | None:
    if not raw or not raw.strip():
        return None
    wanted = {name.strip() for name in raw.split(",") if name.strip()}
    unknown = sorted(wanted - set(s.CLAIM_FIELDS))
    if unknown:
        raise InputError(
            f"fields: unknown field {', '.join(unknown)}; choose from {', '.join(s.CLAIM_FIELDS)}"
        )
    return wanted


@claims_bp.route("/claims")
@claims_bp.arguments(s.ClaimsQuery(), location="query", as_kwargs=True)
@claims_bp.response(200, s.ClaimPageSchema)
def claims(**query: Any) -> Response:
    """Claims matching the claims list's filter, newest first, a page at a time.

    Every filter of the web UI's claims list, with the same names. Follow `next` until it is null.
    """
    session = db_session()
    claim_filter = claim_filter_from_args(request.args, session)
    wanted = _wanted_fields(query.get("fields_"))
    page = claims_page(session, claim_filter, after=query.get("cursor"), before=None, size=query["limit"])
    rows = page.claims
    cursor = rows[-1].id if page.has_older and rows else None
    claims_url = _claims_url()
    body = {
        "items": [_plain(_listed_json(row, wanted, claims_url)) for row in rows],
        "next": _next_link("api_claims.claims", cursor),
    }
    # Already in the schema's shape (ClaimPageSchema documents it): marshmallow dumping 50 rows of
    # nested fields took longer than the rest of the request, so the page is sent as it stands.
    return cast(Response, current_app.json.response(body))


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A listed claim as JSON values, as marshmallow would dump it: enums by value, times in ISO 8601."""
    for key in ("stance", "status"):
        if key in item:
            item[key] = item[key].value
    source = item.get("source")
    if source is not None and source["published_at"] is not None:
        source["published_at"] = source["published_at"].isoformat()
    return item


def _cluster_of(claim: Claim) -> dict[str, Any] | None:
    """The claim's cluster (claims in other sources stating the same thing), None when it stands alone."""
    cluster = cluster_service.cluster_of_claim(db_session(), claim.id)
    if cluster is None:
        return None
    return {
        "id": cluster.id,
        "source_count": cluster.source_count,
        "conflict": cluster.conflict,
        "claims": [
            {
                "claim_id": a.claim_id, "status": a.status, "content": a.content,
                "source": {"id": a.source_id, "title": a.source_title, "outlet": a.outlet,
                           "published_at": a.published_at},
                "url": url_for("api_claims.claim", claim_id=a.claim_id, _external=True),
            }
            for a in cluster.appearances
        ],
    }  # fmt: skip


def _claim_json(claim: Claim) -> dict[str, Any]:
    session = db_session()
    history = claim_service.review_history(claim)
    reviewed = claim.status is not ClaimStatus.UNVERIFIED and bool(claim.reviews)
    source = claim.source
    return {
        "id": claim.id,
        "version": claim.version,
        "content": claim.content,
        "content_start": claim.content_start,
        "content_end": claim.content_end,
        "sentence": claim.sentence.text,
        "cue": claim.cue,
        "stance": claim.stance,
        "status": claim.status,
        "mention": claim.mention_text,
        "channel": claim.channel,
        "speaker": None if claim.speaker is None else {"id": claim.speaker.id, "name": claim.speaker.name},
        "source": {
            "id": source.id,
            "title": source.title,
            "outlet": source.outlet,
            "published_at": source.published_at,
        },
        "created_at": claim.created_at,
        "rationale": claim_service.current_rationale(claim),
        "evidence": [_evidence_json(e) for e in claim_service.current_evidence(claim)],
        "history": [
            {
                "id": entry.review.id,
                "at": entry.review.created_at,
                "editor": entry.review.editor.username if entry.review.editor else None,
                "from_status": entry.review.from_status,
                "to_status": entry.review.to_status,
                "rationale": entry.review.rationale,
                "status_change": entry.status_change,
                "current": entry.current,
                "evidence": [_evidence_json(e) for e in entry.review.evidence],
            }
            for entry in history
        ],  # fmt: skip
        "relations": [
            {"kind": relation.kind.value, "direction": direction, "claim_id": other.id}
            for direction, relation, other in claim_service.claim_relations(session, claim)
        ],
        "cluster": _cluster_of(claim),
        "claim_review": url_for("api_claims.claimreview", claim_id=claim.id, _external=True)
        if reviewed
        else None,
    }


def _evidence_json(item: Any) -> dict[str, Any]:
    return {"url": item.url, "title": item.title, "note": item.note, "stance": item.stance}


@claims_bp.route("/claims/<int:claim_id>")
@claims_bp.response(200, s.ClaimSchema)
def claim(claim_id: int) -> dict[str, Any]:
    """One claim with its sentence, history, current evidence, relations and cluster."""
    return _claim_json(claim_service.get_claim(db_session(), _checked_id(claim_id, "claim")))


@claims_bp.route("/claims/<int:claim_id>/claimreview")
@claims_bp.response(200, s.ClaimReviewSchema, content_type="application/ld+json")
def claimreview(claim_id: int) -> Response:
    """The schema.org ClaimReview (JSON-LD) of a reviewed claim, as the ClaimReview export gives it."""
    record = claim_record(db_session(), _checked_id(claim_id, "claim"))
    if record is None:
        raise NotFoundError(f"no claim #{claim_id}")
    config = settings()
    options = ReportOptions(base_url=config.base_url, org_name=config.org_name, org_url=config.org_url)
    review = claim_review(record, options)
    if review is None:
        raise NotFoundError(f"claim #{claim_id} has no verdict yet, so no ClaimReview")
    # Sent as built (its keys are JSON-LD's "@context" and "@type"), with JSON-LD's media type.
    return Response(json.dumps(review, ensure_ascii=False), mimetype="application/ld+json")


def _conflict_or_raise(claim_id: int, error: ConflictError) -> ConflictError:
    """The conflict with the claim's current version attached (read after the refused write's rollback)."""
    session = db_session()
    session.rollback()
    current = session.scalar(select(Claim.version).where(Claim.id == claim_id))
    error.current_version = current  # type: ignore[attr-defined]
    return error


@claims_bp.route("/claims/<int:claim_id>/status", methods=["POST"])
@claims_bp.arguments(s.StatusInput())
@claims_bp.response(200, s.ClaimSchema)
def set_status(payload: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """Set the claim's status with a rationale and evidence (the same status again adds to the verdict).

    Needs a write token of an editor. Send the `version` you read: a stale one gets 409 with what changed.
    """
    session = db_session()
    claim = claim_service.get_claim(session, _checked_id(claim_id, "claim"))
    status: ClaimStatus = payload["status"]
    evidence = [
        EvidenceInput(e["url"].strip(), e["stance"], title=e.get("title"), note=e.get("note"))
        for e in payload["evidence"]
    ]
    try:
        if status is claim.status:
            claim_service.amend_verdict(
                session, api_editor(), claim, rationale=payload["rationale"], evidence=evidence,
                expected_version=payload["version"],
            )  # fmt: skip
        else:
            claim_service.change_status(
                session, api_editor(), claim, status, rationale=payload["rationale"],
                expected_version=payload["version"], evidence=evidence,
            )  # fmt: skip
    except ConflictError as error:
        raise _conflict_or_raise(claim_id, error) from None
    return _claim_json(claim)


@claims_bp.route("/claims/<int:claim_id>/attribution", methods=["POST"])
@claims_bp.arguments(s.AttributionInput())
@claims_bp.response(200, s.ClaimSchema)
def edit_attribution(payload: dict[str, Any], claim_id: int) -> dict[str, Any]:
    """Correct who said it, the words (a span of its sentence), the cue or the stance.

    Needs a write token of an editor; the `version` check is the web UI's.
    """
    session = db_session()
    claim = claim_service.get_claim(session, _checked_id(claim_id, "claim"))
    speaker = None
    if (payload.get("speaker") or "").strip():
        try:
            speaker = resolve_speaker(session, payload["speaker"])
        except NotFoundError as error:
            raise InputError(f"speaker: {error}") from None
    stance: Stance | None = payload.get("stance")
    try:
        claim_service.edit_attribution(
            session, api_editor(), claim, expected_version=payload["version"], speaker=speaker,
            content_start=payload.get("content_start"), content_end=payload.get("content_end"),
            cue=payload.get("cue"), stance=stance,
        )  # fmt: skip
    except ConflictError as error:
        raise _conflict_or_raise(claim_id, error) from None
    return _claim_json(claim)


def _scorecard_json(card: Scorecard) -> dict[str, Any]:
    return {
        "id": card.speaker_id,
        "name": card.name,
        "kind": card.kind,
        "needs_review": card.needs_review,
        "claims": card.claims,
        "reviewed": card.reviewed,
        "counts": {status.value: n for status, n in card.counts.items()},
        "disputed_or_false_share": card.disputed_or_false_share,
        "first_claim_at": card.first_claim_at,
        "last_claim_at": card.last_claim_at,
        "url": url_for("api_speakers.speaker", speaker_id=card.speaker_id, _external=True),
    }


@speakers_bp.route("/speakers")
@speakers_bp.arguments(s.SpeakersQuery(), location="query", as_kwargs=True)
@speakers_bp.response(200, s.ScorecardListSchema)
def speakers(sort: str) -> dict[str, Any]:
    """Every speaker's scorecard: claims per status and the share found disputed or false."""
    return {"items": [_scorecard_json(card) for card in scorecards(db_session(), sort)]}


@speakers_bp.route("/speakers/<int:speaker_id>")
@speakers_bp.response(200, s.SpeakerSchema)
def speaker(speaker_id: int) -> dict[str, Any]:
    """A speaker with aliases, who they speak for, and their scorecard."""
    session = db_session()
    found = session.get(Speaker, _checked_id(speaker_id, "speaker"))
    card = scorecard_of(session, speaker_id) if found is not None else None
    if found is None or card is None:
        raise NotFoundError(f"no speaker #{speaker_id}")
    affiliation = found.affiliation
    return {
        **_scorecard_json(card),
        "role": found.role,
        "aliases": sorted(a.alias for a in found.aliases),
        "speaks_for": None if affiliation is None else {"id": affiliation.id, "name": affiliation.name},
        "claims_url": url_for("api_claims.claims", speaker=found.id, _external=True),
    }


def _source_json(source: Source, count: int) -> dict[str, Any]:
    return {
        "id": source.id, "title": source.title, "outlet": source.outlet, "url": source.url,
        "published_at": source.published_at, "ingested_at": source.ingested_at, "claims": count,
    }  # fmt: skip


@sources_bp.route("/sources")
@sources_bp.arguments(s.PageQuery(), location="query", as_kwargs=True)
@sources_bp.response(200, s.SourcePageSchema)
def sources(limit: int, cursor: int | None = None) -> dict[str, Any]:
    """Sources, newest first, with their claim counts."""
    rows, more = sources_page(db_session(), before_id=cursor, size=limit)
    after = rows[-1][0].id if more and rows else None
    return {
        "items": [_source_json(src, n) for src, n in rows],
        "next": _next_link("api_sources.sources", after),
    }


@sources_bp.route("/sources/<int:source_id>")
@sources_bp.response(200, s.SourceSchema)
def source(source_id: int) -> dict[str, Any]:
    """A source with its text and its claims (the first 200; `claims_url` pages through all)."""
    session = db_session()
    found = session.get(Source, _checked_id(source_id, "source"))
    if found is None:
        raise NotFoundError(f"no source #{source_id}")
    claim_filter = claim_filter_from_args(MultiDict([("source", str(found.id))]), session)
    page = claims_page(session, claim_filter, after=None, before=None, size=SOURCE_CLAIMS_SHOWN)
    count = len(page.claims) if not page.has_older else sources_count(found.id)
    return {
        **_source_json(found, count),
        "text": found.text,
        "claim_items": [_listed_json(c) for c in page.claims],
        "claims_url": url_for("api_claims.claims", source=found.id, _external=True),
    }


def sources_count(source_id: int) -> int:
    """A source's claim count, as the sources list gives it."""
    rows, _more = sources_page(db_session(), before_id=source_id + 1, size=1)
    return rows[0][1] if rows else 0


@sources_bp.route("/sources", methods=["POST"])
@sources_bp.arguments(s.IngestInput())
@sources_bp.response(201, s.IngestResultSchema)
def ingest(payload: dict[str, Any]) -> dict[str, Any]:
    """Ingest an article: split it, extract claims and speakers. Needs a write token of an editor.

    The same text twice is refused (409) naming the source it was stored as.
    """
    limit = settings().max_ingest_bytes
    text = check_text(payload["text"], "text", multiline=True) or ""
    text = decode_article(text.encode("utf-8"), "text", max_bytes=limit)
    url = check_url(payload.get("url"), "url")
    published = payload.get("published")
    if published is not None:
        published = parse_day(published.isoformat(), "published")
    run = prepare_ingest(db_session(), text)
    end_transaction()  # no lock is held while the engine works
    extraction = run(text)
    result = ingest_text(
        db_session(), api_editor(), text, title=payload["title"], outlet=payload.get("outlet"), url=url,
        published_at=start_of(published), extraction=extraction, match=False,
    )  # fmt: skip
    end_transaction()  # the article is stored; what is derived from it follows in short transactions
    derive_after_ingest(db_session(), api_editor(), result, commit=end_transaction)
    return {
        "source": _source_json(result.source, result.claim_count),
        "sentences": result.sentence_count,
        "claims": result.claim_count,
        "new_speakers": [{"id": sp.id, "name": sp.name} for sp in result.new_speakers],
        "claims_url": url_for("api_claims.claims", source=result.source.id, _external=True),
    }


@audit_bp.route("/audit")
@audit_bp.arguments(s.AuditQuery(), location="query", as_kwargs=True)
@audit_bp.response(200, s.AuditPageSchema)
def audit(limit: int, cursor: int | None = None, **_filter: Any) -> dict[str, Any]:
    """Audit events, newest first, filtered like the audit page. Admins only."""
    require_api_role(EditorRole.ADMIN)
    session = db_session()
    events, more = audit_page(session, audit_filter_from_args(request.args), before_id=cursor, size=limit)
    described = describe_events(session, events)
    after = events[-1].id if more and events else None
    return {
        "items": [
            {
                "id": e.id,
                "at": e.created_at,
                "actor": e.actor,
                "action": e.action,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "before": e.before,
                "after": e.after,
                "summary": words.sentence(),
            }
            for e, words in zip(events, described, strict=True)
        ],  # fmt: skip
        "next": _next_link("api_audit.audit", after),
    }
