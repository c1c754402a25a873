"""Stage 2: noun phrases that can name a speaker -- names, titles, groups, pronouns, shares.

Every function works on token indices within one sentence and returns a half-open token range
``(start, end)``, or None when no speaker-like phrase is there.
"""

from __future__ import annotations

from factdb.extract.lexicon import (
    ADVERBS,
    CLAUSE_OPENERS,
    COLLECTIVE_NOUNS,
    CUE_STANCE,
    DETERMINERS,
    DISCOURSE_WORDS,
    FUNCTION_CAPS,
    GROUP_NOUNS,
    LY_NOUNS,
    NATIONALITIES,
    NOT_NOUNS,
    NOUN_DETERMINERS,
    NP_JOINERS,
    NUMBER_WORDS,
    ORG_NOUNS,
    PERSON_NOUNS,
    PREPOSITIONS,
    PRONOUNS,
    QUANTIFIER_SUBJECTS,
    QUANTITY_JOINERS,
    RELATIVE_PRONOUNS,
    SURVEYED,
    TIME_LEADS,
    TIME_WORDS,
    TITLE_WORDS,
    UNNAMED_SOURCE_MARKERS,
)
from factdb.extract.names import is_capitalized
from factdb.extract.tokens import CLOSE_QUOTES, OPEN_QUOTES, Token, is_acronym, is_possessive, is_word

# An unnamed source's phrase runs at most 16 tokens ("two port officials who asked not to be named
# as the talks go on").
UNNAMED_SOURCE_MAX_TOKENS = 16
# A speaker's noun phrase is at most this many tokens: longer capitalized runs are headlines or lists.
MAX_NP = 9
# Quantifiers that float after a plural subject ("Ruiz and Berg both said", "the mayors all agreed").
FLOATING_QUANTIFIERS = frozenset({"both", "all", "each"})
# A parenthesis after a name ("(R-OH)") is at most this many tokens back from the cue.
PARENTHESIS_LOOKBACK = 12
# An appositive or relative clause between subject and cue is at most 30 tokens long.
APPOSITIVE_MAX_TOKENS = 30
# Dashes that set off an appositive as commas do ("Tom Berg — a welder from Gary — says").
APPOSITIVE_DASHES = ("—", "–", "--")
# A name set off by commas after a title ("chairman, Ana Ruiz,") has at most four words.
APPOSITIVE_NAME_MAX = 4
# A share before a cue ("nearly one in five") spans fewer than five tokens.
QUANTITY_MAX_TOKENS = 5
# Lowercase modifiers before a name-like head ("central bank spokesman"): at most two.
MAX_NOUN_MODIFIERS = 2
# A time between a subject and its verb ("on Friday", "last week", "early on Monday"): at most three words.
SUBJECT_TIME_MAX = 3
# A capitalized possessor before those modifiers ("South Korea's energy ministry"): at most three words.
POSSESSOR_MAX_WORDS = 3
# A determiner opens a common-noun phrase at most six tokens before its head (five modifiers).
DETERMINED_NP_MAX = 6

# Pronouns after "most of", "both of": the share of a group that says something.
_PARTITIVE_PRONOUNS = frozenset({"them", "us", "those"})
# What opens a time phrase between a subject and its verb ("Ruiz on Friday said", "this week").
_TIME_OPENERS = TIME_LEADS | {"this", "last", "next"}


def is_quantity(token: Token) -> bool:
    """A number or share that can say something in a poll: "22 percent", "one in five", "%"."""
    return token.text[0].isdigit() or token.lower in NUMBER_WORDS or token.text == "%"


def is_adverb(token: Token) -> bool:
    """An adverb or auxiliary between a subject and its verb ("has sharply criticized")."""
    low = token.lower
    return low in ADVERBS or (low.endswith("ly") and low not in LY_NOUNS and token.text.islower())


