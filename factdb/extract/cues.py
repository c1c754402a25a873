"""Stage 3: reporting cues -- the words that say someone said something.

A cue is looked up in the lexicon and classed by how its speaker is found: a finite verb
("said"), a participle that shares the clause's speaker (", saying"), "according to", a report
noun owned by a possessive ("Russia's claims"), or a label's colon.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from factdb.enums import Stance
from factdb.extract.lexicon import (
    ADVERBS,
    BE_FORMS,
    COMPLEMENTIZERS,
    CUE_STANCE,
    DO_HAVE_AUX,
    PHRASE_CUES,
    POSSESSIVE_PRONOUNS,
    REPORT_NOUNS,
)
from factdb.extract.phrases import common_noun, np_left
from factdb.extract.tokens import OPEN_QUOTES, Token, is_possessive, is_word


class CueKind(enum.StrEnum):
    """How a cue relates to its speaker."""

    FINITE = "finite"  # "said", "is saying": the subject is the speaker
    PARTICIPLE = "participle"  # ", saying that": shares the clause's speaker
    ACCORDING = "according"  # "according to X"
    NOUN = "noun"  # "X's claims of C"
    LABEL = "label"  # "NAME: ..." -- the colon or dash of a label


@dataclass(slots=True)
class Cue:
    """The reporting words of one candidate, as token indices of its sentence."""

    first: int  # token index of the first cue word
    last: int  # token index of the last cue word (inclusive)
    stance: Stance
    kind: CueKind


# A headline in title case has at least five words, nine in ten of them capitalized ("Mayor Says
# Pier Will Reopen In May"); a sentence of names ("Ana Ruiz, Tom Berg and Li Wei") has fewer
# words or more small ones.
TITLE_CASE_MIN_WORDS = 5
TITLE_CASE_SHARE = 0.9
# "went on to say", "continued to insist": a cue of its own, the verb's stance.
GO_ON = frozenset({"go", "goes", "went", "going"})
CONTINUE_FORMS = frozenset({"continue", "continues", "continued", "continuing"})
# Adverbs a progressive's auxiliary may stand behind ("is now saying"), built once, not per cue.
_ADVERBS_NOT_BE = ADVERBS - BE_FORMS
# Every word a cue can start with: a quick test before the finder looks closer.
_CUE_STARTS = frozenset(
    set(CUE_STANCE)
    | {phrase.split()[0] for phrase in PHRASE_CUES}
    | set(REPORT_NOUNS)
    | {"according", "not", "n't"}
)


def find_cues(tokens: list[Token], quoted: list[bool] | None = None) -> list[Cue]:
    """Every reporting cue in a sentence, outside quotations (an "I think" inside a quote is part
    of what the speaker said, not a new attribution)."""
    cues: list[Cue] = []
    i = 0
    n = len(tokens)
    titled: bool | None = None  # worked out when first needed: most sentences never need it
    while i < n:
        low = tokens[i].lower
        if low not in _CUE_STARTS or (quoted is not None and quoted[i]):
            i += 1  # not a cue word, or inside a quotation
            continue
        if i > 0 and tokens[i].text[0].isupper() and tokens[i - 1].text not in OPEN_QUOTES:
            if titled is None:
                titled = title_case(tokens)
            if not titled:
                i += 1  # capitalized inside a sentence: a name ("United States", "Tell Me Why")
                continue
        nxt = tokens[i + 1].lower if i + 1 < n else ""
        nxt2 = tokens[i + 2].lower if i + 2 < n else ""
        if low == "according" and nxt == "to":
            cues.append(Cue(i, i + 1, Stance.ASSERTS, CueKind.ACCORDING))
            i += 2
            continue
        phrase3 = f"{low} {nxt} {nxt2}"
        phrase2 = f"{low} {nxt}"
        if phrase3 in PHRASE_CUES:
            cues.append(Cue(i, i + 2, PHRASE_CUES[phrase3], verb_kind(tokens, i)))
            i += 3
            continue
        if phrase2 in PHRASE_CUES:
            cues.append(Cue(i, i + 1, PHRASE_CUES[phrase2], verb_kind(tokens, i)))
            i += 2
            continue
        if low in ("not", "n't") and nxt in ("confirmed", "confirm", "confirmed,"):
            aux = i - 1 if i > 0 and tokens[i - 1].lower in DO_HAVE_AUX else i
            cues.append(Cue(aux, i + 1, Stance.DENIES, CueKind.FINITE))
            i += 2
            continue
        if (
            low in REPORT_NOUNS
            and i > 0
            and (is_possessive(tokens[i - 1]) or tokens[i - 1].lower in POSSESSIVE_PRONOUNS)
        ):
            cues.append(Cue(i, i, REPORT_NOUNS[low], CueKind.NOUN))
            i += 1
            continue
        if _modifier_participle(tokens, i):
            i += 1  # "an officer accused of assault", "1,240 confirmed cases": no one reports here
            continue
        stance = CUE_STANCE.get(low)
        if stance is not None and is_word(tokens[i]) and not (i > 0 and tokens[i - 1].lower == "to"):
            cues.append(Cue(i, i, stance, verb_kind(tokens, i)))
        elif stance is not None and is_word(tokens[i]) and _goes_on_to(tokens, i) is not None:
            # "He went on to say ...", "She continued to insist ...": the phrase is the cue.
            first = _goes_on_to(tokens, i) or 0
            cues = [c for c in cues if c.first < first]  # "continued" is part of this cue
            cues.append(Cue(first, i, stance, verb_kind(tokens, first)))
        i += 1
    return cues


def _modifier_participle(tokens: list[Token], i: int) -> bool:
    """A past participle that describes a noun rather than reports: "accused of" (the active
    verb needs its object first: "accused him of"), or one between a number or determiner and a
    noun ("1,240 confirmed infections", "the reported cases")."""
    low = tokens[i].lower
    if not low.endswith("ed") or i + 1 >= len(tokens):
        return False
    if low == "accused" and tokens[i + 1].lower == "of":
        return True
    return (
        i > 0
        and (tokens[i - 1].text[0].isdigit() or tokens[i - 1].lower in _MODIFIER_DETERMINERS)
        and common_noun(tokens[i + 1])
        and tokens[i + 1].lower not in CUE_STANCE
        and tokens[i + 1].lower not in COMPLEMENTIZERS  # "an ad in 2008 questioned whether ..."
    )


_MODIFIER_DETERMINERS = frozenset({"the", "a", "an", "its", "their", "his", "her", "our", "these", "those"})


def _goes_on_to(tokens: list[Token], i: int) -> int | None:
    """Where "went on to" or "continued to" starts, when it comes right before token ``i``."""
    if (
        i >= 3
        and tokens[i - 1].lower == "to"
        and tokens[i - 2].lower == "on"
        and tokens[i - 3].lower in GO_ON
    ):
        return i - 3
    if i >= 2 and tokens[i - 1].lower == "to" and tokens[i - 2].lower in CONTINUE_FORMS:
        return i - 2
    return None


def title_case(tokens: list[Token]) -> bool:
    """Whether a sentence is a headline in title case ("Mayor Says Pier Will Reopen"), where a
    capitalized word can still be a verb."""
    words = [t.text for t in tokens if t.text[0].isalpha()]
    if len(words) < TITLE_CASE_MIN_WORDS:
        return False
    return sum(1 for w in words if w[0].isupper()) >= TITLE_CASE_SHARE * len(words)


def verb_kind(tokens: list[Token], i: int) -> CueKind:
    """Participle for ", saying ..."; a progressive ("is saying") is finite."""
    if not tokens[i].lower.endswith("ing"):
        return CueKind.FINITE
    j = i - 1
    while j > 0 and tokens[j].lower in _ADVERBS_NOT_BE:
        j -= 1
    return CueKind.FINITE if j >= 0 and tokens[j].lower in BE_FORMS else CueKind.PARTICIPLE


def clause_start(tokens: list[Token], cue: Cue) -> int | None:
    """Where a clause of a later cue starts, if it opens one: ", vowing", "but warned",
    "and also said", ", according to", ", and two in three farmers said"."""
    before = tokens[cue.first - 1] if cue.first > 0 else None
    if before is None:
        return None
    if cue.kind in (CueKind.PARTICIPLE, CueKind.ACCORDING):
        return cue.first if before.text == "," else None
    if cue.kind is not CueKind.FINITE:
        return None
    if before.lower in ("and", "but"):
        return cue.first
    if cue.first > 1 and before.lower in ADVERBS and tokens[cue.first - 2].lower in ("and", "but"):
        return cue.first
    # A new subject after a conjunction: "..., and two in three farmers said ...".
    np = np_left(tokens, cue.first, 0)
    if np is not None and np[0] > 1 and tokens[np[0] - 1].lower in ("and", "but", "while", "whereas"):
        return np[0]
    return None
