"""Speaker names: the alias key, and splitting a mention into name, role and affiliation."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from factdb.enums import SpeakerKind
from factdb.extract.lexicon import (
    COUNTRIES,
    GROUP_NOUNS,
    HONORIFICS,
    NATIONALITIES,
    NUMBER_WORDS,
    ORG_NOUNS,
    PERSON_NOUNS,
    TITLE_WORDS,
)

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"['\u2019]s?$")


def normalize_alias(name: str) -> str:
    """Return the registry key of a name: case-folded, accents and a leading "the" dropped,
    apostrophes unified and whitespace collapsed, so "The Kremlin" and "kremlin" meet."""
    if name.isascii():
        text = name.replace("`", "'")  # plain ASCII: no accents, no invisible characters to drop
    else:
        text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES)
        # Drop accents, and invisible format characters (zero-width spaces, direction marks).
        text = "".join(
            c
            for c in unicodedata.normalize("NFKD", text)
            if not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
        )
    text = _SPACES.sub(" ", text).strip().strip(".,;:")
    text = _LEADING_THE.sub("", text)
    return text.casefold()


def is_capitalized(word: str) -> bool:
    """True for a word that starts with a capital letter ("Peskov", "U.S.")."""
    return bool(word) and word[0].isupper()


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A mention split into the name of the speaker and what the text says about them."""

    name: str
    kind: SpeakerKind
    role: str | None = None
    affiliation: str | None = None
    nationality: str | None = None


def _is_title(word: str) -> bool:
    lower = word.lower()
    return lower in TITLE_WORDS or lower in NATIONALITIES or lower in PERSON_NOUNS


# A name that opens or ends with a share names a group ("Two in three", "22 percent", "Most").
_SHARES = NUMBER_WORDS | {"many", "some", "both", "few", "several", "nearly", "about", "almost"}


def guess_kind(words: list[str]) -> SpeakerKind:
    """Person, organization, group or country, from the words of a name alone."""
    phrase = " ".join(words).lower()
    last = words[-1].lower().rstrip(".")
    if phrase in COUNTRIES or normalize_alias(phrase) in COUNTRIES:
        return SpeakerKind.COUNTRY
    if last in ORG_NOUNS:
        return SpeakerKind.ORGANIZATION
    if len(words) == 1 and 2 <= len(words[0]) <= 4 and words[0].isupper() and words[0].isalpha():
        return SpeakerKind.ORGANIZATION  # an acronym: "WHO", "NATO", "IAEA" ("UK", "US" are countries above)
    if last in GROUP_NOUNS or (last.endswith("s") and last[:-1] in PERSON_NOUNS):
        return SpeakerKind.GROUP
    if "&" in words[1:-1]:
        return SpeakerKind.ORGANIZATION  # "Marlow & Finch", "Berg & Hale": a firm, not a person
    first = words[0].lower()
    if first[0].isdigit() or first in _SHARES or last in _SHARES or last.endswith("%"):
        return SpeakerKind.GROUP  # "Two in three", "22 percent", "Most"
    head = next((w for w in words if w.lower() in ("of", "for", "at", "from")), None)
    before = words[: words.index(head)] if head else words
    if before and not is_capitalized(before[-1]) and before[-1].lower().endswith("s"):
        return SpeakerKind.GROUP  # "lawyers for the tenants", "experts"
    # "Kremlin spokesman Dmitry Peskov" is a person who speaks for an organization.
    if any(w.lower() in PERSON_NOUNS for w in words):
        return SpeakerKind.PERSON
    if any(w.lower() in ORG_NOUNS for w in words if is_capitalized(w)):
        return SpeakerKind.ORGANIZATION
    return SpeakerKind.PERSON


def parse_name(words: list[str]) -> ParsedName:
    """Split "Kremlin spokesman Dmitry Peskov" into Dmitry Peskov, role "Kremlin spokesman",
    affiliation "Kremlin"; "Ukrainian President Volodymyr Zelensky" into Volodymyr Zelensky, role
    "President of Ukraine". Names of bodies ("The Russian Defense Ministry") stay whole, without "The".
    """
    while words and words[0].lower() in ("the", "a", "an"):
        words = words[1:]
    words = [w for w in words if w.lower() not in HONORIFICS] or words
    if not words:
        return ParsedName("", SpeakerKind.PERSON)
    for j, word in enumerate(words[1:-1], start=1):
        # "Ana Ruiz of the University of Leeds", "Tom Berg of Berg & Hale": a name, then where the
        # person works. "Secretary of State Ana Ruiz" is a title, not a name.
        if (
            word.lower() in ("of", "at", "from")
            and is_capitalized(words[j - 1])
            and not _is_title(words[j - 1])
        ):
            head = parse_name(words[:j])
            if head.kind is SpeakerKind.PERSON and head.role is None and len(words[:j]) >= 2:
                rest = words[j + 1 :]
                while rest and rest[0].lower() in ("the", "a", "an"):
                    rest = rest[1:]
                if rest:
                    return ParsedName(head.name, head.kind, affiliation=" ".join(rest))
            break
    kind = guess_kind(words)
    if kind is not SpeakerKind.PERSON:
        nationality = next(
            (NATIONALITIES[w.lower()] for w in words if w.lower() in NATIONALITIES),
            None,
        )
        return ParsedName(" ".join(words), kind, nationality=nationality)
    # The name is the run of capitalized non-title words at the end.
    split = len(words)
    while split > 0 and is_capitalized(words[split - 1]) and not _is_title(words[split - 1]):
        split -= 1
    name_words, title_words = words[split:], words[:split]
    if not name_words:
        return ParsedName(" ".join(words), kind)
    nationality = None
    affiliation = None
    role_parts: list[str] = []
    for word in title_words:
        lower = word.lower()
        if lower in NATIONALITIES and nationality is None:
            nationality = NATIONALITIES[lower]
        elif is_capitalized(word) and not _is_title(word):
            affiliation = word if affiliation is None else f"{affiliation} {word}"
            role_parts.append(word)
        else:
            role_parts.append(word)
    role = " ".join(role_parts) or None
    if role and nationality and affiliation is None:
        role = f"{role} of {nationality}"
    elif nationality and not role:
        role = None
    return ParsedName(" ".join(name_words), kind, role, affiliation, nationality)


def strip_possessive(word: str) -> str:
    """ "Russia's" -> "Russia"."""
    return _POSSESSIVE.sub("", word)
