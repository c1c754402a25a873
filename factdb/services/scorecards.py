"""Speaker scorecards ("who said what"): per speaker, how many statements and how they fared.

A statement reported by several sources (a claim cluster) counts once, as its first appearance
with that claim's status; ``copies`` says how many repeats were left out, so a scorecard can say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, case, exists, func, select
from sqlalchemy.orm import Session, aliased

from factdb.enums import ClaimStatus, SpeakerKind
from factdb.models import Claim, ClaimClusterMember, Speaker, SpeakerStatusCount

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
    #: Claims not counted because they repeat a statement already counted (later copies in a cluster).
    copies: int = 0

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


def repeated_copies(session: Session) -> dict[int, dict[ClaimStatus, int]]:
    """Per speaker and status, the claims that repeat a statement: every claim of a cluster but its
    first (lowest id). Reads the cluster members only, not every claim."""
    mine, earlier = aliased(ClaimClusterMember), aliased(ClaimClusterMember)
    later_copy = exists().where(earlier.cluster_id == mine.cluster_id, earlier.claim_id < mine.claim_id)
    rows = session.execute(
        select(Claim.speaker_id, Claim.status, func.count())
        .join(mine, mine.claim_id == Claim.id)
        .where(later_copy, Claim.speaker_id.is_not(None))
        .group_by(Claim.speaker_id, Claim.status)
    )
    found: dict[int, dict[ClaimStatus, int]] = {}
    for speaker_id, status, n in rows:
        if speaker_id is not None:
            found.setdefault(speaker_id, {})[status] = int(n)
    return found


def scorecards(session: Session, sort: str = "claims") -> list[Scorecard]:
    """All speakers' scorecards, sorted by ``sort`` (one of :data:`SORTS`); statements, not copies."""
    return _cards(session.execute(scorecard_query(sort)), repeated_copies(session), sort)


def scorecard_of(session: Session, speaker_id: int) -> Scorecard | None:
    """One speaker's scorecard (None when there is no such speaker); statements, not copies."""
    rows = session.execute(scorecard_query().where(Speaker.id == speaker_id))
    cards = _cards(rows, repeated_copies(session), "name")
    return cards[0] if cards else None


def _cards(rows: Any, repeats: dict[int, dict[ClaimStatus, int]], sort: str) -> list[Scorecard]:
    cards = []
    for row in rows:
        speaker_id, name, kind, needs_review, total, first, last, *counts = tuple(row)
        less = repeats.get(speaker_id, {})
        cards.append(
            Scorecard(
                speaker_id, name, kind, needs_review, int(total) - sum(less.values()),
                {status: int(count or 0) - less.get(status, 0)
                 for status, count in zip(ClaimStatus, counts, strict=True)},
                first, last, sum(less.values()),
            )
        )  # fmt: skip
    if repeats and sort in ("claims", "disputed", "reviewed"):
        # The database sorted by copies; the order by statements may differ where repeats were taken out.
        key = {
            "claims": lambda c: (-c.claims, c.name),
            "disputed": lambda c: (-c.counts[ClaimStatus.DISPUTED], -c.claims, c.name),
            "reviewed": lambda c: (-c.reviewed, c.name),
        }[sort]
        cards.sort(key=key)
    return cards