def common_noun(token: Token) -> bool:
    """A lowercase word that may be a noun (no function word, adverb or past/present participle)."""
    low = token.lower
    return (
        is_word(token)
        and token.text.islower()
        and low not in ADVERBS
        and low not in DETERMINERS
        and low not in NOT_NOUNS
        and low not in CUE_STANCE
        and (not low.endswith(("ed", "ly", "ing")) or low in LY_NOUNS)
    )


def np_word(token: Token) -> bool:
    """A word that can be part of a speaker's name or title."""
    low = token.lower
    if not is_word(token):
        return False
    if is_capitalized(token.text):
        return True
    return (
        low in DETERMINERS
        or low in TITLE_WORDS
        or low in NATIONALITIES
        or low in PERSON_NOUNS
        or low in GROUP_NOUNS
        or low in ORG_NOUNS
        or is_possessive(token)
    )


def speakerish(token: Token, sentence_initial: bool) -> bool:
    """Whether a word can head a phrase naming a speaker (a name, pronoun or speaker noun)."""
    low = token.lower
    if (low in PRONOUNS or low in RELATIVE_PRONOUNS) and not is_acronym(token):
        return low != "that"
    if is_capitalized(token.text) and is_word(token):
        # "Russian" in "Russian engineering units" is a modifier, not who spoke.
        return token.text not in FUNCTION_CAPS and low not in NATIONALITIES
    return low in GROUP_NOUNS or low in PERSON_NOUNS or low in ORG_NOUNS


def _is_participle_modifier(token: Token) -> bool:
    """ "recently built", "widely cited": a participle or adverb inside a noun phrase."""
    return token.text.islower() and token.lower.endswith(("ed", "ly")) and token.lower not in CUE_STANCE


def skip_interruption(tokens: list[Token], end: int, lo: int) -> int | None:
    """Before "X, executive director of Y, said" or "X (R-OH) said": where X ends, else None."""
    j = end
    if j > lo and tokens[j - 1].text == ",":
        j -= 1
    if j > lo and tokens[j - 1].text == ")":
        opening = next(
            (k for k in range(j - 1, max(lo, j - PARENTHESIS_LOOKBACK) - 1, -1) if tokens[k].text == "("),
            None,
        )
        if opening is not None:
            return opening
    mark = tokens[end - 1].text if end > lo else None
    if mark == "," or mark in APPOSITIVE_DASHES:
        # The earlier comma (or dash) of an appositive or relative clause: "Tom Berg — a welder
        # from Gary — says".
        for k in range(end - 2, max(lo, end - 2 - APPOSITIVE_MAX_TOKENS) - 1, -1):
            if tokens[k].text == mark:
                return _past_age(tokens, k, lo) if k > lo else None
            if tokens[k].text in OPEN_QUOTES or tokens[k].text in CLOSE_QUOTES or tokens[k].text == ";":
                return None
    return None


def _past_age(tokens: list[Token], k: int, lo: int) -> int:
    """Before "Ana Ruiz, 34, a nurse from Tulsa, said": the comma before the age, where the name
    ends, when an age stands between the name and the appositive (else ``k``)."""
    if k - 2 > lo and tokens[k - 1].text.isdigit() and tokens[k - 2].text == ",":
        return k - 2
    return k


def _titled_name(words: list[Token]) -> bool:
    """ "city councillor Ana Ruiz": lowercase nouns, then a name of two to four capitalized words."""
    split = 0
    while split < len(words) and common_noun(words[split]) and words[split].lower not in PREPOSITIONS:
        split += 1
    name = words[split:]
    return (
        0 < split <= MAX_NOUN_MODIFIERS + 1
        and 2 <= len(name) <= APPOSITIVE_NAME_MAX
        and all(is_word(t) and is_capitalized(t.text) and t.text not in FUNCTION_CAPS for t in name)
    )


