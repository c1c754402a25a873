"""review_follows append-only: a copy's link to the review it followed is refused UPDATE and DELETE.

``review_follows`` says which review a copy's verdict was applied from (review once, issue 17). It
is part of the record as much as the reviews it joins, which revisions 0002 and 0009 made
append-only; without the same triggers a row could be re-pointed or removed without a trace in the
database. Same guards as ``evidence``: PostgreSQL refuses UPDATE, DELETE and TRUNCATE with the
``factdb_append_only()`` function of revision 0002; SQLite refuses UPDATE, DELETE and an INSERT OR
REPLACE of an existing review's row (REPLACE deletes without firing delete triggers).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 19:20:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "review_follows"
SQLITE_TRIGGERS = {
    f"{TABLE}_no_update": f"BEFORE UPDATE ON {TABLE} BEGIN "
    f"SELECT RAISE(ABORT, '{TABLE} is append-only: UPDATE refused'); END",
    f"{TABLE}_no_delete": f"BEFORE DELETE ON {TABLE} BEGIN "
    f"SELECT RAISE(ABORT, '{TABLE} is append-only: DELETE refused'); END",
    f"{TABLE}_no_replace": f"BEFORE INSERT ON {TABLE} "
    f"WHEN EXISTS (SELECT 1 FROM {TABLE} WHERE review_id = new.review_id) "
    f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: REPLACE of an existing row refused'); END",
}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION factdb_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION factdb_append_only()"
        )
    else:
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
    else:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
