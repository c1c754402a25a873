"""Learned attribution models: versioned weights with their training fingerprint and dev scores.

Stored in the database so every web worker and command sees the same active model.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 05:39:46

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Tables whose rows a downgrade past this revision destroys (factdb.migrate refuses unless told).
DESTROYS_ON_DOWNGRADE = ("extraction_models",)


def upgrade() -> None:
    op.create_table(
        "extraction_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), server_default="crf", nullable=False),
        sa.Column("weights", sa.LargeBinary(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("training", sa.JSON(), nullable=False),
        sa.Column("dev_scores", sa.JSON(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["editors.id"],
            name=op.f("fk_extraction_models_created_by_id_editors"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_extraction_models")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_extraction_models_name_version")),
    )
    op.create_index(op.f("ix_extraction_models_active"), "extraction_models", ["active"])
    op.create_index(op.f("ix_extraction_models_name"), "extraction_models", ["name"])


def downgrade() -> None:
    op.drop_index(op.f("ix_extraction_models_name"), table_name="extraction_models")
    op.drop_index(op.f("ix_extraction_models_active"), table_name="extraction_models")
    op.drop_table("extraction_models")
