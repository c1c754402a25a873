"""The attribution engine: for each statement sentence, every (speaker, cue, content) it reports.

Rules over tokens, in the order news writing uses them:

- "X said (that) C" / "X accused Y of C" / "X called on Y to C" - subject to the left of the cue;
- "C, X said." / '"C," said X.' - the reporting clause after the content;
- ", vowing that C" / "with X emphasizing that C" / "... but warned that C" - participial and
  coordinated cues that share the speaker of the clause;
- "according to X, C" and "X's claims of C";
- quotes that run on over several sentences keep their speaker.

Speakers are resolved within the article (see :mod:`factdb.extract.coref`); a sentence with no
attribution is a claim of the publication.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from factdb.enums import SentenceKind, Stance
from factdb.extract.coref import Entities
from factdb.extract.lexicon import (
    ADVERBS,
    CUE_BASES,
    CUE_STANCE,
    GROUP_NOUNS,
    INFINITIVE_CUES,
    NATIONALITIES,
    NEEDS_COMPLEMENT,
    NUMBER_WORDS,
    OBJECT_CUES,
    ORG_NOUNS,
    PERSON_NOUNS,
    PHRASE_CUES,
    PRONOUNS,
    RELATIVE_PRONOUNS,
    REPORT_NOUNS,
    SKIP_AFTER_CUE,
    TITLE_WORDS,
)
from factdb.extract.names import is_capitalized, strip_possessive
from factdb.extract.segment import segment
from factdb.extract.types import Claim, Extraction, Sentence, SpeakerRef

_TOKEN = re.compile(r"[\w\u00C0-\u024F]+(?:[.\-'\u2019&][\w\u00C0-\u024F]+)*\.?|''|\S")
# Quote marks, including the doubled apostrophe some wire copy uses for double quotes.
_OPEN_QUOTES = ('"', "\u201c", "\u2018", "'", "''")
_CLOSE_QUOTES = ('"', "\u201d", "\u2019", "'", "''")
_TRAILING = " \t\n.,;:!?\"'\u201d\u2019)]"
_LEADING = " \t\n\"'\u201c\u2018([:,"
# Words that look capitalized only because they open a sentence or clause.
_FUNCTION_CAPS = frozenset(
    """The A An This That These Those However But And Meanwhile Despite After Before When While As If In On
    At For From With By Yet Still Now Also Instead Although Though Because Since So Then Its His Her Their
    Our My Your It Asked Speaking Later Earlier Last Next Today Yesterday""".split()
)
_DETERMINERS = frozenset(
    """the a an his her their its our some many several most other another two three four five few
    senior top former local state federal military government campaign party white press foreign
    defense defence intelligence security health election u.s. us un eu anonymous unnamed both all
    these those this that one such certain""".split()
)
_NP_JOINERS = frozenset(
    {
        "of",
        "for",
        "and",
        "&",
        "-",
        "'s",
        "\u2019s",
        "de",
        "von",
        "van",
        "al",
        "bin",
        "la",
    }
)
_CLAUSE_OPENERS = frozenset({"that", "which", "who", "whom", "whose"})
_CLAUSE_BREAKS = frozenset({"while", "whereas", "although", "though", "because", "with"})
_MAX_NP = 9


@dataclass(slots=True)
class Token:
    text: str
    start: int
    end: int
    lower: str  # computed once: the rules compare lowercase words often


@dataclass(slots=True)
class Cue:
    first: int  # token index of the first cue word
    last: int  # token index of the last cue word (inclusive)
    stance: Stance
    kind: str  # "finite", "participle", "according", "noun"


@dataclass(slots=True)
class Found:
    """An attribution found in one sentence, before speaker resolution."""

    mention: tuple[int, int] | None  # char span of the speaker mention
    cue: Cue
    content: tuple[int, int]
    inherit: bool = False  # speaker is the previous attribution's in this sentence
    names: tuple[int, int] | None = None  # what a relative "who" stands for ("Trump, who said")


def _tokens(text: str, start: int, end: int) -> list[Token]:
    tokens: list[Token] = []
    append = tokens.append
    for m in _TOKEN.finditer(text, start, end):
        word = m.group()
        # Keep a final period only on abbreviations and initials ("Mr.", "U.S.", "J.").
        if len(word) > 1 and word[-1] == "." and not _keeps_period(word):
            bare = word[:-1]
            append(Token(bare, m.start(), m.end() - 1, bare.lower()))
            append(Token(".", m.end() - 1, m.end(), "."))
        else:
            append(Token(word, m.start(), m.end(), word.lower()))
    return tokens


def _keeps_period(word: str) -> bool:
    bare = word[:-1]
    return (
        "." in bare
        or (len(bare) == 1 and bare.isupper())
        or bare.lower()
        in {
            "mr",
            "mrs",
            "ms",
            "dr",
            "gen",
            "sen",
            "rep",
            "gov",
            "lt",
            "col",
            "st",
            "jr",
            "sr",
            "prof",
        }
    )


def _is_word(token: Token) -> bool:
    return token.text[0].isalnum()


def _quoted(tokens: list[Token], inside: bool) -> tuple[list[bool], bool]:
    """For each token, whether it lies inside a direct quotation, and whether one is still open
    at the end (``inside``: the sentence opens inside one that runs on from the previous sentence)."""
    mask = []
    curly = False
    for token in tokens:
        text = token.text
        if text in ('"', "''"):
            inside = not inside
            mask.append(False)
            continue
        if text == "\u201c" or (text == "\u2018" and not inside):
            inside = curly = True
            mask.append(False)
            continue
        if text == "\u201d" or (text == "\u2019" and curly):
            inside = curly = False
            mask.append(False)
            continue
        mask.append(inside)
    return mask, inside


_POSSESSIVE_PRONOUNS = frozenset({"his", "her", "their", "its"})
# Every word a cue can start with: a quick test before the rules look closer.
_CUE_STARTS = frozenset(
    set(CUE_STANCE)
    | {phrase.split()[0] for phrase in PHRASE_CUES}
    | set(REPORT_NOUNS)
    | {"according", "not", "n't"}
)


def _find_cues(tokens: list[Token], quoted: list[bool] | None = None) -> list[Cue]:
    """Every reporting cue in a sentence, outside quotations (an "I think" inside a quote is part
    of what the speaker said, not a new attribution)."""
    cues: list[Cue] = []
    i = 0
    n = len(tokens)
    while i < n:
        low = tokens[i].lower
        if (
            low not in _CUE_STARTS
            or (quoted is not None and quoted[i])
            or (i > 0 and tokens[i].text[0].isupper() and tokens[i - 1].text not in _OPEN_QUOTES)
        ):
            # Not a cue word, or inside a quotation, or capitalized inside a sentence: a name
            # ("United States", "Call Me Maybe").
            i += 1
            continue
        nxt = tokens[i + 1].lower if i + 1 < n else ""
        nxt2 = tokens[i + 2].lower if i + 2 < n else ""
        if low == "according" and nxt == "to":
            cues.append(Cue(i, i + 1, Stance.ASSERTS, "according"))
            i += 2
            continue
        phrase3 = f"{low} {nxt} {nxt2}"
        phrase2 = f"{low} {nxt}"
        if phrase3 in PHRASE_CUES:
            cues.append(Cue(i, i + 2, PHRASE_CUES[phrase3], _verb_kind(tokens, i)))
            i += 3
            continue
        if phrase2 in PHRASE_CUES:
            cues.append(Cue(i, i + 1, PHRASE_CUES[phrase2], _verb_kind(tokens, i)))
            i += 2
            continue
        if low in ("not", "n't") and nxt in ("confirmed", "confirm", "confirmed,"):
            aux = i - 1 if i > 0 and tokens[i - 1].lower in ("has", "have", "had", "did", "does", "do") else i
            cues.append(Cue(aux, i + 1, Stance.DENIES, "finite"))
            i += 2
            continue
        if (
            low in REPORT_NOUNS
            and i > 0
            and (_is_possessive(tokens[i - 1]) or tokens[i - 1].lower in _POSSESSIVE_PRONOUNS)
        ):
            cues.append(Cue(i, i, REPORT_NOUNS[low], "noun"))
            i += 1
            continue
        stance = CUE_STANCE.get(low)
        if stance is not None and _is_word(tokens[i]) and not (i > 0 and tokens[i - 1].lower == "to"):
            cues.append(Cue(i, i, stance, _verb_kind(tokens, i)))
        i += 1
    return cues


def _is_possessive(token: Token) -> bool:
    return token.text.endswith(("'s", "\u2019s")) and len(token.text) > 2


def _verb_kind(tokens: list[Token], i: int) -> str:
    """ "participle" for ", saying ..."; a progressive ("is saying") is finite."""
    if not tokens[i].lower.endswith("ing"):
        return "finite"
    j = i - 1
    while j > 0 and tokens[j].lower in ADVERBS - _BE_FORMS:
        j -= 1
    return "finite" if j >= 0 and tokens[j].lower in _BE_FORMS else "participle"


def _skip_interruption(tokens: list[Token], end: int, lo: int) -> int | None:
    """Before "X, executive director of Y, said" or "X (R-OH) said": where X ends, else None."""
    j = end
    if j > lo and tokens[j - 1].text == ",":
        j -= 1
    if j > lo and tokens[j - 1].text == ")":
        opening = next(
            (k for k in range(j - 1, max(lo, j - 12) - 1, -1) if tokens[k].text == "("),
            None,
        )
        if opening is not None:
            return opening
    if end > lo and tokens[end - 1].text == ",":
        # The earlier comma of an appositive or relative clause (at most 30 tokens back).
        for k in range(end - 2, max(lo, end - 32) - 1, -1):
            if tokens[k].text == ",":
                return k if k > lo else None
            if tokens[k].text in _OPEN_QUOTES or tokens[k].text in _CLOSE_QUOTES or tokens[k].text == ";":
                return None
    return None


_OBJECT_PRONOUNS = frozenset({"him", "her", "them", "me", "us"})
_QUANTIFIER_SUBJECTS = frozenset(
    {
        "both",
        "each",
        "many",
        "some",
        "most",
        "others",
        "several",
        "few",
        "someone",
        "somebody",
    }
    | {"everyone", "everybody", "nobody", "anyone", "anybody"}
)
_SURVEYED = frozenset({"surveyed", "polled", "asked", "questioned", "interviewed", "responding"})
_TIME_WORDS = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday week weekend month year morning
    afternoon evening night day today yesterday tonight january february march april may june july
    august september october november december earlier later""".split()
)
_TIME_LEADS = frozenset({"on", "in", "at", "last", "this", "next", "early", "late", "earlier", "later"})
_QUANTITY_JOINERS = frozenset({"in", "of", "nearly", "about", "almost", "roughly", "only", "just", "a"})


