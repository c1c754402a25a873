"""Claim match keys carry the claim's signature (numbers, polarity, stance): every stored key is recomputed.

Matching compares a claim only with claims of equal numbers, polarity and "urges" stance (the exact
vetoes); most candidates its MinHash keys found failed the numbers veto and were read and compared
for nothing. Each key is now a hash of the band's MinHash values *and* that signature
(``factdb.matching.score.signature``), so a key finds only claims those vetoes let through. No
column changes: the keys of every claim that has keys are computed again here, as this release
computes them (the indexes on ``key`` are dropped meanwhile and built again at the end, which is
faster than keeping them up to date row by row). Claims without keys (not matched yet) stay
without; ``factdb claims match`` gives them theirs.

Downgrade computes the keys of the previous release (a digest of the band's values alone).

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:40:00

"""

import hashlib
import struct
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Claims read, keyed and written per round.
_BATCH = 5000
_INDEXES = {
    "ix_claim_match_keys_key_claim": ["key", "claim_id"],
    "ix_claim_match_keys_key_speaker_claim": ["key", "speaker_id", "claim_id"],
}

#: What a claim's keys are computed from: (content, speaker_id, stance value) in, keys out.
KeyFunction = Callable[[list[tuple[str, int | None, str]]], list[list[int]]]


def _signed_keys(rows: list[tuple[str, int | None, str]]) -> list[list[int]]:
    # The keys as this release computes them.
    from factdb.enums import Stance
    from factdb.matching.score import lsh_keys_many, prepare

    return lsh_keys_many([prepare(content, speaker, Stance(stance)) for content, speaker, stance in rows])


def _old_band_key(band: int, values: Sequence[int]) -> int:
    # The previous release's key of one band, frozen here: a digest of the band's number and values.
    digest = hashlib.blake2b(struct.pack(f"<I{len(values)}Q", band, *values), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def _old_keys(rows: list[tuple[str, int | None, str]]) -> list[list[int]]:
    from factdb.enums import Stance
    from factdb.matching.score import EMPTY_KEY, LSH_BANDS, LSH_ROWS, minhash_values, prepare

    texts = [prepare(content, speaker, Stance(stance)).text for content, speaker, stance in rows]
    keys: list[list[int]] = []
    for values in minhash_values(texts):
        if values is None:
            keys.append([EMPTY_KEY])
            continue
        bands = (values[b * LSH_ROWS : (b + 1) * LSH_ROWS] for b in range(LSH_BANDS))
        keys.append(list(dict.fromkeys(_old_band_key(b, v) for b, v in enumerate(bands))))
    return keys


def _rekey(keys_of: KeyFunction) -> None:
    connection = op.get_bind()
    for name in _INDEXES:
        op.drop_index(name, table_name="claim_match_keys")
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"  # SQLite's; psycopg takes %s
    insert = f'INSERT INTO claim_match_keys (claim_id, "key", speaker_id) VALUES ({mark}, {mark}, {mark})'
    last = 0
    while True:
        claims = connection.execute(
            sa.text(
                "SELECT c.id, c.content, c.speaker_id, c.stance FROM claims AS c WHERE c.id > :last "
                "AND EXISTS (SELECT 1 FROM claim_match_keys AS k WHERE k.claim_id = c.id) "
                "ORDER BY c.id LIMIT :n"
            ),
            {"last": last, "n": _BATCH},
        ).all()
        if not claims:
            break
        keys = keys_of([(c.content, c.speaker_id, str(c.stance)) for c in claims])
        connection.execute(
            sa.text("DELETE FROM claim_match_keys WHERE claim_id > :last AND claim_id <= :top"),
            {"last": last, "top": claims[-1].id},
        )
        rows = [
            (c.id, k, c.speaker_id) for c, claim_keys in zip(claims, keys, strict=True) for k in claim_keys
        ]
        connection.exec_driver_sql(insert, rows)
        last = claims[-1].id
    for name, columns in _INDEXES.items():
        op.create_index(name, "claim_match_keys", columns, unique=False)


def upgrade() -> None:
    _rekey(_signed_keys)


def downgrade() -> None:
    _rekey(_old_keys)
