"""The order in which the construction rules try a finite cue ("said", "have not confirmed").

A few tests first rule out words that are no verb here (a noun, a passive with no agent); then
each construction is tried in the order news writing makes it unambiguous: a passive with "by",
a coordinated verb, a relative subject, an inverted report, and for a subject before the cue a
postposed report, a long title before the name, and last the plain "X said C".
"""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import (
    BE_FORMS,
    CUE_BASES,
    DOCUMENT_NOUNS,
    IRREGULAR_PARTICIPLES,
    ISSUED_PARTICIPLES,
    MODALS,
    PASSIVE_AUX,
    PREPOSITIONS,
    RELATIVE_PRONOUNS,
    SUBORDINATORS,
)
from factdb.extract.phrases import np_left, plural_subject, unnamed_source_left
from factdb.extract.rules import inverted, passives, shared_speaker, speaker_after, speaker_first
from factdb.extract.rules.base import NO_MATCH, Candidate
from factdb.extract.tokens import AnalysedSentence, Token, is_acronym, is_possessive

# Plural nouns look like verbs before these words ("his remarks are ...", "the claims will").
_NOUN_BEFORE_VERB = PASSIVE_AUX | (MODALS - {"should", "must"})
# A document and how it came out ("a report by", "a statement issued by"): built once.
_ISSUED_THINGS = DOCUMENT_NOUNS | ISSUED_PARTICIPLES


def finite(s: AnalysedSentence, cue: Cue, stops: list[int], found: list[Candidate]) -> Candidate | None:
    """The attribution of a finite cue, if any construction finds one."""
    tokens = s.tokens
    n = len(tokens)
    if cue.last + 1 < n and tokens[cue.last + 1].lower == "by":
        return passives.passive_agent(s, cue)
    if (
        cue.first > 0
        and tokens[cue.first - 1].lower in BE_FORMS
        and (tokens[cue.last].lower.endswith("ed") or tokens[cue.last].lower in IRREGULAR_PARTICIPLES)
    ):
        return None  # "the ruling is expected to stand": a passive with no one who speaks
    coordinated = cue.first > 0 and tokens[cue.first - 1].lower in ("and", "but")
    np = None if coordinated else (unnamed_source_left(tokens, cue.first, 0) or np_left(tokens, cue.first, 0))
    if np is not None and tokens[np[0]].text in SUBORDINATORS and np[1] - np[0] > 1:
        np = (np[0] + 1, np[1])  # "While his advisers suggested", "As the mayor talked about"
    while np is not None and np[0] > 0 and tokens[np[0] - 1].lower in PREPOSITIONS:
        # "The Center for Tax Studies at the State University estimates": the phrase belongs to
        # a longer subject.
        head = np_left(tokens, np[0] - 1, 0)
        if head is None:
            break
        np = (head[0], np[1])
    if (
        np is not None
        and tokens[cue.first].lower in CUE_BASES
        and not plural_subject(tokens, np)
        and tokens[np[0]].lower not in RELATIVE_PRONOUNS  # "voters who say": the antecedent's number
    ):
        return None  # "a direct appeal by ...": a noun, not a verb
    if cue.first > 0 and is_possessive(tokens[cue.first - 1]):
        return None  # "the senator's remarks", "Editor's note": a noun
    if (
        tokens[cue.last].lower.endswith("s")
        and cue.last + 1 < n
        and tokens[cue.last + 1].lower in _NOUN_BEFORE_VERB
    ):
        return None  # "his sexist remarks are ...": a plural noun followed by its verb
    if coordinated:
        return shared_speaker.coordinated(s, cue, stops, found)
    if np is None:
        adverb = shared_speaker.coordinated_after_adverb(s, cue, stops, found)
        return adverb if adverb is not None else inverted.inverted(s, cue)
    if tokens[np[0]].lower in RELATIVE_PRONOUNS and not is_acronym(tokens[np[0]]):
        return relative_subject(s, cue, stops, np)
    found_claim = subject_before(s, cue, stops, np)
    issuer = _issuer_in(tokens, np)
    if found_claim is not None and issuer is not None and found_claim.names is None:
        found_claim.names = s.span(*issuer)  # "a report by the audit office found": the office's
    return found_claim


def _issuer_in(tokens: list[Token], np: tuple[int, int]) -> tuple[int, int] | None:
    """Who issued a document a subject names ("a report by the audit office"), if it does."""
    for k in range(np[0] + 1, np[1] - 1):
        if tokens[k].lower == "by" and tokens[k - 1].lower in _ISSUED_THINGS:
            return (k + 1, np[1])
    return None


def subject_before(s: AnalysedSentence, cue: Cue, stops: list[int], np: tuple[int, int]) -> Candidate | None:
    """A finite cue whose subject ``np`` comes before it: the content follows the cue, or comes
    before the subject when the report is postposed."""
    for rule in (speaker_after.speaker_after, speaker_after.title_before_name):
        outcome = rule(s, cue, np)
        if outcome is not NO_MATCH:
            return outcome
    return speaker_first.speaker_first(s, cue, stops, np)


def relative_subject(
    s: AnalysedSentence, cue: Cue, stops: list[int], np: tuple[int, int]
) -> Candidate | None:
    """ "The mayor, who ..., said C": the speaker is the phrase before ", who"; the mention stays
    "who", as a pronoun's does."""
    tokens = s.tokens
    k = np[0]
    if k > 1 and tokens[k - 1].text == ",":
        antecedent = np_left(tokens, k - 1, 0)
    elif k > 0 and tokens[k].lower == "who":
        antecedent = np_left(tokens, k, 0)  # "voters who say the plan is late": no comma before "who"
    else:
        antecedent = None
    if antecedent is None:
        return None
    result = subject_before(s, cue, stops, antecedent)
    if result is not None and result.mention == s.span(*antecedent):
        result.mention, result.names = s.span(k, k + 1), result.mention
        result.rule = speaker_first.RELATIVE_RULE_ID
    return result
