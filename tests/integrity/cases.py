"""The bad-input corpus (tests/bad_inputs/ plus two files made on the fly) and what each must give."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
BIG_BYTES = 20 * 1024 * 1024
LONG_LINE_BYTES = 200 * 1024


@dataclass(frozen=True)
class Case:
    """A file and the outcome: refused with ``message``, or stored when ``message`` is None."""

    name: str
    message: str | None


CASES = [
    Case("empty.txt", "is empty"),
    Case("binary.png", "binary"),
    Case("latin1.txt", "not valid UTF-8"),
    Case("article.html", "looks like HTML"),
    Case("big.txt", "over the limit"),
    Case("long-line.txt", None),
    Case("windows-crlf.txt", None),
    Case("rtl-and-zero-width.txt", None),
    Case("emoji.txt", None),
]


def materialise(case: Case, folder: Path) -> Path:
    """The case's file: from the corpus, or made in ``folder`` for the two generated ones."""
    if case.name == "big.txt":
        path = folder / "big.txt"
        sentence = b"The ministry said that the convoy arrived on time. "
        path.write_bytes(sentence * (BIG_BYTES // len(sentence) + 1))
        return path
    if case.name == "long-line.txt":
        path = folder / "long-line.txt"
        words = b"word " * (LONG_LINE_BYTES // 5)
        path.write_bytes(words.rstrip())
        return path
    return CORPUS / case.name
