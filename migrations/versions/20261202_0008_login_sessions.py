"""Server-side login sessions and the failed logins that throttling counts.

- ``login_sessions``: one row per signed-in browser (the cookie holds a random token, the row its
  SHA-256), ended on logout, password change, deactivation and "sign out everywhere".
- ``login_failures``: wrong passwords per username and address, counted over a window so login
  throttling holds across gunicorn workers and restarts.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 05:50:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("end_reason", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editors.id"],
            name=op.f("fk_login_sessions_editor_id_editors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_sessions_token_hash")),
    )
    op.create_index(op.f("ix_login_sessions_editor_id"), "login_sessions", ["editor_id"], unique=False)
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    op.create_index(
        "ix_login_failures_username_created_at", "login_failures", ["username", "created_at"], unique=False
    )
    op.create_index(
        "ix_login_failures_address_created_at", "login_failures", ["address", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_login_failures_address_created_at", table_name="login_failures")
    op.drop_index("ix_login_failures_username_created_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index(op.f("ix_login_sessions_editor_id"), table_name="login_sessions")
    op.drop_table("login_sessions")