def _is_quantity(token: Token) -> bool:
    """A number or share that can say something in a poll: "22 percent", "one in five", "%"."""
    return token.text[0].isdigit() or token.lower in NUMBER_WORDS or token.text == "%"


def _np_left(tokens: list[Token], end: int, lo: int) -> tuple[int, int] | None:
    """Token range [start, end) of the speaker-like noun phrase ending at ``end``, if any."""
    j = end
    while j > lo and _is_adverb(tokens[j - 1]):
        j -= 1
    np_end = j
    if np_end <= lo:
        return None
    head = tokens[np_end - 1]
    if head.lower in _QUANTIFIER_SUBJECTS and (
        np_end - 1 == lo or not _is_word(tokens[np_end - 2]) or tokens[np_end - 2].lower in ("and", "but")
    ):
        return (np_end - 1, np_end)  # "And both vowed to ...", "Others said ..."
    if head.lower in _SURVEYED and np_end - 2 >= lo and tokens[np_end - 2].lower == "those":
        k = np_end - 2  # "Thirty-one percent of those surveyed say"
        if k - 1 > lo and tokens[k - 1].lower == "of":
            inner = _np_left(tokens, k - 1, lo)
            if inner is not None:
                return (inner[0], np_end)
        return (k, np_end)
    if head.lower in _TIME_WORDS:
        # "Sanders on Tuesday said", "The court this month rejected": step over the time.
        k = np_end - 1
        while k > lo and (tokens[k - 1].lower in _TIME_WORDS or tokens[k - 1].lower in _TIME_LEADS):
            k -= 1
        if k < np_end - 1 and k > lo and tokens[k].lower in _TIME_LEADS | {"this", "last", "next"}:
            return _np_left(tokens, k, lo)
        return None
    if _is_quantity(head):
        # "22 percent said", "one in five say", "a majority of voters said" is handled as an NP.
        k = np_end - 1
        while (
            k > lo
            and np_end - k < 5
            and (_is_quantity(tokens[k - 1]) or tokens[k - 1].lower in _QUANTITY_JOINERS)
        ):
            k -= 1
        while k < np_end - 1 and tokens[k].lower in ("in", "of", "a"):
            k += 1  # "in 11 states": a joiner only inside ("one in five")
        return (k, np_end)
    if not _speakerish(head, np_end - 1 == lo):
        skipped = _skip_interruption(tokens, np_end, lo)
        while (
            skipped is not None
            and skipped - 1 > lo
            and tokens[skipped - 1].lower in _DISCOURSE_WORDS
            and tokens[skipped - 2].text == ","
        ):
            skipped -= 2  # "Sanders, meanwhile, who sits at zero endorsements, said"
        if skipped is not None and skipped < np_end - 1:
            appositive = tokens[skipped + 1 : np_end - 1]
            if (
                tokens[skipped].text == ","
                and 0 < len(appositive) <= 4
                and all(
                    _is_word(t) and is_capitalized(t.text) and t.text not in _FUNCTION_CAPS
                    for t in appositive
                )
            ):
                # "The state's campaign chairman, Phil Lovas, said": the name is the speaker.
                return (skipped + 1, np_end - 1)
            inner = _np_left(tokens, skipped, lo)
            if inner is not None and (
                is_capitalized(tokens[inner[1] - 1].text) or _determined_np(tokens, inner[1], lo) is not None
            ):
                return inner
        if _common_noun(head):
            return _determined_np(tokens, np_end, lo)
        return None
    if head.lower in PRONOUNS or head.lower in RELATIVE_PRONOUNS:
        return (np_end - 1, np_end)
    k = np_end - 1
    while k > lo and np_end - k < _MAX_NP:
        prev = tokens[k - 1]
        if prev.lower in _CLAUSE_OPENERS:
            break  # "so heated that Gov. Chris Christie said": "that" opens the clause
        if _np_word(prev) or (prev.lower in _NP_JOINERS and k - 1 > lo and _np_word(tokens[k - 2])):
            k -= 1
            continue
        break
    while k < np_end - 1 and tokens[k].lower in _NP_JOINERS:
        k += 1
    # Lowercase modifiers: "A central bank spokesman", "while opposition lawmakers".
    m = k
    while m > lo and k - m < 2 and _common_noun(tokens[m - 1]):
        m -= 1
    if m < k:
        if m > lo and tokens[m - 1].lower in _NOUN_DETERMINERS:
            return (m - 1, np_end)
        if m == lo or tokens[m - 1].text == "," or tokens[m - 1].lower in ("and", "but", "while", "as"):
            return (m, np_end)
    return (k, np_end)


