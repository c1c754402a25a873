"""Sentence segmentation with character offsets.

A line without final punctuation is a heading. Inside a line, a sentence ends at ``.``, ``!`` or
``?`` (with any closing quotes or brackets) followed by space and a capital, digit or opening
quote, except after abbreviations ("Gen.", "Mr."), initials ("J.") and dotted acronyms
("U.S.") unless a typical sentence opener follows. A hand-written scanner: it is 20-50x faster
than the segmentation libraries measured (bench/extract_speed.py) and handles the abbreviations
news text needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from factdb.enums import SentenceKind
from factdb.extract.types import Sentence

ABBREVIATIONS = frozenset(
    """mr mrs ms dr gen sen rep gov lt col sgt capt prof st jr sr inc co corp ltd no nos vs etc adm maj
    cmdr rev hon pres atty supt dept mt ft fig approx est jan feb mar apr jun jul aug sep sept oct nov
    dec mon tue tues wed thu thurs fri sat sun cpl pvt gens reps sens messrs mmes av ave blvd""".split()
)
# After a dotted acronym ("U.S.", "a.m.") a new sentence starts only before one of these words.
SENTENCE_OPENERS = frozenset(
    """The A An He She It They We I You This That These Those His Her Their Its Our There However But And
    Meanwhile After Before When While As If In On At For From With By Mr Mrs Ms Dr So Yet Still Now
    Some Many Most Officials Authorities""".split()
)
_CANDIDATE = re.compile(r"[.!?]+[\"'\u201d\u2019)\]]*(?=\s+[\"'\u201c\u2018(\[]*[A-Z0-9\u00C0-\u024F])")
_FINAL = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s*$|[.!?]\s*[\"'\u201d\u2019)\]]+\s*$")
_WORD_BEFORE = re.compile(r"(\S+)$")
_WORD_AFTER = re.compile(r"\s+[\"'\u201c\u2018(\[]?([\w\u00C0-\u024F]+)")
_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_LINE = re.compile(r"[^\n]+")
# '"..." ― Sonya Herridge': a closing quote, a dash and a name end the line.
_SIGNED = re.compile(r"[\"\u201d\u2019]\s*(?:\u2015|\u2014|--)\s*[A-Z][\w.\-' ]{1,60}$")


def _is_boundary(text: str, line_start: int, dot: int, end: int) -> bool:
    """Whether the punctuation at ``dot`` (run ending at ``end``) closes a sentence."""
    if text[dot] != ".":
        return True
    word_match = _WORD_BEFORE.search(text, line_start, dot + 1)
    word = word_match.group(1) if word_match else ""
    word = word.lstrip("\"'\u201c\u2018([")
    bare = word.rstrip(".")
    if text[dot:end].startswith("..."):
        return True
    if _ACRONYM.match(word):
        after = _WORD_AFTER.match(text, end)
        return bool(after and after.group(1) in SENTENCE_OPENERS)
    if bare.lower() in ABBREVIATIONS and word.endswith(".") and len(word) == len(bare) + 1:
        return False
    # A lone capital is an initial ("John F. Kennedy").
    return not (len(bare) == 1 and bare.isupper())


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def iter_sentences(text: str) -> Iterator[Sentence]:
    """Yield the sentences of ``text`` in order, headings included."""
    for line in _LINE.finditer(text):
        line_start, line_end = _trim(text, line.start(), line.end())
        if line_start == line_end:
            continue
        if _SIGNED.search(text, line_start, line_end):
            # A quotation signed by its author is one statement, however many sentences it holds.
            yield Sentence(line_start, line_end, SentenceKind.STATEMENT)
            continue
        if not _FINAL.search(text, line_start, line_end):
            yield Sentence(line_start, line_end, SentenceKind.HEADING)
            continue
        start = line_start
        for candidate in _CANDIDATE.finditer(text, line_start, line_end):
            dot, end = candidate.start(), candidate.end()
            if _is_boundary(text, line_start, dot, end):
                s, e = _trim(text, start, end)
                if s < e:
                    yield Sentence(s, e, SentenceKind.STATEMENT)
                start = end
        s, e = _trim(text, start, line_end)
        if s < e:
            yield Sentence(s, e, SentenceKind.STATEMENT)


def segment(text: str) -> list[Sentence]:
    """The sentences of ``text`` as a list."""
    return list(iter_sentences(text))
