"""Sentence segmentation with character offsets.

A line without final punctuation is a heading; one that ends in a colon is split like any other,
its last sentence ("She said:", which introduces what follows) a heading. Inside a line, a
sentence ends at ``.``, ``!`` or ``?`` (with any closing quotes or brackets) followed by space and
a capital, digit or opening quote, except after abbreviations ("Gen.", "Mr."), initials ("J.")
and dotted acronyms ("U.S.") unless a typical sentence opener follows. A sentence longer than
``MAX_SENTENCE_CHARS`` (no news sentence is) is cut into pieces, so that no input makes the later
stages slow.

A hand-written scanner, linear on any input: it is 20-50x faster than the segmentation libraries
measured (bench/extract_speed.py) and handles the abbreviations news text needs.
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
#: The longest sentence the later stages see; a longer one is cut into pieces at spaces. The rules
#: look at every pair of cues and names within a sentence, so one sentence of a whole file (a file
#: of dots, 2,000 nested quotations) took minutes to hours; with the cut, extraction is linear in the
#: text. The longest sentence in a corpus of 33,000 news sentences has 1,217 characters.
MAX_SENTENCE_CHARS = 2_000
# Every pattern below is matched at most once per position it starts from and cannot backtrack
# over a run it already consumed (possessive quantifiers, no search for a pattern anchored at its
# end): a line of 40,000 dots took 26 s with the backtracking patterns this replaced, now linear.
_OPENERS = "\"'\u201c\u2018(["
_CLOSERS = "\"'\u201d\u2019)]"
_ENDS = ".!?"
# A run of final punctuation and closing quotes; whether a sentence may start after it is checked
# at the run's end (a lookahead here would rescan the rest of the run from every dot of it).
_RUN = re.compile(r"[.!?]++[\"'\u201d\u2019)\]]*+")
_NEXT_STARTS = re.compile(r"\s++[\"'\u201c\u2018(\[]*+[A-Z0-9\u00C0-\u024F]")
_WORD_AFTER = re.compile(r"\s++[\"'\u201c\u2018(\[]?+([\w\u00C0-\u024F]++)")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}+")
_LINE = re.compile(r"[^\n]+")
# '"..." ― Ann Example': a closing quote, a dash and a name end the line.
_SIGNED = re.compile(r"[\"\u201d\u2019]\s*+(?:\u2015|\u2014|--)\s*+[A-Z][\w.\-' ]{1,60}+")


def _word_before(text: str, line_start: int, end: int) -> str:
    """The run of non-space characters ending at ``end`` (scanned back, never past ``line_start``)."""
    start = end
    while start > line_start and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _is_final(text: str, line_start: int, line_end: int) -> bool:
    """Whether the line (already trimmed) ends with final punctuation, perhaps inside closing quotes."""
    tail = text[line_start:line_end]
    bare = tail.rstrip(_CLOSERS)
    if bare.endswith(tuple(_ENDS)):
        return True
    # '. "' -- a space between the full stop and the closing quote.
    return bare != tail and bare.rstrip().endswith(tuple(_ENDS))


def _is_signed(text: str, line_start: int, line_end: int) -> bool:
    """Whether the line ends with a quotation signed by its author ('"..." -- A. Name')."""
    # Each match starts at a closing quote and cannot swallow a later one, so every signature
    # ending the line is found.
    return any(m.end() == line_end for m in _SIGNED.finditer(text, line_start, line_end))


def _is_boundary(text: str, line_start: int, dot: int, end: int) -> bool:
    """Whether the punctuation at ``dot`` (run ending at ``end``) closes a sentence."""
    if text[dot] != ".":
        return True
    word = _word_before(text, line_start, dot + 1)
    word = word.lstrip(_OPENERS)
    bare = word.rstrip(".")
    if text.startswith("...", dot, end):
        return True
    if _ACRONYM.fullmatch(word):
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
    """Yield the sentences of ``text`` in order, headings included, none longer than
    :data:`MAX_SENTENCE_CHARS`."""
    for sentence in _split_lines(text):
        if sentence.end - sentence.start <= MAX_SENTENCE_CHARS:
            yield sentence
        else:
            yield from _pieces(text, sentence)


def _pieces(text: str, sentence: Sentence) -> Iterator[Sentence]:
    """An overlong sentence cut at the last space before each :data:`MAX_SENTENCE_CHARS`
    (anywhere, when a piece holds no space)."""
    start, end = sentence.start, sentence.end
    while start < end:
        cut = end
        if end - start > MAX_SENTENCE_CHARS:
            space = text.rfind(" ", start + 1, start + MAX_SENTENCE_CHARS + 1)
            cut = space if space > start else start + MAX_SENTENCE_CHARS
        s, e = _trim(text, start, cut)
        if s < e:
            yield Sentence(s, e, sentence.kind)
        start = cut


def _split_lines(text: str) -> Iterator[Sentence]:
    for line in _LINE.finditer(text):
        line_start, line_end = _trim(text, line.start(), line.end())
        if line_start == line_end:
            continue
        if _is_signed(text, line_start, line_end):
            # A quotation signed by its author is one statement, however many sentences it holds.
            yield Sentence(line_start, line_end, SentenceKind.STATEMENT)
            continue
        if _is_final(text, line_start, line_end):
            yield from _split_line(text, line_start, line_end, SentenceKind.STATEMENT)
        elif text[line_end - 1] == ":":
            # "The mayor was blunt. She said:" -- the sentences before the one that introduces
            # what follows are statements; that one, like a heading, holds no claim of its own.
            yield from _split_line(text, line_start, line_end, SentenceKind.HEADING)
        else:
            yield Sentence(line_start, line_end, SentenceKind.HEADING)


def _split_line(text: str, line_start: int, line_end: int, last_kind: SentenceKind) -> Iterator[Sentence]:
    """The sentences of one line: statements, the last one of kind ``last_kind``."""
    start = line_start
    for run in _RUN.finditer(text, line_start, line_end):
        dot, end = run.start(), run.end()
        if _NEXT_STARTS.match(text, end, line_end) and _is_boundary(text, line_start, dot, end):
            s, e = _trim(text, start, end)
            if s < e:
                yield Sentence(s, e, SentenceKind.STATEMENT)
            start = end
    s, e = _trim(text, start, line_end)
    if s < e:
        yield Sentence(s, e, last_kind)


def segment(text: str) -> list[Sentence]:
    """The sentences of ``text`` as a list."""
    return list(iter_sentences(text))
