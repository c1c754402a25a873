"""The claims list's facets read ``speaker_status_counts`` by an index on (status, n).

With no filter but a status, the list's per-status counts sum every speaker's row of each status.
SQLite scanned the table and sorted it for the GROUP BY (about 1 ms per page for 4,000 rows); the
covering index gives the rows in status order with their counts, so neither the sort nor the table
is needed (0.38 ms on a 100,000-claim archive). The index follows the counts the triggers keep.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:40:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_speaker_status_counts_status_n"


def upgrade() -> None:
    op.create_index(INDEX, "speaker_status_counts", ["status", "n"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="speaker_status_counts")