def np_left(tokens: list[Token], end: int, lo: int) -> tuple[int, int] | None:
    """Token range [start, end) of the speaker-like noun phrase ending at ``end``, if any."""
    j = end
    while j > lo and is_adverb(tokens[j - 1]):
        j -= 1
    np_end = j
    if np_end <= lo:
        return None
    head = tokens[np_end - 1]
    if (
        head.lower in _PARTITIVE_PRONOUNS
        and np_end - 3 >= lo
        and tokens[np_end - 2].lower == "of"
        and tokens[np_end - 3].lower in QUANTIFIER_SUBJECTS | {"all", "none"}
    ):
        return (np_end - 3, np_end)  # "Most of them said", "Both of us agreed"
    if head.lower in QUANTIFIER_SUBJECTS and (
        np_end - 1 == lo
        or not is_word(tokens[np_end - 2])
        or tokens[np_end - 2].lower in ("and", "but", "while", "whereas", "yet")
    ):
        return (np_end - 1, np_end)  # "And both vowed to ...", "Others said ..."
    if head.lower in SURVEYED and np_end - 2 >= lo and tokens[np_end - 2].lower == "those":
        k = np_end - 2  # "Forty percent of those polled say"
        if k - 1 > lo and tokens[k - 1].lower == "of":
            inner = np_left(tokens, k - 1, lo)
            if inner is not None:
                return (inner[0], np_end)
        return (k, np_end)
    if head.lower in TIME_WORDS:
        # "Ruiz on Friday said", "The board this week rejected": step over the time.
        k = np_end - 1
        while k > lo and (tokens[k - 1].lower in TIME_WORDS or tokens[k - 1].lower in TIME_LEADS):
            k -= 1
        if k < np_end - 1 and k > lo and tokens[k].lower in _TIME_OPENERS:
            return np_left(tokens, k, lo)
        return None
    if is_quantity(head):
        # "22 percent said", "one in five say", "a majority of voters said" is handled as an NP.
        k = np_end - 1
        while (
            k > lo
            and np_end - k < QUANTITY_MAX_TOKENS
            and (is_quantity(tokens[k - 1]) or tokens[k - 1].lower in QUANTITY_JOINERS)
        ):
            k -= 1
        while k < np_end - 1 and tokens[k].lower in ("in", "of", "a"):
            k += 1  # "in 11 states": a joiner only inside ("one in five")
        return (k, np_end)
    if not speakerish(head, np_end - 1 == lo):
        skipped = skip_interruption(tokens, np_end, lo)
        while (
            skipped is not None
            and skipped - 1 > lo
            and tokens[skipped - 1].lower in DISCOURSE_WORDS
            and tokens[skipped - 2].text == ","
        ):
            skipped -= 2  # "The senator, meanwhile, who chairs the panel, said"
        if (
            skipped is not None
            and skipped + 1 < np_end
            and tokens[skipped + 1].lower.endswith("ing")
            and tokens[skipped + 1].text.islower()
        ):
            # "Ana Ruiz, a nurse from Leeds, attending the fair, said": past a participial phrase,
            # a description set off by commas may still stand between the name and it.
            earlier = skip_interruption(tokens, skipped + 1, lo)
            if earlier is not None and tokens[earlier + 1].lower in ("a", "an", "the"):
                skipped = earlier
        if skipped is not None and skipped < np_end - 1:
            appositive = tokens[skipped + 1 : np_end - 1]
            if (
                tokens[skipped].text == ","
                and 0 < len(appositive) <= APPOSITIVE_NAME_MAX
                and all(
                    is_word(t) and is_capitalized(t.text) and t.text not in FUNCTION_CAPS for t in appositive
                )
            ):
                # "The party's regional chairman, Ana Ruiz, said": the name is the speaker.
                return (skipped + 1, np_end - 1)
            if tokens[skipped].text == "," and _titled_name(appositive):
                # "His challenger, city councillor Ana Ruiz, said": the titled name is the speaker.
                return (skipped + 1, np_end - 1)
            inner = np_left(tokens, skipped, lo)
            if inner is not None and (
                is_capitalized(tokens[inner[1] - 1].text) or determined_np(tokens, inner[1], lo) is not None
            ):
                return inner
        if common_noun(head):
            return determined_np(tokens, np_end, lo)
        return None
    if (head.lower in PRONOUNS or head.lower in RELATIVE_PRONOUNS) and not is_acronym(head):
        return (np_end - 1, np_end)
    k = np_end - 1
    while k > lo and np_end - k < MAX_NP:
        prev = tokens[k - 1]
        if prev.lower in CLAUSE_OPENERS:
            break  # "so heated that Gov. Ana Ruiz said": "that" opens the clause
        if np_word(prev) or (prev.lower in NP_JOINERS and k - 1 > lo and np_word(tokens[k - 2])):
            k -= 1
            continue
        break
    while k < np_end - 1 and tokens[k].lower in NP_JOINERS:
        k += 1
    # Lowercase modifiers: "A central bank spokesman", "while opposition lawmakers".
    m = k
    while m > lo and k - m < MAX_NOUN_MODIFIERS and common_noun(tokens[m - 1]):
        m -= 1
    if m < k:
        if m > lo and tokens[m - 1].lower in NOUN_DETERMINERS:
            return (m - 1, np_end)
        if m > lo and is_possessive(tokens[m - 1]) and is_capitalized(tokens[m - 1].text):
            # "Chile's energy ministry said": the possessor names whose body it is.
            p = m - 1
            while (
                p > lo
                and m - p <= POSSESSOR_MAX_WORDS
                and is_capitalized(tokens[p - 1].text)
                and tokens[p - 1].text not in FUNCTION_CAPS
                and tokens[p - 1].lower not in TIME_WORDS
            ):
                p -= 1  # "South Korea's energy ministry"
            return (p, np_end)
        if (
            m == lo
            or tokens[m - 1].text == ","
            or tokens[m - 1].text in CLOSE_QUOTES  # '"...," chief executive Ana Ruiz said'
            or tokens[m - 1].lower in ("and", "but", "while", "as")
        ):
            return (m, np_end)
    possessor = _plural_possessor(tokens, m, lo)
    return (k if possessor is None else possessor, np_end)