_NOUN_DETERMINERS = frozenset(
    {"the", "a", "an", "some", "many", "several", "other", "most", "one", "another"}
    | {
        "his",
        "her",
        "its",
        "their",
        "our",
        "my",
        "your",
        "both",
        "all",
        "these",
        "those",
        "this",
    }
)


def _is_participle_modifier(token: Token) -> bool:
    """ "newly filed", "widely cited": a participle or adverb inside a noun phrase."""
    return token.text.islower() and token.lower.endswith(("ed", "ly")) and token.lower not in CUE_STANCE


def _determined_np(tokens: list[Token], np_end: int, lo: int) -> tuple[int, int] | None:
    """A common-noun phrase opened by a determiner or a possessive: "the New York businessman",
    "Connecticut's tax commissioner", "its defenders" (at most five modifiers)."""
    k = np_end - 1
    while k > lo and np_end - k <= 6:
        prev = tokens[k - 1]
        if prev.lower in _NOUN_DETERMINERS or _is_possessive(prev):
            return (k - 1, np_end)
        if not (
            _common_noun(prev)
            or _is_participle_modifier(prev)
            or prev.text[0].isdigit()
            or (_np_word(prev) and prev.lower not in _CLAUSE_OPENERS)
        ):
            break
        if prev.text in _FUNCTION_CAPS:
            return None
        k -= 1
    # A bare plural opening a clause: "attorneys for the family said", "Experts on ... said".
    head = tokens[np_end - 1]
    opens_clause = (
        k == lo
        or tokens[k - 1].text in (",", ";")
        or tokens[k - 1].lower in ("and", "but")
        or tokens[k - 1].lower == "of"  # "an analysis of newly filed reports shows"
    )
    if (
        head.lower.endswith("s")
        and _common_noun(head)
        and opens_clause
        and tokens[k].text not in _FUNCTION_CAPS
    ):
        return (k, np_end)  # "Election scholars caution", "attorneys for the family said"
    return None


_DISCOURSE_WORDS = frozenset(
    """meanwhile however too though instead moreover furthermore nevertheless meantime also then
    now still though""".split()
)


def _is_adverb(token: Token) -> bool:
    """An adverb or auxiliary between a subject and its verb ("has sharply criticized")."""
    low = token.lower
    return low in ADVERBS or (low.endswith("ly") and low not in _LY_NOUNS and token.text.islower())


_ASK_FORMS = frozenset({"ask", "asks", "asked", "asking"})
_TELL_FORMS = frozenset({"tell", "tells", "told", "telling"})
# Documents and findings that "show", "find" or "suggest" without a "that": "one study found ...".
_EVIDENCE_NOUNS = frozenset(
    """study studies report reports analysis analyses poll polls survey surveys data records audit
    review investigation research average findings documents filings estimate estimates figures
    statistics tally count""".split()
)
_LY_NOUNS = frozenset({"family", "ally", "assembly", "rally", "supply", "monopoly", "anomaly"})
_NOT_NOUNS = frozenset(
    """and but or nor so yet that which who whom whose then than as if when while because after before
    also not only just very more most less with of for to in on at by from about into over against despite
    under between through without within across around near since until upon among is are was were be been
    being has have had do does did will would can could should may might must""".split()
)


def _common_noun(token: Token) -> bool:
    """A lowercase word that may be a noun (no function word, adverb or past/present participle)."""
    low = token.lower
    return (
        _is_word(token)
        and token.text.islower()
        and low not in ADVERBS
        and low not in _DETERMINERS
        and low not in _NOT_NOUNS
        and low not in CUE_STANCE
        and (not low.endswith(("ed", "ly", "ing")) or low in _LY_NOUNS)
    )


def _np_word(token: Token) -> bool:
    low = token.lower
    if not _is_word(token):
        return token.text == "." and False
    if is_capitalized(token.text):
        return True
    return (
        low in _DETERMINERS
        or low in TITLE_WORDS
        or low in NATIONALITIES
        or low in PERSON_NOUNS
        or low in GROUP_NOUNS
        or low in ORG_NOUNS
        or _is_possessive(token)
    )


def _speakerish(token: Token, sentence_initial: bool) -> bool:
    low = token.lower
    if low in PRONOUNS or low in RELATIVE_PRONOUNS:
        return low != "that"
    if is_capitalized(token.text) and _is_word(token):
        # "Russian" in "Russian engineering units" is a modifier, not who spoke.
        return token.text not in _FUNCTION_CAPS and low not in NATIONALITIES
    return low in GROUP_NOUNS or low in PERSON_NOUNS or low in ORG_NOUNS


