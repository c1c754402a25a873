"""Passives: "It was reported by the agency that C" / "C was denied by X"."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import ADVERBS, PASSIVE_AUX, PRONOUNS
from factdb.extract.phrases import np_right
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import AnalysedSentence

RULE_ID = "passive-agent"
# Word sets built once, not on every cue.
_ADVERBS_NOT_AUX = ADVERBS - PASSIVE_AUX
_AUX_OR_ADVERB = PASSIVE_AUX | ADVERBS


def passive_agent(s: AnalysedSentence, cue: Cue) -> Candidate | None:
    """The agent after "by" is the speaker; a bare participle ("a truce proposed by the rebels")
    names no speaker of a claim."""
    tokens = s.tokens
    n = len(tokens)
    aux = cue.first - 1
    while aux >= 0 and tokens[aux].lower in _ADVERBS_NOT_AUX:
        aux -= 1
    if aux < 0 or tokens[aux].lower not in PASSIVE_AUX:
        return None
    agent = np_right(tokens, cue.last + 2, n)
    if agent is None:
        return None
    after = agent[1]
    if after < n and tokens[after].lower == "that":
        content = s.content(s.char(after + 1), s.sentence.end)
    else:
        first = aux
        while first > 0 and tokens[first - 1].lower in _AUX_OR_ADVERB:
            first -= 1
        content = s.content(s.sentence.start, tokens[first].start) if first > 0 else None
        if content is not None and s.text[content[0] : content[1]].lower() in PRONOUNS:
            return None
    return Candidate(s.span(*agent), cue, content, RULE_ID) if content else None
