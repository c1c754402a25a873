"""Stage 1: tokens, and which of them lie inside a direct quotation.

A token keeps its character offsets into the article, so every later stage can hand back spans
of the original text. :class:`AnalysedSentence` bundles one statement sentence with its tokens
and the span helpers the rules share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factdb.extract.lexicon import ABBREVIATIONS
from factdb.extract.types import Sentence

# A number with thousands separators ("3,000") is one token, so its comma is no clause boundary.
_TOKEN = re.compile(
    r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # "3,000", "1,250.5"
    r"|[\w\u00C0-\u024F]+(?:[.\-'\u2019&][\w\u00C0-\u024F]+)*\.?"  # words, "U.S.", "al-Assad", "Mr."
    r"|''|\S"
)
# A personal pronoun with a contracted auxiliary ("he's", "they're", "I've") is two words, so
# that the auxiliary reads as one ("He's telling reporters that ..." is "He is telling ...") and
# the pronoun alone is the speaker's mention; a name's "'s" stays whole (mostly a possessive).
_CONTRACTION = re.compile(r"(?i)(he|she|it|they|we|i|you)(['\u2019])(s|re|ve|d|ll|m)")
# What each contracted auxiliary stands for; "'s" and "'d" before a past participle are "has" and
# "had" ("she's said", "he'd argued"), else "is" and "would".
_EXPANDED = {"re": "are", "ve": "have", "ll": "will", "m": "am"}
_CONTRACTION_MAX = len("they're")
_PERFECT = {"s": ("has", "is"), "d": ("had", "would")}
_PARTICIPLE = re.compile(
    r"\s+(?:[a-z]+ed|been|said|told|written|shown|known|made|given|taken|thought|got|gotten)\b"
)
_BEEN = re.compile(r"\s+been\b")
# Quote marks, including the doubled apostrophe some wire copy uses for double quotes.
OPEN_QUOTES = ('"', "\u201c", "\u2018", "'", "''")
CLOSE_QUOTES = ('"', "\u201d", "\u2019", "'", "''")
# What is trimmed off either end of a content span.
_TRAILING = " \t\n.,;:!?\"'\u201d\u2019)]"
_LEADING = " \t\n\"'\u201c\u2018([:,"
# Marks after which a reported clause begins: "... — the bridge is safe, they insist."
CONTENT_OPENERS = frozenset({"—", "--", ";", ":"})
# Dashes that set off a signature or a break in the clause.
DASHES = ("―", "—", "--")
# A content span shorter than this (in characters) is only punctuation left over.
MIN_CONTENT_CHARS = 2


@dataclass(slots=True)
class Token:
    """A word or mark with its character offsets (end exclusive)."""

    text: str
    start: int
    end: int
    lower: str  # computed once: the rules compare lowercase words often


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """The tokens of ``text[start:end]``; a final period is split off unless it ends an abbreviation."""
    tokens: list[Token] = []
    append = tokens.append
    for m in _TOKEN.finditer(text, start, end):
        word = m.group()
        first, last = m.span()
        # Keep a final period only on abbreviations and initials ("Mr.", "U.S.", "J.").
        contraction = (
            _CONTRACTION.fullmatch(word)
            if len(word) <= _CONTRACTION_MAX and ("'" in word or "\u2019" in word)
            else None
        )
        if contraction is not None:
            cut = first + len(contraction.group(1))
            clitic = contraction.group(3).lower()
            if clitic in _PERFECT:
                perfect, plain = _PERFECT[clitic]
                after = _PARTICIPLE.match(text, last)
                # "it's said that ..." is a passive; "it's been" is perfect.
                if after is not None and contraction.group(1).lower() == "it":
                    after = _BEEN.match(text, last)
                full = perfect if after is not None else plain
            else:
                full = _EXPANDED[clitic]
            append(Token(contraction.group(1), first, cut, contraction.group(1).lower()))
            append(Token(word[cut - first :], cut, last, full))
        elif word[-1] == "." and len(word) > 1 and not _keeps_period(word):
            bare = word[:-1]
            append(Token(bare, first, last - 1, bare.lower()))
            append(Token(".", last - 1, last, "."))
        else:
            append(Token(word, first, last, word.lower()))
    return tokens


def _keeps_period(word: str) -> bool:
    bare = word[:-1]
    return "." in bare or (len(bare) == 1 and bare.isupper()) or bare.lower() in ABBREVIATIONS


def is_word(token: Token) -> bool:
    """A word or number, not a mark (a contracted auxiliary such as "'s" is a word)."""
    return token.lower[0].isalnum()


# An acronym ("WHO", "NATO", "IAEA") has two to four capitals; longer all-capital words are names
# in transcript labels ("OKAFOR:").
ACRONYM_MAX_LETTERS = 4


def is_acronym(token: Token) -> bool:
    """An all-capital short word: "WHO" is an organization, not the pronoun "who"."""
    return 2 <= len(token.text) <= ACRONYM_MAX_LETTERS and token.text.isupper() and token.text.isalpha()


def is_possessive(token: Token) -> bool:
    """ "Russia's", "the ministry’s"."""
    return token.text.endswith(("'s", "\u2019s")) and len(token.text) > 2


def quoted_mask(tokens: list[Token], inside: bool) -> tuple[list[bool], bool]:
    """For each token, whether it lies inside a direct quotation, and whether one is still open
    at the end (``inside``: the sentence opens inside one that runs on from the previous sentence)."""
    mask = []
    single = False  # the open quotation began with a single mark, which a single mark closes
    for token in tokens:
        text = token.text
        if text in ('"', "''"):
            inside = not inside
            mask.append(False)
            continue
        if text == "\u201c" or (text == "\u2018" and not inside):
            inside, single = True, text == "\u2018"
            mask.append(False)
            continue
        # A single closing mark inside a double-quoted quotation ends a quotation within it
        # ('"... 'The Donald.' ...'), not the quotation.
        if text == "\u201d" or (text == "\u2019" and single):
            inside = single = False
            mask.append(False)
            continue
        mask.append(inside)
    return mask, inside


class AnalysedSentence:
    """One statement sentence being analysed: its text, tokens and span helpers."""

    def __init__(self, text: str, sentence: Sentence) -> None:
        self.text = text
        self.sentence = sentence
        self.tokens = tokenize(text, sentence.start, sentence.end)

    def span(self, first: int, last_exclusive: int) -> tuple[int, int]:
        """Character span of tokens ``first`` up to ``last_exclusive``."""
        return self.tokens[first].start, self.tokens[last_exclusive - 1].end

    def content(self, start: int, end: int) -> tuple[int, int] | None:
        """Trim punctuation and quote marks off a character span; None if nothing is left."""
        while start < end and self.text[start] in _LEADING:
            start += 1
        while end > start and self.text[end - 1] in _TRAILING:
            end -= 1
        if end - start < MIN_CONTENT_CHARS:
            return None
        return start, end

    def char(self, i: int) -> int:
        """Where token ``i`` starts, or the sentence end past the last token."""
        return self.tokens[i].start if i < len(self.tokens) else self.sentence.end

    def word_count(self, span: tuple[int, int]) -> int:
        """Words in a character span."""
        return len(self.text[span[0] : span[1]].split())
