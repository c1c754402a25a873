"""Inverted reports: '"C," said X.' / "C, said X of the University of Y."."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import ADJUNCT_OPENERS, CLAUSE_OPENERS, PREPOSITIONS, SKIP_AFTER_CUE
from factdb.extract.phrases import np_right, speakerish
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import CLOSE_QUOTES, AnalysedSentence, is_word

RULE_ID = "inverted"
# A speaker after an inverted cue may be long: "said Ana Ruiz of the University of X School of Law".
SPEAKER_MAX_TOKENS = 16
# A phrase that does not end in a speaker word still names one if it has at most four tokens.
SHORT_SPEAKER_TOKENS = 4


def inverted(s: AnalysedSentence, cue: Cue) -> Candidate | None:
    """A cue after a comma or closing quote, with the speaker after it and nothing reported after."""
    tokens = s.tokens
    n = len(tokens)
    prev = tokens[cue.first - 1] if cue.first > 0 else None
    if prev is None or not (prev.text == "," or prev.text in CLOSE_QUOTES):
        return None
    right = np_right(tokens, cue.last + 1, n, limit=SPEAKER_MAX_TOKENS)
    if right is not None and not (
        speakerish(tokens[right[1] - 1], False) or right[1] - right[0] <= SHORT_SPEAKER_TOKENS
    ):
        right = None  # "..., said that delay costs money": no speaker after the cue
    # "..., said Ruiz." but not "said Ruiz opened ...", where Ruiz begins the content.
    if right is not None and (
        right[1] >= n
        or not is_word(tokens[right[1]])
        or tokens[right[1]].lower in PREPOSITIONS | ADJUNCT_OPENERS | CLAUSE_OPENERS
        or tokens[right[1]].lower in SKIP_AFTER_CUE
    ):
        content = s.content(s.sentence.start, prev.start)
        return Candidate(s.span(*right), cue, content, RULE_ID) if content else None
    return None
