"""Interrupting reports: '"The risk," she said, "is that C"' and "The plan, engineers said, has C":
the report sits inside the content, which runs on after it."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.rules.base import continuation
from factdb.extract.tokens import AnalysedSentence

RULE_ID = "interrupting"
LEAD_RULE_ID = "interrupting-lead"
# Content of at most five words before the report is an opening phrase ("In any case, X said,
# the ..."), and what was said is the clause after the report.
LEAD_MAX_WORDS = 5


def interrupted(
    s: AnalysedSentence, cue: Cue, content: tuple[int, int]
) -> tuple[tuple[int, int] | None, str] | None:
    """The content and rule id when the report interrupts ``content`` (the words before it),
    None when it does not."""
    tokens = s.tokens
    interrupts = continuation(tokens, cue)
    if interrupts is None:
        if s.word_count(content) <= LEAD_MAX_WORDS:
            resumes = continuation(tokens, cue, any_word=True)
            if resumes is not None:
                return s.content(tokens[resumes].start, s.sentence.end), LEAD_RULE_ID
        return None
    tail = s.content(tokens[interrupts].start, s.sentence.end)
    if tail is None:
        return None
    return (content[0], tail[1]), RULE_ID
