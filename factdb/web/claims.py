"""The claims list (home page), the claim page and every change made to a claim."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from factdb.enums import ClaimStatus, EditorRole, EvidenceStance, RelationKind, Stance
from factdb.errors import ConflictError, FactdbError, InputError, NotFoundError
from factdb.models import Claim, Editor, Sentence, Source, Speaker
from factdb.reports.claims import CLAIM_FORMATS
from factdb.services import claims as claim_service
from factdb.services import clusters as cluster_service
from factdb.services import desk as desk_service
from factdb.services import editors as editor_service
from factdb.services.claims import EvidenceInput
from factdb.services.queries import (
    CLAIM_SORTS,
    ClaimFilter,
    ListedClaim,
    Neighbours,
    claims_page,
    claims_query,
    neighbours,
    outlets,
    sorted_claims_page,
    status_counts,
)
from factdb.services.speakers import resolve_speaker
from factdb.services.validation import parse_id
from factdb.web.access import current_editor, form_error_text, requires
from factdb.web.filters import FILTER_PARAMS, claim_filter_from_args, filter_to_args, id_param
from factdb.web.forms import (
    AttributionForm,
    BulkScope,
    BulkStatusForm,
    RelationForm,
    ReviewForm,
    blank_bulk_form,
)
from factdb.web.request import db_session, note_use

bp = Blueprint("claims", __name__)

PAGE_SIZE = 50
BULK_LIMIT = 5000
#: The deepest numbered page of a sorted list (an OFFSET costs what it skips); narrow the filter past it.
MAX_PAGE = 2000


@dataclass(frozen=True)
class ListPage:
    """One page of the claims list, and the query parameters of the pages around it."""

    claims: list[ListedClaim]
    older: list[tuple[str, str]] | None
    newer: list[tuple[str, str]] | None


def _page(claim_filter: ClaimFilter, sort: str, args: MultiDict[str, str]) -> ListPage:
    """One page of the list. Newest first pages by keyset on id (``after`` goes older, ``before``
    newer); the other orders page by number (``page``), each page a bounded query."""
    session = db_session()
    if sort != "newest":
        number = id_param(args, "page") or 1
        if number > MAX_PAGE:
            raise InputError(
                f"page={number} is past the last page a sorted list offers ({MAX_PAGE}); narrow it"
            )
        rows, more = sorted_claims_page(session, claim_filter, sort, page=number, size=PAGE_SIZE)
        return ListPage(
            rows,
            [("page", str(number + 1))] if more else None,
            ([("page", str(number - 1))] if number > 2 else []) if number > 1 else None,
        )
    page = claims_page(
        session, claim_filter, after=id_param(args, "after"), before=id_param(args, "before"), size=PAGE_SIZE
    )
    rows = page.claims
    return ListPage(
        rows,
        [("after", str(rows[-1].id))] if page.has_older and rows else None,
        [("before", str(rows[0].id))] if page.has_newer and rows else None,
    )


@bp.route("/")
@login_required
def index() -> str:
    """Claims matching the filter in the URL, sorted, with per-status counts and pages."""
    session = db_session()
    claim_filter = claim_filter_from_args(request.args, session)
    sort = (request.args.get("sort") or "newest").strip()
    page = _page(claim_filter, sort, request.args)
    # Plain values: on the session's connection, without the ORM's set-up of a statement.
    connection = session.connection()
    counts = dict(connection.execute(status_counts(claim_filter, dialect=connection.dialect.name)).all())
    filter_args = filter_to_args(claim_filter, session)
    list_args = filter_args + ([("sort", sort)] if sort != "newest" else [])
    speaker = session.get(Speaker, claim_filter.speaker_id) if claim_filter.speaker_id else None
    source = session.get(Source, claim_filter.source_id) if claim_filter.source_id else None
    assignee = session.get(Editor, claim_filter.assignee_id) if claim_filter.assignee_id else None
    return render_template(
        "claims/list.html",
        filter_assignee=assignee,
        claims=page.claims,
        page=page,
        counts=counts,
        # Facets count every status under the rest of the filter; the total honours the status part too.
        total=sum(
            n for status, n in counts.items() if not claim_filter.statuses or status in claim_filter.statuses
        ),
        claim_filter=claim_filter,
        filter_args=filter_args,
        list_args=list_args,
        sort=sort,
        sorts=CLAIM_SORTS,
        filter_speaker=speaker,
        filter_source=source,
        statuses=list(ClaimStatus),
        stances=list(Stance),
        outlets=outlets(session),
        bulk_blank=blank_bulk_form(),
        reviewers=editor_service.reviewer_names(session),
        filter_params=FILTER_PARAMS,
        export_formats=list(CLAIM_FORMATS),
    )


def _bulk_ids(form: BulkStatusForm, filter_args: MultiDict[str, str]) -> list[int]:
    """The claim ids a bulk form applies to, by its scope."""
    session = db_session()
    if form.scope.data == BulkScope.FILTER:
        claim_filter = claim_filter_from_args(filter_args, session)
        ids = list(
            session.scalars(claims_query(claim_filter).with_only_columns(Claim.id).limit(BULK_LIMIT + 1))
        )
        if len(ids) > BULK_LIMIT:
            raise InputError(f"the filter matches more than {BULK_LIMIT} claims; narrow it first")
        return ids
    field = "page_ids" if form.scope.data == BulkScope.PAGE else "claim_ids"
    ids = list(dict.fromkeys(parse_id(x, field) or 0 for x in request.form.getlist(field) if x.strip()))
    if not ids:
        raise InputError("select at least one claim, or choose 'every claim matching the filter'")
    if len(ids) > BULK_LIMIT:
        raise InputError(f"a bulk change takes at most {BULK_LIMIT} claims")
    return ids


def _overrides() -> dict[int, int]:
    """The reviewed claims the editor chose to change anyway, each with the version the preview showed."""
    pairs = {}
    for raw in request.form.getlist("override"):
        claim_id, _, version = raw.partition(":")
        claim_number = parse_id(claim_id, "override")
        version_number = parse_id(version, "override")
        if claim_number is not None and version_number is not None:
            pairs[claim_number] = version_number
    return pairs


@bp.route("/favicon.ico")
def favicon() -> Response:
    """Browsers and tools that ask for /favicon.ico get the icon the pages link to."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/claims/bulk", methods=["POST"])