def _plural_possessor(tokens: list[Token], at: int, lo: int) -> int | None:
    """Where a plural possessor ending just before ``at`` begins ("Farmers' groups", "the
    victims' families"), else None."""
    if not (
        at - 2 >= lo
        and tokens[at - 1].text in ("'", "\u2019")
        and tokens[at - 1].start == tokens[at - 2].end
        and tokens[at - 2].lower.endswith("s")
        and (common_noun(tokens[at - 2]) or (at - 2 == lo and tokens[at - 2].text[1:].islower()))
    ):
        return None
    p = at - 2
    while p > lo and at - p <= POSSESSOR_MAX_WORDS and common_noun(tokens[p - 1]):
        p -= 1
    if p > lo and tokens[p - 1].lower in NOUN_DETERMINERS:
        p -= 1
    return p


def _gerund_modifier(token: Token) -> bool:
    """ "shopping sites", "housing officials": an -ing word before a noun that modifies it."""
    low = token.lower
    return (
        token.text.islower() and low.endswith("ing") and not low.endswith("thing") and low not in CUE_STANCE
    )


def determined_np(tokens: list[Token], np_end: int, lo: int) -> tuple[int, int] | None:
    """A common-noun phrase opened by a determiner or a possessive: "the Lisbon shipowner",
    "Ohio's water commissioner", "its defenders" (at most five modifiers)."""
    k = np_end - 1
    while k > lo and np_end - k <= DETERMINED_NP_MAX:
        prev = tokens[k - 1]
        if prev.lower in NOUN_DETERMINERS or is_possessive(prev):
            return (k - 1, np_end)
        possessor = _plural_possessor(tokens, k, lo)
        if possessor is not None:
            return (possessor, np_end)
        if not (
            common_noun(prev)
            or _is_participle_modifier(prev)
            or _gerund_modifier(prev)
            or prev.text[0].isdigit()
            or (np_word(prev) and prev.lower not in CLAUSE_OPENERS)
        ):
            break
        if prev.text in FUNCTION_CAPS:
            if prev.lower in ("and", "but"):
                break  # "But flood specialists say": the conjunction opens the clause
            return None
        k -= 1
    # A bare plural opening a clause: "lawyers for the tenants said", "Experts on ... said".
    head = tokens[np_end - 1]
    opens_clause = (
        k == lo
        or tokens[k - 1].text in (",", ";")
        or tokens[k - 1].lower in ("and", "but")
        or tokens[k - 1].lower == "of"  # "a review of recently built bridges shows"
    )
    if (
        head.lower.endswith("s")
        and common_noun(head)
        and opens_clause
        and tokens[k].text not in FUNCTION_CAPS
    ):
        return (k, np_end)  # "Water engineers caution", "lawyers for the tenants said"
    return None