def _np_right(tokens: list[Token], start: int, hi: int, limit: int = _MAX_NP) -> tuple[int, int] | None:
    """Token range of the speaker-like noun phrase starting at ``start``, if any (at most
    ``limit`` tokens)."""
    k = start
    while k < hi and tokens[k].lower in _DETERMINERS:
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
        and tokens[end].lower not in _CLAUSE_OPENERS
        and (
            _np_word(tokens[end])
            or (determined and (_common_noun(tokens[end]) or tokens[end].text[0].isdigit()))
            or (tokens[end].lower in _NP_JOINERS and end + 1 < hi and _np_word(tokens[end + 1]))
        )
    ):
        end += 1
        if end - start >= limit:
            break
    if end == k or not (
        _speakerish(tokens[end - 1], False) or (determined and _common_noun(tokens[end - 1]))
    ):
        return None
    return (start, end)


class _Sentence:
    """One statement sentence being analysed."""

    def __init__(self, text: str, sentence: Sentence) -> None:
        self.text = text
        self.sentence = sentence
        self.tokens = _tokens(text, sentence.start, sentence.end)

    def span(self, first: int, last_exclusive: int) -> tuple[int, int]:
        return self.tokens[first].start, self.tokens[last_exclusive - 1].end

    def content(self, start: int, end: int) -> tuple[int, int] | None:
        """Trim punctuation and quote marks off a character span; None if nothing is left."""
        while start < end and self.text[start] in _LEADING:
            start += 1
        while end > start and self.text[end - 1] in _TRAILING:
            end -= 1
        if end - start < 2:
            return None
        return start, end

    def char(self, i: int) -> int:
        return self.tokens[i].start if i < len(self.tokens) else self.sentence.end


def _content_after(s: _Sentence, cue: Cue, stops: list[int]) -> tuple[int, int] | None:
    """The content reported after a cue: skipping "that", adverbials and a "told X" object."""
    tokens = s.tokens
    n = len(tokens)
    i = cue.last + 1
    if i < n and tokens[cue.last].lower in _TELL_FORMS and cue.stance is Stance.ASSERTS:
        obj = _np_right(tokens, i, n)
        if obj is not None:
            i = obj[1]
    if tokens[cue.last].lower not in OBJECT_CUES and cue.stance is not Stance.URGES:
        # "claimed on Saturday that ...", "said in a statement on Telegram that ..."
        for j in range(i, min(n, i + 10)):
            low = tokens[j].lower
            if low in ("that", ":"):
                i = j + 1
                break
            # "said, without evidence, that ..." may cross commas; a quote or clause break may not.
            if low == ";" or tokens[j].text in _OPEN_QUOTES or low in CUE_STANCE:
                break
        else:
            j = i
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
    quotation = tokens[i].text in _OPEN_QUOTES
    if quotation:
        close = next(
            (t for t in tokens[i + 1 :] if t.text in _CLOSE_QUOTES and t.start < end),
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
            and (
                tokens[j + 1].lower in _CLAUSE_BREAKS or (not quotation and _participial_tail(tokens, j + 1))
            )
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
        and tokens[i].lower not in ("during", "including", "according", "regarding", "nothing", "something")
    )


def _stop_char(s: _Sentence, cue_index: int) -> int:
    """Where content before a following cue clause ends (before its comma, "and" or "but")."""
    tokens = s.tokens
    k = cue_index
    while k > 0 and tokens[k - 1].lower in ADVERBS | {"also"}:
        k -= 1
    if k > 0 and tokens[k - 1].lower in ("and", "but", "while"):
        k -= 1
    if k > 0 and tokens[k - 1].text == ",":
        k -= 1
    return tokens[k].start if k < len(tokens) else s.sentence.end


def _analyse(s: _Sentence, quoted: list[bool]) -> list[Found]:
    tokens = s.tokens
    cues = _find_cues(tokens, quoted)
    found: list[Found] = []
    # Indices where a clause introduced by a later cue starts: content of an earlier cue stops there.
    stop_points = sorted(p for p in (_clause_start(tokens, cue) for cue in cues) if p is not None)
    for cue in cues:
        result = _attribute(s, cue, stop_points, found)
        if result is not None:
            found.append(result)
    if not found:
        labelled = _labelled(s, quoted)
        if labelled is not None:
            found.append(labelled)
    return found


# Labels that open a line of news copy without naming a speaker ("Update: ...").
_NOT_SPEAKER_LABELS = frozenset(
    """another also plus success failure result answer question reason verdict bottom why what how
    here there yes no first second third finally
    update updated note editor's editor’s correction breaking exclusive watch read related
    video photos photo opinion analysis live follow listen see source sources q a question answer
    warning disclaimer subscribe advertisement""".split()
)


def _label_name(tokens: list[Token], colon: int) -> tuple[int, int] | None:
    """The speaker named by the words before a colon that opens a line, if they name one: a short
    capitalized phrase, perhaps with a few small words ("Gillibrand on Hillary ...": Gillibrand)."""
    label = tokens[:colon]
    first = label[0]
    if (
        not _is_word(first)
        or not is_capitalized(first.text)
        or first.text in _FUNCTION_CAPS
        or first.lower in PRONOUNS
        or any(not _is_word(t) and t.text not in ("-", "–", "—") for t in label)
        or any(t.lower in _NOT_SPEAKER_LABELS for t in label)
        or sum(1 for t in label if not is_capitalized(t.text)) > 2
    ):
        return None
    start = 0
    if len(label) > 2 and label[1].text in ("-", "–", "—"):
        start = 2  # "EXCLUSIVE – Roger Stone:"
    end = start
    while (
        end < colon
        and _is_word(tokens[end])
        and (
            is_capitalized(tokens[end].text)
            or tokens[end].lower in TITLE_WORDS
            or tokens[end].lower in GROUP_NOUNS | ORG_NOUNS
        )
    ):
        end += 1
    return (start, end) if end > start else None


def _labelled(s: _Sentence, quoted: list[bool]) -> Found | None:
    """Transcript and headline labels: "PENCE: ...", "Clinton camp: ...", "Former AG Mukasey at
    RNC: ...", a name before a colon and a quotation ("... pollster Daron Shaw: “...”") and a
    signed quotation '"..." ― Sonya Herridge'."""
    tokens = s.tokens
    n = len(tokens)
    colon = next((i for i in range(1, min(n, 11)) if tokens[i].text == ":"), None)
    if colon is not None and not quoted[0]:
        name = _label_name(tokens, colon)
        content = s.content(s.char(colon + 1), s.sentence.end)
        if name is not None and content is not None:
            return Found(s.span(*name), Cue(colon, colon, Stance.ASSERTS, "label"), content)
    colon = next(
        (i for i in range(1, n - 1) if tokens[i].text == ":" and tokens[i + 1].text in _OPEN_QUOTES),
        None,
    )
    if colon is not None:
        np = _np_left(tokens, colon, 0)
        content = s.content(s.char(colon + 1), s.sentence.end)
        if np is not None and is_capitalized(tokens[np[1] - 1].text) and content is not None:
            return Found(s.span(*np), Cue(colon, colon, Stance.ASSERTS, "label"), content)
    for i in range(n - 2, 0, -1):
        if tokens[i].text in ("―", "—", "--") and tokens[i - 1].text in _CLOSE_QUOTES:
            name = _np_right(tokens, i + 1, n)
            if name is not None and name[1] >= n - 1:
                content = s.content(s.sentence.start, tokens[i - 1].start)
                if content is not None:
                    return Found(s.span(*name), Cue(i, i, Stance.ASSERTS, "label"), content)
            break
    return None