@requires(EditorRole.EDITOR)
def bulk() -> Response | str:
    """Preview, then set one status with one rationale on the selected claims, a page, or the filter.

    The first post shows what would change; claims that already carry a verdict are listed and left
    alone unless the editor ticks the box to include them. The preview's post applies it.
    """
    session = db_session()
    form = BulkStatusForm()
    filter_args = MultiDict([(k, v) for k, v in request.form.items(multi=True) if k in FILTER_PARAMS])
    if not form.validate_on_submit():
        raise InputError(form_error_text(form.errors) or "the bulk form is incomplete")
    back = url_for("claims.index") + "?" + urlencode(list(filter_args.items(multi=True)))
    if request.form.get("action") == "assign":
        # The same selection, put in an editor's queue (no verdict changes, so no preview).
        editor = editor_service.get_editor(session, (request.form.get("assign_to") or "").strip().lower())
        done = desk_service.assign_claims(session, current_editor(), _bulk_ids(form, filter_args), editor)
        moved = f" ({done.moved} moved from another queue)" if done.moved else ""
        flash(f"{done.assigned + done.moved} claims put in {editor.display_name}'s queue{moved}.", "info")
        return redirect(back)
    status = ClaimStatus(form.new_status.data)
    claim_service.check_rationale(status, form.rationale.data or "")
    ids = _bulk_ids(form, filter_args)
    plan = claim_service.plan_status_many(session, ids, status)
    if not form.confirm.data:
        form.confirm.data = "1"
        return render_template(
            "claims/bulk_preview.html",
            plan=plan,
            form=form,
            filter_args=list(filter_args.items(multi=True)),
            ids=ids,
            list_field="page_ids" if form.scope.data == BulkScope.PAGE else "claim_ids",
        )
    override = _overrides() if form.include_reviewed.data else {}
    left = len(plan.reviewed) - sum(1 for c in plan.reviewed if override.get(c.id) == c.version)
    changed = claim_service.change_status_many(
        session, current_editor(), ids, status, rationale=form.rationale.data or "", override=override
    )
    message = f"{changed} claims marked {status.value}."
    if left:
        message += f" {left} claims that already carry a verdict were left alone."
    flash(message, "info")
    return redirect(back)


