"""Who said what the tagger found: the rules' subject finding around the cue it tagged.

The tagger finds contents well but marks their sources less reliably than the rules find
subjects. So for a content the tagger proposes, the cue nearest it (the one the tagger tagged,
else the nearest cue the lexicon knows) is read the way the rules read a cue: a subject before
it ("X said C", "C, X said"), a speaker after an inverted cue ("C, said X"), or the main
clause's subject for a participle or a coordinated verb (", saying C", "and warned C").
"""

from __future__ import annotations

from dataclasses import dataclass

from factdb.enums import Stance
from factdb.extract.cues import Cue, CueKind, find_cues, verb_kind
from factdb.extract.lexicon import ADVERBS, BE_FORMS, IRREGULAR_PARTICIPLES, PREPOSITIONS, RELATIVE_PRONOUNS
from factdb.extract.phrases import clause_subject, np_left, np_right, unnamed_source_left
from factdb.extract.tokens import CLOSE_QUOTES, AnalysedSentence, Token, is_acronym

# A lexicon cue farther than this many tokens from a content is not taken for its cue: beyond it
# the cue usually reports another content of the sentence.
CUE_REACH = 8
# Words between a subject and a passive participle ("has also been", "is widely").
_AUXILIARIES = BE_FORMS | {"has", "have", "had", "will", "would", "may", "might", "could", "can", "should"}
# A speaker after an inverted cue ("..., said the acting governor of the region") is at most this
# many tokens.
INVERTED_SPEAKER_MAX = 12


def _token_at(tokens: list[Token], char: int) -> int | None:
    """The index of the rules' token that starts at or covers ``char``."""
    for i, token in enumerate(tokens):
        if token.start <= char < token.end or token.start >= char:
            return i
    return None


def _gap(cue: Cue, content: tuple[int, int]) -> int:
    """Tokens between a cue and a content (token indices, content half-open)."""
    if cue.last < content[0]:
        return content[0] - cue.last - 1
    if cue.first >= content[1]:
        return cue.first - content[1]
    return 0


def lexicon_cue(s: AnalysedSentence, quoted: list[bool], content: tuple[int, int]) -> Cue | None:
    """The lexicon's cue nearest a content (token range), outside it, within CUE_REACH tokens."""
    outside = [c for c in find_cues(s.tokens, quoted) if c.last < content[0] or c.first >= content[1]]
    near = [c for c in outside if _gap(c, content) <= CUE_REACH]
    return min(near, key=lambda c: _gap(c, content)) if near else None


def tagged_cue(s: AnalysedSentence, start: int, end: int) -> Cue | None:
    """A cue over the characters the tagger tagged as one, read as the rules would read it."""
    first = _token_at(s.tokens, start)
    if first is None:
        return None
    last = first
    while last + 1 < len(s.tokens) and s.tokens[last + 1].end <= end:
        last += 1
    found = next((c for c in find_cues(s.tokens) if c.first <= first <= c.last), None)
    if found is not None:
        return found
    kind = CueKind.ACCORDING if s.tokens[first].lower == "according" else verb_kind(s.tokens, first)
    return Cue(first, last, Stance.ASSERTS, kind)


def is_passive(tokens: list[Token], cue: Cue) -> bool:
    """Whether a cue is a passive with no agent ("is expected to", "was widely asked about", "has
    been called"): its grammatical subject is what is reported on, not who reports it. The tagger's
    cue may hold the auxiliary itself ("is expected") or start at the participle ("expected")."""
    k = cue.first
    while k <= cue.last and (tokens[k].lower in _AUXILIARIES or _adverb(tokens[k].lower)):
        k += 1  # the participle: the first word of the cue past its auxiliaries and adverbs
    if k > cue.last:
        return False
    word = tokens[k].lower
    if not (word.endswith("ed") or word in IRREGULAR_PARTICIPLES):
        return False
    j = k - 1
    while j >= 0 and _adverb(tokens[j].lower) and tokens[j].lower not in BE_FORMS:
        j -= 1
    if j < 0 or tokens[j].lower not in BE_FORMS:
        return False
    after = cue.last + 1
    return not (after < len(tokens) and tokens[after].lower == "by")  # "was reported by Reuters"


def subject_of(s: AnalysedSentence, cue: Cue, content: tuple[int, int]) -> tuple[int, int] | None:
    """Token range of the speaker of ``cue`` for a content at token range ``content``, if the
    rules' phrase finders see one."""
    tokens = s.tokens
    n = len(tokens)
    if cue.kind is CueKind.ACCORDING:
        return np_right(tokens, cue.last + 1, n, limit=INVERTED_SPEAKER_MAX)
    before = tokens[cue.first - 1] if cue.first > 0 else None
    if cue.kind is CueKind.PARTICIPLE or (before is not None and before.lower in ("and", "but")):
        return clause_subject(tokens, cue.first)
    lo = content[1] if content[1] <= cue.first else 0
    np = unnamed_source_left(tokens, cue.first, lo) or np_left(tokens, cue.first, lo)
    while np is not None and np[0] > lo and tokens[np[0] - 1].lower in PREPOSITIONS:
        head = np_left(tokens, np[0] - 1, lo)  # "the Center for Tax Studies at the University said"
        if head is None:
            break
        np = (head[0], np[1])
    if np is not None and tokens[np[0]].lower in RELATIVE_PRONOUNS and not is_acronym(tokens[np[0]]):
        k = np[0]
        antecedent = np_left(tokens, k - 1 if k > 1 and tokens[k - 1].text == "," else k, lo)
        np = antecedent or np
    if np is not None:
        return np
    if content[1] <= cue.first and before is not None and (before.text == "," or before.text in CLOSE_QUOTES):
        return np_right(tokens, cue.last + 1, n, limit=INVERTED_SPEAKER_MAX)  # "C," said X
    return None


def _adverb(word: str) -> bool:
    return word in ADVERBS or (word.endswith("ly") and len(word) > 4)


@dataclass(frozen=True, slots=True)
class Found:
    """The speaker's mention and the cue of a tagged content, as character spans."""

    mention: tuple[int, int]
    cue: tuple[int, int]


def speaker_near_cue(
    s: AnalysedSentence, quoted: list[bool], content: tuple[int, int], tagged: tuple[int, int] | None
) -> Found | None:
    """Who said a content (characters) the tagger found: the rules' subject of the cue the tagger
    tagged (``tagged``, characters), else of the nearest cue the lexicon knows, if either has one
    outside the content."""
    tokens = s.tokens
    first = _token_at(tokens, content[0])
    if first is None:
        return None
    last = first
    while last < len(tokens) and tokens[last].start < content[1]:
        last += 1
    span = (first, last)
    cues: list[Cue] = []
    if tagged is not None:
        cue = tagged_cue(s, *tagged)
        if cue is not None:
            cues.append(cue)
    near = lexicon_cue(s, quoted, span)
    if near is not None:
        cues.append(near)
    for cue in cues:
        subject = subject_of(s, cue, span)
        if subject is not None and (subject[1] <= span[0] or subject[0] >= span[1]):
            return Found(s.span(*subject), s.span(cue.first, cue.last + 1))
    return None


def passive_cue(s: AnalysedSentence, cue: tuple[int, int] | None) -> bool:
    """Whether the cue at these characters is a passive with no agent (:func:`is_passive`)."""
    if cue is None:
        return False
    found = tagged_cue(s, *cue)
    return found is not None and is_passive(s.tokens, found)