def _clause_start(tokens: list[Token], cue: Cue) -> int | None:
    """Where a clause of a later cue starts, if it opens one: ", vowing", "but warned",
    "and also said", ", according to", ", and nearly three in five said"."""
    before = tokens[cue.first - 1] if cue.first > 0 else None
    if before is None:
        return None
    if cue.kind in ("participle", "according"):
        return cue.first if before.text == "," else None
    if cue.kind != "finite":
        return None
    if before.lower in ("and", "but"):
        return cue.first
    if cue.first > 1 and before.lower in ADVERBS and tokens[cue.first - 2].lower in ("and", "but"):
        return cue.first
    # A new subject after a conjunction: "..., and nearly three in five said ...".
    np = _np_left(tokens, cue.first, 0)
    if np is not None and np[0] > 1 and tokens[np[0] - 1].lower in ("and", "but", "while", "whereas"):
        return np[0]
    return None


def _attribute(s: _Sentence, cue: Cue, stops: list[int], found: list[Found]) -> Found | None:
    tokens = s.tokens
    n = len(tokens)
    if cue.kind == "according":
        # The source runs to the next comma: "According to early results of exit polls conducted
        # for ..., C" / "C, according to a new poll by ...".
        comma = next((j for j in range(cue.last + 1, n) if tokens[j].text in (",", ";")), n)
        np = _np_right(tokens, cue.last + 1, n)
        if np is None:
            if tokens[cue.last + 1 : cue.last + 2] and tokens[cue.last + 1].lower in _OBJECT_PRONOUNS:
                np = (cue.last + 1, cue.last + 2)
            elif (
                comma - cue.last - 1 in range(1, 26)
                and is_capitalized(tokens[comma - 1].text)
                or (comma - cue.last - 1 in range(1, 26) and _common_noun(tokens[comma - 1]))
            ):
                np = (cue.last + 1, comma)
            else:
                return None
        mention = s.span(*np)
        if cue.first <= 1 or (cue.first <= 3 and tokens[cue.first - 1].text == ","):
            content = s.content(s.char(comma + 1), s.sentence.end) if comma + 1 < n else None
        else:
            content = s.content(s.sentence.start, tokens[cue.first].start)
        return Found(mention, cue, content) if content else None

    if cue.kind == "noun":
        owner = tokens[cue.first - 1]
        mention = (owner.start, owner.start + len(strip_possessive(owner.text)))
        k = cue.last + 1
        if k < n and tokens[k].lower in ("of", "that"):
            k += 1
        if k >= n:
            return None
        end = s.sentence.end
        end = next((t.start for t in tokens[k:] if t.text == ","), end)
        content = s.content(tokens[k].start, end)
        return Found(mention, cue, content) if content else None

    # Participles: ", vowing that ..." shares the clause's speaker; "with X emphasizing that ..." names it.
    if cue.kind == "participle":
        prev = tokens[cue.first - 1] if cue.first > 0 else None
        if prev is not None and prev.text == ",":
            content = _content_after(s, cue, stops)
            if content is None or (
                tokens[cue.last].lower in NEEDS_COMPLEMENT and not _has_complement(s, cue)
            ):
                return None
            if found:
                return Found(found[-1].mention, cue, content, inherit=True)
            subject = _clause_subject(s, cue.first)
            if subject is None:
                return None
            return Found(s.span(*subject), cue, content)
        np = _np_left(tokens, cue.first, 0)
        if np is not None and np[0] > 0 and tokens[np[0] - 1].lower == "with":
            content = _content_after(s, cue, stops)
            return Found(s.span(*np), cue, content) if content else None
        return None

    # Finite verbs.
    if cue.last + 1 < n and tokens[cue.last + 1].lower == "by":
        return _passive(s, cue)
    if (
        cue.first > 0
        and tokens[cue.first - 1].lower in _BE_FORMS
        and (tokens[cue.last].lower.endswith("ed") or tokens[cue.last].lower in _IRREGULAR_PARTICIPLES)
    ):
        return None  # "the veto is expected to come": a passive with no one who speaks
    lo = 0
    coordinated = cue.first > 0 and tokens[cue.first - 1].lower in ("and", "but")
    np = None if coordinated else _np_left(tokens, cue.first, lo)
    if np is not None and tokens[np[0]].text in _SUBORDINATORS and np[1] - np[0] > 1:
        np = (
            np[0] + 1,
            np[1],
        )  # "While his advisers suggested", "As Clinton talked about"
    while np is not None and np[0] > 0 and tokens[np[0] - 1].lower in _PREPOSITIONS:
        # "The Tax Policy Center at the Urban Institute estimates": the phrase belongs to a
        # longer subject.
        head = _np_left(tokens, np[0] - 1, lo)
        if head is None:
            break
        np = (head[0], np[1])
    if np is not None and tokens[cue.first].lower in CUE_BASES and not _plural_subject(tokens, np):
        return None  # "a direct appeal by ...": a noun, not a verb
    if cue.first > 0 and _is_possessive(tokens[cue.first - 1]):
        return None  # "Calderon's remarks", "Editor's note": a noun
    if (
        tokens[cue.last].lower.endswith("s")
        and cue.last + 1 < n
        and tokens[cue.last + 1].lower in _PASSIVE_AUX | {"will", "would", "can", "could", "may", "might"}
    ):
        return None  # "his sexist remarks are ...": a plural noun followed by its verb
    if coordinated:
        content = _content_after(s, cue, stops)
        if content is None:
            return None
        if found:
            return Found(found[-1].mention, cue, content, inherit=True)
        subject = _clause_subject(s, cue.first)
        return Found(s.span(*subject), cue, content) if subject is not None else None
    if (
        np is None
        and cue.first > 1
        and tokens[cue.first - 1].lower in ADVERBS
        and tokens[cue.first - 2].lower in ("and", "but")
        and found
    ):
        content = _content_after(s, cue, stops)
        return Found(found[-1].mention, cue, content, inherit=True) if content else None
    if np is not None and tokens[np[0]].lower in RELATIVE_PRONOUNS:
        # "Trump, who ..., said" - the speaker is the phrase before ", who"; the mention stays
        # "who", as a pronoun's does.
        k = np[0]
        antecedent = _np_left(tokens, k - 1, 0) if k > 1 and tokens[k - 1].text == "," else None
        if antecedent is None:
            return None
        result = _subject_first(s, cue, stops, antecedent)
        if result is not None and result.mention == s.span(*antecedent):
            result.mention, result.names = s.span(k, k + 1), result.mention
        return result
    if np is None:
        # Inverted: '"...," said X.' / "..., said X."
        prev = tokens[cue.first - 1] if cue.first > 0 else None
        if prev is not None and (prev.text == "," or prev.text in _CLOSE_QUOTES):
            # "said Stephen Vladeck of the University of Texas School of Law."
            right = _np_right(tokens, cue.last + 1, n, limit=16)
            if right is not None and not (
                _speakerish(tokens[right[1] - 1], False) or right[1] - right[0] <= 4
            ):
                right = None  # "..., said that fact speaks volumes": no speaker after the cue
            # "..., said Gates." but not "said Gates described ...", where Gates begins the content.
            if right is not None and (
                right[1] >= n
                or not _is_word(tokens[right[1]])
                or tokens[right[1]].lower in _PREPOSITIONS | _ADJUNCT_OPENERS | _CLAUSE_OPENERS
                or tokens[right[1]].lower in SKIP_AFTER_CUE
            ):
                content = s.content(s.sentence.start, prev.start)
                return Found(s.span(*right), cue, content) if content else None
        return None
    return _subject_first(s, cue, stops, np)


