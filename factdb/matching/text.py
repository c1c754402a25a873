"""A claim's content in the form matching compares, and the features that veto a match.

Two outlets reporting one statement differ in case, punctuation and quotation marks, write
numbers as words or digits ("two" / "2", "1,200" / "1200"), spell British or American
("defence" / "defense") and transliterate names differently ("Zelensky" / "Zelenskyy",
"Kiev" / "Kyiv"). :func:`normalize_content` removes those differences; :func:`features` keeps
what makes two similar sentences different statements: their numbers, their negations and the
names they mention.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

_QUOTES_AND_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"',
     "\u00bb": '"', "\u201e": '"', "\u2013": "-", "\u2014": "-"}
)  # fmt: skip
# Digits (an ordinal's "th" dropped), words with an apostrophe inside, and the percent sign.
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*(?=(?:st|nd|rd|th)\b)|\d+(?:[.,]\d+)*|[A-Za-z]+(?:'[A-Za-z]+)?|%")
_ORDINAL_SUFFIX = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b")
_DIGIT = re.compile(r"\d")

#: Words that flip what a sentence says. A match needs the same parity of them on both sides.
NEGATIONS = frozenset(
    {"not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without", "unable", "fail",
     "fails", "failed"}
)  # fmt: skip

_CONTRACTIONS = {"won't": "will not", "can't": "can not", "cannot": "can not", "shan't": "shall not"}

#: Frequent words that say nothing about which statement it is (kept out of the MinHash shingles
#: and the similarity, never out of the veto features).
STOPWORDS = frozenset(
    """a an the and or but of in on at to for from by with as is are was were be been being has have
    had do does did that this these those it its it's they them their there he she his her we our us
    i you your will would shall should could can may might must which who whom whose what when
    where while than then so such also into over about after before up out said says say""".split()
)

_UNITS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {
    w: 10 * i
    for i, w in enumerate("_ _ twenty thirty forty fifty sixty seventy eighty ninety".split())
    if i >= 2
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
#: Words that may start a run of number words (a digit or "a" starts one only before a scale).
_RUN_START = frozenset(_UNITS) | frozenset(_TENS)
#: Ordinals as numbers ("the eighth time" / "the 8th time"); "first" and "second" stay words,
#: they are too often not ordinals ("at first", "a second attempt").
_ORDINALS = {
    w: str(i)
    for i, w in enumerate(
        "_ _ _ third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
    )
    if i >= 3
}

#: Spellings that differ between British and American English, or between transliterations,
#: mapped to one form. Word-final "-iy"/"-yy"/"-yi" ("Zelenskiy", "Zelenskyy") and "-ise"
#: verbs are handled by rule in :func:`_spelling`.
SPELLINGS = {
    "defence": "defense", "offence": "offense", "licence": "license", "centre": "center",
    "metre": "meter", "metres": "meters", "kilometre": "kilometer", "kilometres": "kilometers",
    "theatre": "theater", "programme": "program", "labour": "labor", "honour": "honor",
    "favour": "favor", "armour": "armor", "armoured": "armored", "neighbouring": "neighboring",
    "neighbour": "neighbor", "neighbours": "neighbors", "harbour": "harbor", "colour": "color",
    "behaviour": "behavior", "endeavour": "endeavor", "rumour": "rumor", "rumours": "rumors",
    "travelled": "traveled", "cancelled": "canceled", "percent": "percent", "per": "per",
    "kiev": "kyiv", "kharkov": "kharkiv", "odessa": "odesa", "nikolaev": "mykolaiv",
    "mykolayiv": "mykolaiv", "zaporozhye": "zaporizhzhia", "zaporizhia": "zaporizhzhia",
    "lugansk": "luhansk", "chernigov": "chernihiv", "artemovsk": "bakhmut", "dnepr": "dnipro",
    "tchaikovsky": "chaikovsky", "moskva": "moscow", "%": "percent",
}  # fmt: skip
#: Words whose spelling and stem are kept in memory (pure functions of the word; a wire archive's
#: vocabulary repeats, and each costs a few regular expressions).
WORD_CACHE = 262_144
_FINAL_Y = re.compile(r"(?:iy|yy|yi|ii)$")
_ISE = re.compile(r"(?<=[a-z]{3})is(e|ed|es|ing|ation|ations)$")


@functools.lru_cache(maxsize=WORD_CACHE)
def _spelling(word: str) -> str:
    word = SPELLINGS.get(word, word)
    if len(word) > 5:
        word = _FINAL_Y.sub("y", word)
        word = _ISE.sub(r"iz\1", word)
    return word


_HYPHENATED = re.compile(r"([A-Za-z]+)-(?=[A-Za-z])")


def _join_hyphen(match: re.Match[str]) -> str:
    # "cease-fire" -> "ceasefire", but "twenty-two" -> "twenty two" (numbers are read word by word).
    left = match.group(1)
    return left + " " if left.lower() in _TENS else left


def _ascii(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES_AND_APOSTROPHES)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    # Most contents have no hyphen, and the pattern's search tries every letter of every word.
    return _HYPHENATED.sub(_join_hyphen, text) if "-" in text else text


def _plain_number(token: str) -> str:
    """ "1,200" -> "1200", "2.5" stays, "07" -> "7"."""
    if "," in token and re.fullmatch(r"\d{1,3}(,\d{3})+", token):
        token = token.replace(",", "")
    token = token.replace(",", ".")
    if "." in token:
        whole, _, frac = token.partition(".")
        frac = frac.rstrip("0")
        return f"{int(whole)}.{frac}" if frac else str(int(whole))
    return str(int(token))


def _words_to_numbers(words: list[str]) -> list[str]:
    """Runs of number words (and digits followed by a scale) as one number in digits.

    "twenty five" -> "25", "two hundred" -> "200", "1.5 million" -> "1500000", "a thousand" -> "1000".
    A lone "a" stays a word.
    """
    if _RUN_START.isdisjoint(words) and _SCALES.keys().isdisjoint(words):
        # No number word at all (most contents): only digits to write plainly.
        return [_plain_number(word) if word[0].isdigit() else word for word in words]
    out: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word not in _RUN_START and (i + 1 == len(words) or words[i + 1] not in _SCALES):
            # Most words start no run: neither a number word nor followed by a scale.
            out.append(_plain_number(word) if word[0].isdigit() else word)
            i += 1
            continue
        run_end = i
        total = 0.0
        current = 0.0
        seen = False
        j = i
        while j < len(words):
            w = words[j]
            if w[0].isdigit() and not seen and j + 1 < len(words) and words[j + 1] in _SCALES:
                current = float(_plain_number(w))
            elif w in _UNITS:
                current += _UNITS[w]
            elif w in _TENS:
                current += _TENS[w]
            elif w == "a" and not seen and j + 1 < len(words) and words[j + 1] in _SCALES:
                current = 1
            elif w in _SCALES and (seen or current):
                scale = _SCALES[w]
                if scale == 100:
                    current = (current or 1) * 100
                else:
                    total += (current or 1) * scale
                    current = 0
            elif w == "and" and seen and j + 1 < len(words) and words[j + 1] in _UNITS.keys() | _TENS.keys():
                pass
            else:
                break
            seen = True
            j += 1
            run_end = j
        if seen and run_end > i and not (run_end == i + 1 and word == "a"):
            value = total + current
            out.append(str(int(value)) if value == int(value) else repr(value))
            i = run_end
        else:
            out.append(_plain_number(word) if word[0].isdigit() else word)
            i += 1
    return out


@functools.lru_cache(maxsize=WORD_CACHE)
def _light_stem(word: str) -> str:
    """Drop plural and tense endings so "villages"/"village" and "attacked"/"attack" meet."""
    if word[0].isdigit() or len(word) <= 4:
        return word
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


@dataclass(frozen=True, slots=True)
class Normalized:
    """A claim's content as matching sees it."""

    #: Every word, normalised, in order (numbers in digits, negations kept).
    words: tuple[str, ...]
    #: The words that carry the statement: ``words`` less stopwords, lightly stemmed.
    terms: tuple[str, ...]
    #: The numbers the content states, in digits.
    numbers: frozenset[str]
    #: How many negating words it has (what matters is whether that is odd or even).
    negations: int
    #: Names it mentions (capitalised words after the first), normalised.
    names: frozenset[str]
    #: Those of ``names`` in the subject's place (the second word: "The Foreign Ministry summoned"),
    #: which a rewording may add or drop without changing the statement.
    lead_names: frozenset[str] = frozenset()


