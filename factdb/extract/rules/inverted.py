"""Inverted reports: '"C," said X.' / "C, said X of the University of Y."."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import (
    ADJUNCT_OPENERS,
    CLAUSE_OPENERS,
    FUNCTION_CAPS,
    PREPOSITIONS,
    SKIP_AFTER_CUE,
)
from factdb.extract.names import is_capitalized
from factdb.extract.phrases import APPOSITIVE_NAME_MAX, np_right, speakerish
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import CLOSE_QUOTES, OPEN_QUOTES, AnalysedSentence, Token, is_word

RULE_ID = "inverted"
TITLE_RULE_ID = "inverted-title-name"
FRONTED_RULE_ID = "fronted-inverted"
# Cues that open a sentence with the speaker after them and the quotation last ('Said Ruiz, "C."').
_FRONTED_CUES = frozenset({"said", "says", "added", "adds", "asked", "asks", "wrote", "writes"})
# A speaker after an inverted cue may be long: "said Ana Ruiz of the University of X School of Law".
SPEAKER_MAX_TOKENS = 16
# A phrase that does not end in a speaker word still names one if it has at most four tokens.
SHORT_SPEAKER_TOKENS = 4
# Words that end a speaker named after the cue ("said Ruiz in ...", "said Ruiz, who ..."): built once.
_AFTER_SPEAKER = PREPOSITIONS | ADJUNCT_OPENERS | CLAUSE_OPENERS


def inverted(s: AnalysedSentence, cue: Cue) -> Candidate | None:
    """A cue after a comma or closing quote, with the speaker after it and nothing reported after."""
    tokens = s.tokens
    n = len(tokens)
    prev = tokens[cue.first - 1] if cue.first > 0 else None
    if prev is None:
        return fronted(s, cue)
    if not (prev.text == "," or prev.text in CLOSE_QUOTES):
        return None
    right = np_right(tokens, cue.last + 1, n, limit=SPEAKER_MAX_TOKENS)
    if (
        right is not None
        and not (speakerish(tokens[right[1] - 1], False) or right[1] - right[0] <= SHORT_SPEAKER_TOKENS)
        and _appositive_name(tokens, right[1]) is None
        and not _head_before_preposition(tokens, right)
    ):
        right = None  # "..., said that delay costs money": no speaker after the cue
    # "..., said Ruiz." but not "said Ruiz opened ...", where Ruiz begins the content.
    if right is not None and (
        right[1] >= n
        or not is_word(tokens[right[1]])
        or tokens[right[1]].lower in _AFTER_SPEAKER
        or tokens[right[1]].lower in SKIP_AFTER_CUE
    ):
        content = s.content(s.sentence.start, prev.start)
        if not content:
            return None
        name = _appositive_name(tokens, right[1])
        if name is not None:
            # "..., said the acting governor of the region, Ana Ruiz.": the name is who spoke.
            return Candidate(s.span(right[0], name[1]), cue, content, TITLE_RULE_ID, names=s.span(*name))
        return Candidate(s.span(*right), cue, content, RULE_ID)
    return None


def _head_before_preposition(tokens: list[Token], phrase: tuple[int, int]) -> bool:
    """Whether a phrase after the cue is headed by a speaker word before a preposition ("said a
    strategist for one of the firms", "said the head of the port's trade group")."""
    return any(
        tokens[k + 1].lower in PREPOSITIONS and speakerish(tokens[k], False)
        for k in range(phrase[0], phrase[1] - 1)
    )


def _appositive_name(tokens: list[Token], comma: int) -> tuple[int, int] | None:
    """A name set off by a comma after a title that ends the sentence (", Ana Ruiz.")."""
    n = len(tokens)
    if comma >= n or tokens[comma].text != ",":
        return None
    end = comma + 1
    while (
        end < n
        and is_word(tokens[end])
        and is_capitalized(tokens[end].text)
        and tokens[end].text not in FUNCTION_CAPS
    ):
        end += 1
    if (
        end - comma - 1 < 1
        or end - comma - 1 > APPOSITIVE_NAME_MAX
        or not (end >= n or not is_word(tokens[end]))
    ):
        return None
    return (comma + 1, end)


def fronted(s: AnalysedSentence, cue: Cue) -> Candidate | None:
    """Fronted: 'Said Ruiz, who grew up by the river, "C."': a sentence that opens with the cue, names
    the speaker and ends with the quotation, which opens after a comma or colon."""
    tokens = s.tokens
    n = len(tokens)
    if cue.first != 0 or cue.first != cue.last or tokens[0].lower not in _FRONTED_CUES:
        return None
    right = np_right(tokens, 1, n, limit=SPEAKER_MAX_TOKENS)
    if right is None or right[1] >= n or tokens[right[1]].text not in (",", ":"):
        return None
    opening = next(
        (
            k
            for k in range(right[1] + 1, n)
            if tokens[k].text in OPEN_QUOTES and tokens[k - 1].text in (",", ":")
        ),
        None,
    )
    if opening is None:
        return None
    content = s.content(tokens[opening].start, s.sentence.end)
    return Candidate(s.span(*right), cue, content, FRONTED_RULE_ID) if content else None
