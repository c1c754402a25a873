"""Speakers ("who said what"): scorecards, a speaker's claims, aliases, affiliation, merging."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from factdb.enums import ClaimStatus, EditorRole, SpeakerKind, SuggestionStatus
from factdb.errors import FactdbError, InputError, NotFoundError
from factdb.models import Claim, Speaker, SpeakerAlias
from factdb.services import speaker_suggestions as suggestion_service
from factdb.services import speakers as speaker_service
from factdb.services.queries import suggest_speakers
from factdb.services.scorecards import SORTS, Scorecard, scorecards
from factdb.web.access import current_editor, form_error_text, requires
from factdb.web.forms import AliasForm, MergeForm, SpeakerForm, SuggestionForm
from factdb.web.request import db_session

bp = Blueprint("speakers", __name__)

CLAIMS_SHOWN = 200


@dataclass(frozen=True)
class ScorecardRow:
    """One row of the scorecard table; ``cells`` and ``bar`` hold only numbers and class names."""

    card: Scorecard
    cells: Markup
    share: str
    bar: Markup


BAR_WIDTH = 200


def _scorecard_rows(cards: list[Scorecard]) -> list[ScorecardRow]:
    # Built here rather than in Jinja: 2,000 speakers × 5 statuses is too many template steps
    # for a page that must render in well under 100 ms. No user text goes into the markup.
    widest = max((c.claims for c in cards), default=0) or 1
    statuses = list(ClaimStatus)
    rows = []
    for card in cards:
        counts = [card.counts[s] for s in statuses]
        cells = "".join(f"<td>{n}</td>" for n in counts)
        x = 0.0
        rects = []
        for status, n in zip(statuses, counts, strict=True):
            if n:
                w = BAR_WIDTH * n / widest
                rects.append(
                    f'<rect class="fill-{status.value}" x="{x:.2f}" y="0" width="{w:.2f}" height="14">'
                    f"<title>{n} {status.value}</title></rect>"
                )
                x += w
        label = ", ".join(f"{n} {s.value}" for s, n in zip(statuses, counts, strict=True))
        bar = (
            f'<svg class="bar" width="{BAR_WIDTH}" height="14" viewBox="0 0 {BAR_WIDTH} 14" role="img" '
            f'aria-label="{label}">{"".join(rects)}</svg>'
        )
        share = card.disputed_or_false_share
        rows.append(
            ScorecardRow(card, Markup(cells), "—" if share is None else f"{share:.0%}", Markup(bar))  # noqa: S704
        )
    return rows


@bp.route("/speakers")
@login_required
def index() -> str:
    """Every speaker's scorecard, sortable, with a bar per speaker drawn in SVG."""
    sort = request.args.get("sort", "claims")
    if sort not in SORTS:
        raise InputError(f"sort={sort!r} is not one of: {', '.join(SORTS)}")
    rows = _scorecard_rows(scorecards(db_session(), sort))
    return render_template(
        "speakers/list.html",
        rows=rows,
        repeats=sum(row.card.copies for row in rows),
        sort=sort,
        sorts=SORTS,
        statuses=list(ClaimStatus),
        speaker_url=url_for("speakers.show", speaker_id=0)[:-1],
    )


def _render(speaker: Speaker, error: str | None = None, status: int = 200) -> tuple[str, int]:
    session = db_session()
    claims = list(
        session.scalars(
            select(Claim)
            .where(Claim.speaker_id == speaker.id)
            .options(joinedload(Claim.source))
            .order_by(Claim.id.desc())
            .limit(CLAIMS_SHOWN)
        )
    )
    followers = list(
        session.scalars(select(Speaker).where(Speaker.affiliation_id == speaker.id).order_by(Speaker.name))
    )
    form = SpeakerForm(
        formdata=None,
        name=speaker.name,
        kind=speaker.kind.value,
        role=speaker.role or "",
        affiliation=speaker.affiliation.name if speaker.affiliation else "",
        needs_review=speaker.needs_review,
    )
    return (
        render_template(
            "speakers/show.html",
            speaker=speaker,
            claims=claims,
            followers=followers,
            form=form,
            alias_form=AliasForm(formdata=None),
            merge_form=MergeForm(formdata=None),
            error=error,
            shown=CLAIMS_SHOWN,
        ),
        status,
    )


@bp.route("/speakers/suggest")
@login_required
def suggest() -> Response:
    """Speakers whose name or an alias contains ``q``, as JSON for the typeahead of speaker fields.

    A search (the first few matches for what was typed), so no field ever lists every speaker.
    """
    found = suggest_speakers(db_session(), request.args.get("q", ""))
    return jsonify([{"id": s.id, "name": s.name, "alias": s.alias, "role": s.role} for s in found])


@bp.route("/speakers/<int:speaker_id>")
@login_required
def show(speaker_id: int) -> tuple[str, int]:
    """Every claim the speaker made, newest first, with aliases and affiliation."""
    return _render(speaker_service.get_speaker(db_session(), speaker_id))


