"""What every construction rule shares: the candidate it returns, and the tests of what follows
a cue (the content after it, a "that" clause, an infinitive, an adjunct)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal

from factdb.enums import Stance
from factdb.extract.cues import Cue
from factdb.extract.lexicon import (
    ADJUNCT_OPENERS,
    ADJUNCT_PREPOSITIONS,
    ADVERBS,
    ASK_FORMS,
    BARE_TIME_ADVERBS,
    CLAUSE_BREAKS,
    COMPLEMENTIZERS,
    CUE_STANCE,
    DETERMINERS,
    FINITE_MARKERS,
    GROUP_NOUNS,
    LISTING_PARTICIPLES,
    MODALS,
    NOT_COMMENT_PARTICIPLES,
    OBJECT_CUES,
    OBJECT_PRONOUNS,
    PASSIVE_AUX,
    PERSON_NOUNS,
    PREPOSITIONS,
    SKIP_AFTER_CUE,
    TELL_FORMS,
    TIME_LEADS,
    TIME_WORDS,
)
from factdb.extract.phrases import np_right
from factdb.extract.tokens import CLOSE_QUOTES, OPEN_QUOTES, AnalysedSentence, Token, is_word

# "that" or a colon is looked for within ten tokens after a cue ("said on Saturday in a statement that").
THAT_LOOKAHEAD = 10
# A clause without "that" has its auxiliary within four tokens ("forecast prices would").
BARE_CLAUSE_LOOKAHEAD = 5
# An object before an infinitive ("asked the two candidates to") is at most five tokens.
ASK_OBJECT_LOOKAHEAD = 6
# A "that" right after a position verb ("agreed with the mayor that") is within five tokens.
NEAR_THAT_LOOKAHEAD = 6
# What follows a cue is an adjunct ("in a statement on Monday") only if it is at most 12 words.
ADJUNCT_MAX_WORDS = 12

# Word sets the tests below use, built once rather than on every call.
_ADVERBS_ALSO = ADVERBS | {"also"}
_ADJUNCT_STARTS = SKIP_AFTER_CUE | ADJUNCT_PREPOSITIONS | LISTING_PARTICIPLES
_AUX_OR_MODAL = PASSIVE_AUX | MODALS


@dataclass(slots=True)
class Candidate:
    """An attribution a rule found in one sentence, before speaker resolution.

    Spans are character offsets into the article. ``rule`` is the RULE_ID of the rule that
    proposed it; ``channel`` the outlet that carried the words, when the text names one.
    """

    mention: tuple[int, int] | None  # char span of the speaker mention
    cue: Cue
    content: tuple[int, int]
    rule: str
    inherit: bool = False  # speaker is the previous attribution's in this sentence
    names: tuple[int, int] | None = None  # what a relative "who" stands for ("the mayor, who said")
    channel: tuple[int, int] | None = None  # char span of the outlet that carried the words


class _NoMatch(enum.Enum):
    NO_MATCH = "no match"


# What a rule returns when its construction is not there, so the next rule in order looks; a
# rule returns None when its construction is there but yields no claim, which ends the search.
NO_MATCH = _NoMatch.NO_MATCH
Outcome = Candidate | None | Literal[_NoMatch.NO_MATCH]


def content_after(s: AnalysedSentence, cue: Cue, stops: list[int]) -> tuple[int, int] | None:
    """The content reported after a cue: skipping "that", adverbials and a "told X" object."""
    tokens = s.tokens
    n = len(tokens)
    i = cue.last + 1
    if i < n and tokens[cue.last].lower in TELL_FORMS and cue.stance is Stance.ASSERTS:
        obj = np_right(tokens, i, n)
        if obj is not None:
            i = obj[1]
        elif tokens[i].lower in OBJECT_PRONOUNS or tokens[i].lower in GROUP_NOUNS:
            i += 1  # "told reporters the pier would reopen", "told them the pier ..."
    if i < n - 1 and tokens[i].lower in BARE_TIME_ADVERBS and is_word(tokens[i + 1]):
        i += 1  # "said Tuesday the bridge ...": the day is when it was said, not what
    elif i < n - 2 and tokens[i].lower in TIME_LEADS and tokens[i + 1].lower in TIME_WORDS:
        k = i + 2  # "said on Monday the bridge ...", "said last week the ..."
        while k < n and tokens[k].lower in TIME_WORDS:
            k += 1
        if k < n and is_word(tokens[k]) and tokens[k].lower != "that":
            i = k
    if tokens[cue.last].lower not in OBJECT_CUES and cue.stance is not Stance.URGES:
        # "claimed on Saturday that ...", "said in a statement on Telegram that ..."
        for j in range(i, min(n, i + THAT_LOOKAHEAD)):
            low = tokens[j].lower
            if low in ("that", ":"):
                i = j + 1
                break
            # "said, without evidence, that ..." may cross commas; a quote or clause break may not.
            if low == ";" or tokens[j].text in OPEN_QUOTES or low in CUE_STANCE:
                break
        while i < n and (
            tokens[i].lower in SKIP_AFTER_CUE and i + 1 < n and tokens[i + 1].text in (",", ":")
        ):
            i += 2
    if i < n and tokens[i].text in (",", ":"):
        i += 1
    if i >= n:
        return None
    start = tokens[i].start
    end = s.sentence.end
    later = [p for p in stops if p > cue.last]
    if later:
        end = min(end, _stop_char(s, later[0]))
    quotation = tokens[i].text in OPEN_QUOTES
    if quotation:
        close = next(
            (t for t in tokens[i + 1 :] if t.text in CLOSE_QUOTES and t.start < end),
            None,
        )
        if close is not None:
            end = close.start
    for j in range(i + 1, n):
        if tokens[j].start >= end:
            break
        if (
            tokens[j].text == ","
            and j + 1 < n
            and (tokens[j + 1].lower in CLAUSE_BREAKS or (not quotation and _participial_tail(tokens, j + 1)))
        ):
            end = tokens[j].start
            break
        if tokens[j].text in (";", "\u2014", "--"):
            end = tokens[j].start
            break
    return s.content(start, end)


def _participial_tail(tokens: list[Token], i: int) -> bool:
    """ ", not wanting to alienate ...", ", prompting ...": a participle that comments on the
    report rather than continuing what was said."""
    if i < len(tokens) and tokens[i].lower == "not":
        i += 1
    return (
        i < len(tokens)
        and tokens[i].text.islower()
        and tokens[i].lower.endswith("ing")
        and tokens[i].lower not in NOT_COMMENT_PARTICIPLES
    )


def _stop_char(s: AnalysedSentence, cue_index: int) -> int:
    """Where content before a following cue clause ends (before its comma, "and" or "but")."""
    tokens = s.tokens
    k = cue_index
    while k > 0 and tokens[k - 1].lower in _ADVERBS_ALSO:
        k -= 1
    if k > 0 and tokens[k - 1].lower in ("and", "but", "while"):
        k -= 1
    if k > 0 and tokens[k - 1].text == ",":
        k -= 1
    return tokens[k].start if k < len(tokens) else s.sentence.end


def has_complement(s: AnalysedSentence, cue: Cue, within_clause: bool = False) -> bool:
    """Whether "that", a question word, a colon or a quote follows the cue closely.

    ``within_clause`` looks only at what directly follows (past a time or an adverb): in
    '"...," he said, adding that ...' the "that" belongs to the participle, in '"...," he said
    on "Morning Show"' the quote names a show, and in '"A," he said, "B"' the quote goes on.
    """
    tokens = s.tokens
    if within_clause:
        j = cue.last + 1
        while j < len(tokens) and (tokens[j].lower in SKIP_AFTER_CUE or tokens[j].lower in TIME_WORDS):
            j += 1
        return j < len(tokens) and tokens[j].text in ("that", ":")
    for j in range(cue.last + 1, min(len(tokens), cue.last + THAT_LOOKAHEAD)):
        low = tokens[j].lower
        if low in COMPLEMENTIZERS or tokens[j].text in OPEN_QUOTES:
            return True
        if low == ";":
            return False
    return False


def bare_clause_follows(tokens: list[Token], i: int) -> bool:
    """Whether a clause without "that" starts at ``i``: a short subject, then an auxiliary or
    modal ("forecast prices would fall", "indicated it would pay")."""
    for j in range(i + 1, min(len(tokens), i + BARE_CLAUSE_LOOKAHEAD)):
        if tokens[j].lower in FINITE_MARKERS:
            return all(is_word(t) and t.lower not in PREPOSITIONS for t in tokens[i:j])
        if not is_word(tokens[j]):
            return False
    return False


def has_infinitive(s: AnalysedSentence, cue: Cue) -> bool:
    """Whether "to" (or a clause) follows the cue, past adverbs: "wants to", "declined to comment"."""
    tokens = s.tokens
    j = cue.last + 1
    while j < len(tokens) and tokens[j].lower in ADVERBS:
        j += 1
    if tokens[cue.last].lower in ASK_FORMS:
        # "asked the two mayors to explain": an object before the infinitive.
        j = next(
            (
                k
                for k in range(j, min(len(tokens), j + ASK_OBJECT_LOOKAHEAD))
                if not is_word(tokens[k]) or tokens[k].lower == "to"
            ),
            j,
        )
    if j < len(tokens) and tokens[j].lower == "to":
        return True
    # Or a "that" clause close by, with no punctuation between: "agreed with the mayor that".
    for k in range(cue.last + 1, min(len(tokens), cue.last + NEAR_THAT_LOOKAHEAD)):
        if tokens[k].lower == "that":
            return True
        if not is_word(tokens[k]):
            return False
    return False


def _starts_verb_phrase(token: Token) -> bool:
    """A lowercase word after "to" that is no determiner or noun of a listener."""
    low = token.lower
    return (
        token.text.islower()
        and low not in DETERMINERS
        and low not in GROUP_NOUNS
        and low not in PERSON_NOUNS
        and low not in OBJECT_PRONOUNS
    )


def tail_is_adjunct(s: AnalysedSentence, cue: Cue) -> bool:
    """True when all that follows the cue is a short adjunct ("on Monday", "in a statement")."""
    tail = s.tokens[cue.last + 1 :]
    words = [t for t in tail if is_word(t)]
    if not words:
        return True
    if any(t.lower == "that" or t.text in OPEN_QUOTES for t in tail):
        return False
    if words[0].lower == "to" and len(words) > 1 and _starts_verb_phrase(words[1]):
        return False  # "proposed to draft ...": an infinitive, not "told to reporters"
    return len(words) <= ADJUNCT_MAX_WORDS and (
        words[0].lower in _ADJUNCT_STARTS or s.tokens[cue.last + 1].text == ","
    )


def nothing_reported_after(tokens: list[Token], cue: Cue) -> bool:
    """Whether the cue's clause ends, or goes on only with an adjunct, so the content is what came
    before ('"...," he said, adding ...', 'he said in a statement'; not 'he said the plan ...')."""
    rest = cue.last + 1
    if tokens[cue.last].lower in TELL_FORMS:
        # '"...," the senator told a crowd of supporters in the square': whoever follows is the
        # listener, unless a "that" clause follows.
        clause_end = next(
            (k for k in range(rest, len(tokens)) if tokens[k].text in (",", ";")),
            len(tokens),
        )
        if any(tokens[k].lower == "that" for k in range(rest, clause_end)):
            return False
        # "told reporters the pier would reopen": a listener, then a clause of its own.
        return not (
            rest + 1 < clause_end
            and (tokens[rest].lower in OBJECT_PRONOUNS or tokens[rest].lower in GROUP_NOUNS)
            and bare_clause_follows(tokens, rest + 1)
        )
    return (
        rest >= len(tokens)
        or not is_word(tokens[rest])
        or tokens[rest].lower in SKIP_AFTER_CUE
        or tokens[rest].lower in ADJUNCT_OPENERS
        or tokens[rest].lower in TIME_LEADS
        or tokens[rest].lower in ADVERBS
        or tokens[rest].lower.endswith("ly")
        or tokens[rest].lower == "of"
        or _adjunct_participle(tokens[rest])
    )


def _adjunct_participle(token: Token) -> bool:
    """A participle that opens an adjunct right after a cue ('"...," she said answering a
    question', "he said pointing at the map"), not "nothing" or a reporting participle."""
    low = token.lower
    return (
        low.endswith("ing")
        and token.text.islower()
        and not low.endswith("thing")
        and low not in CUE_STANCE
        and low not in NOT_COMMENT_PARTICIPLES
    )


def continuation(tokens: list[Token], cue: Cue, any_word: bool = False) -> int | None:
    """Where the content resumes after an interrupting report (", he said, ..."), if it does:
    a quote, or a verb that goes on with the sentence's subject (``any_word``: any word)."""
    rest = cue.last + 1
    while rest < len(tokens) and tokens[rest].lower in SKIP_AFTER_CUE:
        rest += 1  # "said Friday, ..."
    if rest + 1 >= len(tokens) or tokens[rest].text != ",":
        return None
    nxt = tokens[rest + 1]
    if nxt.text in OPEN_QUOTES or nxt.lower in _AUX_OR_MODAL:
        return rest + 1
    if any_word and is_word(nxt) and not nxt.lower.endswith("ing") and nxt.lower not in CUE_STANCE:
        return rest + 1
    return None