def _subject_first(s: _Sentence, cue: Cue, stops: list[int], np: tuple[int, int]) -> Found | None:
    """A finite cue whose subject ``np`` comes before it: the content follows the cue, or comes
    before the subject when the report is postposed."""
    tokens = s.tokens
    # Postposed: "..., officials said (on Monday)." - the content comes before.
    before = np[0] - 1
    interrupts = _continuation(tokens, cue)
    after_quote = (
        before >= 0
        and tokens[before].text in _CLOSE_QUOTES
        and not _has_complement(s, cue, within_clause=True)
        and _nothing_reported_after(tokens, cue)
    )
    after_comma = before >= 0 and tokens[before].text == ","
    if tokens[cue.last].lower in _TELL_FORMS:  # "..., Sen. Grassley told POLITICO."
        after_comma = after_comma and _nothing_reported_after(tokens, cue)
    else:
        after_comma = after_comma and _tail_is_adjunct(s, cue)
    if before >= 0 and (after_quote or after_comma):
        end_tok = before
        if tokens[end_tok].text in _CLOSE_QUOTES and end_tok > 0 and tokens[end_tok - 1].text == ",":
            end_tok -= 1
        first = next(
            (k + 1 for k in range(end_tok - 1, -1, -1) if tokens[k].text in _CONTENT_OPENERS),
            None,
        )
        content = s.content(s.char(first) if first else s.sentence.start, tokens[end_tok].start)
        if interrupts is None and content is not None and _word_count(s, content) <= 5:
            resumes = _continuation(tokens, cue, any_word=True)
            if resumes is not None:
                # "In any case, Mr. DiPietro said, the golf industry was ...": what was said
                # is the clause after the report.
                content = s.content(tokens[resumes].start, s.sentence.end)
        if interrupts is not None and content is not None:
            # '"My hope," he said, "is that ..."' / "Mrs. Clinton, analysts said, has other
            # reasons ...": the report interrupts the content, which runs on to the end.
            tail = s.content(tokens[interrupts].start, s.sentence.end)
            if tail is not None:
                content = (content[0], tail[1])
        return Found(s.span(*np), cue, content) if content else None
    title_comma = next((k for k in range(np[0] - 1, 0, -1) if tokens[k].text == ","), None)
    if title_comma is not None and not all(
        _np_word(t) or _common_noun(t) for t in tokens[title_comma + 1 : np[0]]
    ):
        title_comma = None  # only titles and names lie between the comma and the speaker
    if title_comma is not None and _tail_is_adjunct(s, cue) and _nothing_reported_after(tokens, cue):
        # "..., Algerian foreign affairs ministry spokesman Benali Cherif Abdelaziz said
        # Thursday.": a long title before the name; the content is before the comma.
        content = s.content(s.sentence.start, tokens[title_comma].start)
        return Found(s.span(title_comma + 1, np[1]), cue, content) if content else None
    content = _content_after(s, cue, stops)
    if content is None:
        return None
    word = tokens[cue.last].lower
    evidence = tokens[np[1] - 1].lower in _EVIDENCE_NOUNS  # "one study found Trump would ..."
    asks_to = word in _ASK_FORMS and _has_infinitive(s, cue)  # "asked the candidates to"
    bare = _bare_clause_follows(tokens, cue.last + 1)  # "He predicted lawsuits could be filed"
    if word in NEEDS_COMPLEMENT and not (evidence or asks_to or bare or _has_complement(s, cue)):
        return None
    if word in INFINITIVE_CUES and not _has_infinitive(s, cue):
        return None
    return Found(s.span(*np), cue, content)


# Marks after which a reported clause begins: "... — it's a two-way street, they insist."
_CONTENT_OPENERS = frozenset({"—", "--", ";", ":"})
_MODALS = frozenset({"will", "would", "can", "could", "should", "may", "might", "must"})
# Prepositions that open an adjunct after a cue ("said in a statement", "told to reporters").
_ADJUNCT_PREPOSITIONS = frozenset(
    {"to", "in", "on", "at", "by", "during", "after", "before", "via", "from", "with"}
)
_ADJUNCT_OPENERS = _ADJUNCT_PREPOSITIONS | {"as", "when", "while"}


def _nothing_reported_after(tokens: list[Token], cue: Cue) -> bool:
    """Whether the cue's clause ends, or goes on only with an adjunct, so the content is what came
    before ('"...," he said, adding ...', 'he said in a statement'; not 'he said the plan ...')."""
    rest = cue.last + 1
    if tokens[cue.last].lower in _TELL_FORMS:
        # '"...," Clinton told a cheering throng of supporters in Tampa': whoever follows is the
        # listener, unless a "that" clause follows.
        clause_end = next(
            (k for k in range(rest, len(tokens)) if tokens[k].text in (",", ";")),
            len(tokens),
        )
        return not any(tokens[k].lower == "that" for k in range(rest, clause_end))
    return (
        rest >= len(tokens)
        or not _is_word(tokens[rest])
        or tokens[rest].lower in SKIP_AFTER_CUE
        or tokens[rest].lower in _ADJUNCT_OPENERS
        or tokens[rest].lower in _TIME_LEADS
        or tokens[rest].lower in ADVERBS
        or tokens[rest].lower.endswith("ly")
        or tokens[rest].lower == "of"
    )


def _word_count(s: _Sentence, span: tuple[int, int]) -> int:
    return len(s.text[span[0] : span[1]].split())