def _apply(speaker_id: int, change: str) -> Response | tuple[str, int]:
    session = db_session()
    speaker = speaker_service.get_speaker(session, speaker_id)
    actor = current_editor()
    try:
        if change == "update":
            form = SpeakerForm()
            if not form.validate_on_submit():
                raise InputError(form_error_text(form.errors))
            affiliation_name = (form.affiliation.data or "").strip()
            speaker_service.update_speaker(
                session,
                actor,
                speaker,
                name=form.name.data,
                kind=SpeakerKind(form.kind.data),
                role=form.role.data or "",
                affiliation=speaker_service.resolve_speaker(session, affiliation_name)
                if affiliation_name
                else None,
                clear_affiliation=not affiliation_name,
                needs_review=bool(form.needs_review.data),
            )
            message = "Speaker saved."
        elif change == "alias":
            alias_form = AliasForm()
            if not alias_form.validate_on_submit():
                raise InputError(form_error_text(alias_form.errors))
            speaker_service.add_alias(session, actor, speaker, alias_form.alias.data or "")
            message = f"Alias {alias_form.alias.data!r} added."
        else:
            merge_form = MergeForm()
            if not merge_form.validate_on_submit():
                raise InputError(form_error_text(merge_form.errors))
            target = speaker_service.resolve_speaker(session, merge_form.target.data or "")
            name = speaker.name
            speaker_service.merge_speakers(session, actor, source=speaker, target=target)
            flash(f"{name!r} merged into {target.name!r}.", "info")
            return redirect(url_for("speakers.show", speaker_id=target.id))
    except FactdbError as error:
        session.rollback()
        # An unknown name typed into a form is bad input (400), not a missing page (404).
        status = 400 if isinstance(error, NotFoundError) else error.http_status
        return _render(speaker_service.get_speaker(session, speaker_id), error=str(error), status=status)
    flash(message, "info")
    return redirect(url_for("speakers.show", speaker_id=speaker.id))


@bp.route("/speakers/<int:speaker_id>/edit", methods=["POST"])
@requires(EditorRole.EDITOR)
def update(speaker_id: int) -> Response | tuple[str, int]:
    """Save name, kind, role, affiliation and the review flag."""
    return _apply(speaker_id, "update")


@bp.route("/speakers/<int:speaker_id>/aliases", methods=["POST"])
@requires(EditorRole.EDITOR)
def add_alias(speaker_id: int) -> Response | tuple[str, int]:
    """Add an alias."""
    return _apply(speaker_id, "alias")


@bp.route("/speakers/<int:speaker_id>/aliases/<int:alias_id>/delete", methods=["POST"])
@requires(EditorRole.EDITOR)
def remove_alias(speaker_id: int, alias_id: int) -> Response | tuple[str, int]:
    """Remove an alias (not the speaker's own name)."""
    session = db_session()
    alias = session.get(SpeakerAlias, alias_id)
    if alias is None or alias.speaker_id != speaker_id:
        raise NotFoundError(f"speaker {speaker_id} has no alias {alias_id}")
    try:
        speaker_service.remove_alias(session, current_editor(), alias)
    except InputError as error:
        session.rollback()
        return _render(speaker_service.get_speaker(session, speaker_id), error=str(error), status=400)
    flash("Alias removed.", "info")
    return redirect(url_for("speakers.show", speaker_id=speaker_id))


@bp.route("/speakers/<int:speaker_id>/merge", methods=["POST"])
@requires(EditorRole.ADMIN)
def merge(speaker_id: int) -> Response | tuple[str, int]:
    """Merge this speaker into another, keeping all claims and aliases (admins)."""
    return _apply(speaker_id, "merge")


# --- suggested merges ----------------------------------------------------------------------


def _render_suggestions(error: str | None = None, status: int = 200) -> tuple[str, int]:
    session = db_session()
    rejected = request.args.get("show") == "rejected"
    shown = SuggestionStatus.REJECTED if rejected else SuggestionStatus.PENDING
    return (
        render_template(
            "speakers/suggestions.html",
            views=suggestion_service.list_suggestions(session, shown),
            pending=suggestion_service.count_pending(session),
            rejected=rejected,
            page_size=suggestion_service.PAGE_SIZE,
            form=SuggestionForm(formdata=None),
            error=error,
        ),
        status,
    )


@bp.route("/speakers/suggestions")
@login_required
def suggestions() -> tuple[str, int]:
    """Speakers factdb thinks may be one, the surest first, for editors to merge or keep apart."""
    return _render_suggestions()


def _judge(suggestion_id: int, accept: bool) -> Response | tuple[str, int]:
    session = db_session()
    suggestion = suggestion_service.get_suggestion(session, suggestion_id)
    form = SuggestionForm()
    try:
        if not form.validate_on_submit():
            raise InputError(form_error_text(form.errors))
        names = f"{suggestion.speaker.name!r} and {suggestion.other.name!r}"
        if accept:
            kept = suggestion_service.accept_suggestion(
                session, current_editor(), suggestion, keep=form.keep.data
            )
            message = f"{names} merged into {kept.name!r}."
        else:
            suggestion_service.reject_suggestion(session, current_editor(), suggestion)
            message = f"{names} kept apart; they will not be proposed again."
    except FactdbError as error:
        session.rollback()
        return _render_suggestions(error=str(error), status=error.http_status)
    flash(message, "info")
    return redirect(url_for("speakers.suggestions"))


@bp.route("/speakers/suggestions/<int:suggestion_id>/accept", methods=["POST"])
@requires(EditorRole.ADMIN)
def accept_suggestion(suggestion_id: int) -> Response | tuple[str, int]:
    """Merge the two speakers of a suggestion (admins, as merging on a speaker's page)."""
    return _judge(suggestion_id, accept=True)


@bp.route("/speakers/suggestions/<int:suggestion_id>/reject", methods=["POST"])
@requires(EditorRole.EDITOR)
def reject_suggestion(suggestion_id: int) -> Response | tuple[str, int]:
    """Mark a suggestion's two speakers "not the same"; the pair is never proposed again."""
    return _judge(suggestion_id, accept=False)
