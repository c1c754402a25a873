"""The LSH keys computed in bulk are those of datasketch's MinHash, claim by claim (pure, no database)."""

from __future__ import annotations

from datasketch import MinHash

from factdb.matching.score import (
    EMPTY_KEY,
    LSH_BANDS,
    LSH_ROWS,
    MINHASH_SEED,
    _band_key,
    lsh_keys_many,
    prepare,
)
from tests.matching.reports import DIFFERENT, REPORTS

TEXTS = [report.text for report in REPORTS + DIFFERENT] + [
    "The port reopened on Tuesday.",
    "Ministers met twice; nothing was agreed.",
    "",
    "...",
]


def _reference_keys(text: str) -> list[int]:
    """One datasketch MinHash updated term by term, banded as the matcher bands it."""
    terms = set(text.split())
    if not terms:
        return [EMPTY_KEY]
    minhash = MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=MINHASH_SEED)
    for term in terms:
        minhash.update(term.encode("utf-8"))
    values = [int(v) for v in minhash.hashvalues]
    bands = [values[b * LSH_ROWS : (b + 1) * LSH_ROWS] for b in range(LSH_BANDS)]
    return list(dict.fromkeys(_band_key(band, v) for band, v in enumerate(bands)))


def test_bulk_keys_equal_datasketch_minhash_keys() -> None:
    prepared = [prepare(text, None).text for text in TEXTS]
    # In one batch, in batches of one, and in another order: each text's keys never change.
    assert lsh_keys_many(prepared) == [_reference_keys(t) for t in prepared]
    assert [lsh_keys_many([t])[0] for t in prepared] == [_reference_keys(t) for t in prepared]
    assert lsh_keys_many(prepared[::-1]) == [_reference_keys(t) for t in prepared[::-1]]
    assert lsh_keys_many(["", ""]) == [[EMPTY_KEY], [EMPTY_KEY]]
