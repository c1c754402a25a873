"""Labels: transcript and headline labels ("MAYOR RUIZ: C", "Ruiz on the budget: C"), a name
before a colon and a quotation ("... the pollster Ana Ruiz: “C”") and a signed quotation
('"C" ― Ana Ruiz'). Tried only when no cue in the sentence found an attribution."""

from __future__ import annotations

from factdb.enums import Stance
from factdb.extract.cues import Cue, CueKind
from factdb.extract.lexicon import (
    FUNCTION_CAPS,
    GROUP_NOUNS,
    NOT_SPEAKER_LABELS,
    ORG_NOUNS,
    PRONOUNS,
    TITLE_WORDS,
)
from factdb.extract.names import is_capitalized
from factdb.extract.phrases import np_left, np_right
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import CLOSE_QUOTES, DASHES, OPEN_QUOTES, AnalysedSentence, Token, is_word

LABEL_RULE_ID = "label-colon"
QUOTE_LABEL_RULE_ID = "label-quote"
SIGNED_RULE_ID = "label-signed"
# A label's colon comes within the first ten tokens of the line.
LABEL_MAX_TOKENS = 11
# A label holds at most two lowercase words ("Ruiz on the budget").
LABEL_MAX_LOWERCASE = 2
_LABEL_DASHES = ("-", "–", "—")
# What follows a label says something only with at least two words: "Ruiz: 547." is a tally,
# "Email: desk@example.org" an address, not a statement.
LABEL_CONTENT_MIN_WORDS = 2
# Nouns of bodies that may stand in a label ("Port authority:"): built once.
_BODY_NOUNS = GROUP_NOUNS | ORG_NOUNS


def _label_name(tokens: list[Token], colon: int) -> tuple[int, int] | None:
    """The speaker named by the words before a colon that opens a line, if they name one: a short
    capitalized phrase, perhaps with a few small words ("Ruiz on the budget ...": Ruiz)."""
    label = tokens[:colon]
    first = label[0]
    if (
        not is_word(first)
        or not is_capitalized(first.text)
        or first.text in FUNCTION_CAPS
        or first.lower in PRONOUNS
        or any(not is_word(t) and t.text not in _LABEL_DASHES for t in label)
        or any(t.lower in NOT_SPEAKER_LABELS for t in label)
        or sum(1 for t in label if not is_capitalized(t.text)) > LABEL_MAX_LOWERCASE
    ):
        return None
    start = 0
    if len(label) > 2 and label[1].text in _LABEL_DASHES:
        start = 2  # "EXCLUSIVE – Ana Ruiz:"
    end = start
    while (
        end < colon
        and is_word(tokens[end])
        and (
            is_capitalized(tokens[end].text)
            or tokens[end].lower in TITLE_WORDS
            or tokens[end].lower in _BODY_NOUNS
        )
    ):
        end += 1
    return (start, end) if end > start else None


def _says_something(tokens: list[Token]) -> bool:
    """Whether the words after a label make a statement rather than a figure or an address."""
    return sum(1 for t in tokens if t.text.isalpha()) >= LABEL_CONTENT_MIN_WORDS


def labelled(s: AnalysedSentence, quoted: list[bool]) -> Candidate | None:
    """The label's speaker and the words after it, by the first of the three forms that fits."""
    tokens = s.tokens
    n = len(tokens)
    colon = next((i for i in range(1, min(n, LABEL_MAX_TOKENS)) if tokens[i].text == ":"), None)
    if colon is not None and not quoted[0]:
        name = _label_name(tokens, colon)
        content = s.content(s.char(colon + 1), s.sentence.end)
        if name is not None and content is not None and _says_something(tokens[colon + 1 :]):
            return Candidate(
                s.span(*name), Cue(colon, colon, Stance.ASSERTS, CueKind.LABEL), content, LABEL_RULE_ID
            )
    colon = next(
        (i for i in range(1, n - 1) if tokens[i].text == ":" and tokens[i + 1].text in OPEN_QUOTES),
        None,
    )
    if colon is not None:
        np = np_left(tokens, colon, 0)
        content = s.content(s.char(colon + 1), s.sentence.end)
        if np is not None and is_capitalized(tokens[np[1] - 1].text) and content is not None:
            cue = Cue(colon, colon, Stance.ASSERTS, CueKind.LABEL)
            return Candidate(s.span(*np), cue, content, QUOTE_LABEL_RULE_ID)
    for i in range(n - 2, 0, -1):
        if tokens[i].text in DASHES and tokens[i - 1].text in CLOSE_QUOTES:
            name = np_right(tokens, i + 1, n)
            if name is not None and name[1] >= n - 1:
                content = s.content(s.sentence.start, tokens[i - 1].start)
                if content is not None:
                    return Candidate(
                        s.span(*name), Cue(i, i, Stance.ASSERTS, CueKind.LABEL), content, SIGNED_RULE_ID
                    )
            break
    return None
