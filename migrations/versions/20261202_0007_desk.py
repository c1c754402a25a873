"""The editor's desk: claims in editors' queues, and who opened a claim lately.

- ``assignments``: one row per claim in a queue (the claim's id is the key: reassigning moves it),
  with who assigned it and when; ``ix_assignments_editor_claim`` pages "My queue" by claim id.
- ``claim_openings``: when each editor last opened each claim's page, for the hint "opened by ...
  minutes ago" (a hint, not a lock; presence, so not audited).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 06:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose rows a downgrade past this revision destroys (factdb.migrate refuses unless told).
DESTROYS_ON_DOWNGRADE = ("assignments",)


def upgrade() -> None:
    op.create_table(
        "assignments",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("assigned_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["editors.id"], name=op.f("fk_assignments_assigned_by_id_editors"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_assignments_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editors.id"], name=op.f("fk_assignments_editor_id_editors"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", name=op.f("pk_assignments")),
    )  # fmt: skip
    op.create_index("ix_assignments_editor_claim", "assignments", ["editor_id", "claim_id"])
    op.create_table(
        "claim_openings",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_openings_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editors.id"],
            name=op.f("fk_claim_openings_editor_id_editors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("claim_id", "editor_id", name=op.f("pk_claim_openings")),
    )


def downgrade() -> None:
    op.drop_table("claim_openings")
    op.drop_index("ix_assignments_editor_claim", table_name="assignments")
    op.drop_table("assignments")
