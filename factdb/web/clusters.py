"""Cluster pages: a statement's appearances across sources, editors' corrections, and review once.

After a status change on a claim of a cluster, the review view sends the editor to
:func:`verdict_preview`, which offers the same verdict for the other copies; nothing is applied
until the editor confirms (:func:`apply_verdict`), and copies that carry a verdict are unticked.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from factdb.enums import EditorRole
from factdb.errors import ConflictError, InputError
from factdb.models import Review
from factdb.services import claims as claim_service
from factdb.services import clusters as cluster_service
from factdb.services.validation import parse_id
from factdb.web.access import current_editor, requires
from factdb.web.request import db_session

bp = Blueprint("clusters", __name__)


def _claim_field(name: str) -> int:
    value = parse_id(request.form.get(name), name, "a claim id")
    if value is None:
        raise InputError(f"{name}: give a claim id")
    return value


@bp.route("/clusters/<int:cluster_id>")
@login_required
def show(cluster_id: int) -> str:
    """Every appearance of the statement, first appearance first, with the editors' tools."""
    parse_id(cluster_id, "cluster", "a cluster id")
    cluster = cluster_service.get_cluster(db_session(), cluster_id)
    if cluster is None:
        abort(404, f"no cluster with id {cluster_id}")
    return render_template("clusters/show.html", cluster=cluster)


@bp.route("/clusters/<int:cluster_id>/split", methods=["POST"])
@requires(EditorRole.EDITOR)
def split(cluster_id: int) -> Response:
    """Take one claim out of the cluster; matching never puts it back."""
    session = db_session()
    claim = claim_service.get_claim(session, _claim_field("claim"))
    if cluster_service.cluster_id_of(session, claim.id) != cluster_id:
        raise InputError(f"claim {claim.id} is not in cluster {cluster_id}")
    cluster_service.split_off(session, current_editor(), claim)
    flash(f"Claim #{claim.id} split off: it is no longer counted with this statement.", "info")
    left = cluster_service.get_cluster(session, cluster_id)
    return redirect(
        url_for("clusters.show", cluster_id=cluster_id) if left else url_for("claims.show", claim_id=claim.id)
    )


@bp.route("/claims/<int:claim_id>/cluster", methods=["POST"])
@requires(EditorRole.EDITOR)
def edit(claim_id: int) -> Response:
    """Merge this claim's cluster with another claim's, or mark the two as not the same."""
    session = db_session()
    claim = claim_service.get_claim(session, claim_id)
    other = claim_service.get_claim(session, _claim_field("other"))
    action = request.form.get("action")
    if action == "merge":
        cluster_id = cluster_service.merge(session, current_editor(), claim, other)
        flash(f"Claims #{claim.id} and #{other.id} are now one statement.", "info")
        return redirect(url_for("clusters.show", cluster_id=cluster_id))
    if action == "not_same":
        cluster_service.mark_not_same(session, current_editor(), claim, other)
        flash(f"Claims #{claim.id} and #{other.id} marked as not the same statement.", "info")
        return redirect(url_for("claims.show", claim_id=claim.id))
    raise InputError("action must be 'merge' or 'not_same'")


def _review(review_id: int) -> Review:
    parse_id(review_id, "review", "a review id")
    review = db_session().get(Review, review_id, options=[selectinload(Review.evidence)])
    if review is None:
        abort(404, f"no review with id {review_id}")
    return review


@bp.route("/reviews/<int:review_id>/cluster")
@requires(EditorRole.EDITOR)
def verdict_preview(review_id: int) -> str | Response:
    """The preview: the same verdict offered for the other copies of the statement."""
    review = _review(review_id)
    offer = cluster_service.plan_cluster_verdict(db_session(), review)
    if offer is None or not (offer.offered or offer.reviewed):
        return redirect(url_for("claims.show", claim_id=review.claim_id))
    return render_template("clusters/verdict.html", offer=offer, review=review)


@bp.route("/reviews/<int:review_id>/cluster", methods=["POST"])
@requires(EditorRole.EDITOR)
def apply_verdict(review_id: int) -> str | Response | tuple[str, int]:
    """Apply the verdict to the copies the editor ticked (each gets its own review)."""
    session = db_session()
    review = _review(review_id)
    chosen: dict[int, int] = {}
    for raw in request.form.getlist("apply"):
        claim_id, _, version = raw.partition(":")
        claim_number, version_number = parse_id(claim_id, "apply"), parse_id(version, "apply")
        if claim_number is None or version_number is None:
            raise InputError(f"apply={raw[:40]!r} is not a claim and its version")
        chosen[claim_number] = version_number
    if not chosen:
        flash("Nothing applied: no other copy was ticked.", "info")
        return redirect(url_for("claims.show", claim_id=review.claim_id))
    try:
        applied = cluster_service.apply_cluster_verdict(session, current_editor(), review, chosen)
    except ConflictError as error:
        session.rollback()
        offer = cluster_service.plan_cluster_verdict(session, _review(review_id))
        return render_template("clusters/verdict.html", offer=offer, review=review, conflict=error), 409
    flash(
        f"{len(applied)} other cop{'y' if len(applied) == 1 else 'ies'} of the statement marked "
        f"{review.to_status.value}, each with its own review.",
        "info",
    )
    return redirect(url_for("claims.show", claim_id=review.claim_id))
