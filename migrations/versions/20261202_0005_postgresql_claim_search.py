"""PostgreSQL search by claim: one row per claim with its words and status, and per-word status counts.

Revision 0003 searched sentences on PostgreSQL (a GIN index on ``to_tsvector(text)``): a search
within a status, and its facet counts, had to visit every hit of the words (554 ms for a common word
at 1M claims). This revision gives PostgreSQL what SQLite's FTS5 table already has:

- ``claims_search``: one row per claim, ``words`` = its sentence's words (positions stripped) plus one
  status lexeme ``'status disputed'`` (the parser never makes a lexeme with a space, so no sentence
  word can pass for a status), GIN-indexed: "these words in this status" is one index lookup.
- ``claims_search_counts``: how many claims hold each word in each status, so the facet counts of a
  one-word search are five rows of this table instead of a count of every hit.

One statement trigger per kind of write on ``claims`` keeps both in step. It takes the count rows'
locks in (word, status) order, so concurrent ingests queue instead of deadlocking. The sentence
index of 0003 is dropped (nothing reads it any more). SQLite is unchanged. These objects' names start
with ``claims_search`` (see ``UNMANAGED_PREFIXES`` in migrations/env.py).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 05:40:00

"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The status lexeme of a claim row ('status disputed').
_STATUS = "array_to_tsvector(ARRAY['status ' || {0}])"
# Add (sign 1) or remove (sign -1) the words of some claims from the counts, in one lock order.
_COUNT = """
    INSERT INTO claims_search_counts AS c (lexeme, status, n)
    SELECT lexeme, status, sum(d) FROM deltas
    WHERE strpos(lexeme, ' ') = 0  -- the status lexeme is no word
    GROUP BY lexeme, status HAVING sum(d) <> 0
    ORDER BY lexeme, status  -- every writer locks count rows in this order: ingests never deadlock
    ON CONFLICT (lexeme, status) DO UPDATE SET n = c.n + excluded.n;"""

PG_SEARCH_FUNCTION = f"""
CREATE FUNCTION factdb_claims_search() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH fresh AS (
            SELECT n.id, n.status, strip(to_tsvector('simple', s.text)) AS words
            FROM new_rows n JOIN sentences s ON s.id = n.sentence_id
        ), added AS (
            INSERT INTO claims_search (claim_id, words)
            SELECT id, words || {_STATUS.format("status")} FROM fresh
        ), deltas AS (
            SELECT w.lexeme, f.status, 1 AS d FROM fresh f, unnest(tsvector_to_array(f.words)) AS w(lexeme)
        ){_COUNT}
    ELSIF TG_OP = 'DELETE' THEN
        WITH gone AS (
            DELETE FROM claims_search cs USING old_rows o WHERE cs.claim_id = o.id
            RETURNING cs.words, o.status
        ), deltas AS (
            SELECT w.lexeme, g.status, -1 AS d FROM gone g, unnest(tsvector_to_array(g.words)) AS w(lexeme)
        ){_COUNT}
    ELSE
        -- Only a new status or sentence changes a claim's row (transition tables allow no column list).
        WITH changed AS (
            SELECT n.id, o.status AS old_status, n.status, n.sentence_id
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.status <> n.status OR o.sentence_id <> n.sentence_id
        ), fresh AS (
            SELECT c.id, c.old_status, c.status, strip(to_tsvector('simple', s.text)) AS words
            FROM changed c JOIN sentences s ON s.id = c.sentence_id
        ), moved AS (
            UPDATE claims_search cs SET words = f.words || {_STATUS.format("f.status")}
            FROM fresh f, claims_search was  -- "was": the row before this update, for its old words
            WHERE cs.claim_id = f.id AND was.claim_id = f.id
            RETURNING was.words AS old_words, f.words, f.old_status, f.status
        ), deltas AS (
            SELECT w.lexeme, m.old_status AS status, -1 AS d
            FROM moved m, unnest(tsvector_to_array(m.old_words)) AS w(lexeme)
            UNION ALL
            SELECT w.lexeme, m.status, 1 FROM moved m, unnest(tsvector_to_array(m.words)) AS w(lexeme)
        ){_COUNT}
    END IF;
    RETURN NULL;
END $$
"""

PG_SEARCH_TRIGGERS = {
    "claims_search_insert": "AFTER INSERT ON claims REFERENCING NEW TABLE AS new_rows",
    "claims_search_update": "AFTER UPDATE ON claims REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "claims_search_delete": "AFTER DELETE ON claims REFERENCING OLD TABLE AS old_rows",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite's claims_search (0003) already holds claims with their status
    op.execute("CREATE TABLE claims_search (claim_id integer PRIMARY KEY, words tsvector NOT NULL)")
    op.execute(
        "CREATE TABLE claims_search_counts (lexeme text NOT NULL, status varchar(12) NOT NULL, "
        "n integer NOT NULL, PRIMARY KEY (lexeme, status))"
    )
    # Filled before the index and triggers exist: one pass, then one index build.
    op.execute(
        "INSERT INTO claims_search (claim_id, words) "
        f"SELECT c.id, strip(to_tsvector('simple', s.text)) || {_STATUS.format('c.status')} "
        "FROM claims c JOIN sentences s ON s.id = c.sentence_id"
    )
    op.execute(
        "INSERT INTO claims_search_counts (lexeme, status, n) "
        "SELECT w.lexeme, c.status, count(*) FROM claims c JOIN claims_search cs ON cs.claim_id = c.id, "
        "unnest(tsvector_to_array(cs.words)) AS w(lexeme) WHERE strpos(w.lexeme, ' ') = 0 "
        "GROUP BY w.lexeme, c.status"
    )
    op.execute("CREATE INDEX claims_search_words ON claims_search USING gin (words)")
    op.execute(PG_SEARCH_FUNCTION)
    for name, when in PG_SEARCH_TRIGGERS.items():
        op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION factdb_claims_search()")
    op.execute("DROP INDEX IF EXISTS ix_sentences_fts")
    op.execute("ANALYZE claims_search")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX ix_sentences_fts ON sentences USING gin (to_tsvector('simple', text))")
    for name in PG_SEARCH_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON claims")
    op.execute("DROP FUNCTION IF EXISTS factdb_claims_search()")
    op.execute("DROP TABLE IF EXISTS claims_search_counts")
    op.execute("DROP TABLE IF EXISTS claims_search")
