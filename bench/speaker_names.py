"""Speaker-name matching: which word similarity decides "the same speaker", measured on our own gold.

    python -m bench.speaker_names

Scores factdb's name key with each candidate word similarity on tests/gold/speaker_names.tsv (pairs
of invented name variants labelled same/different), beside a baseline that compares whole names
with RapidFuzz's token_sort_ratio and no key. Prints merge precision/recall (pairs merged at ingest),
queue precision/recall (merged or proposed to editors) and the time per comparison. jellyfish is
timed when it is installed (it is not a dependency).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Indel, Jaro, JaroWinkler

from factdb.extract import normalize_alias
from factdb.services.speaker_names import (
    SIMILAR_WORD,
    Judgement,
    Match,
    WordSimilarity,
    compare,
    name_key,
    read_name_pairs,
    score_pairs,
)

GOLD = Path(__file__).resolve().parents[1] / "tests" / "gold" / "speaker_names.tsv"
REPEAT = 200


def _with(similarity: WordSimilarity) -> Callable[[str, str], Judgement]:
    return lambda a, b: compare(name_key(a), name_key(b), similarity)


MEASURES: dict[str, WordSimilarity] = {
    "Jaro-Winkler": JaroWinkler.normalized_similarity,
    "Jaro": Jaro.normalized_similarity,
    "Indel": Indel.normalized_similarity,
}
THRESHOLDS = (0.80, 0.84, 0.88, 0.92)


def _thresholded(measure: WordSimilarity, threshold: float) -> WordSimilarity:
    # compare() takes SIMILAR_WORD as its bar: rescale so that ``threshold`` lands on it.
    return lambda a, b: min(1.0, measure(a, b) * SIMILAR_WORD / threshold)


def _exact_words(a: str, b: str) -> float:
    return 1.0 if a == b else 0.0


def _whole_name(a: str, b: str) -> Judgement:
    ratio = fuzz.token_sort_ratio(normalize_alias(a), normalize_alias(b))
    if ratio >= 95:
        return Judgement(Match.SAME, ratio / 100, "")
    return Judgement(Match.UNSURE if ratio >= 80 else Match.DIFFERENT, ratio / 100, "")


def main() -> None:
    pairs = [
        (a, b, same) for a, b, _kind, same in read_name_pairs(GOLD.read_text(encoding="utf-8").splitlines())
    ]
    judges: dict[str, Callable[[str, str], Judgement]] = {
        "key + rapidfuzz Jaro-Winkler": _with(JaroWinkler.normalized_similarity),
        "key + rapidfuzz Jaro": _with(Jaro.normalized_similarity),
        "key + rapidfuzz Indel ratio (chosen)": _with(Indel.normalized_similarity),
        "key + exact words only": _with(_exact_words),
        "no key, rapidfuzz token_sort_ratio": _whole_name,
    }
    try:
        import jellyfish  # noqa: PLC0415 - optional, measured only when installed

        judges["key + jellyfish Jaro-Winkler"] = _with(jellyfish.jaro_winkler_similarity)
        judges["key + jellyfish metaphone equal"] = _with(
            lambda a, b: 1.0 if jellyfish.metaphone(a) == jellyfish.metaphone(b) else 0.0
        )
    except ImportError:
        pass
    print("threshold sweep (queue precision / recall at each SIMILAR_WORD):")
    for label, measure in MEASURES.items():
        cells = []
        for threshold in THRESHOLDS:
            scores = score_pairs(pairs, _with(_thresholded(measure, threshold)))
            cells.append(f"{threshold:.2f}: {scores.queue_precision:.3f}/{scores.queue_recall:.3f}")
        print(f"  {label:20} " + "  ".join(cells))
    same = sum(s for _a, _b, s in pairs)
    print(f"{len(pairs)} pairs ({same} same, {len(pairs) - same} different)")
    print(f"{'judge':40} {'merge P':>8} {'merge R':>8} {'queue P':>8} {'queue R':>8} {'µs/pair':>8}")
    for label, judge in judges.items():
        scores = score_pairs(pairs, judge)
        start = time.perf_counter()
        for _ in range(REPEAT):
            for a, b, _s in pairs:
                judge(a, b)
        micro = (time.perf_counter() - start) / (REPEAT * len(pairs)) * 1e6
        print(
            f"{label:40} {scores.merge_precision:8.3f} {scores.merge_recall:8.3f} "
            f"{scores.queue_precision:8.3f} {scores.queue_recall:8.3f} {micro:8.1f}"
        )


if __name__ == "__main__":
    main()
