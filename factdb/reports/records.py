"""Claims as flat records for export, streamed from the database in chunks.

One query (claim ⋈ sentence ⋈ source, with speaker and latest review) is read with ``yield_per``
(a server-side cursor on PostgreSQL); for each chunk, evidence, relations and, when asked for,
the whole review history are fetched with one ``IN`` query each. Memory stays flat however
many claims match.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Result, Row, Select, String, func, or_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from factdb.enums import ClaimStatus, EvidenceStance, RelationKind, SpeakerKind, Stance
from factdb.models import (
    Claim,
    ClaimClusterMember,
    ClaimRelation,
    Editor,
    Evidence,
    Review,
    Sentence,
    Source,
    Speaker,
)
from factdb.services.queries import ClaimFilter, status_column

CHUNK = 1000

Order = Literal["id", "speaker"]


@dataclass(frozen=True)
class EvidenceRecord:
    """A link offered as evidence for or against a claim."""

    url: str
    title: str | None
    stance: EvidenceStance
    note: str | None


@dataclass(frozen=True)
class RelatedRecord:
    """Another claim this one is linked to; ``direction`` says who made the link point where."""

    kind: RelationKind
    claim_id: int
    direction: Literal["to", "from"]

    def describe(self) -> str:
        """``contradicts #12`` (this claim → #12) or ``#12 contradicts this`` (#12 → this claim)."""
        if self.direction == "to":
            return f"{self.kind.value} #{self.claim_id}"
        return f"#{self.claim_id} {self.kind.value} this"


@dataclass(frozen=True)
class HistoryRecord:
    """One status change."""

    at: dt.datetime
    editor: str | None
    from_status: ClaimStatus
    to_status: ClaimStatus
    rationale: str


@dataclass(frozen=True)
class AppearanceRecord:
    """One claim of the statement's cluster (the claim itself included): where it appeared."""

    claim_id: int
    source_title: str
    outlet: str | None
    url: str | None
    published_at: dt.datetime | None

    def describe(self) -> str:
        """``Wire One 2026-03-02 https://...`` (what is known of it)."""
        when = self.published_at.date().isoformat() if self.published_at else None
        return " ".join(x for x in (self.outlet or self.source_title, when, self.url) if x)


@dataclass(frozen=True)
class ClaimRecord:
    """Everything an export says about one claim."""

    claim_id: int
    content: str
    sentence: str
    speaker_id: int | None
    speaker: str | None
    speaker_kind: SpeakerKind | None
    mention: str | None
    cue: str | None
    stance: Stance
    status: ClaimStatus
    source_id: int
    source_title: str
    outlet: str | None
    url: str | None
    published_at: dt.datetime | None
    created_at: dt.datetime
    last_review_at: dt.datetime | None
    last_review_editor: str | None
    rationale: str | None
    evidence: list[EvidenceRecord] = field(default_factory=list)
    related: list[RelatedRecord] = field(default_factory=list)
    history: list[HistoryRecord] = field(default_factory=list)
    channel: str | None = None  # the outlet that carried the speaker's words
    rule: str | None = None  # the extraction rule that found the claim
    #: Every appearance of the statement (its cluster, first appearance first); empty when alone.
    appearances: list[AppearanceRecord] = field(default_factory=list)


def _latest_review_id(as_of: dt.datetime | None) -> Any:
    latest = select(func.max(Review.id)).where(Review.claim_id == Claim.id)
    if as_of is not None:
        latest = latest.where(Review.created_at <= as_of)
    return latest.correlate(Claim).scalar_subquery()


