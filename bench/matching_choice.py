"""Which similarity decides "the same statement": measured on the matching gold set.

    python -m bench.matching_choice

Runs the matcher over tests/matching/gold_pairs.txt with each candidate similarity in place of the
one factdb uses (the vetoes stay: speaker, polarity, numbers, names), at several thresholds, and
prints precision, recall and the time per comparison. Candidates: the Jaccard index of the
normalised terms (factdb's choice), datasketch's MinHash estimate of it (128 permutations),
rapidfuzz's token_set_ratio and token_sort_ratio (the bench extra), and scikit-learn's TF-IDF cosine
when scikit-learn is installed (it is not a dependency).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

from datasketch import MinHash
from rapidfuzz import fuzz

from factdb.matching import score
from factdb.matching.gold import DEFAULT_GOLD, evaluate, load_pairs
from factdb.matching.score import jaccard

THRESHOLDS = (50, 60, 65, 70, 75, 80, 90)
PERMUTATIONS = 128


@lru_cache(maxsize=4096)
def _minhash(text: str) -> MinHash:
    m = MinHash(num_perm=PERMUTATIONS, seed=1)
    for term in set(text.split()):
        m.update(term.encode("utf-8"))
    return m


def minhash_estimate(a: str, b: str) -> float:
    """datasketch's MinHash estimate of the Jaccard index, 0-100."""
    return 100.0 * float(_minhash(a).jaccard(_minhash(b)))


def _candidates() -> dict[str, Callable[[str, str], float]]:
    found: dict[str, Callable[[str, str], float]] = {
        "Jaccard of terms (factdb)": jaccard,
        f"datasketch MinHash ({PERMUTATIONS})": minhash_estimate,
        "rapidfuzz token_set_ratio": lambda a, b: float(fuzz.token_set_ratio(a, b)),
        "rapidfuzz token_sort_ratio": lambda a, b: float(fuzz.token_sort_ratio(a, b)),
    }
    try:
        from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-not-found]
        from sklearn.metrics.pairwise import cosine_similarity  # type: ignore[import-not-found]
    except ImportError:
        return found
    pairs = load_pairs(DEFAULT_GOLD)
    corpus = [score.prepare(c.content, None).text for p in pairs for c in (p.a, p.b)]
    vectorizer = TfidfVectorizer(token_pattern=r"\S+").fit(corpus)

    def tfidf(a: str, b: str) -> float:
        return 100.0 * float(cosine_similarity(vectorizer.transform([a]), vectorizer.transform([b]))[0, 0])

    found["scikit-learn TF-IDF cosine"] = tfidf
    return found


def main() -> None:
    pairs = load_pairs(DEFAULT_GOLD)
    same = sum(p.same for p in pairs)
    print(f"gold: {len(pairs)} pairs ({same} same statement, {len(pairs) - same} different)")
    chosen = score.SIMILARITY
    try:
        for name, similarity in _candidates().items():
            score.SIMILARITY = similarity
            texts = [
                (score.prepare(p.a.content, None).text, score.prepare(p.b.content, None).text) for p in pairs
            ]
            start = time.perf_counter()
            for a, b in texts * 10:
                similarity(a, b)
            micros = (time.perf_counter() - start) / (len(texts) * 10) * 1e6
            cells = []
            for threshold in THRESHOLDS:
                result = evaluate(pairs, threshold)
                cells.append(f"{threshold}: P {result.precision:.3f} R {result.recall:.3f}")
            print(f"{name:32} {micros:6.1f} µs/pair | " + " | ".join(cells))
    finally:
        score.SIMILARITY = chosen


if __name__ == "__main__":
    main()