def _continuation(tokens: list[Token], cue: Cue, any_word: bool = False) -> int | None:
    """Where the content resumes after an interrupting report (", he said, ..."), if it does:
    a quote, or a verb that goes on with the sentence's subject (``any_word``: any word)."""
    rest = cue.last + 1
    while rest < len(tokens) and tokens[rest].lower in SKIP_AFTER_CUE:
        rest += 1  # "said Friday, ..."
    if rest + 1 >= len(tokens) or tokens[rest].text != ",":
        return None
    nxt = tokens[rest + 1]
    if nxt.text in _OPEN_QUOTES or nxt.lower in _PASSIVE_AUX | _MODALS:
        return rest + 1
    if any_word and _is_word(nxt) and not nxt.lower.endswith("ing") and nxt.lower not in CUE_STANCE:
        return rest + 1
    return None


_COLLECTIVE = frozenset({"police", "people", "media", "staff", "public", "clergy", "personnel"})
_IRREGULAR_PARTICIPLES = frozenset({"said", "told", "thought", "known", "shown", "found", "written", "seen"})
_BE_FORMS = frozenset({"is", "are", "was", "were", "be", "been", "being"})
_SUBORDINATORS = frozenset(
    {
        "While",
        "As",
        "After",
        "Before",
        "When",
        "If",
        "Because",
        "Although",
        "Though",
        "Since",
        "Until",
    }
)
_PREPOSITIONS = frozenset(
    {
        "of",
        "for",
        "in",
        "on",
        "at",
        "to",
        "with",
        "by",
        "from",
        "about",
        "into",
        "over",
        "against",
    }
)
_PASSIVE_AUX = _BE_FORMS | {"has", "have", "had"}


def _passive(s: _Sentence, cue: Cue) -> Found | None:
    """'It was reported by Reuters that C' / 'C was denied by X'; a bare participle
    ("a truce proposed by Ukraine") names no speaker of a claim."""
    tokens = s.tokens
    n = len(tokens)
    aux = cue.first - 1
    while aux >= 0 and tokens[aux].lower in ADVERBS - _PASSIVE_AUX:
        aux -= 1
    if aux < 0 or tokens[aux].lower not in _PASSIVE_AUX:
        return None
    agent = _np_right(tokens, cue.last + 2, n)
    if agent is None:
        return None
    after = agent[1]
    if after < n and tokens[after].lower == "that":
        content = s.content(s.char(after + 1), s.sentence.end)
    else:
        first = aux
        while first > 0 and tokens[first - 1].lower in _PASSIVE_AUX | ADVERBS:
            first -= 1
        content = s.content(s.sentence.start, tokens[first].start) if first > 0 else None
        if content is not None and s.text[content[0] : content[1]].lower() in PRONOUNS:
            return None
    return Found(s.span(*agent), cue, content) if content else None


def _plural_subject(tokens: list[Token], np: tuple[int, int]) -> bool:
    """Whether a subject takes a base-form verb ("officials say", "Clinton and Trump say");
    a singular name before a base form is a modifier ("the AP report", "a CNN report")."""
    low = tokens[np[1] - 1].lower
    return (
        low in ("i", "we", "you", "they")
        or (low.endswith("s") and not low.endswith("ss"))
        or low in _SURVEYED
        or low in _COLLECTIVE
        or low in _QUANTIFIER_SUBJECTS
        or _is_quantity(tokens[np[1] - 1])
        or any(t.lower in ("and", "&") for t in tokens[np[0] : np[1]])
    )


def _has_complement(s: _Sentence, cue: Cue, within_clause: bool = False) -> bool:
    """Whether "that", a question word, a colon or a quote follows the cue closely.

    ``within_clause`` looks only at what directly follows (past a time or an adverb): in
    '"...," he said, adding that ...' the "that" belongs to the participle, in '"...," he said
    on "Fox and Friends"' the quote names a show, and in '"A," he said, "B"' the quote goes on.
    """
    tokens = s.tokens
    if within_clause:
        j = cue.last + 1
        while j < len(tokens) and (tokens[j].lower in SKIP_AFTER_CUE or tokens[j].lower in _TIME_WORDS):
            j += 1
        return j < len(tokens) and tokens[j].text in ("that", ":")
    for j in range(cue.last + 1, min(len(tokens), cue.last + 10)):
        low = tokens[j].lower
        if (
            low
            in (
                "that",
                ":",
                "whether",
                "if",
                "why",
                "how",
                "what",
                "who",
                "when",
                "which",
                "where",
            )
            or tokens[j].text in _OPEN_QUOTES
        ):
            return True
        if low == ";":
            return False
    return False


_FINITE_MARKERS = (
    _MODALS
    | {"is", "are", "was", "were", "has", "have", "had", "does", "do", "did"}
    | {
        "won't",
        "wouldn't",
        "can't",
        "couldn't",
    }
)


def _bare_clause_follows(tokens: list[Token], i: int) -> bool:
    """Whether a clause without "that" starts at ``i``: a short subject, then an auxiliary or
    modal ("predicted lawsuits could be filed", "indicated it would give")."""
    for j in range(i + 1, min(len(tokens), i + 5)):
        if tokens[j].lower in _FINITE_MARKERS:
            return all(_is_word(t) and t.lower not in _PREPOSITIONS for t in tokens[i:j])
        if not _is_word(tokens[j]):
            return False
    return False


def _has_infinitive(s: _Sentence, cue: Cue) -> bool:
    """Whether "to" (or a clause) follows the cue, past adverbs: "wants to", "declined to comment"."""
    tokens = s.tokens
    j = cue.last + 1
    while j < len(tokens) and tokens[j].lower in ADVERBS:
        j += 1
    if tokens[cue.last].lower in _ASK_FORMS:
        # "asked the candidates to discuss": an object before the infinitive.
        j = next(
            (
                k
                for k in range(j, min(len(tokens), j + 6))
                if not _is_word(tokens[k]) or tokens[k].lower == "to"
            ),
            j,
        )
    if j < len(tokens) and tokens[j].lower == "to":
        return True
    # Or a "that" clause close by, with no punctuation between: "agreed with Ivana Trump that".
    for k in range(cue.last + 1, min(len(tokens), cue.last + 6)):
        if tokens[k].lower == "that":
            return True
        if not _is_word(tokens[k]):
            return False
    return False


def _starts_verb_phrase(token: Token) -> bool:
    """A lowercase word after "to" that is no determiner or noun of a listener."""
    low = token.lower
    return (
        token.text.islower()
        and low not in _DETERMINERS
        and low not in GROUP_NOUNS
        and low not in PERSON_NOUNS
        and low not in _OBJECT_PRONOUNS
    )


