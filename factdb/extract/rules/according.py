"""According-to: "according to X, C" and "C, according to X"."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import OBJECT_PRONOUNS
from factdb.extract.names import is_capitalized
from factdb.extract.phrases import common_noun, np_right
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import AnalysedSentence

RULE_ID = "according-to"
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
    mention = s.span(*np)
    if cue.first <= 1 or (cue.first <= OPENING_MAX_TOKENS and tokens[cue.first - 1].text == ","):
        content = s.content(s.char(comma + 1), s.sentence.end) if comma + 1 < n else None
    else:
        content = s.content(s.sentence.start, tokens[cue.first].start)
    return Candidate(mention, cue, content, RULE_ID) if content else None
