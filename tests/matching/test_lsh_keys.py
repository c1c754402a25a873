"""The LSH keys computed in bulk: datasketch's MinHash values, banded with the claim's signature
(pure, no database)."""

from __future__ import annotations

import pytest
from datasketch import MinHash

from factdb.enums import Stance
from factdb.matching import score
from factdb.matching.score import (
    EMPTY_KEY,
    LSH_BANDS,
    LSH_ROWS,
    MINHASH_SEED,
    _rows_of_new_terms,
    lsh_keys,
    lsh_keys_many,
    minhash_values,
    prepare,
)
from tests.matching.reports import DIFFERENT, REPORTS

TEXTS = [report.text for report in REPORTS + DIFFERENT] + [
    "The port reopened on Tuesday.",
    "Ministers met twice; nothing was agreed.",
    "",
    "...",
]


def _reference_values(text: str) -> list[int] | None:
    """One datasketch MinHash updated term by term."""
    terms = set(text.split())
    if not terms:
        return None
    minhash = MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=MINHASH_SEED)
    for term in terms:
        minhash.update(term.encode("utf-8"))
    return [int(v) for v in minhash.hashvalues]


def test_bulk_minhash_values_equal_datasketch() -> None:
    texts = [prepare(text, None).text for text in TEXTS]
    assert minhash_values(texts) == [_reference_values(t) for t in texts]
    assert minhash_values(["", ""]) == [None, None]


def test_keys_do_not_depend_on_the_batch() -> None:
    claims = [prepare(text, None) for text in TEXTS]
    alone = [lsh_keys(claim) for claim in claims]
    # In one batch, in batches of one, and in another order: each claim's keys never change.
    assert lsh_keys_many(claims) == alone
    assert lsh_keys_many(claims[::-1]) == alone[::-1]
    assert lsh_keys_many([prepare("", None), prepare("...", 3)]) == [[EMPTY_KEY], [EMPTY_KEY]]
    for keys in alone:
        assert len(keys) == len(set(keys))
        assert keys == [EMPTY_KEY] or (len(keys) == LSH_BANDS and EMPTY_KEY not in keys)


def test_claims_that_a_veto_parts_share_no_key() -> None:
    """Numbers, polarity and "urges" are in every key: a claim finds only candidates it may match."""
    base = lsh_keys(prepare("Forces recaptured two villages near the river overnight.", 1))
    assert lsh_keys(prepare("forces recaptured 2 villages near the river overnight", None)) == base
    for other in (
        prepare("Forces recaptured three villages near the river overnight.", 1),
        prepare("Forces did not recapture two villages near the river overnight.", 1),
        prepare("Forces recaptured two villages near the river overnight.", 1, Stance.DENIES),
        prepare("Forces recaptured two villages near the river overnight.", 1, Stance.URGES),
    ):
        assert not set(lsh_keys(other)) & set(base)
    # The speaker is not in the key (it is stored beside it): an unresolved claim finds the others.
    assert lsh_keys(prepare("Forces recaptured two villages near the river overnight.", 7)) == base


def test_new_terms_hashed_in_bulk_as_datasketch_hashes_each() -> None:
    """The rows of never-seen terms, computed for all at once, are datasketch's MinHash of each."""
    terms = [f"term{n}" for n in range(300)] + ["", "Zelenskyy", "1,200", "naïve", "\u041a\u0438\u0435\u0432"]
    bulk = _rows_of_new_terms(terms)
    for term, row in zip(terms, bulk, strict=True):
        reference = MinHash(num_perm=LSH_BANDS * LSH_ROWS, seed=MINHASH_SEED)
        reference.update(term.encode("utf-8"))
        assert row.tolist() == reference.hashvalues.tolist()


def test_a_full_term_cache_never_drops_a_term_the_pass_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pass bringing more new terms than the cache holds still gets every term's row: a term
    cached by an earlier pass (now the oldest) is not dropped before this pass has read it."""
    monkeypatch.setattr(score, "TERM_CACHE", 8)
    monkeypatch.setattr(score, "_term_rows", {})
    earlier = "The harbour closed on Monday after the storm."
    score.lsh_keys_many([prepare(earlier, 1)])
    many_new = " ".join(f"word{n}" for n in range(40))
    pass_texts = [earlier, f"The harbour closed {many_new}."]
    keys = score.lsh_keys_many([prepare(text, 1) for text in pass_texts])
    monkeypatch.setattr(score, "_term_rows", {})
    monkeypatch.setattr(score, "TERM_CACHE", 1 << 20)
    assert keys == score.lsh_keys_many([prepare(text, 1) for text in pass_texts])
    assert len(score._term_rows) <= 1 << 20
