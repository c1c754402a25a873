"""Claim clusters: claims in different sources that state the same thing, and what matching keeps.

- ``claim_clusters``: one row per cluster, with how many claims and sources it holds (kept by
  :mod:`factdb.services.clusters`, so the claims list can filter "more than N sources" cheaply).
- ``claim_cluster_members``: which cluster a claim is in (at most one; a claim in none stands alone).
- ``claim_match_keys``: each claim's MinHash LSH keys; a claim that has them has been matched.
- ``claim_not_same``: pairs an editor said are not the same statement; matching never puts them
  in one cluster again.
- ``review_follows``: a review given by following another claim's verdict in its cluster.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from factdb.db import Base, UTCDateTime, utcnow


class ClaimCluster(Base):
    """Claims that state the same thing; reviewed once, each copy keeping its own review."""

    __tablename__ = "claim_clusters"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_count: Mapped[int] = mapped_column(Integer, server_default="0")
    source_count: Mapped[int] = mapped_column(Integer, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())


# The claims list filters clusters by their number of sources.
Index("ix_claim_clusters_source_count", ClaimCluster.source_count)


class ClaimClusterMember(Base):
    """A claim's place in a cluster."""

    __tablename__ = "claim_cluster_members"

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("claim_clusters.id", ondelete="CASCADE"))


# A cluster's claims in order of appearance (claim ids grow with ingestion).
Index("ix_claim_cluster_members_cluster_claim", ClaimClusterMember.cluster_id, ClaimClusterMember.claim_id)


class ClaimMatchKey(Base):
    """One MinHash LSH key of a claim's normalised content (see :func:`factdb.matching.lsh_keys`).

    Keyed by what matching searches, a key's claims of one speaker newest first (migration 0020);
    on SQLite the rows are kept in that order (``WITHOUT ROWID``: the table is its one index).
    """

    __tablename__ = "claim_match_keys"
    __table_args__ = {"sqlite_with_rowid": False}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    #: The claim's speaker id, :data:`UNRESOLVED_SPEAKER` when unresolved: a copy kept equal to
    #: ``claims.speaker_id`` by a trigger (migrations 0017, 0020), so matching finds a claim's
    #: candidates of its own speaker by the key alone.
    speaker_key: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    #: Indexed: a claim's keys (a cascade, and whether the claim was matched).
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True, index=True
    )


#: :attr:`ClaimMatchKey.speaker_key` of a claim whose speaker is unresolved (no speaker has id 0).
UNRESOLVED_SPEAKER = 0


class ClaimNotSame(Base):
    """An editor's word that two claims are not the same statement (the lower id first)."""

    __tablename__ = "claim_not_same"
    __table_args__ = (CheckConstraint("claim_id < other_claim_id", name="ordered"),)

    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    other_claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())


Index("ix_claim_not_same_other_claim_id", ClaimNotSame.other_claim_id)


class ReviewFollow(Base):
    """A review made by applying another claim's verdict to this copy of the statement."""

    __tablename__ = "review_follows"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    followed_review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
