"""Cues that share the speaker of their clause: ", vowing that C", "... but warned that C",
"and also said C", and "with X emphasizing that C", which names its own."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import ADVERBS, NEEDS_COMPLEMENT
from factdb.extract.phrases import clause_subject, np_left
from factdb.extract.rules.base import Candidate, content_after, has_complement
from factdb.extract.tokens import AnalysedSentence

PARTICIPLE_RULE_ID = "participle"
WITH_PARTICIPLE_RULE_ID = "with-participle"
COORDINATED_RULE_ID = "coordinated"


def _shared(
    s: AnalysedSentence, cue: Cue, content: tuple[int, int], found: list[Candidate], rule: str
) -> Candidate | None:
    """The previous attribution's speaker in this sentence, else the main clause's subject."""
    if found:
        return Candidate(found[-1].mention, cue, content, rule, inherit=True)
    subject = clause_subject(s.tokens, cue.first)
    if subject is None:
        return None
    return Candidate(s.span(*subject), cue, content, rule)


def participle(s: AnalysedSentence, cue: Cue, stops: list[int], found: list[Candidate]) -> Candidate | None:
    """ ", vowing that C" shares the clause's speaker; "with X emphasizing that C" names it."""
    tokens = s.tokens
    prev = tokens[cue.first - 1] if cue.first > 0 else None
    if prev is not None and prev.text == ",":
        content = content_after(s, cue, stops)
        if content is None or (tokens[cue.last].lower in NEEDS_COMPLEMENT and not has_complement(s, cue)):
            return None
        return _shared(s, cue, content, found, PARTICIPLE_RULE_ID)
    np = np_left(tokens, cue.first, 0)
    if np is not None and np[0] > 0 and tokens[np[0] - 1].lower == "with":
        content = content_after(s, cue, stops)
        return Candidate(s.span(*np), cue, content, WITH_PARTICIPLE_RULE_ID) if content else None
    return None


def coordinated(s: AnalysedSentence, cue: Cue, stops: list[int], found: list[Candidate]) -> Candidate | None:
    """ "... and warned that C", "... but said C": the speaker of the first clause."""
    content = content_after(s, cue, stops)
    if content is None:
        return None
    return _shared(s, cue, content, found, COORDINATED_RULE_ID)


def coordinated_after_adverb(
    s: AnalysedSentence, cue: Cue, stops: list[int], found: list[Candidate]
) -> Candidate | None:
    """ "... and also said C" after an earlier attribution in the sentence."""
    tokens = s.tokens
    if not (
        cue.first > 1
        and tokens[cue.first - 1].lower in ADVERBS
        and tokens[cue.first - 2].lower in ("and", "but")
        and found
    ):
        return None
    content = content_after(s, cue, stops)
    return Candidate(found[-1].mention, cue, content, COORDINATED_RULE_ID, inherit=True) if content else None
