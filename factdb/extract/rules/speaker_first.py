"""Speaker first: "X said (that) C", "X accused Y of C", "X called on Y to C", "X's claims of C",
and a relative subject ("the mayor, who ..., said C")."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import (
    ASK_FORMS,
    EVIDENCE_NOUNS,
    INFINITIVE_CUES,
    NEEDS_COMPLEMENT,
    SKIP_AFTER_CUE,
    TIME_LEADS,
    TIME_WORDS,
)
from factdb.extract.names import strip_possessive
from factdb.extract.rules.base import (
    Candidate,
    bare_clause_follows,
    content_after,
    has_complement,
    has_infinitive,
)
from factdb.extract.tokens import AnalysedSentence, is_word

RULE_ID = "speaker-first"
REPORT_NOUN_RULE_ID = "possessive-report-noun"
RELATIVE_RULE_ID = "relative-subject"


def speaker_first(s: AnalysedSentence, cue: Cue, stops: list[int], np: tuple[int, int]) -> Candidate | None:
    """The subject ``np`` before a finite cue names the speaker; the content follows the cue.

    Verbs that report only with a complement ("noted that", "asked X to", "found the plan
    would") need one; position verbs ("wants") need an infinitive or a near "that".
    """
    tokens = s.tokens
    content = content_after(s, cue, stops)
    if content is None or _only_time(s, content):
        return None  # "Berg said on Monday.": when it was said, and nothing of what
    word = tokens[cue.last].lower
    evidence = tokens[np[1] - 1].lower in EVIDENCE_NOUNS  # "one study found the plan would ..."
    asks_to = word in ASK_FORMS and has_infinitive(s, cue)  # "asked the candidates to"
    bare = bare_clause_follows(tokens, cue.last + 1)  # "She forecast prices would fall"
    if word in NEEDS_COMPLEMENT and not (evidence or asks_to or bare or has_complement(s, cue)):
        return None
    if word in INFINITIVE_CUES and not has_infinitive(s, cue):
        return None
    return Candidate(s.span(*np), cue, content, RULE_ID)


def _only_time(s: AnalysedSentence, content: tuple[int, int]) -> bool:
    """Whether a content is nothing but a time ("on Monday", "earlier this week")."""
    seen = False
    for t in s.tokens:
        if content[0] <= t.start < content[1] and is_word(t):
            if not (t.lower in TIME_WORDS or t.lower in TIME_LEADS or t.lower in SKIP_AFTER_CUE):
                return False  # the first word of anything else settles it
            seen = True
    return seen


def possessive_report_noun(s: AnalysedSentence, cue: Cue) -> Candidate | None:
    """ "Russia's claims of C", "his warning that C": the owner is the speaker; the content runs
    to the next comma."""
    tokens = s.tokens
    n = len(tokens)
    owner = tokens[cue.first - 1]
    mention = (owner.start, owner.start + len(strip_possessive(owner.text)))
    k = cue.last + 1
    if k < n and tokens[k].lower in ("of", "that"):
        k += 1
    if k >= n:
        return None
    end = next((t.start for t in tokens[k:] if t.text == ","), s.sentence.end)
    content = s.content(tokens[k].start, end)
    return Candidate(mention, cue, content, REPORT_NOUN_RULE_ID) if content else None
