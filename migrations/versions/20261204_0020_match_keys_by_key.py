"""Claim match keys stored in key order, six a claim: one index to write instead of three.

Storing a claim's keys was the largest part of matching on SQLite (issue 17: ingest with matching
within 25% of ingest without): each key row went into the table and three indexes, two of them in
random key order. The table is now keyed by what the lookups search, (key, speaker_key, claim_id),
and on SQLite kept in that order (``WITHOUT ROWID``: the rows are the index), with one more index,
on ``claim_id``, which grows in order (a claim's keys, for a cascade and "has this claim keys").

``speaker_key`` replaces ``speaker_id``: the claim's speaker id, or 0 when the speaker is unresolved
(a primary key column cannot be NULL), kept equal to ``claims.speaker_id`` by the trigger as before.

A claim gets :data:`factdb.matching.score.LSH_BANDS` keys, six where it had eight: on the matching
gold set every pair the matcher accepts still shares a key with four bands or more, and on 20,040
bench claims six bands give the same clustered claims as eight (``python -m bench.matching``). So
every stored key is recomputed here, for the claims that had keys; the others are matched by
``factdb claims match`` as before. Downgrade recomputes the eight keys of the previous release.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 16:40:00

"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "claim_match_keys"
OLD = "claim_match_keys_old"
TRIGGER = "claims_match_keys_speaker"
#: Claims read, keyed and written per round.
_BATCH = 5000
#: The previous release's LSH: bands of rows over a MinHash of this many permutations and seed.
_OLD_BANDS, _OLD_ROWS, _OLD_SEED = 8, 2, 17

#: What a claim's keys are computed from: (content, speaker_id, stance value) in, keys out.
KeyFunction = Callable[[list[tuple[str, int | None, str]]], list[list[int]]]


def _keys(rows: list[tuple[str, int | None, str]]) -> list[list[int]]:
    # The keys as this release computes them.
    from factdb.enums import Stance
    from factdb.matching.score import lsh_keys_many, prepare

    return lsh_keys_many([prepare(content, speaker, Stance(stance)) for content, speaker, stance in rows])


def _old_keys(rows: list[tuple[str, int | None, str]]) -> list[list[int]]:
    # The previous release's keys, frozen here: eight bands of two values of a 16-permutation
    # MinHash (datasketch's own, a claim at a time), each mixed with the claim's signature.
    import numpy as np
    from datasketch import MinHash

    from factdb.enums import Stance
    from factdb.matching.score import EMPTY_KEY, RESERVED_KEYS, mix64, prepare, signature

    bands = mix64(np.arange(1, _OLD_BANDS + 1, dtype=np.uint64))
    keys: list[list[int]] = []
    for content, speaker, stance in rows:
        claim = prepare(content, speaker, Stance(stance))
        if not claim.terms:
            keys.append([EMPTY_KEY])
            continue
        minhash = MinHash(num_perm=_OLD_BANDS * _OLD_ROWS, seed=_OLD_SEED)
        minhash.update_batch([term.encode("utf-8") for term in claim.terms])
        values = minhash.hashvalues.astype(np.uint64).reshape(_OLD_BANDS, _OLD_ROWS)
        mixed = mix64(np.uint64(signature(claim)) ^ bands)
        for row in range(_OLD_ROWS):
            mixed = mix64(mixed ^ values[:, row])
        keys.append(list(dict.fromkeys(RESERVED_KEYS.get(k, k) for k in mixed.view(np.int64).tolist())))
    return keys


def _set_aside(indexes: Sequence[str]) -> None:
    """Drop the trigger and ``indexes``, and rename the table to :data:`OLD` (its index on
    ``claim_id``, kept, finds the claims that have keys)."""
    connection = op.get_bind()
    if connection.dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON claims")
        op.execute(f"DROP FUNCTION IF EXISTS factdb_{TRIGGER}()")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER}")
    for index in indexes:
        op.drop_index(index, table_name=TABLE)
    op.rename_table(TABLE, OLD)
    if connection.dialect.name == "postgresql":
        # Constraint names that own an index are unique in the schema: free the new table's name.
        op.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT pk_{TABLE} TO pk_{OLD}")


def _fill(keys_of: KeyFunction, insert: str, speaker: Callable[[int | None], int | None]) -> None:
    """Recompute the keys of every claim that has keys in :data:`OLD` into :data:`TABLE`."""
    connection = op.get_bind()
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"  # SQLite's; psycopg takes %s
    insert = insert.format(mark=mark)
    last = 0
    while True:
        claims = connection.execute(
            sa.text(
                "SELECT c.id, c.content, c.speaker_id, c.stance FROM claims AS c WHERE c.id > :last "
                f"AND EXISTS (SELECT 1 FROM {OLD} AS k WHERE k.claim_id = c.id) ORDER BY c.id LIMIT :n"  # noqa: S608
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not claims:
            break
        keys = keys_of([(c.content, c.speaker_id, str(c.stance)) for c in claims])
        rows = [
            (c.id, k, speaker(c.speaker_id))
            for c, claim_keys in zip(claims, keys, strict=True)
            for k in claim_keys
        ]
        connection.exec_driver_sql(insert, rows)
        last = claims[-1].id
    op.drop_table(OLD)


def _create_trigger(copy: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE FUNCTION factdb_{TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {copy}; RETURN NULL; END $$"
        )
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF speaker_id ON claims FOR EACH ROW "
            f"WHEN (old.speaker_id IS DISTINCT FROM new.speaker_id) EXECUTE FUNCTION factdb_{TRIGGER}()"
        )
    else:
        op.execute(
            f"CREATE TRIGGER {TRIGGER} AFTER UPDATE OF speaker_id ON claims "
            f"WHEN old.speaker_id IS NOT new.speaker_id BEGIN {copy}; END"
        )


#: The previous release's indexes on ``key``.
_OLD_INDEXES = {
    "ix_claim_match_keys_key_claim": ["key", "claim_id"],
    "ix_claim_match_keys_key_speaker_claim": ["key", "speaker_id", "claim_id"],
}


def upgrade() -> None:
    _set_aside(list(_OLD_INDEXES))
    op.create_table(
        TABLE,
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("speaker_key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_match_keys_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("key", "speaker_key", "claim_id", name=op.f("pk_claim_match_keys")),
        sqlite_with_rowid=False,
    )
    _fill(
        _keys,
        f'INSERT INTO {TABLE} (claim_id, "key", speaker_key) VALUES ({{mark}}, {{mark}}, {{mark}})',  # noqa: S608
        lambda speaker_id: speaker_id or 0,
    )
    op.create_index(op.f("ix_claim_match_keys_claim_id"), TABLE, ["claim_id"], unique=False)
    _create_trigger(f"UPDATE {TABLE} SET speaker_key = coalesce(new.speaker_id, 0) WHERE claim_id = new.id")


def downgrade() -> None:
    _set_aside([])
    op.create_table(
        TABLE,
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("speaker_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claim_id"], ["claims.id"], name=op.f("fk_claim_match_keys_claim_id_claims"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("claim_id", "key", name=op.f("pk_claim_match_keys")),
    )
    _fill(
        _old_keys,
        f'INSERT INTO {TABLE} (claim_id, "key", speaker_id) VALUES ({{mark}}, {{mark}}, {{mark}})',  # noqa: S608
        lambda speaker_id: speaker_id,
    )
    for name, columns in _OLD_INDEXES.items():
        op.create_index(name, TABLE, columns, unique=False)
    _create_trigger(f"UPDATE {TABLE} SET speaker_id = new.speaker_id WHERE claim_id = new.id")
