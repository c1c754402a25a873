"""Placeholder engine: sentence split and publication claims only.

The attribution engine (issue 3) replaces this module behind the same ``extract`` signature.
"""

from __future__ import annotations

import re

from factdb.enums import SentenceKind, Stance
from factdb.extract.types import Claim, Extraction, Sentence

_SENTENCE = re.compile(r"[^\n]*?(?:[.!?][\"'\u201d\u2019]?(?=\s|$)|(?=\n)|$)")


def extract(text: str) -> Extraction:
    """Split ``text`` into sentences and return one publication claim per statement."""
    result = Extraction()
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start == end:
            continue
        kind = SentenceKind.STATEMENT if text[end - 1] in ".!?\"'\u201d\u2019" else SentenceKind.HEADING
        result.sentences.append(Sentence(start, end, kind))
        if kind is SentenceKind.STATEMENT:
            result.claims.append(
                Claim(
                    len(result.sentences) - 1,
                    None,
                    None,
                    None,
                    None,
                    None,
                    text[start:end],
                    start,
                    end,
                    Stance.ASSERTS,
                )
            )
    return result
