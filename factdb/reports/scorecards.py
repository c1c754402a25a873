"""Speaker scorecards ("who said what") as CSV or JSON: the same data as the speakers page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.errors import InputError
from factdb.reports.text import csv_dict_chunks, json_array_chunks
from factdb.services.scorecards import Scorecard, scorecards

SCORECARD_FORMATS = {"csv": ("text/csv", "csv"), "json": ("application/json", "json")}

SCORECARD_HEADER = (
    "speaker_id", "speaker", "kind", "needs_review", "claims_recorded", "claims_reviewed",
    *(f"{s.value}" for s in ClaimStatus), "disputed_or_false_share_of_reviewed",
    "first_claim_at", "last_claim_at", "repeats_not_counted",
)  # fmt: skip

#: What the counts are, said in every scorecard export.
COUNTING_NOTE = (
    "claims count statements: a statement reported by several sources counts once, with the status of its "
    "first appearance; repeats_not_counted says how many copies were left out"
)


def scorecard_json(card: Scorecard) -> dict[str, Any]:
    """One speaker's scorecard; the share's denominator is ``claims_reviewed``, stated alongside."""
    share = card.disputed_or_false_share
    return {
        "speaker_id": card.speaker_id, "speaker": card.name, "kind": card.kind.value,
        "needs_review": card.needs_review, "claims_recorded": card.claims, "claims_reviewed": card.reviewed,
        "counts": {s.value: card.counts[s] for s in ClaimStatus},
        "disputed_or_false_share_of_reviewed": None if share is None else round(share, 4),
        "first_claim_at": card.first_claim_at, "last_claim_at": card.last_claim_at,
        "repeats_not_counted": card.copies, "counting": COUNTING_NOTE,
    }  # fmt: skip


def scorecard_chunks(session: Session, fmt: str, *, sort: str = "claims", bom: bool = False) -> Iterator[str]:
    """Every speaker's scorecard in ``fmt`` (csv or json)."""
    if fmt not in SCORECARD_FORMATS:
        raise InputError(f"format {fmt!r} is not one of: {', '.join(SCORECARD_FORMATS)}")
    cards = scorecards(session, sort)
    if fmt == "json":
        return json_array_chunks((scorecard_json(c) for c in cards), indent=True)
    rows = (
        {"speaker_id": c.speaker_id, "speaker": c.name, "kind": c.kind, "needs_review": c.needs_review,
         "claims_recorded": c.claims, "claims_reviewed": c.reviewed,
         **{s.value: c.counts[s] for s in ClaimStatus},
         "disputed_or_false_share_of_reviewed":
             "" if c.disputed_or_false_share is None else f"{c.disputed_or_false_share:.4f}",
         "first_claim_at": c.first_claim_at, "last_claim_at": c.last_claim_at,
         "repeats_not_counted": c.copies}
        for c in cards
    )  # fmt: skip
    return csv_dict_chunks(SCORECARD_HEADER, rows, bom=bom)
