"""According-to: "according to X, C" and "C, according to X"."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import DOCUMENT_NOUNS, ISSUED_PARTICIPLES, OBJECT_PRONOUNS
from factdb.extract.names import is_capitalized
from factdb.extract.phrases import common_noun, np_right, unnamed_source_right
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import AnalysedSentence, Token

RULE_ID = "according-to"
ISSUER_RULE_ID = "according-to-document"
# A source that is no plain noun phrase runs to the next comma, if that is 1-25 tokens away
# ("according to a count of ballots made for the county board, ...").
SOURCE_MAX_TOKENS = 25
# "According to X" opens the sentence when at most a comma and two words come before it.
OPENING_MAX_TOKENS = 3


def according_to(s: AnalysedSentence, cue: Cue) -> Candidate | None:
    """The source runs to the next comma; the content is the rest of the sentence on the other side."""
    tokens = s.tokens
    n = len(tokens)
    comma = next((j for j in range(cue.last + 1, n) if tokens[j].text in (",", ";")), n)
    np = np_right(tokens, cue.last + 1, n)
    if np is None:
        source_length = comma - cue.last - 1
        if tokens[cue.last + 1 : cue.last + 2] and tokens[cue.last + 1].lower in OBJECT_PRONOUNS:
            np = (cue.last + 1, cue.last + 2)
        elif 1 <= source_length <= SOURCE_MAX_TOKENS and (
            is_capitalized(tokens[comma - 1].text) or common_noun(tokens[comma - 1])
        ):
            np = (cue.last + 1, comma)
        else:
            return None
    np = _issuer(tokens, np) or unnamed_source_right(tokens, np, n) or np
    mention = s.span(*np)
    content = None
    if cue.first <= 1 or (cue.first <= OPENING_MAX_TOKENS and tokens[cue.first - 1].text == ","):
        content = s.content(s.char(comma + 1), s.sentence.end) if comma + 1 < n else None
    if content is None and cue.first > 0:
        # "C, according to X." (also a short C: "Waits doubled, according to X.")
        content = s.content(s.sentence.start, tokens[cue.first].start)
    rule = ISSUER_RULE_ID if np[0] > cue.last + 1 else RULE_ID
    return Candidate(mention, cue, content, rule) if content else None


def _issuer(tokens: list[Token], np: tuple[int, int]) -> tuple[int, int] | None:
    """Who issued the document a source phrase names: "a statement (published) by the ministry"
    is the ministry's; None when the phrase is no such document."""
    if tokens[np[1] - 1].lower not in DOCUMENT_NOUNS:
        return None
    k = np[1]
    if k < len(tokens) and tokens[k].lower in ISSUED_PARTICIPLES:
        k += 1
    if k + 1 < len(tokens) and tokens[k].lower == "by":
        return np_right(tokens, k + 1, len(tokens))
    return None
