"""Five reports of one statement by different outlets, written for the matching tests."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.models import Claim, Editor
from factdb.services import claims as claim_service
from factdb.services import clusters
from factdb.services.ingest import ingest_text

#: (outlet, published date, article): each article reports Oleg Varin's one statement, reworded.
REPORTS = [
    ("Wire One", "2026-03-02", "Defence ministry spokesman Oleg Varin said on Monday that Russian forces had "
     "recaptured two villages near Marinovka overnight. Fighting continued elsewhere."),
    ("Daily Two", "2026-03-03", '"Our forces recaptured two villages near Marinovka overnight," Oleg Varin '
     "told reporters."),
    ("Herald Three", "2026-03-03",
     "Oleg Varin said the army had recaptured 2 villages near Marinovka overnight."),
    ("Courier Four", "2026-03-04",
     "Russian troops recaptured two villages near Marinovka overnight, Oleg Varin said on Monday."),
    ("Gazette Five", "2026-03-05",
     "According to Oleg Varin, forces recaptured two villages close to Marinovka overnight."),
]  # fmt: skip

#: The same speaker on another subject, and a similar statement with another number: never clustered.
DIFFERENT = [
    (
        "Wire One",
        "2026-03-06",
        "Oleg Varin said Russian forces had recaptured three villages near Marinovka.",
    ),
    ("Daily Two", "2026-03-06", "Oleg Varin said the army had lost two tanks near Marinovka overnight."),
]


def ingest_reports(
    session: Session, editor: Editor, reports: list[tuple[str, str, str]] = REPORTS
) -> list[Claim]:
    """Ingest ``reports`` in order; the claim of Oleg Varin from each, in the same order."""
    import datetime as dt

    claims = []
    for outlet, date, text in reports:
        result = ingest_text(
            session, editor, text, title=f"{outlet} report", outlet=outlet,
            published_at=dt.datetime.fromisoformat(date).replace(tzinfo=dt.UTC),
        )  # fmt: skip
        claims.append(
            session.scalars(
                select(Claim).where(Claim.source_id == result.source.id, Claim.content.contains("villages"))
            ).one()
        )
    return claims


def dispute_all(session: Session, editor: Editor) -> list[Claim]:
    """Ingest the five reports and dispute all five: one review, applied to the others (review once)."""
    claims = ingest_reports(session, editor)
    review = claim_service.change_status(
        session, editor, claims[0], ClaimStatus.DISPUTED, rationale="Satellite images show no change."
    )
    offer = clusters.plan_cluster_verdict(session, review)
    assert offer is not None
    clusters.apply_cluster_verdict(session, editor, review, {a.claim_id: a.version for a in offer.offered})
    return claims
