"""Claim clusters (issue 17): claims in different sources that state the same thing.

- ``claim_clusters``: one row per cluster with its claim and source counts.
- ``claim_cluster_members``: which cluster a claim is in (the claim's id is the key).
- ``claim_match_keys``: each claim's MinHash LSH keys; a claim with keys has been matched (what
  ``factdb claims match`` resumes by). Derived: rebuilt by ``factdb claims match``.
- ``claim_not_same``: pairs editors said are not the same statement (never re-clustered).
- ``review_follows``: a review that applied another claim's verdict in its cluster.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 11:10:07

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose rows a downgrade past this revision destroys (factdb.migrate refuses unless told).
DESTROYS_ON_DOWNGRADE = ("claim_clusters", "claim_cluster_members", "claim_not_same", "review_follows")


def upgrade() -> None:
    op.create_table(
        "claim_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claim_clusters")),
    )
    op.create_index("ix_claim_clusters_source_count", "claim_clusters", ["source_count"], unique=False)
    op.create_table(
        "claim_cluster_members",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("cluster_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_cluster_members_claim_id_claims"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["claim_clusters.id"],
            name=op.f("fk_claim_cluster_members_cluster_id_claim_clusters"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_claim_cluster_members")),
    )
    op.create_index(
        "ix_claim_cluster_members_cluster_claim",
        "claim_cluster_members",
        ["cluster_id", "claim_id"],
        unique=False,
    )
    op.create_table(
        "claim_match_keys",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_match_keys_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "key", name=op.f("pk_claim_match_keys")),
    )
    op.create_index("ix_claim_match_keys_key", "claim_match_keys", ["key"], unique=False)
    op.create_table(
        "claim_not_same",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("other_claim_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("claim_id < other_claim_id", name=op.f("ck_claim_not_same_ordered")),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_not_same_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["editors.id"],
            name=op.f("fk_claim_not_same_created_by_id_editors"),
            ondelete="SET NULL",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["other_claim_id"],
            ["claims.id"],
            name=op.f("fk_claim_not_same_other_claim_id_claims"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("claim_id", "other_claim_id", name=op.f("pk_claim_not_same")),
    )
    op.create_index("ix_claim_not_same_other_claim_id", "claim_not_same", ["other_claim_id"], unique=False)
    op.create_table(
        "review_follows",
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("followed_review_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["followed_review_id"],
            ["reviews.id"],
            name=op.f("fk_review_follows_followed_review_id_reviews"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_review_follows_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("review_id", name=op.f("pk_review_follows")),
    )
    op.create_index(
        op.f("ix_review_follows_followed_review_id"), "review_follows", ["followed_review_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_review_follows_followed_review_id"), table_name="review_follows")
    op.drop_table("review_follows")
    op.drop_index("ix_claim_not_same_other_claim_id", table_name="claim_not_same")
    op.drop_table("claim_not_same")
    op.drop_index("ix_claim_match_keys_key", table_name="claim_match_keys")
    op.drop_table("claim_match_keys")
    op.drop_index("ix_claim_cluster_members_cluster_claim", table_name="claim_cluster_members")
    op.drop_table("claim_cluster_members")
    op.drop_index("ix_claim_clusters_source_count", table_name="claim_clusters")
    op.drop_table("claim_clusters")
