"""Claim matching: when two claims in different sources state the same thing.

Pure text work, no database: :mod:`factdb.matching.text` turns a claim's content into the form
matching compares (case, punctuation, quotes, numbers, spellings and transliterations unified)
and into the features that veto a match (numbers, negation, names); :mod:`factdb.matching.score`
decides whether two prepared claims are the same statement, and makes the MinHash LSH keys that
find the candidates. :mod:`factdb.services.clusters` stores the result.
"""

from factdb.matching import score, text
from factdb.matching.score import (
    MATCH_THRESHOLD,
    Prepared,
    is_match,
    lsh_keys,
    match_score,
    prepare,
    similarity,
)
from factdb.matching.text import normalize_content


def clear_caches() -> None:
    """Forget every prepared claim, normalised content, word and term kept in memory.

    For measuring: a benchmark that ingests the same articles twice would otherwise find the
    second run's claims already prepared by the first (a new claim is never in these caches).
    """
    score.clear_caches()
    text.clear_caches()


__all__ = [
    "MATCH_THRESHOLD",
    "clear_caches",
    "Prepared",
    "is_match",
    "lsh_keys",
    "match_score",
    "normalize_content",
    "prepare",
    "similarity",
]
