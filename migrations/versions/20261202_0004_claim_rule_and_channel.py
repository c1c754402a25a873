"""Claims remember which engine rule found them and the outlet that carried the speaker's words.

- ``claims.rule``: the RULE_ID of the extraction rule that proposed the claim ("speaker-first",
  "according-to", ...); NULL for a publication's own statement and for claims stored before.
- ``claims.channel``: the outlet that carried the speaker's words ("TASS quoted Peskov as saying"
  -> channel TASS), NULL when the text names none.
- ``ix_claims_channel_id``: the claims list filtered by channel pages by id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 06:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN, not batch mode: a batch rebuild of ``claims`` on SQLite would drop its triggers.
    op.add_column("claims", sa.Column("rule", sa.String(length=60), nullable=True))
    op.add_column("claims", sa.Column("channel", sa.String(length=200), nullable=True))
    op.create_index("ix_claims_channel_id", "claims", ["channel", "id"])


def downgrade() -> None:
    op.drop_index("ix_claims_channel_id", table_name="claims")
    op.drop_column("claims", "channel")
    op.drop_column("claims", "rule")