def np_right(tokens: list[Token], start: int, hi: int, limit: int = MAX_NP) -> tuple[int, int] | None:
    """Token range of the speaker-like noun phrase starting at ``start``, if any (at most
    ``limit`` tokens)."""
    k = start
    while k < hi and tokens[k].lower in DETERMINERS:
        k += 1
    if k >= hi:
        return None
    first = tokens[k]
    if first.lower in PRONOUNS:
        return (k, k + 1)
    determined = k > start
    end = k
    while (
        end < hi
        and tokens[end].lower not in CLAUSE_OPENERS
        and (
            np_word(tokens[end])
            or (determined and (common_noun(tokens[end]) or tokens[end].text[0].isdigit()))
            or (tokens[end].lower in NP_JOINERS and end + 1 < hi and np_word(tokens[end + 1]))
            or _descriptor_before_name(tokens, k, end, hi)
        )
    ):
        end += 1
        if end - start >= limit:
            break
    if end == k or not (speakerish(tokens[end - 1], False) or (determined and common_noun(tokens[end - 1]))):
        return None
    return (start, end)


def _descriptor_before_name(tokens: list[Token], first: int, k: int, hi: int) -> bool:
    """ "Leeds resident Tom Berg", "Labour strategist Ana Ruiz": a lowercase noun between a
    capitalized modifier and the name it describes."""
    return (
        k > first
        and k + 1 < hi
        and is_capitalized(tokens[k - 1].text)
        and common_noun(tokens[k])
        and is_capitalized(tokens[k + 1].text)
        and tokens[k + 1].text not in FUNCTION_CAPS
    )


def subject_at(tokens: list[Token], start: int, before: int) -> tuple[int, int] | None:
    """A pronoun, name or determined noun phrase at ``start`` that a verb follows."""
    if start >= before:
        return None
    if tokens[start].lower in PRONOUNS:
        end = start + 1
    else:
        end = start
        while end < before and (np_word(tokens[end]) or tokens[end].lower in NP_JOINERS):
            if end > start and tokens[end].lower in FLOATING_QUANTIFIERS:
                break  # "Ruiz and Berg both campaigned": the quantifier is no part of the name
            end += 1
            if end - start >= MAX_NP:
                break
        if not (end > start and speakerish(tokens[end - 1], end - 1 == start)):
            # "the judge weighed in on the case, saying ...": a determined common noun.
            np = np_right(tokens, start, before)
            if np is None or tokens[start].lower not in NOUN_DETERMINERS:
                return None
            end = np[1]
    verb = end
    while verb < before and (is_adverb(tokens[verb]) or tokens[verb].lower in FLOATING_QUANTIFIERS):
        verb += 1
    # "The board on Friday closed the pier, saying ...": a time between subject and verb.
    k = verb
    while (
        k < before
        and k - verb < SUBJECT_TIME_MAX
        and (tokens[k].lower in TIME_LEADS or tokens[k].lower in TIME_WORDS)
    ):
        k += 1
    if k > verb and tokens[k - 1].lower in TIME_WORDS:
        verb = k
    if verb < before and tokens[verb].text.islower() and tokens[verb].lower not in PREPOSITIONS:
        return (start, end)
    return None


