"""Claims, their reviews, evidence and relations."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime, utcnow
from factdb.enums import ClaimStatus, EvidenceStance, RelationKind, Stance
from factdb.models._types import enum_column

if TYPE_CHECKING:
    from factdb.models.editor import Editor
    from factdb.models.source import Sentence, Source
    from factdb.models.speaker import Speaker

STATUS = enum_column(ClaimStatus, "claim_status")


class Claim(Base):
    """What a speaker put forward, tied to its sentence.

    Offsets are into the source text. ``speaker_id`` is NULL for a statement of a
    publication with no outlet on record, or a mention nobody has resolved yet.
    ``version`` counts changes: a save based on an older version is refused
    (optimistic locking, enforced by SQLAlchemy's ``version_id_col``).
    """

    __tablename__ = "claims"
    __table_args__ = (
        CheckConstraint("content_end >= content_start", name="content_span"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"), index=True)
    sentence_id: Mapped[int] = mapped_column(ForeignKey("sentences.id", ondelete="CASCADE"), index=True)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("speakers.id", ondelete="SET NULL"))
    mention_text: Mapped[str | None] = mapped_column(String(300))
    mention_start: Mapped[int | None]
    mention_end: Mapped[int | None]
    cue: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[str] = mapped_column(Text)
    content_start: Mapped[int]
    content_end: Mapped[int]
    stance: Mapped[Stance] = mapped_column(enum_column(Stance, "stance"), server_default=Stance.ASSERTS.value)
    # The extraction rule that found the claim (a RULE_ID, shown as "found by"); the outlet that
    # carried the speaker's words ("TASS quoted Peskov as saying": TASS).
    rule: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ClaimStatus] = mapped_column(STATUS, server_default=ClaimStatus.UNVERIFIED.value)
    version: Mapped[int] = mapped_column(Integer, server_default="1")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    source: Mapped[Source] = relationship()
    sentence: Mapped[Sentence] = relationship()
    speaker: Mapped[Speaker | None] = relationship()
    reviews: Mapped[list[Review]] = relationship(back_populates="claim", order_by="Review.id")
    evidence: Mapped[list[Evidence]] = relationship(back_populates="claim", order_by="Evidence.id")

    __mapper_args__ = {"version_id_col": version}


# The claims list pages by id (keyset, no OFFSET) within a status, a speaker, or a speaker and
# status; a speaker's first and last claim are the ends of its (speaker_id, id) range.
Index("ix_claims_status_id", Claim.status, Claim.id)
Index("ix_claims_speaker_status_id", Claim.speaker_id, Claim.status, Claim.id)
Index("ix_claims_speaker_id_id", Claim.speaker_id, Claim.id)
Index("ix_claims_channel_id", Claim.channel, Claim.id)


class SpeakerStatusCount(Base):
    """How many claims each speaker has in each status, kept by database triggers on ``claims``.

    ``speaker_key`` is the speaker's id, or 0 for claims whose mention is unresolved. The
    scorecards read these few thousand rows instead of grouping every claim.
    """

    __tablename__ = "speaker_status_counts"

    speaker_key: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "count_status"), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, server_default="0")


# The claims list's facets sum each status's rows over every speaker: read from this index in status
# order, with no sort and no visit to the table (0.98 -> 0.38 ms for 4,000 rows; migration 0018).
Index("ix_speaker_status_counts_status_n", SpeakerStatusCount.status, SpeakerStatusCount.n)


class Review(Base):
    """One change of a claim's status by an editor, with the reason. Append-only."""

    __tablename__ = "reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"), index=True)
    from_status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "review_from_status"))
    to_status: Mapped[ClaimStatus] = mapped_column(enum_column(ClaimStatus, "review_to_status"))
    rationale: Mapped[str] = mapped_column(Text, server_default="")
    # The claim's version this review produced, so a conflict can name what came after.
    claim_version: Mapped[int]
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, server_default=func.now(), index=True
    )

    claim: Mapped[Claim] = relationship(back_populates="reviews")
    editor: Mapped[Editor | None] = relationship()
    evidence: Mapped[list[Evidence]] = relationship(back_populates="review", order_by="Evidence.id")


class Evidence(Base):
    """A link that supports or refutes a claim, attached to the claim and, if given with one, to a review."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    stance: Mapped[EvidenceStance] = mapped_column(enum_column(EvidenceStance, "evidence_stance"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    claim: Mapped[Claim] = relationship(back_populates="evidence")
    review: Mapped[Review | None] = relationship(back_populates="evidence")


class ClaimRelation(Base):
    """A typed link from one claim to another (shown on both claims' pages)."""

    __tablename__ = "claim_relations"
    __table_args__ = (
        UniqueConstraint("claim_id", "related_claim_id", "kind"),
        CheckConstraint("claim_id <> related_claim_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    related_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RelationKind] = mapped_column(enum_column(RelationKind, "relation_kind"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    claim: Mapped[Claim] = relationship(foreign_keys=[claim_id])
    related_claim: Mapped[Claim] = relationship(foreign_keys=[related_claim_id])