def claim_rows_query(
    claim_filter: ClaimFilter, order: Order = "id", *, plain: bool = False
) -> Select[*tuple[Any, ...]]:
    """The flat columns of every claim matching the filter, with its latest review.

    Each column is labelled with the :class:`ClaimRecord` field it fills. ``plain`` reads enums and
    timestamps as the driver gives them (strings on SQLite) for exports that only print them.
    """
    last = aliased(Review)
    reviewer = aliased(Editor)
    stmt = (
        select(
            Claim.id.label("claim_id"), Claim.content, Sentence.text.label("sentence"), Claim.speaker_id,
            Speaker.name.label("speaker"), Speaker.kind.label("speaker_kind"),
            Claim.mention_text.label("mention"), Claim.cue, Claim.stance,
            status_column(claim_filter.as_of).label("status"),
            Source.id.label("source_id"), Source.title.label("source_title"),
            Source.outlet, Source.url, Source.published_at, Claim.created_at,
            last.created_at.label("last_review_at"), reviewer.username.label("last_review_editor"),
            last.rationale.label("rationale"), Claim.channel, Claim.rule,
        )
        .join(Sentence, Sentence.id == Claim.sentence_id)
        .join(Source, Source.id == Claim.source_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(last, last.id == _latest_review_id(claim_filter.as_of))
        .outerjoin(reviewer, reviewer.id == last.editor_id)
    )  # fmt: skip
    if plain:
        stmt = stmt.with_only_columns(
            *(
                type_coerce(column, String).label(column.name) if column.name in _PRINTED_AS_TEXT else column
                for column in stmt.selected_columns
            )
        )
    stmt = claim_filter.apply(stmt)
    if order == "speaker":
        return stmt.order_by(Speaker.name.is_(None), Speaker.name, Claim.speaker_id, Claim.id)
    return stmt.order_by(Claim.id)


# Columns whose driver value an export can print without SQLAlchemy's conversion to Python objects.
_PRINTED_AS_TEXT = {"speaker_kind", "stance", "status", "published_at", "created_at", "last_review_at"}


def count_claims(session: Session, claim_filter: ClaimFilter) -> int:
    """How many claims the filter matches (for progress bars)."""
    return session.scalar(claim_filter.apply(select(func.count(Claim.id)))) or 0


def _among(column: Any, ids: Sequence[int]) -> Any:
    """``column`` is one of ``ids``: a BETWEEN when they come in ascending order (a chunk read in id
    order; far cheaper than an IN of a thousand ids), an IN otherwise. Callers drop the extra rows
    a range lets through."""
    if all(map(operator.lt, ids, itertools.islice(ids, 1, None))):  # in C: this runs per chunk of an export
        return column.between(ids[0], ids[-1])
    return column.in_(ids)


def _evidence_for(
    session: Session, ids: Sequence[int], as_of: dt.datetime | None = None
) -> dict[int, list[EvidenceRecord]]:
    """The evidence of each claim's current verdict (as of ``as_of``): the links given with its last
    status change or added since. Links of a superseded verdict stay in the history, never here."""
    found: dict[int, list[EvidenceRecord]] = defaultdict(list)
    when = [Review.created_at <= as_of] if as_of is not None else []
    status_change = (Review.claim_id == Evidence.claim_id, Review.from_status != Review.to_status, *when)
    verdict_id = select(func.max(Review.id)).where(*status_change).correlate(Evidence).scalar_subquery()
    verdict_at = (
        select(func.max(Review.created_at)).where(*status_change).correlate(Evidence).scalar_subquery()
    )
    recorded_then = []
    if as_of is not None:
        # A review's links count from the review's own time (they are written a moment after it).
        last_then = (
            select(func.max(Review.id))
            .where(Review.claim_id == Evidence.claim_id, Review.created_at <= as_of)
            .correlate(Evidence)
            .scalar_subquery()
        )
        recorded_then.append(
            or_(
                Evidence.review_id <= last_then, Evidence.review_id.is_(None) & (Evidence.created_at <= as_of)
            )
        )
    rows = session.execute(
        select(Evidence.claim_id, Evidence.url, Evidence.title, Evidence.stance, Evidence.note)
        .where(
            _among(Evidence.claim_id, ids),
            *recorded_then,
            or_(
                Evidence.review_id >= func.coalesce(verdict_id, 0),
                # Evidence recorded before amendments were review entries belongs to no review.
                Evidence.review_id.is_(None) & (verdict_at.is_(None) | (Evidence.created_at >= verdict_at)),
            ),
        )
        .order_by(Evidence.id)
    )
    wanted = set(ids)
    for claim_id, url, title, stance, note in rows:
        if claim_id in wanted:
            found[claim_id].append(EvidenceRecord(url, title, stance, note))
    return found


def _related_for(session: Session, ids: Sequence[int]) -> dict[int, list[RelatedRecord]]:
    found: dict[int, list[RelatedRecord]] = defaultdict(list)
    wanted = set(ids)
    rows = session.execute(
        select(ClaimRelation.claim_id, ClaimRelation.related_claim_id, ClaimRelation.kind)
        .where(or_(_among(ClaimRelation.claim_id, ids), _among(ClaimRelation.related_claim_id, ids)))
        .order_by(ClaimRelation.id)
    )
    for a, b, kind in rows:
        if a in wanted:
            found[a].append(RelatedRecord(kind, b, "to"))
        if b in wanted:
            found[b].append(RelatedRecord(kind, a, "from"))
    return found


def _history_for(
    session: Session, ids: Sequence[int], as_of: dt.datetime | None
) -> dict[int, list[HistoryRecord]]:
    found: dict[int, list[HistoryRecord]] = defaultdict(list)
    rows = session.execute(
        select(Review.claim_id, Review.created_at, Editor.username, Review.from_status, Review.to_status,
               Review.rationale)
        .outerjoin(Editor, Editor.id == Review.editor_id)
        .where(_among(Review.claim_id, ids), *([Review.created_at <= as_of] if as_of else []))
        .order_by(Review.id)
    )  # fmt: skip
    for claim_id, at, editor, from_status, to_status, rationale in rows:
        found[claim_id].append(HistoryRecord(at, editor, from_status, to_status, rationale))
    return found


def _appearances_for(session: Session, ids: Sequence[int]) -> dict[int, list[AppearanceRecord]]:
    """Each clustered claim's cluster as appearances, first appearance first.

    Each cluster of the chunk is read once and its list shared by all of its claims (read-only):
    pairing every claim with every member of its cluster in SQL made a cluster of n claims cost
    n x n rows, so one statement repeated in 2,000 articles held an export for minutes.
    """
    cluster_of: dict[int, int] = {
        claim_id: cluster_id
        for claim_id, cluster_id in session.execute(
            select(ClaimClusterMember.claim_id, ClaimClusterMember.cluster_id).where(
                _among(ClaimClusterMember.claim_id, ids)
            )
        )
    }
    if not cluster_of:
        return {}
    rows = session.execute(
        select(ClaimClusterMember.cluster_id, Claim.id, Source.title, Source.outlet, Source.url,
               Source.published_at, Source.ingested_at)
        .join(Claim, Claim.id == ClaimClusterMember.claim_id)
        .join(Source, Source.id == Claim.source_id)
        .where(ClaimClusterMember.cluster_id.in_(set(cluster_of.values())))
    )  # fmt: skip
    members: dict[int, list[tuple[Any, AppearanceRecord]]] = defaultdict(list)
    for cluster_id, claim_id, title, outlet, url, published_at, ingested_at in rows:
        appearance = AppearanceRecord(claim_id, title, outlet, url, published_at)
        members[cluster_id].append(((published_at or ingested_at, claim_id), appearance))
    ordered = {
        cluster: [a for _, a in sorted(found, key=lambda x: x[0])] for cluster, found in members.items()
    }
    return {claim_id: ordered[cluster] for claim_id, cluster in cluster_of.items() if cluster in ordered}


_LinkedChunk = tuple[
    Sequence[Row[Any]],
    list[int],
    dict[int, list[EvidenceRecord]],
    dict[int, list[RelatedRecord]],
    dict[int, list[AppearanceRecord]],
]


def linked_chunks(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    chunk: int,
    limit: int | None,
    as_of: dt.datetime | None = None,
    *,
    core: bool = False,
) -> Iterator[_LinkedChunk]:
    """The rows of ``stmt`` (the first ``limit``) a chunk at a time, each chunk with its claim ids
    and the evidence, relations and appearances (clusters) of those claims, fetched once per chunk.

    ``core`` reads the rows through the session's connection (Core rows, not the ORM's per-row
    loading, a large share of a long export's time); the statement's first column must then be
    the claim's id.
    """
    if limit is not None:
        stmt = stmt.limit(limit)
    result: Result[Any]
    if core:
        result = session.connection().execute(stmt, execution_options={"yield_per": chunk})
    else:
        result = session.execute(stmt.execution_options(yield_per=chunk))
    yield from _with_links(session, result.partitions(), as_of)


def _with_links(
    session: Session, chunks: Iterator[Sequence[Any]], as_of: dt.datetime | None
) -> Iterator[_LinkedChunk]:
    """Each chunk of rows (claim id first) with its ids and their evidence, relations and appearances."""
    for rows in chunks:
        ids = [row[0] for row in rows]
        yield (
            rows,
            ids,
            _evidence_for(session, ids, as_of),
            _related_for(session, ids),
            _appearances_for(session, ids),
        )


def iter_claim_records(
    session: Session,
    claim_filter: ClaimFilter,
    *,
    order: Order = "id",
    with_history: bool = False,
    chunk: int = CHUNK,
    limit: int | None = None,
) -> Iterator[ClaimRecord]:
    """Every claim matching ``claim_filter`` (the first ``limit`` if given) as a :class:`ClaimRecord`,
    streamed in chunks."""
    stmt = claim_rows_query(claim_filter, order)
    for rows, ids, evidence, related, seen in linked_chunks(session, stmt, chunk, limit, claim_filter.as_of):
        history = _history_for(session, ids, claim_filter.as_of) if with_history else {}
        for row in rows:
            claim_id = row.claim_id
            yield ClaimRecord(
                **row._asdict(),
                evidence=evidence.get(claim_id, []),
                related=related.get(claim_id, []),
                history=history.get(claim_id, []),
                appearances=seen.get(claim_id, []),
            )


def claim_record(session: Session, claim_id: int) -> ClaimRecord | None:
    """One claim as the exports describe it (with its history), or None when there is no such claim."""
    stmt = claim_rows_query(ClaimFilter()).where(Claim.id == claim_id)
    # Read to the end (one row), so no cursor is left open behind the returned record.
    for rows, ids, evidence, related, seen in list(linked_chunks(session, stmt, 1, 1, None)):
        history = _history_for(session, ids, None)
        for row in rows:
            return ClaimRecord(
                **row._asdict(),
                evidence=evidence.get(row.claim_id, []),
                related=related.get(row.claim_id, []),
                history=history.get(row.claim_id, []),
                appearances=seen.get(row.claim_id, []),
            )
    return None
