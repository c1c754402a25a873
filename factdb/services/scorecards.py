"""Speaker scorecards ("who said what"): per speaker, how many claims and how they fared."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SpeakerKind
from factdb.models import Claim, Speaker, SpeakerStatusCount

SORTS = ("name", "claims", "disputed", "reviewed")


@dataclass(frozen=True)
class Scorecard:
    """One speaker's record. ``reviewed`` is the denominator of the shares: claims no longer unverified."""

    speaker_id: int
    name: str
    kind: SpeakerKind
    needs_review: bool
    claims: int
    counts: dict[ClaimStatus, int]
    first_claim_at: dt.datetime | None
    last_claim_at: dt.datetime | None

    @property
    def reviewed(self) -> int:
        return self.claims - self.counts[ClaimStatus.UNVERIFIED]

    @property
    def disputed_or_false_share(self) -> float | None:
        """Share of reviewed claims found disputed or false (None before any review)."""
        if not self.reviewed:
            return None
        return (self.counts[ClaimStatus.DISPUTED] + self.counts[ClaimStatus.FALSE]) / self.reviewed


def scorecard_query(sort: str = "claims") -> Select[*tuple[Any, ...]]:
    """Every speaker with per-status claim counts, read from ``speaker_status_counts``.

    The counts table holds one row per speaker and status (kept by triggers), so this groups a few
    thousand rows rather than every claim; first and last claim dates are two index seeks each.
    """
    counts = SpeakerStatusCount
    per_status = [
        func.coalesce(func.sum(case((counts.status == status, counts.n), else_=0)), 0).label(status.value)
        for status in ClaimStatus
    ]
    total = func.coalesce(func.sum(counts.n), 0).label("total")
    # Ids grow with time, so a speaker's first and last claims are the ends of its (speaker_id, id) index.
    of_speaker = select(Claim.created_at).where(Claim.speaker_id == Speaker.id).limit(1)
    first = of_speaker.order_by(Claim.id.asc()).scalar_subquery()
    last = of_speaker.order_by(Claim.id.desc()).scalar_subquery()
    stmt = (
        select(
            Speaker.id, Speaker.name, Speaker.kind, Speaker.needs_review, total,
            first.label("first_claim_at"), last.label("last_claim_at"), *per_status,
        )
        .outerjoin(counts, counts.speaker_key == Speaker.id)
        .group_by(Speaker.id, Speaker.name, Speaker.kind, Speaker.needs_review)
    )  # fmt: skip
    disputed = per_status[list(ClaimStatus).index(ClaimStatus.DISPUTED)]
    order = {
        "name": (Speaker.name,),
        "claims": (total.desc(), Speaker.name),
        "disputed": (disputed.desc(), total.desc(), Speaker.name),
        "reviewed": ((total - per_status[0]).desc(), Speaker.name),
    }
    return stmt.order_by(*order.get(sort, order["claims"]))


def scorecards(session: Session, sort: str = "claims") -> list[Scorecard]:
    """All speakers' scorecards, sorted by ``sort`` (one of :data:`SORTS`)."""
    cards = []
    for row in session.execute(scorecard_query(sort)):
        speaker_id, name, kind, needs_review, total, first, last, *counts = tuple(row)
        cards.append(
            Scorecard(
                speaker_id, name, kind, needs_review, int(total),
                {status: int(count or 0) for status, count in zip(ClaimStatus, counts, strict=True)},
                first, last,
            )
        )  # fmt: skip
    return cards
