"""Quotation carry-over: a quotation that runs on over several sentences keeps its speaker.

'"A. B," she said.' is handled sentence by sentence: the sentence after a quoted claim goes on
with its speaker when it continues the quotation left open, is a quotation of its own right
after a quote, or opens the quotation that a line such as "She said:" introduced.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from factdb.enums import Stance
from factdb.extract.cues import CueKind, find_cues
from factdb.extract.phrases import np_left
from factdb.extract.rules.base import nothing_reported_after, tail_is_adjunct
from factdb.extract.tokens import OPEN_QUOTES, AnalysedSentence, tokenize
from factdb.extract.types import Claim, Sentence

RULE_ID = "quote-carry-over"
# '"A. B," she said.': the speaker named after the last sentence of a quotation is the speaker
# of its earlier sentences too (applied by the engine, which sees every sentence).
CARRY_BACK_RULE_ID = "quote-carry-back"
INTRODUCTION_RULE_ID = "quote-introduction"
# 'She said the pier was safe. "It will stand."': a quotation of its own right after a reported
# claim, in the same paragraph, is the same speaker's.
AFTER_REPORT_RULE_ID = "quote-after-report"
# '"A. B?" / Berg said.': a sentence of its own after a quotation names its speaker.
NAMED_AFTER_RULE_ID = "quote-named-after"
# Such a quotation opened at most this many sentences back; longer runs are the outlet's text.
NAMED_AFTER_MAX_SENTENCES = 6
_CLOSING = ('"', "\u201d", "''")
# A line that introduces a quotation ends within six tokens of its cue ("Ruiz told the crowd:").
INTRODUCTION_TAIL_TOKENS = 6


class Carry(enum.Enum):
    """How the next sentence may continue the previous speaker's quotation."""

    AFTER = "after"  # a quotation of its own right after a quoted claim
    OPEN = "open"  # inside a quotation left open
    INTRO = "intro"  # the quotation a line ending in a colon introduced
    REPORTED = "reported"  # a quotation of its own in the paragraph of a reported (unquoted) claim


@dataclass(frozen=True, slots=True)
class Introduction:
    """The mention and cue of a line such as "He said:" (character spans)."""

    mention: tuple[int, int]
    cue: tuple[int, int]
    stance: Stance


def introduction(text: str, sentence: Sentence) -> Introduction | None:
    """The speaker of a line such as "He said:" or "The mayor told the crowd:", which introduces
    the quotation below it; None for any other heading."""
    if not text[sentence.start : sentence.end].rstrip().endswith(":"):
        return None
    tokens = tokenize(text, sentence.start, sentence.end)
    cues = [cue for cue in find_cues(tokens) if cue.kind is CueKind.FINITE]
    if not cues or len(tokens) - cues[-1].last > INTRODUCTION_TAIL_TOKENS:
        return None
    cue = cues[-1]
    np = np_left(tokens, cue.first, 0)
    if np is None:
        return None
    return Introduction(
        (tokens[np[0]].start, tokens[np[1] - 1].end),
        (tokens[cue.first].start, tokens[cue.last].end),
        cue.stance,
    )


def is_quotation(text: str, claim: Claim) -> bool:
    """Whether a claim's content is a direct quotation (quote marks around it)."""
    before = text[max(0, claim.content_start - 3) : claim.content_start]
    return any(mark in before for mark in ('"', "\u201c", "''"))


def continues_quote(text: str, sentence: Sentence, how: Carry) -> bool:
    """Whether a sentence goes on with the previous speaker's words."""
    opening = text[sentence.start]
    if how is Carry.OPEN:
        return opening not in OPEN_QUOTES
    if how in (Carry.INTRO, Carry.REPORTED):
        return opening in OPEN_QUOTES
    # A quotation right after a quoted claim, whether it closes in this sentence or runs on: news
    # writing names a new speaker at the first break of the quotation ('"A," she said. "B. C."'),
    # and the engine hands the sentences back when a later one of the quotation names another.
    body = text[sentence.start : sentence.end].rstrip()
    return opening in ('"', "\u201c") or body.startswith("''")


def bare_report(s: AnalysedSentence) -> tuple[tuple[int, int], tuple[int, int], Stance] | None:
    """The mention, cue (character spans) and stance of a sentence that only says who spoke
    ("Berg said.", "The mayor told reporters on Monday."), else None."""
    tokens = s.tokens
    cues = [cue for cue in find_cues(tokens) if cue.kind is CueKind.FINITE]
    if len(cues) != 1:
        return None
    cue = cues[0]
    np = np_left(tokens, cue.first, 0)
    if np is None or np[0] != 0 or not (nothing_reported_after(tokens, cue) and tail_is_adjunct(s, cue)):
        return None
    return s.span(*np), s.span(cue.first, cue.last + 1), cue.stance


def closes_quotation(text: str, sentence: Sentence) -> bool:
    """Whether a sentence ends with a closing quote mark."""
    return text[sentence.start : sentence.end].rstrip().rstrip(".").endswith(_CLOSING)


def opens_quotation(text: str, sentence: Sentence) -> bool:
    """Whether a sentence starts with an opening quote mark."""
    return text[sentence.start : sentence.end].lstrip().startswith(OPEN_QUOTES)
