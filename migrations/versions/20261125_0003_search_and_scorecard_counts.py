"""Speed at archive scale: full-text search, per-speaker status counts, and list indexes.

- Search: on SQLite a contentless FTS5 table ``claims_search`` with one row per claim (its sentence's
  words and a status token), kept in sync by triggers; on PostgreSQL a GIN index on
  ``to_tsvector('simple', text)`` of sentences (kept by PostgreSQL itself). A claim's content is always a
  span of its sentence, so indexing sentence words finds claims by their content too.
  Their names are in migrations/env.py's ``UNMANAGED_PREFIXES`` so ``alembic check`` leaves them alone.
- ``speaker_status_counts``: claims per speaker and status, kept by triggers on ``claims`` (row
  triggers on SQLite, statement triggers with transition tables on PostgreSQL), so scorecards read
  a few thousand rows instead of grouping every claim.
- ``ix_claims_speaker_status_id`` for speaker+status pages, ``ix_claims_speaker_id_id`` for a
  speaker's pages and first and last claim (it replaces the plain speaker_id index).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 11:45:40.319453

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SEARCHED = (("sentences", "text"),)  # PostgreSQL's GIN index

SQLITE_COUNT_TRIGGERS = {
    "claims_count_insert": """
        CREATE TRIGGER claims_count_insert AFTER INSERT ON claims BEGIN
            INSERT INTO speaker_status_counts (speaker_key, status, n)
            VALUES (coalesce(new.speaker_id, 0), new.status, 1)
            ON CONFLICT (speaker_key, status) DO UPDATE SET n = n + 1;
        END""",
    "claims_count_delete": """
        CREATE TRIGGER claims_count_delete AFTER DELETE ON claims BEGIN
            UPDATE speaker_status_counts SET n = n - 1
            WHERE speaker_key = coalesce(old.speaker_id, 0) AND status = old.status;
        END""",
    "claims_count_update": """
        CREATE TRIGGER claims_count_update AFTER UPDATE OF speaker_id, status ON claims
        WHEN coalesce(old.speaker_id, 0) != coalesce(new.speaker_id, 0) OR old.status != new.status BEGIN
            UPDATE speaker_status_counts SET n = n - 1
            WHERE speaker_key = coalesce(old.speaker_id, 0) AND status = old.status;
            INSERT INTO speaker_status_counts (speaker_key, status, n)
            VALUES (coalesce(new.speaker_id, 0), new.status, 1)
            ON CONFLICT (speaker_key, status) DO UPDATE SET n = n + 1;
        END""",
}

PG_COUNT_FUNCTION = """
CREATE FUNCTION factdb_count_claims() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE speaker_status_counts AS c SET n = c.n - d.n
        FROM (SELECT coalesce(speaker_id, 0) AS speaker_key, status, count(*) AS n
              FROM old_rows GROUP BY 1, 2) AS d
        WHERE c.speaker_key = d.speaker_key AND c.status = d.status;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO speaker_status_counts AS c (speaker_key, status, n)
        SELECT coalesce(speaker_id, 0), status, count(*) FROM new_rows GROUP BY 1, 2
        ON CONFLICT (speaker_key, status) DO UPDATE SET n = c.n + excluded.n;
    END IF;
    RETURN NULL;
END $$
"""

PG_COUNT_TRIGGERS = {
    "claims_count_insert": "AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows",
    "claims_count_update": "AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "claims_count_delete": "AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows",
}


# SQLite: one contentless FTS5 row per claim holding its sentence's words and a status token
# ("stdisputed"), so "these words, this status" and per-status counts are answered by the index alone.
# A contentless table needs the old values to delete a row: the sentence text never changes, and the
# triggers read it and the old status.
_SENTENCE_OF_NEW = "(SELECT text FROM sentences WHERE id = new.sentence_id)"
_SENTENCE_OF_OLD = "(SELECT text FROM sentences WHERE id = old.sentence_id)"
_ADD = f"INSERT INTO claims_search (rowid, body, status) VALUES (new.id, {_SENTENCE_OF_NEW}, 'st' || new.status);"
_REMOVE = (
    "INSERT INTO claims_search (claims_search, rowid, body, status) "
    f"VALUES ('delete', old.id, {_SENTENCE_OF_OLD}, 'st' || old.status);"
)
SQLITE_SEARCH_TRIGGERS = {
    "claims_search_insert": f"AFTER INSERT ON claims BEGIN {_ADD} END",
    "claims_search_update": f"AFTER UPDATE OF status, sentence_id ON claims BEGIN {_REMOVE} {_ADD} END",
    "claims_search_delete": f"AFTER DELETE ON claims BEGIN {_REMOVE} END",
}


def _sqlite_search_up() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE claims_search USING fts5(body, status, content='', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    for name, body in SQLITE_SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {body}")
    op.execute(
        "INSERT INTO claims_search (rowid, body, status) "
        "SELECT claims.id, sentences.text, 'st' || claims.status FROM claims JOIN sentences ON sentences.id = claims.sentence_id"
    )


def _sqlite_search_down() -> None:
    for name in SQLITE_SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS claims_search")


def upgrade() -> None:
    op.create_table(
        "speaker_status_counts",
        sa.Column("speaker_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "status",
            sa.Enum("unverified", "confirmed", "disputed", "false", "unverifiable", name="count_status",
                    native_enum=False, create_constraint=True, length=12),
            nullable=False,
        ),
        sa.Column("n", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("speaker_key", "status", name=op.f("pk_speaker_status_counts")),
    )  # fmt: skip
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_speaker_id"))
        batch_op.create_index("ix_claims_speaker_id_id", ["speaker_id", "id"], unique=False)
        batch_op.create_index("ix_claims_speaker_status_id", ["speaker_id", "status", "id"], unique=False)

    op.execute(
        "INSERT INTO speaker_status_counts (speaker_key, status, n) "
        "SELECT coalesce(speaker_id, 0), status, count(*) FROM claims GROUP BY coalesce(speaker_id, 0), status"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_COUNT_FUNCTION)
        for name, when in PG_COUNT_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION factdb_count_claims()"
            )
        for table, column in SEARCHED:
            op.execute(f"CREATE INDEX ix_{table}_fts ON {table} USING gin (to_tsvector('simple', {column}))")
    else:
        for sql in SQLITE_COUNT_TRIGGERS.values():
            op.execute(sql)
        _sqlite_search_up()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, _column in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS ix_{table}_fts")
        for name in PG_COUNT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON claims")
        op.execute("DROP FUNCTION IF EXISTS factdb_count_claims()")
    else:
        _sqlite_search_down()
        for name in SQLITE_COUNT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index("ix_claims_speaker_status_id")
        batch_op.drop_index("ix_claims_speaker_id_id")
        batch_op.create_index(batch_op.f("ix_claims_speaker_id"), ["speaker_id"], unique=False)
    op.drop_table("speaker_status_counts")
