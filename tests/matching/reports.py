"""Five reports of one statement by different outlets, written for the matching tests.

Each report states its attribution by hand (:func:`tests.handmade.handmade`): these tests are about
the matcher, so what the engine happens to find in the sentences never decides them.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.extract import Extraction
from factdb.models import Claim, Editor
from factdb.services import claims as claim_service
from factdb.services import clusters
from factdb.services.ingest import ingest_text
from tests.handmade import Said, handmade

SPEAKER = "Oleg Varin"


class Report(NamedTuple):
    """One outlet's article and the attribution it carries."""

    outlet: str
    date: str
    text: str
    said: Said

    @property
    def published_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.date).replace(tzinfo=dt.UTC)

    def extraction(self) -> Extraction:
        """The article's claims as stated here: Oleg Varin's, and the outlet's own for the rest."""
        return handmade(self.text, self.said)


def _varin(mention: str, cue: str, content: str, role: str | None = None) -> Said:
    return Said(mention, cue, content, SPEAKER, role=role)


#: Each article reports Oleg Varin's one statement, reworded.
REPORTS = [
    Report("Wire One", "2026-03-02",
           "Defence ministry spokesman Oleg Varin said on Monday that Russian forces had recaptured two "
           "villages near Marinovka overnight. Fighting continued elsewhere.",
           _varin("Defence ministry spokesman Oleg Varin", "said",
                  "Russian forces had recaptured two villages near Marinovka overnight",
                  role="Defence ministry spokesman")),
    Report("Daily Two", "2026-03-03", '"Our forces recaptured two villages near Marinovka overnight," Oleg '
           "Varin told reporters.",
           _varin("Oleg Varin", "told", "Our forces recaptured two villages near Marinovka overnight")),
    Report("Herald Three", "2026-03-03",
           "Oleg Varin said the army had recaptured 2 villages near Marinovka overnight.",
           _varin("Oleg Varin", "said", "the army had recaptured 2 villages near Marinovka overnight")),
    Report("Courier Four", "2026-03-04",
           "Russian troops recaptured two villages near Marinovka overnight, Oleg Varin said on Monday.",
           _varin("Oleg Varin", "said", "Russian troops recaptured two villages near Marinovka overnight")),
    Report("Gazette Five", "2026-03-05",
           "According to Oleg Varin, forces recaptured two villages close to Marinovka overnight.",
           _varin("Oleg Varin", "According to",
                  "forces recaptured two villages close to Marinovka overnight")),
]  # fmt: skip

#: The same speaker on another subject, and a similar statement with another number: never clustered.
DIFFERENT = [
    Report("Wire One", "2026-03-06",
           "Oleg Varin said Russian forces had recaptured three villages near Marinovka.",
           _varin("Oleg Varin", "said", "Russian forces had recaptured three villages near Marinovka")),
    Report("Daily Two", "2026-03-06",
           "Oleg Varin said the army had lost two tanks near Marinovka overnight.",
           _varin("Oleg Varin", "said", "the army had lost two tanks near Marinovka overnight")),
]  # fmt: skip


def varin_claim(session: Session, source_id: int) -> Claim:
    """The one claim of ``source_id`` about the villages (Oleg Varin's)."""
    return session.scalars(
        select(Claim).where(Claim.source_id == source_id, Claim.content.contains("villages"))
    ).one()


def ingest_reports(session: Session, editor: Editor | None, reports: list[Report] = REPORTS) -> list[Claim]:
    """Ingest ``reports`` in order; the claim of Oleg Varin from each, in the same order."""
    claims = []
    for report in reports:
        result = ingest_text(
            session, editor, report.text, title=f"{report.outlet} report", outlet=report.outlet,
            published_at=report.published_at, extraction=report.extraction(),
        )  # fmt: skip
        claims.append(varin_claim(session, result.source.id))
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
