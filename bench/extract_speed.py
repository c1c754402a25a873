"""Extraction speed: sentences per second end to end, on at least 5 MB of real news text.

    python -m bench.extract_speed [--corpus PATH.jsonl] [--min-mb 5] [--model-file PATH] [--sample PATH]

Reads the PolNeAR articles from ../shared/corpora/polnear (never copied into the repo), repeats
them until the text reaches --min-mb, and times factdb's segmenter alone, the rules (the whole
engine) and the hybrid (rules + the learned tagger), by the wall clock and by the process's CPU
time (the figure to compare on a loaded machine). The tagger is --model-file (CRFsuite bytes, e.g.
a model trained locally) or one trained at start on the project's own gold; tagging time hardly
depends on which. If pysbd, syntok or blingfire are installed it times their segmentation on the
same text for comparison. Last it times one article at a time (--sample, the shared example
article by default): what ingesting a single article of that size costs, rules and hybrid.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from factdb.extract import extract
from factdb.extract.model import Tagger, gold_examples, hybrid_extract, train_crf
from factdb.extract.scoring import load_gold
from factdb.extract.segment import segment

DEFAULT_CORPUS = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "polnear" / "polnear-train.jsonl"
)
OWN_GOLD = Path(__file__).resolve().parents[1] / "tests" / "gold"
DEFAULT_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "examples" / "kursk-offensive.txt"
# One article is extracted this many times over; the fastest run is its figure (the least
# disturbed by other work on the machine).
SAMPLE_RUNS = 50


def _tagger(model_file: Path | None) -> Tagger:
    if model_file is not None:
        return Tagger(model_file.stem, model_file.read_bytes())
    docs = [doc for path in sorted(OWN_GOLD.rglob("*.gold.json")) for doc in load_gold(path)]
    return Tagger("own-gold", train_crf(list(gold_examples(docs))))


def _articles(corpus: Path, min_bytes: int) -> list[str]:
    texts = [
        json.loads(line)["text"] for line in corpus.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    articles: list[str] = []
    size = 0
    while size < min_bytes:
        for text in texts:
            articles.append(text)
            size += len(text.encode("utf-8"))
            if size >= min_bytes:
                break
    return articles


def _time(label: str, articles: list[str], run: Callable[[str], int], mb: float) -> tuple[str, float, int]:
    start, cpu_start = time.perf_counter(), time.process_time()
    count = sum(run(text) for text in articles)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    rate = count / elapsed
    # The CPU time is this process's alone: on a machine other work keeps busy it moves far less
    # than the wall clock, so its rate is the one to compare between runs.
    print(
        f"{label:28} {count:>9,} sentences  {elapsed:7.2f} s  {rate:>10,.0f} sent/s  {mb / elapsed:6.2f} MB/s"
        f"  (CPU {cpu:6.2f} s, {count / cpu:>8,.0f} sent/s)"
    )
    return label, elapsed, count


def _one_article(label: str, text: str, run: Callable[[str], int]) -> None:
    """Time one article at a time: the fastest of SAMPLE_RUNS runs, and the median."""
    times = []
    count = 0
    for _ in range(SAMPLE_RUNS):
        start = time.perf_counter()
        count = run(text)
        times.append(time.perf_counter() - start)
    times.sort()
    best, median = times[0], times[len(times) // 2]
    print(
        f"{label:28} {count:>4} sentences  best {best * 1000:7.2f} ms  median {median * 1000:7.2f} ms  "
        f"{count / best:>10,.0f} sent/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--min-mb", type=float, default=5.0)
    parser.add_argument("--model-file", type=Path, help="CRFsuite model bytes for the hybrid")
    parser.add_argument("--sample", type=Path, default=DEFAULT_SAMPLE, help="one article to time alone")
    args = parser.parse_args()
    tagger = _tagger(args.model_file)
    articles = _articles(args.corpus, int(args.min_mb * 1024 * 1024))
    mb = sum(len(a.encode("utf-8")) for a in articles) / 1024 / 1024
    print(f"{len(articles)} articles, {mb:.1f} MB of text")
    _time("factdb segmenter", articles, lambda t: len(segment(t)), mb)
    _, rules_s, count = _time("factdb rules (end to end)", articles, lambda t: len(extract(t).sentences), mb)
    _, hybrid_s, _ = _time(
        f"hybrid, model {tagger.name}", articles, lambda t: len(hybrid_extract(t, tagger).sentences), mb
    )
    print(f"hybrid takes {hybrid_s / rules_s:.2f}x the rules' time")
    if args.sample.is_file():
        sample = args.sample.read_text(encoding="utf-8")
        print(f"one article at a time: {args.sample.name}, {len(sample.encode('utf-8')) / 1024:.1f} KB")
        _one_article("rules", sample, lambda t: len(extract(t).sentences))
        _one_article(
            f"hybrid, model {tagger.name}", sample, lambda t: len(hybrid_extract(t, tagger).sentences)
        )
    else:
        print(f"{args.sample}: no such file; one-article timing skipped")
    try:
        import pysbd

        seg = pysbd.Segmenter(language="en", clean=False, char_span=True)
        _time(
            "pysbd (segmentation only)",
            articles[: max(1, len(articles) // 20)],
            lambda t: len(seg.segment(t)),
            mb / 20,
        )
    except ImportError:
        print("pysbd not installed: skipped")
    try:
        from syntok import segmenter as syntok_segmenter

        _time(
            "syntok (segmentation only)",
            articles,
            lambda t: sum(1 for p in syntok_segmenter.analyze(t) for _ in p),
            mb,
        )
    except ImportError:
        print("syntok not installed: skipped")
    try:
        import blingfire

        _time(
            "blingfire (segmentation only)",
            articles,
            lambda t: blingfire.text_to_sentences(t).count("\n") + 1,
            mb,
        )
    except ImportError:
        print("blingfire not installed: skipped")


if __name__ == "__main__":
    main()
