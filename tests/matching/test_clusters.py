"""Claim clusters against a real database: matching at ingest, editors' corrections, review once."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, EvidenceStance
from factdb.errors import ConflictError, InputError, PermissionDeniedError
from factdb.models import AuditEvent, Claim, ClaimCluster, Editor, Review, ReviewFollow
from factdb.services import claims as claim_service
from factdb.services import clusters
from factdb.services.claims import EvidenceInput
from factdb.services.ingest import ingest_text
from tests.matching.reports import DIFFERENT, REPORTS, ingest_reports


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def test_five_reworded_reports_make_one_cluster(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor)
    cluster = clusters.cluster_of_claim(db_session, claims[0].id)
    assert cluster is not None
    assert [a.claim_id for a in cluster.appearances] == [c.id for c in claims]
    assert cluster.source_count == 5 and [a.outlet for a in cluster.appearances][0] == "Wire One"
    stored = db_session.get(ClaimCluster, cluster.id)
    assert stored is not None and (stored.claim_count, stored.source_count) == (5, 5)
    # Every join is in the audit trail, in the ingest's transaction.
    joined = {tuple(j) for e in _events(db_session, "claims.match") for j in e.after["joins"]}
    assert joined == {(c.id, cluster.id) for c in claims}


def test_similar_but_different_statements_stay_apart(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor, REPORTS[:2])
    other_number = ingest_reports(db_session, editor, DIFFERENT[:1])[0]
    assert clusters.cluster_id_of(db_session, claims[0].id) is not None
    assert clusters.cluster_id_of(db_session, other_number.id) is None


@pytest.mark.parametrize("unresolved", [0, 1])
def test_an_unresolved_speaker_matches_either_way(
    db_session: Session, editor: Editor, unresolved: int
) -> None:
    """A claim whose speaker is unresolved is compared with every speaker's claims, and a resolved
    claim with the unresolved ones (the scan for them runs only where a key has any)."""
    first = ingest_reports(db_session, editor, REPORTS[:1])[0]
    if unresolved == 0:
        first.speaker_id = None  # the earlier claim unresolved (its keys follow by trigger)
        db_session.flush()
    later = ingest_reports(db_session, editor, REPORTS[1:2])[0] if unresolved == 0 else None
    if later is None:
        body = REPORTS[1].text
        extraction = REPORTS[1].extraction()
        result = ingest_text(
            db_session, editor, body, title="Unresolved copy", outlet="Daily Two", extraction=extraction,
            match=False,
        )  # fmt: skip
        later = db_session.scalars(
            select(Claim).where(Claim.source_id == result.source.id, Claim.content.contains("villages"))
        ).one()
        later.speaker_id = None  # the later claim unresolved, then matched
        db_session.flush()
        clusters.match_claims(db_session, editor, [later.id])
    assert clusters.cluster_id_of(db_session, first.id) is not None
    assert clusters.cluster_id_of(db_session, first.id) == clusters.cluster_id_of(db_session, later.id)


def test_not_the_same_survives_a_new_matching_run(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor)
    clusters.mark_not_same(db_session, editor, claims[0], claims[4])
    cluster_id = clusters.cluster_id_of(db_session, claims[0].id)
    assert clusters.cluster_id_of(db_session, claims[4].id) is None
    # Match the whole archive again, as `factdb claims match --again` does.
    clusters.forget_keys_of_unclustered(db_session)
    clusters.match_claims(db_session, None, clusters.unmatched_claim_ids(db_session, 0, 1000))
    assert clusters.cluster_id_of(db_session, claims[4].id) is None
    view = clusters.get_cluster(db_session, cluster_id or 0)
    assert view is not None and len(view.appearances) == 4
    assert _events(db_session, "cluster.not_same")[-1].after["split_off"] == claims[4].id


def test_split_off_and_merge_are_audited(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor, REPORTS[:3])
    cluster_id = clusters.split_off(db_session, editor, claims[2])
    assert clusters.cluster_id_of(db_session, claims[2].id) is None
    event = _events(db_session, "cluster.split")[-1]
    assert event.entity_id == cluster_id and event.after["split_off"] == claims[2].id
    # Split off, it is never matched back...
    clusters.forget_keys_of_unclustered(db_session)
    clusters.match_claims(db_session, None, clusters.unmatched_claim_ids(db_session, 0, 1000))
    assert clusters.cluster_id_of(db_session, claims[2].id) is None
    # ...until an editor merges it, which lifts the "not the same".
    assert clusters.merge(db_session, editor, claims[2], claims[0]) == cluster_id
    assert clusters.cluster_id_of(db_session, claims[2].id) == cluster_id
    assert _events(db_session, "cluster.merge")[-1].after["not_same_removed"]
    with pytest.raises(InputError, match="already in one cluster"):
        clusters.merge(db_session, editor, claims[0], claims[1])


def test_viewer_cannot_edit_clusters(db_session: Session, editor: Editor, viewer: Editor) -> None:
    claims = ingest_reports(db_session, editor, REPORTS[:2])
    with pytest.raises(PermissionDeniedError):
        clusters.split_off(db_session, viewer, claims[1])


def test_a_split_leaving_one_claim_dissolves_the_cluster(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor, REPORTS[:2])
    cluster_id = clusters.split_off(db_session, editor, claims[1])
    assert db_session.get(ClaimCluster, cluster_id) is None
    assert clusters.cluster_of_claim(db_session, claims[0].id) is None


def test_review_once_offers_and_applies_the_verdict(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor)
    # One copy already carries another verdict: offered, but left alone unless chosen.
    claim_service.change_status(
        db_session, editor, claims[4], ClaimStatus.CONFIRMED, rationale="Seen on video."
    )
    review = claim_service.change_status(
        db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="Satellite images show no change.",
        evidence=[EvidenceInput("https://example.org/images", EvidenceStance.REFUTES)],
    )  # fmt: skip
    offer = clusters.plan_cluster_verdict(db_session, review)
    assert offer is not None
    assert [a.claim_id for a in offer.offered] == [c.id for c in claims[1:4]]
    assert [a.claim_id for a in offer.reviewed] == [claims[4].id]
    assert offer.cluster.conflict
    # Nothing is applied by the preview.
    assert db_session.scalar(select(func.count()).select_from(ReviewFollow)) == 0
    applied = clusters.apply_cluster_verdict(
        db_session, editor, review, {a.claim_id: a.version for a in offer.offered}
    )
    assert [r.claim_id for r in applied] == [c.id for c in claims[1:4]]
    for claim, new in zip(claims[1:4], applied, strict=True):
        db_session.refresh(claim)
        assert claim.status is ClaimStatus.DISPUTED and new.rationale == review.rationale
        assert db_session.get(ReviewFollow, new.id).followed_review_id == review.id  # type: ignore[union-attr]
        assert [e.url for e in new.evidence] == ["https://example.org/images"]
    followed = [e.after.get("followed_review_id") for e in _events(db_session, "claim.status")]
    assert followed.count(review.id) == 3
    db_session.refresh(claims[4])
    assert claims[4].status is ClaimStatus.CONFIRMED


def test_apply_refuses_a_claim_changed_since_the_preview(db_session: Session, editor: Editor) -> None:
    claims = ingest_reports(db_session, editor, REPORTS[:2])
    review = claim_service.change_status(db_session, editor, claims[0], ClaimStatus.FALSE, rationale="No.")
    claim_service.change_status(db_session, editor, claims[1], ClaimStatus.UNVERIFIABLE, rationale="Unclear.")
    with pytest.raises(ConflictError):
        clusters.apply_cluster_verdict(db_session, editor, review, {claims[1].id: 1})
    with pytest.raises(InputError, match="not other claims of this cluster"):
        clusters.apply_cluster_verdict(db_session, editor, review, {claims[0].id: claims[0].version})
    assert (
        db_session.scalar(select(func.count()).select_from(Review).where(Review.claim_id == claims[1].id))
        == 1
    )


def test_ingest_without_matching_leaves_claims_unmatched(db_session: Session, editor: Editor) -> None:
    report = REPORTS[0]
    ingest_text(
        db_session, editor, report.text, title="t", outlet="o", extraction=report.extraction(), match=False
    )
    # Two claims (Oleg Varin's and the outlet's own second sentence), neither matched.
    assert db_session.scalar(select(func.count()).select_from(Claim)) == 2
    assert clusters.count_unmatched(db_session) == 2