_NOT_NAMES = STOPWORDS | NEGATIONS | {"mr", "mrs", "ms", "dr", "president", "minister", "ministry"}


#: Normalised contents kept in memory: the same recent claims are candidates for many new ones.
NORMALIZED_CACHE = 65_536


@functools.lru_cache(maxsize=WORD_CACHE)
def _read_token(token: str) -> tuple[tuple[str, ...], str | None]:
    """A token's normalised words, and the name it is when capitalised (not after the first token:
    the caller checks the position). A pure function of the token, so cached."""
    lower = token.lower()
    if lower.endswith("'s"):
        lower = lower[:-2]
    if lower in _CONTRACTIONS:
        return tuple(_CONTRACTIONS[lower].split()), None
    if lower.endswith("n't"):
        return (lower[:-3] or "not", "not"), None
    lower = lower.replace("'", "")
    if not lower:
        return (), None
    word = _ORDINALS.get(lower) or _spelling(lower)
    return (word,), word if token[0].isupper() and word not in _NOT_NAMES else None


@functools.lru_cache(maxsize=NORMALIZED_CACHE)
def normalize_content(content: str) -> Normalized:
    """Normalise a claim's content for matching (see the module's docstring). Pure, so cached."""
    plain = _ascii(content)
    if _DIGIT.search(plain) is not None:  # an ordinal's suffix follows a digit (most contents have none)
        plain = _ORDINAL_SUFFIX.sub("", plain)
    raw = _TOKEN.findall(plain)
    names: set[str] = set()
    lead: set[str] = set()
    words: list[str] = []
    for index, token in enumerate(raw):
        read, name = _read_token(token)
        words.extend(read)
        if name is not None and index > 0:
            names.add(name)
            if index == 1:
                lead.add(name)
    words = _words_to_numbers(words)
    numbers = frozenset(w for w in words if w[0].isdigit())
    negations = sum(1 for w in words if w in NEGATIONS)
    terms = tuple(_light_stem(w) for w in words if w not in STOPWORDS)
    return Normalized(tuple(words), terms, numbers, negations, frozenset(names), frozenset(lead))


def clear_caches() -> None:
    """Forget the normalised contents and words kept in memory (see :func:`factdb.matching.clear_caches`)."""
    for cached in (normalize_content, _read_token, _spelling, _light_stem):
        cached.cache_clear()