def clause_subject(tokens: list[Token], before: int) -> tuple[int, int] | None:
    """The speaker-like subject of the main clause, for a participial cue: at the start or after
    an introductory phrase ("During a visit to the port, the minister praised ..., saying")."""
    starts = [0] + [j + 1 for j in range(0, before - 1) if tokens[j].text == ","]
    for start in starts:
        while start < before and (tokens[start].lower in ("and", "but") or tokens[start].lower in ADVERBS):
            start += 1  # "Then he cut into the rival's lead, calling ...", "But the mayor, saying"
        subject = subject_at(tokens, start, before)
        if subject is not None:
            return subject
    return None


def plural_subject(tokens: list[Token], np: tuple[int, int]) -> bool:
    """Whether a subject takes a base-form verb ("officials say", "the two leaders say");
    a singular name before a base form is a modifier ("the BBC report", "a Reuters survey")."""
    # The head comes before a preposition: "Aides to the mayor say".
    head = next((k - 1 for k in range(np[0] + 1, np[1]) if tokens[k].lower in PREPOSITIONS), np[1] - 1)
    return any(_plural_word(tokens, k) for k in {head, np[1] - 1}) or any(
        t.lower in ("and", "&") for t in tokens[np[0] : head + 1]
    )


def _plural_word(tokens: list[Token], k: int) -> bool:
    low = tokens[k].lower
    return (
        low in ("i", "we", "you", "they")
        or (low.endswith("s") and not low.endswith("ss"))
        or low in SURVEYED
        or low in COLLECTIVE_NOUNS
        or low in QUANTIFIER_SUBJECTS
        or is_quantity(tokens[k])
    )


_MARKERS_BY_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _marker in UNNAMED_SOURCE_MARKERS:
    _MARKERS_BY_FIRST.setdefault(_marker[0], []).append(_marker)


def _marker_at(tokens: list[Token], k: int) -> bool:
    if k >= len(tokens):
        return False
    markers = _MARKERS_BY_FIRST.get(tokens[k].lower)
    if markers is None:
        return False  # the common case: one dictionary miss per token
    return any(tuple(t.lower for t in tokens[k : k + len(marker)]) == marker for marker in markers)


def _source_head(tokens: list[Token], k: int, lo: int) -> tuple[int, int] | None:
    """The noun phrase before marker ``k`` if it is headed by a group or person noun ("people",
    "two senior officials", "a person"), past a comma before a relative "who"."""
    end = k - 1 if k - 1 > lo and tokens[k - 1].text == "," and tokens[k].lower == "who" else k
    np = np_left(tokens, end, lo)
    if np is None:
        return None
    head = tokens[np[1] - 1].lower
    return np if head in GROUP_NOUNS or head in PERSON_NOUNS or head in ("person", "persons") else None


def unnamed_source_left(tokens: list[Token], end: int, lo: int) -> tuple[int, int] | None:
    """An unnamed source ending at ``end`` ("people familiar with the matter said"), whole."""
    stop = end - 1 if end - 1 > lo and tokens[end - 1].text == "," else end
    for k in range(stop - 1, max(lo, stop - UNNAMED_SOURCE_MAX_TOKENS), -1):
        if _marker_at(tokens, k):
            head = _source_head(tokens, k, lo)
            if head is not None:
                return (head[0], stop)
    return None


def unnamed_source_right(tokens: list[Token], np: tuple[int, int], hi: int) -> tuple[int, int] | None:
    """A phrase ``np`` ("people") extended by the marker after it ("familiar with the talks") up to
    the next comma or the end of the sentence; None when no marker follows."""
    if not _marker_at(tokens, np[1]):
        return None
    end = np[1]
    while end < hi and end - np[0] < UNNAMED_SOURCE_MAX_TOKENS and tokens[end].text not in (",", ";", "."):
        end += 1
    return (np[0], end)
