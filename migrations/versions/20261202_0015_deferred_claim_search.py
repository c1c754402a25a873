"""SQLite: a large ingest fills search and counts in two statements instead of two trigger runs per claim.

The row triggers of 0003 (``claims_search_insert``, ``claims_count_insert``) cost a 5 MB article's
ingest about 15 s of its write lock (65,000 claims, one FTS5 insert and one count upsert each);
the same rows go in by ``INSERT ... SELECT`` in under a second. ``claims_search_deferred`` lists the
sources whose claims are being stored that way: the insert triggers skip their rows, and the ingest
fills search and counts for the whole source, then removes the source from the list, all in its one
transaction (no other connection ever sees the list non-empty). PostgreSQL's triggers are already
per statement (set-based): it is unchanged. The table's name starts with ``claims_search`` (see
``UNMANAGED_PREFIXES`` in migrations/env.py).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 14:45:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_NOT_DEFERRED = "WHEN NOT EXISTS (SELECT 1 FROM claims_search_deferred WHERE source_id = new.source_id)"
_COUNT = """INSERT INTO speaker_status_counts (speaker_key, status, n)
            VALUES (coalesce(new.speaker_id, 0), new.status, 1)
            ON CONFLICT (speaker_key, status) DO UPDATE SET n = n + 1;"""
_SEARCH = """INSERT INTO claims_search (rowid, body, status)
            VALUES (new.id, (SELECT text FROM sentences WHERE id = new.sentence_id), 'st' || new.status);"""


def _triggers(when: str) -> dict[str, str]:
    return {
        "claims_count_insert": f"AFTER INSERT ON claims {when} BEGIN {_COUNT} END",
        "claims_search_insert": f"AFTER INSERT ON claims {when} BEGIN {_SEARCH} END",
    }


def _replace_triggers(when: str) -> None:
    for name, body in _triggers(when).items():
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("CREATE TABLE claims_search_deferred (source_id INTEGER NOT NULL PRIMARY KEY)")
    _replace_triggers(_NOT_DEFERRED)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _replace_triggers("")
    op.execute("DROP TABLE IF EXISTS claims_search_deferred")