def _tail_is_adjunct(s: _Sentence, cue: Cue) -> bool:
    """True when all that follows the cue is a short adjunct ("on Monday", "in a statement")."""
    tail = s.tokens[cue.last + 1 :]
    words = [t for t in tail if _is_word(t)]
    if not words:
        return True
    if any(t.lower == "that" or t.text in _OPEN_QUOTES for t in tail):
        return False
    if words[0].lower == "to" and len(words) > 1 and _starts_verb_phrase(words[1]):
        return False  # "proposed to draft ...": an infinitive, not "told to reporters"
    return len(words) <= 12 and (
        words[0].lower in SKIP_AFTER_CUE | _ADJUNCT_PREPOSITIONS | {"adding", "noting", "referring"}
        or s.tokens[cue.last + 1].text == ","
    )


def _clause_subject(s: _Sentence, before: int) -> tuple[int, int] | None:
    """The speaker-like subject of the main clause, for a participial cue: at the start or after
    an introductory phrase ("During a speech earlier in the day, Trump attacked ..., saying")."""
    tokens = s.tokens
    starts = [0] + [j + 1 for j in range(0, before - 1) if tokens[j].text == ","]
    for start in starts:
        subject = _subject_at(tokens, start, before)
        if subject is not None:
            return subject
    return None


def _subject_at(tokens: list[Token], start: int, before: int) -> tuple[int, int] | None:
    """A pronoun, name or determined noun phrase at ``start`` that a verb follows."""
    if start >= before:
        return None
    if tokens[start].lower in PRONOUNS:
        end = start + 1
    else:
        end = start
        while end < before and (_np_word(tokens[end]) or tokens[end].lower in _NP_JOINERS):
            end += 1
            if end - start >= _MAX_NP:
                break
        if not (end > start and _speakerish(tokens[end - 1], end - 1 == start)):
            # "the justice sounded off on Trump, saying ...": a determined common noun.
            np = _np_right(tokens, start, before)
            if np is None or tokens[start].lower not in _NOUN_DETERMINERS:
                return None
            end = np[1]
    verb = end
    while verb < before and _is_adverb(tokens[verb]):
        verb += 1
    if verb < before and tokens[verb].text.islower() and tokens[verb].lower not in _PREPOSITIONS:
        return (start, end)
    return None


def extract(text: str) -> Extraction:
    """Split ``text`` into sentences and return every claim they report, speakers resolved."""
    sentences = segment(text)
    result = Extraction(sentences=sentences)
    entities = Entities()
    carried: Claim | None = None
    carried_how = "after"  # how the next sentence may continue it: see _continues_quote
    in_quote = False  # a quotation runs on from the previous sentence
    previous_end = 0
    for index, sentence in enumerate(sentences):
        entities.scan_names(text, sentence, index)
        if sentence.kind is SentenceKind.HEADING:
            # "He said:" on a line of its own introduces the quotation that follows.
            carried, carried_how = _introduction(text, sentence, entities, index), "intro"
            continue
        analysed = _Sentence(text, sentence)
        if "\n" in text[previous_end : sentence.start]:
            in_quote = False  # a quotation that runs over paragraphs opens each one again
            if carried_how == "open":
                carried_how = "intro"
        quoted, in_quote = _quoted(analysed.tokens, in_quote)
        previous_end = sentence.end
        found = _analyse(analysed, quoted)
        claims: list[Claim] = []
        for item in found:
            speaker: SpeakerRef | None
            if item.mention is None:
                continue
            mention_text = text[item.mention[0] : item.mention[1]]
            names = item.names or item.mention
            speaker = entities.resolve(text[names[0] : names[1]], index)
            cue_text = text[analysed.tokens[item.cue.first].start : analysed.tokens[item.cue.last].end]
            claims.append(
                Claim(
                    index,
                    speaker,
                    mention_text,
                    item.mention[0],
                    item.mention[1],
                    cue_text,
                    text[item.content[0] : item.content[1]],
                    item.content[0],
                    item.content[1],
                    item.cue.stance,
                )
            )
            if speaker is not None:
                entities.spoke(speaker, index)
        if not claims and carried is not None and _continues_quote(text, sentence, carried_how):
            # A quotation that runs on from the previous sentence keeps its speaker, and so does
            # a quoted sentence right after a quote: '"A," X said. "B."'
            span = analysed.content(sentence.start, sentence.end)
            if span is not None:
                claims.append(
                    Claim(
                        index,
                        carried.speaker,
                        carried.mention,
                        carried.mention_start,
                        carried.mention_end,
                        carried.cue,
                        text[span[0] : span[1]],
                        span[0],
                        span[1],
                        carried.stance,
                    )
                )
        if not claims:
            span = analysed.content(sentence.start, sentence.end) or (
                sentence.start,
                sentence.end,
            )
            claims.append(
                Claim(
                    index,
                    None,
                    None,
                    None,
                    None,
                    None,
                    text[span[0] : span[1]],
                    span[0],
                    span[1],
                    Stance.ASSERTS,
                )
            )
        result.claims.extend(claims)
        last = claims[-1]
        carried_how = "open" if in_quote else "after"
        carried = last if not last.is_publication and (in_quote or _is_quotation(text, last)) else None
    return result


def _introduction(text: str, sentence: Sentence, entities: Entities, index: int) -> Claim | None:
    """The speaker of a line such as "He said:" or "Trump told the crowd:", which introduces the
    quotation below it; None for any other heading."""
    if not text[sentence.start : sentence.end].rstrip().endswith(":"):
        return None
    tokens = _tokens(text, sentence.start, sentence.end)
    cues = [cue for cue in _find_cues(tokens) if cue.kind == "finite"]
    if not cues or len(tokens) - cues[-1].last > 6:
        return None
    cue = cues[-1]
    np = _np_left(tokens, cue.first, 0)
    if np is None:
        return None
    start, end = tokens[np[0]].start, tokens[np[1] - 1].end
    mention = text[start:end]
    cue_text = text[tokens[cue.first].start : tokens[cue.last].end]
    speaker = entities.resolve(mention, index)
    return Claim(index, speaker, mention, start, end, cue_text, "", start, start, cue.stance)


def _is_quotation(text: str, claim: Claim) -> bool:
    """Whether a claim's content is a direct quotation (quote marks around it)."""
    before = text[max(0, claim.content_start - 3) : claim.content_start]
    return any(mark in before for mark in ('"', "\u201c", "''"))


def _continues_quote(text: str, sentence: Sentence, how: str) -> bool:
    """Whether a sentence goes on with the previous speaker's words: inside a quotation left open
    (``how`` "open"), a quotation of its own right after a quote ("after"), or a quotation that
    opens after a line introducing it ("intro")."""
    opening = text[sentence.start]
    if how == "open":
        return opening not in _OPEN_QUOTES
    if how == "intro":
        return opening in _OPEN_QUOTES
    body = text[sentence.start : sentence.end].rstrip()
    return (opening in ('"', "\u201c") or body.startswith("''")) and body.endswith(('"', "\u201d", "''"))