#: The query parameters that describe the list a claim page was opened from.
LIST_PARAMS = (*FILTER_PARAMS, "sort")


def _list_args() -> list[tuple[str, str]]:
    """The list the editor came from: the page's own query on a GET, the form's ``list`` field on a POST
    (a review form has a ``status`` field of its own, so the list travels as one encoded value)."""
    if request.method == "POST":
        pairs = parse_qsl(request.form.get("list", ""), keep_blank_values=False)
    else:
        pairs = list(request.args.items(multi=True))
    return [(k, v) for k, v in pairs if k in LIST_PARAMS and v][:100]


def _claim_url(claim_id: int, list_args: list[tuple[str, str]]) -> str:
    """A claim page that keeps the list it was reached from."""
    url = url_for("claims.show", claim_id=claim_id)
    return f"{url}?{urlencode(list_args)}" if list_args else url


def _neighbours(claim: Claim, list_args: list[tuple[str, str]]) -> Neighbours:
    session = db_session()
    args = MultiDict(list_args)
    return neighbours(
        session, claim_filter_from_args(args, session), (args.get("sort") or "newest").strip(), claim.id
    )


def _render_claim(
    claim: Claim,
    review_form: ReviewForm | None = None,
    attribution_form: AttributionForm | None = None,
    relation_form: RelationForm | None = None,
    conflict: ConflictError | None = None,
    error: str | None = None,
    status: int = 200,
    note_opening: bool = False,
) -> tuple[str, int]:
    """The claim page; ``note_opening``: write down that the editor opened it (when last written
    longer ago than ``desk.OPENING_NOTE_INTERVAL``), for the hint other editors see."""
    session = db_session()
    sentence = claim.sentence
    cluster = cluster_service.cluster_of_claim(session, claim.id)  # read once: the offer reuses it
    neighbours = list(
        session.scalars(
            select(Sentence)
            .where(
                Sentence.source_id == claim.source_id,
                Sentence.position.between(sentence.position - 2, sentence.position + 2),
            )
            .order_by(Sentence.position)
        )
    )
    if review_form is None:
        review_form = ReviewForm(formdata=None, version=claim.version, status=claim.status.value)
    if attribution_form is None:
        attribution_form = AttributionForm(
            formdata=None,
            speaker=claim.speaker.name if claim.speaker else "",
            content_start=claim.content_start,
            content_end=claim.content_end,
            cue=claim.cue or "",
            stance=claim.stance.value,
            version=claim.version,
        )
    offset = sentence.char_start
    list_args = _list_args()
    editor = current_editor()
    desk = desk_service.claim_desk(session, claim.id, editor)
    if note_opening and desk.opening_is_stale():
        seen_before = desk.my_opening is not None
        note_use(
            lambda connection: desk_service.record_opening(
                connection, editor.id, claim.id, seen_before=seen_before
            ),
            f"the opening of claim {claim.id}",
        )
    return (
        render_template(
            "claims/show.html",
            list_args=list_args,
            list_query=urlencode(list_args),
            around=_neighbours(claim, list_args),
            assignee=desk.assignee,
            openings=desk.openings,
            opened_window=int(desk_service.OPENED_WINDOW.total_seconds() // 60),
            reviewers=desk.reviewers,
            claim=claim,
            neighbours=neighbours,
            before=sentence.text[: claim.content_start - offset],
            highlighted=sentence.text[claim.content_start - offset : claim.content_end - offset],
            after=sentence.text[claim.content_end - offset :],
            review_form=review_form,
            attribution_form=attribution_form,
            relation_form=relation_form or RelationForm(formdata=None),
            relations=claim_service.claim_relations(session, claim),
            cluster=cluster,
            offer=cluster_service.standing_offer(session, claim, cluster),
            history=claim_service.review_history(claim),
            current_evidence=claim_service.current_evidence(claim),
            current_rationale=claim_service.current_rationale(claim),
            conflict=conflict,
            error=error,
        ),
        status,
    )


def _refused(claim_id: int, error: FactdbError, **forms: Any) -> tuple[str, int]:
    """The claim page again after a refused change: nothing saved, the editor's input kept in ``forms``,
    and either what changed meanwhile (a conflict, 409) or what was wrong (the error's status)."""
    session = db_session()
    session.rollback()
    claim = claim_service.claim_for_page(session, claim_id)
    if isinstance(error, ConflictError):
        # The editor has now seen the current version: the next save builds on it (and succeeds).
        for form in forms.values():
            version = getattr(form, "version", None)
            if version is not None:
                version.data = str(claim.version)
        return _render_claim(claim, conflict=error, status=409, **forms)
    return _render_claim(claim, error=str(error), status=error.http_status, **forms)


@bp.route("/claims/<int:claim_id>")
@login_required
def show(claim_id: int) -> tuple[str, int]:
    """The claim in its article context, its history and the forms to change it."""
    claim = claim_service.claim_for_page(db_session(), claim_id)
    return _render_claim(claim, note_opening=True)


@bp.route("/claims/<int:claim_id>/assign", methods=["POST"])
@requires(EditorRole.EDITOR)
def assign(claim_id: int) -> Response | tuple[str, int]:
    """Put the claim in an editor's queue, or take it out of the queue it is in."""
    session = db_session()
    claim = claim_service.get_claim(session, claim_id)
    username = (request.form.get("assign_to") or "").strip().lower()
    try:
        if not username:
            desk_service.unassign_claim(session, current_editor(), claim)
            flash(f"Claim #{claim.id} taken out of the queue.", "info")
        else:
            editor = editor_service.get_editor(session, username)
            desk_service.assign_claims(session, current_editor(), [claim.id], editor)
            flash(f"Claim #{claim.id} is in {editor.display_name}'s queue.", "info")
    except (InputError, NotFoundError) as error:
        return _refused(claim_id, InputError(str(error)))
    return redirect(_claim_url(claim.id, _list_args()))


@bp.route("/claims/<int:claim_id>/review", methods=["POST"])
@requires(EditorRole.EDITOR)
def review(claim_id: int) -> Response | tuple[str, int]:
    """Change the status; refused with what changed if someone saved after the form was opened."""
    session = db_session()
    claim = claim_service.get_claim(session, claim_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        return _render_claim(claim, review_form=form, error=form_error_text(form.errors), status=400)
    version = _form_version(form.version.data)
    evidence = [
        EvidenceInput(entry.url.data.strip(), EvidenceStance(entry.stance.data), title=entry.title.data)
        for entry in form.evidence
        if entry.url.data and entry.url.data.strip()
    ]
    status = ClaimStatus(form.status.data)
    try:
        if status is claim.status:
            # The same status again: evidence or a new rationale for the verdict, as a new entry.
            claim_service.amend_verdict(
                session,
                current_editor(),
                claim,
                rationale=form.rationale.data or "",
                evidence=evidence,
                expected_version=version,
            )
            message = (
                f"Claim #{claim.id}: {_amended(len(evidence), bool((form.rationale.data or '').strip()))}"
            )
        else:
            new_review = claim_service.change_status(
                session,
                current_editor(),
                claim,
                status,
                rationale=form.rationale.data or "",
                expected_version=version,
                evidence=evidence,
            )
            message = f"Claim #{claim.id} marked {status.value}."
            offer = cluster_service.plan_cluster_verdict(session, new_review)
            if offer is not None and offer.offered:
                # Review once: the claim's page offers the verdict for the other copies (never applied here).
                message += (
                    f" {len(offer.offered)} other cop{'y' if len(offer.offered) == 1 else 'ies'} of this "
                    f"statement can take the same verdict: see claim #{claim.id}'s page."
                )
    except (ConflictError, InputError) as error:
        return _refused(claim_id, error, review_form=form)
    flash(message, "info")
    return redirect(_after_save(claim))


def _form_version(raw: object) -> int:
    """The claim version a form was opened at (a hidden field); InputError when it was tampered with."""
    version = parse_id(str(raw or ""), "version", "a claim version")
    if version is None:
        raise InputError("the form's version is missing; reload the page")
    return version


def _amended(evidence: int, rationale: bool) -> str:
    parts = []
    if evidence:
        parts.append(f"{evidence} piece{'s' if evidence > 1 else ''} of evidence added")
    if rationale:
        parts.append("rationale amended")
    return " and ".join(parts) + "; the status stays."


def _after_save(claim: Claim) -> str:
    """Where a saved review goes: the same claim page, or with "save and next" the next unverified
    claim of the list the editor came from (the list itself when none is left)."""
    list_args = _list_args()
    if request.form.get("then") != "next":
        return _claim_url(claim.id, list_args)
    db_session().flush()
    following = _neighbours(claim, list_args).next_unverified_id
    if following is None:
        flash("No unverified claim is left in this list.", "info")
        query = urlencode(list_args)
        return url_for("claims.index") + (f"?{query}" if query else "")
    return _claim_url(following, list_args)


@bp.route("/claims/<int:claim_id>/attribution", methods=["POST"])
@requires(EditorRole.EDITOR)
def attribution(claim_id: int) -> Response | tuple[str, int]:
    """Reassign the speaker or fix the content span, cue or stance."""
    session = db_session()
    claim = claim_service.get_claim(session, claim_id)
    form = AttributionForm()
    if not form.validate_on_submit():
        return _render_claim(claim, attribution_form=form, error=form_error_text(form.errors), status=400)
    version = _form_version(form.version.data)
    try:
        speaker = None
        if (form.speaker.data or "").strip():
            try:
                speaker = resolve_speaker(session, form.speaker.data or "")
            except NotFoundError as error:
                raise InputError(f"{error}; pick a name from the list or add the speaker first") from None
        claim_service.edit_attribution(
            session,
            current_editor(),
            claim,
            expected_version=version,
            speaker=speaker,
            content_start=form.content_start.data,
            content_end=form.content_end.data,
            cue=form.cue.data or "",
            stance=Stance(form.stance.data),
        )
    except FactdbError as error:
        return _refused(claim_id, error, attribution_form=form)
    flash(f"Attribution of claim #{claim.id} saved.", "info")
    return redirect(_claim_url(claim.id, _list_args()))


@bp.route("/claims/<int:claim_id>/relations", methods=["POST"])
@requires(EditorRole.EDITOR)
def relate(claim_id: int) -> Response | tuple[str, int]:
    """Link this claim to another one."""
    session = db_session()
    claim = claim_service.get_claim(session, claim_id)
    form = RelationForm()
    if not form.validate_on_submit():
        return _render_claim(claim, relation_form=form, error=form_error_text(form.errors), status=400)
    other = claim_service.get_claim(session, int(form.related_claim.data))
    try:
        claim_service.relate_claims(session, current_editor(), claim, other, RelationKind(form.kind.data))
    except InputError as error:
        return _refused(claim_id, error, relation_form=form)
    flash(f"Claim #{claim.id} {form.kind.data} #{other.id}.", "info")
    return redirect(url_for("claims.show", claim_id=claim.id))
