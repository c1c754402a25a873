"""API tokens: per-editor credentials for the JSON API, stored as SHA-256 of the secret.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 11:30:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Dropping the table loses every token (programs using them must get new ones after upgrading again).
DESTROYS_ON_DOWNGRADE = ("api_tokens",)


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column(
            "scope",
            sa.Enum("read", "write", name="token_scope", native_enum=False, create_constraint=True, length=5),
            nullable=False,
        ),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["editor_id"], ["editors.id"], name=op.f("fk_api_tokens_editor_id_editors"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_tokens_token_hash")),
    )
    op.create_index(op.f("ix_api_tokens_editor_id"), "api_tokens", ["editor_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_api_tokens_editor_id"), table_name="api_tokens")
    op.drop_table("api_tokens")
