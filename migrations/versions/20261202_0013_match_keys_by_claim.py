"""Claim matching reads the most recent claims of each LSH key: index (key, claim_id).

The index on ``claim_match_keys.key`` alone made "the newest few claims with this key" read every
claim with the key (a key of a common wording may have thousands); with ``claim_id`` in the index
each key's read stops after a few rows.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 11:50:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_claim_match_keys_key_claim", "claim_match_keys", ["key", "claim_id"], unique=False)
    op.drop_index("ix_claim_match_keys_key", table_name="claim_match_keys")


def downgrade() -> None:
    op.create_index("ix_claim_match_keys_key", "claim_match_keys", ["key"], unique=False)
    op.drop_index("ix_claim_match_keys_key_claim", table_name="claim_match_keys")
