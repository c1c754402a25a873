"""One speaker, many names: the name key under which variants of one name meet, and how sure a match is.

Pure functions, no database. Wire copies of one statement name its speaker differently ("Russia's
Defence Ministry", "the Russian Defense Ministry", "Russian Ministry of Defense"); :func:`name_key`
folds what never changes who is meant, so those meet at ingest:

- case, accents, a leading "the", punctuation and possessives ("Russia's" -> "russia");
- country adjectives and short forms ("Russian" -> "russia", "U.S."/"American" -> "us");
- British and American spelling ("Defence" -> "defense", "organisation" -> "organization");
- word order and filler ("Ministry of Defense" = "Defense Ministry"; "of", "for", "affairs" dropped);
- titles and honorifics before a person's name ("President", "Mr", "spokesman");
- transliteration endings ("Zelenskyy", "Zelenskiy" -> "zelensky"; "Dmitriy", "Dmitri" -> "dmitry").

:func:`compare` then judges two keys: SAME (equal keys: merged at ingest), UNSURE (one name adds
words to the other, or a word differs only as transliterations do: proposed to editors as a merge),
or DIFFERENT (a word on each side with no counterpart: another ministry, another first name, another
country). Word similarity is RapidFuzz's Indel ratio, chosen by measurement on
``tests/gold/speaker_names.tsv`` (see ``bench/speaker_names.py``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz.distance import Indel

from factdb.enums import SpeakerKind
from factdb.extract import normalize_alias
from factdb.extract.lexicon import HONORIFICS, NATIONALITIES, ORG_NOUNS, PERSON_NOUNS
from factdb.extract.names import parse_name

#: Two words this similar (RapidFuzz's Indel ratio, 0..1) may be spellings of one name
#: ("Kuleba"/"Kouleba" 0.92, "Zelensky"/"Zelenska" 0.88 - proposed, never merged); below it they are
#: different words ("Peskov"/"Popov" 0.55, "council"/"counsel" 0.71). On the gold list 0.84 proposes
#: 95.5% of the same-speaker pairs with 97% of proposals right; Jaro-Winkler at any bar proposed more
#: wrong pairs for the same recall (python -m bench.speaker_names).
SIMILAR_WORD = 0.84

#: Multi-word country names, folded to one word before splitting.
_COUNTRY_PHRASES = {
    "united states of america": "us",
    "united states": "us",
    "united kingdom": "uk",
    "great britain": "uk",
    "north korea": "north_korea",
    "north korean": "north_korea",
    "south korea": "south_korea",
    "south korean": "south_korea",
    "saudi arabia": "saudi_arabia",
    "saudi arabian": "saudi_arabia",
}

#: Country words: adjectives and short forms -> one token per country.
_COUNTRY_WORDS = {
    "usa": "us",
    "america": "us",
    "american": "us",
    "britain": "uk",
    "british": "uk",
    "saudi": "saudi_arabia",
} | {
    adjective: normalize_alias(country).replace(" ", "_")
    for adjective, country in NATIONALITIES.items()
    if " " not in adjective and adjective not in ("us", "u.s.", "american", "british", "saudi")
}

#: The one token of each country (left as it is by the transliteration rules).
_COUNTRY_TOKENS = frozenset(_COUNTRY_WORDS.values()) | frozenset(_COUNTRY_PHRASES.values())

#: British spellings -> American, for the words that occur in names of bodies.
_SPELLINGS = {
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "programme": "program",
    "centre": "center",
    "theatre": "theater",
    "labour": "labor",
    "honour": "honor",
    "harbour": "harbor",
    "neighbour": "neighbor",
    "armour": "armor",
    "favour": "favor",
    "behaviour": "behavior",
    "colour": "color",
    "fibre": "fiber",
    "catalogue": "catalog",
    "enrolment": "enrollment",
    "judgement": "judgment",
    "travelling": "traveling",
    # Place names written the Russian way in older copy.
    "kiev": "kyiv",
    "kharkov": "kharkiv",
    "odessa": "odesa",
    "lvov": "lviv",
}
_ISATION = re.compile(r"isation$")
_ISED = re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing)$")

#: Words that never tell two bodies apart ("Ministry for Foreign Affairs" = "Foreign Ministry").
_FILLER = frozenset({"of", "for", "the", "and", "on", "&"})
#: Dropped only beside a ministry-like noun: "affairs" adds nothing to "Foreign Affairs Ministry".
_MINISTRY_FILLER = frozenset({"affairs"})
_MINISTRY_NOUNS = frozenset({"ministry", "ministries", "department", "minister", "office"})

#: Words that alone never identify a body: a name made only of these (and a country) is too generic
#: to propose for merging with a longer one ("Ministry" vs "Russian Defense Ministry").
_GENERIC = ORG_NOUNS | PERSON_NOUNS | frozenset({"press", "service", "national", "state", "federal"})

#: Words of a key that never identify a speaker alone: generic nouns and countries.
GENERIC_WORDS = _GENERIC | _COUNTRY_TOKENS

_TITLES = frozenset(HONORIFICS | {h.rstrip(".") for h in HONORIFICS})
_PUNCT = re.compile(r"[^\w\s&]")
_TRANSLIT = [
    # Ordered: endings first, then the middle of the word. Applied to each word, so both spellings
    # of a transliterated name land on one form ("Zelenskyy", "Zelenskiy" -> "zelensky").
    (re.compile(r"sk(yy|yi|iy|ii|ij|i|yj)$"), "sky"),
    (re.compile(r"(iia|iya|ija)$"), "ya"),
    (re.compile(r"(?<=[^aeiouy])(iy|yy|ii|ij|yi)$"), "y"),
    (re.compile(r"(?<=[^aeiouy])i$"), "y"),
    (re.compile(r"e[iy]$"), "ei"),
    (re.compile(r"^(iu|ju)"), "yu"),
    (re.compile(r"^(ia|ja)"), "ya"),
    (re.compile(r"(?<=[^aeiouy])i(?=[aou])"), "y"),
    (re.compile(r"(?<=[aeiou])y(?=[^aeiouy])"), "i"),
    (re.compile(r"ks"), "x"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"(.)\1"), r"\1"),
]


class Match(enum.Enum):
    """How two names relate."""

    SAME = "same"
    UNSURE = "unsure"
    DIFFERENT = "different"


@dataclass(frozen=True, slots=True)
class Judgement:
    """The verdict on two names, a score (0..1, for ordering the editors' queue) and the reason."""

    match: Match
    score: float
    reason: str


def _fold_word(word: str) -> str:
    word = _SPELLINGS.get(word, word)
    word = _ISATION.sub("ization", word)
    word = _ISED.sub(r"iz\1", word)
    word = _COUNTRY_WORDS.get(word, word)
    if word in _COUNTRY_TOKENS:
        return word
    for pattern, replacement in _TRANSLIT:
        word = pattern.sub(replacement, word)
    return word


def _person_name(name: str) -> str:
    """``name`` without the titles before a person's name ("President Zelensky" -> "Zelensky")."""
    words = name.split()
    parsed = parse_name(words)
    if parsed.kind is SpeakerKind.PERSON and parsed.name and parsed.role is not None:
        return parsed.name
    return " ".join(w for w in words if w.lower() not in _TITLES) or name


def name_tokens(name: str) -> tuple[str, ...]:
    """The folded words of ``name``, sorted and without repeats (see the module's docstring)."""
    text = normalize_alias(_person_name(" ".join(name.split())))
    text = re.sub(r"['\u2019]s\b", "", text)  # possessives: "russia's" -> "russia"
    text = re.sub(r"\b([a-z])\.(?=[a-z]\.)", r"\1", text)  # "u.s." -> "us." (then the dot goes)
    text = re.sub(r"\b([a-z])\.([a-z])\.", r"\1\2", text)
    text = _PUNCT.sub(" ", text.replace("-", " "))
    text = " ".join(text.split())
    for phrase, token in _COUNTRY_PHRASES.items():
        text = re.sub(rf"\b{phrase}\b", token, text)
    words = [w for w in text.split() if w not in _FILLER and w not in _TITLES]
    if any(w in _MINISTRY_NOUNS for w in words):
        words = [w for w in words if w not in _MINISTRY_FILLER]
    return tuple(sorted({_fold_word(w) for w in words}))


def name_key(name: str) -> str:
    """The key under which names of one speaker meet: its folded words, sorted, space-separated.

    "Russia's Defence Ministry", "Russian Defense Ministry" and "Russian Ministry of Defense" all
    give "defense ministry russia". Empty for a name with no words.
    """
    return " ".join(name_tokens(name))


#: Letters of each end of a word stored as a search gram: transliterations of one name differ in the
#: middle or at one end ("Zelenskyy"/"Zelenskiy", "Kuleba"/"Kouleba"), so one end still meets.
GRAM_LETTERS = 4
#: The longest key and gram stored (their columns' lengths).
KEY_MAX = 300
GRAM_MAX = 40


def name_grams(key: str) -> set[str]:
    """The search grams of a name key: both ends of each word that can identify someone.

    Stored per alias (``speaker_alias_grams``), so that finding the speakers a new name may be is an
    index lookup, not a scan of every name.
    """
    words = (w for w in key.split() if w not in GENERIC_WORDS and len(w) >= 3)
    return {
        g for w in words for g in ((w[:GRAM_LETTERS], w[-GRAM_LETTERS:]) if len(w) > GRAM_LETTERS else (w,))
    }


def _is_initial_of(short: str, word: str) -> bool:
    return len(short) == 1 and word.startswith(short) and len(word) > 1


#: A word similarity, 0..1 (RapidFuzz's Indel ratio unless a measurement passes another).
WordSimilarity = Callable[[str, str], float]


def compare(a: str, b: str, similarity: WordSimilarity = Indel.normalized_similarity) -> Judgement:
    """Judge two name keys (as :func:`name_key` gives them): SAME, UNSURE or DIFFERENT.

    UNSURE when every word of the shorter name has a counterpart in the other (equal, an initial,
    or similar as transliterations are) and the shorter name holds a word that identifies someone
    (not only "ministry" or a country); DIFFERENT as soon as each name has a word the other lacks.
    """
    if not a or not b:
        return Judgement(Match.DIFFERENT, 0.0, "an empty name")
    if a == b:
        return Judgement(Match.SAME, 1.0, "same name")
    left, right = a.split(), b.split()
    if len(left) > len(right):
        left, right = right, left
    unmatched = [w for w in right if w not in left]
    fuzzy = 0
    scores: list[float] = []
    for word in left:
        if word in right:
            scores.append(1.0)
            continue
        best, partner = 0.0, None
        for other in unmatched:
            if _is_initial_of(word, other) or _is_initial_of(other, word):
                alike = SIMILAR_WORD
            else:
                alike = similarity(word, other)
            if alike > best:
                best, partner = alike, other
        if partner is None or best < SIMILAR_WORD:
            return Judgement(Match.DIFFERENT, 0.0, f"{word!r} has no counterpart")
        unmatched.remove(partner)
        fuzzy += 1
        scores.append(best)
    if not any(w not in GENERIC_WORDS for w in left):
        return Judgement(Match.DIFFERENT, 0.0, "the shorter name is too generic")
    extra = len(unmatched)
    score = sum(scores) / (len(scores) + extra)
    reasons = []
    if fuzzy:
        reasons.append("spelled differently")
    if extra:
        reasons.append(f"one name adds {', '.join(repr(w) for w in unmatched)}")
    return Judgement(Match.UNSURE, round(score, 3), "; ".join(reasons))


def compare_names(a: str, b: str) -> Judgement:
    """:func:`compare` over raw names."""
    return compare(name_key(a), name_key(b))


@dataclass(frozen=True, slots=True)
class MatchScores:
    """How :func:`compare` did on labelled pairs: merges made at ingest, and merges proposed."""

    pairs: int
    same_pairs: int
    merged: int
    merged_right: int
    proposed: int
    proposed_right: int

    @property
    def merge_precision(self) -> float:
        """Of the pairs merged at ingest (SAME), the share that are one speaker."""
        return self.merged_right / self.merged if self.merged else 1.0

    @property
    def merge_recall(self) -> float:
        """Of the pairs that are one speaker, the share merged at ingest."""
        return self.merged_right / self.same_pairs if self.same_pairs else 1.0

    @property
    def queue_recall(self) -> float:
        """Of the pairs that are one speaker, the share merged or proposed to editors."""
        return (self.merged_right + self.proposed_right) / self.same_pairs if self.same_pairs else 1.0

    @property
    def queue_precision(self) -> float:
        """Of the pairs merged or proposed, the share that are one speaker."""
        total = self.merged + self.proposed
        return (self.merged_right + self.proposed_right) / total if total else 1.0


def score_pairs(
    pairs: Iterable[tuple[str, str, bool]],
    judge: Callable[[str, str], Judgement] = compare_names,
) -> MatchScores:
    """Score ``judge`` on ``(name, name, is_same)`` pairs (the gold list in tests/gold/speaker_names.tsv)."""
    counts = {"pairs": 0, "same": 0, "merged": 0, "merged_right": 0, "proposed": 0, "proposed_right": 0}
    for a, b, same in pairs:
        match = judge(a, b).match
        counts["pairs"] += 1
        counts["same"] += same
        if match is Match.SAME:
            counts["merged"] += 1
            counts["merged_right"] += same
        elif match is Match.UNSURE:
            counts["proposed"] += 1
            counts["proposed_right"] += same
    return MatchScores(
        counts["pairs"], counts["same"], counts["merged"], counts["merged_right"], counts["proposed"],
        counts["proposed_right"],
    )  # fmt: skip


def read_name_pairs(lines: Iterable[str]) -> list[tuple[str, str, str, bool]]:
    """``(name_a, name_b, kind, is_same)`` from the gold list's tab-separated lines (``#`` comments)."""
    pairs = []
    for line in lines:
        if not line.strip() or line.startswith("#") or line.startswith("name_a\t"):
            continue
        a, b, kind, label = line.rstrip("\n").split("\t")
        if label not in ("same", "different"):
            raise ValueError(f"label {label!r} is neither 'same' nor 'different'")
        pairs.append((a, b, kind, label == "same"))
    return pairs
