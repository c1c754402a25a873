"""Stage 5: speaker resolution -- who a mention refers to, within one article.

Every name the article spells out ("British Prime Minister Keir Starmer convened ...") is
remembered with its role, whether or not that sentence reports speech, so that "Starmer",
"the British prime minister", "he" and "the spokesman" later find the right person. Pronouns
and role descriptions resolve only to a compatible speaker seen recently; otherwise they stay
unresolved rather than being guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from factdb.enums import SentenceKind, SpeakerKind
from factdb.extract.lexicon import (
    BODY_DESCRIPTION_ENDINGS,
    BODY_KIND_NOUNS,
    COUNTRIES,
    EVIDENCE_NOUNS,
    FUNCTION_CAPS,
    GENERIC_BODY_NOUNS,
    GROUP_NOUNS,
    LEADER_WORDS,
    NATIONALITIES,
    ORG_NOUNS,
    PERSON_NOUNS,
    TIME_WORDS,
    TITLE_WORDS,
    UNNAMED_SOURCE_WORDS,
)
from factdb.extract.names import (
    ParsedName,
    guess_kind,
    is_capitalized,
    normalize_alias,
    parse_name,
    strip_possessive,
)
from factdb.extract.tokens import ACRONYM_MAX_LETTERS
from factdb.extract.types import Sentence, SpeakerRef

_WORD = re.compile(r"[\w\u00C0-\u024F]+(?:[.\-'\u2019][\w\u00C0-\u024F]+)*\.?")
# Pronouns look back this many sentences at most: further back, "he" is a guess.
PRONOUN_WINDOW = 4
# A role description ("the minister") looks back further, since roles are repeated less often.
ROLE_WINDOW = 12
_ARTICLES = frozenset({"the", "a", "an"})
# A name and the description set off after it, or a description and the name after it:
# "Brightmoor, the Dutch shipbuilder," and "the province's mayor, Ilse Varga,". Descriptions are at
# most four words.
_NAME = r"[A-Z][\w&'\u2019.-]*(?:\s+[A-Z][\w&'\u2019.-]*){0,3}"
_DESCRIPTION = r"(?:[\w'\u2019-]+\s+){0,3}[a-z][\w-]*"
_NAME_THEN_DESCRIPTION = re.compile(rf"({_NAME}),\s+(?:the|an?)\s+({_DESCRIPTION}),")
# Cheap tests that a sentence may hold either (most sentences hold neither).
_COMMA_ARTICLE = re.compile(r", (?:the|an?) ")
_COMMA_FULL_NAME = re.compile(r", [A-Z][\w'\u2019.-]* [A-Z]")
_DESCRIPTION_THEN_NAME = re.compile(
    rf"\b(?:the|an?|[A-Z][\w-]*['\u2019]s)\s+({_DESCRIPTION}),\s+([A-Z][\w'\u2019.-]*(?:\s+[A-Z][\w'\u2019.-]*){{1,3}})[,.]"
)


# Runs of capitalized words that :meth:`Entities.scan_names` has parsed, remembered: news repeats
# its names ("President Ana Ruiz") in sentence after sentence. A parsed name is immutable.
_PARSED_RUNS_CACHED = 16_384


# Alias keys of the names the article repeats, remembered for the same reason.
_alias_key = functools.lru_cache(maxsize=_PARSED_RUNS_CACHED)(normalize_alias)


@functools.lru_cache(maxsize=_PARSED_RUNS_CACHED)
def _parse_run(words: tuple[str, ...]) -> ParsedName:
    return parse_name(list(words))


def _is_body_acronym(word: str) -> bool:
    """ "NATO", "IAEA": an acronym standing for an organization, not a country or a title."""
    return (
        2 <= len(word) <= ACRONYM_MAX_LETTERS
        and word.isupper()
        and word.isalpha()
        and word.lower() not in PERSON_NOUNS
        and word.lower() not in TITLE_WORDS
        and guess_kind([word]) is SpeakerKind.ORGANIZATION
    )


@dataclass(slots=True)
class Entity:
    """Someone the article has named."""

    name: str
    kind: SpeakerKind
    role: str | None
    affiliation: str | None
    affiliation_kind: SpeakerKind | None
    nationality: str | None
    last_seen: int
    last_spoke: int = -1

    def ref(self) -> SpeakerRef:
        return SpeakerRef(self.name, self.kind, self.role, self.affiliation, self.affiliation_kind)

    def describes(self, words: list[str]) -> bool:
        """Whether a role description ("Ukrainian leader", "ministry", "spokesman") fits this entity."""
        head = words[-1]
        nationality = next((NATIONALITIES[w] for w in words if w in NATIONALITIES), None)
        facts = " ".join(filter(None, [self.name, self.role, self.affiliation, self.nationality])).lower()
        if (
            nationality is not None
            and nationality.lower() not in facts
            and not any(w in facts for w in words if w in NATIONALITIES)
        ):
            return False
        if head in LEADER_WORDS or (len(words) >= 2 and words[-2:] == ["prime", "minister"]):
            wanted: tuple[str, ...] = (
                "president",
                "prime minister",
                "leader",
                "chancellor",
                "premier",
                "king",
                "head",
            )
            if head == "minister" and words[-2:] == ["prime", "minister"]:
                wanted = ("prime minister",)
            return self.kind is SpeakerKind.PERSON and any(w in facts for w in wanted)
        if head in PERSON_NOUNS:
            return self.kind is SpeakerKind.PERSON and head in facts
        if head in ORG_NOUNS:
            return self.kind is SpeakerKind.ORGANIZATION and head in facts
        # "the shipbuilder" for "Brightmoor, the Dutch shipbuilder,": a word of its description.
        return self.role is not None and head in self.role.lower().split()


class Entities:
    """The article's named entities, most recent first, with alias lookup."""

    def __init__(self) -> None:
        self.by_key: dict[str, Entity] = {}
        self.ordered: list[Entity] = []

    def _add(self, parsed: ParsedName, index: int) -> Entity:
        key = _alias_key(parsed.name)
        entity = self.by_key.get(key) or self._by_surname(parsed.name)
        if entity is None:
            affiliation_kind = None
            if parsed.affiliation:
                affiliation_kind = guess_kind(parsed.affiliation.split())
                if affiliation_kind is SpeakerKind.PERSON:
                    affiliation_kind = SpeakerKind.ORGANIZATION
            entity = Entity(
                parsed.name,
                parsed.kind,
                parsed.role,
                parsed.affiliation,
                affiliation_kind,
                parsed.nationality,
                index,
            )
            self.by_key[key] = entity
            self.ordered.append(entity)
        else:
            entity.last_seen = index
            if entity.role is None and parsed.role:
                entity.role = parsed.role
            if entity.nationality is None and parsed.nationality:
                entity.nationality = parsed.nationality
        return entity

    def _by_surname(self, name: str) -> Entity | None:
        """A person already named in full whose surname (or full name) this is."""
        matches = self._surname_matches(name)
        return matches[-1] if matches else None

    def _surname_matches(self, name: str) -> list[Entity]:
        """Every person named in full whose surname ``name`` is, in the order they were named."""
        words = name.split()
        if len(words) != 1:
            return []
        key = _alias_key(words[0])
        return [
            entity
            for entity in self.ordered
            if entity.kind is SpeakerKind.PERSON
            and len(entity.name.split()) > 1
            and _alias_key(entity.name.split()[-1]) == key
        ]

    def scan_names(self, text: str, sentence: Sentence, index: int) -> None:
        """Remember every multi-word name with a title in the sentence ("Prime Minister Keir Starmer"),
        acronyms of bodies ("NATO"), and what a description beside a name says of it."""
        if sentence.kind is SentenceKind.HEADING:
            return  # a headline capitalizes every word: its runs are no names
        if ", " in text[sentence.start : sentence.end]:
            self._scan_descriptions(text[sentence.start : sentence.end], index)
        words = _WORD.findall(text, sentence.start, sentence.end)
        words.append("")  # ends the last run
        run: list[str] = []
        for word in words:
            # A capitalized word, a person noun inside a run ("Labour party leader"), or "of" after
            # a title ("Secretary of State Ana Ruiz") stays inside the name's run.
            if word and (
                word[0].isupper()
                or (
                    run
                    and (word.lower() in PERSON_NOUNS or (word == "of" and run[-1].lower() in TITLE_WORDS))
                )
            ):
                # A final period is dropped except on a short abbreviation ("Gen.", "Jr.").
                run.append(word[:-1] if len(word) > 3 and word[-1] == "." else word)
                continue
            if len(run) == 1 and run[0].isupper() and _is_body_acronym(run[0]):
                # "NATO defence ministers agreed": later "the alliance" can find NATO.
                self._add(ParsedName(run[0], SpeakerKind.ORGANIZATION), index)
            if len(run) >= 2:
                parsed = _parse_run(tuple(run))
                if (
                    parsed.kind is SpeakerKind.PERSON
                    and parsed.name
                    and len(parsed.name.split()) >= 2
                    and parsed.role
                ):
                    self._add(parsed, index)
                elif parsed.kind is SpeakerKind.ORGANIZATION and len(parsed.name.split()) >= 2:
                    # "The Competition Authority blocked ...": later "the authority" finds it.
                    self._add(parsed, index)
            run = []

    def _scan_descriptions(self, sentence: str, index: int) -> None:
        """ "Brightmoor, the Dutch shipbuilder," is a business, whatever its name looks like;
        "the province's mayor, Ilse Varga," and "Ilse Varga, the province's mayor," give her a role
        that "the mayor" finds later."""
        if _COMMA_ARTICLE.search(sentence):
            for match in _NAME_THEN_DESCRIPTION.finditer(sentence):
                self._described(match.group(1), match.group(2), index)
        if _COMMA_FULL_NAME.search(sentence):
            for match in _DESCRIPTION_THEN_NAME.finditer(sentence):
                self._described(match.group(2), match.group(1), index)

    def _described(self, name: str, description: str, index: int) -> None:
        words = name.split()
        while words and (
            words[0] in FUNCTION_CAPS or words[0].lower() in TIME_WORDS or words[0].lower() in _ARTICLES
        ):
            words = words[1:]  # "On Monday Brightmoor, the ...": the name is what follows
        lower = description.lower().split()
        if not words:
            return
        head = lower[-1]
        if head in PERSON_NOUNS:
            if len(words) >= 2 and guess_kind(words) is SpeakerKind.PERSON:
                self._add(ParsedName(" ".join(words), SpeakerKind.PERSON, role=description), index)
            return
        if (
            (head in ORG_NOUNS or head in GENERIC_BODY_NOUNS or head.endswith(BODY_DESCRIPTION_ENDINGS))
            and head not in EVIDENCE_NOUNS
            and guess_kind(words) is not SpeakerKind.COUNTRY
        ):
            self._add(ParsedName(" ".join(words), SpeakerKind.ORGANIZATION, role=description), index)

    def spoke(self, ref: SpeakerRef, index: int) -> None:
        entity = self.by_key.get(_alias_key(ref.name))
        if entity is not None:
            entity.last_spoke = index
            entity.last_seen = index

    def resolve(self, mention: str, index: int) -> SpeakerRef | None:
        """The speaker a mention names, or None when it cannot be told without guessing."""
        words = mention.split()
        lower = [w.lower().rstrip(".,") for w in words]
        if not words:
            return None
        if any(marker in mention.lower() for marker in UNNAMED_SOURCE_WORDS):
            # "people familiar with the matter": a group of unnamed sources, kept as the text says.
            name = " ".join(words[1:] if lower[0] in _ARTICLES else words)
            return SpeakerRef(name, SpeakerKind.GROUP)
        if len(words) == 1 and lower[0] in ("he", "she", "i", "his", "her"):
            return self._recent(index, PRONOUN_WINDOW, lambda e: e.kind is SpeakerKind.PERSON)
        if len(words) == 1 and lower[0] in ("they", "we", "their"):
            return self._recent(
                index,
                PRONOUN_WINDOW,
                lambda e: e.kind in (SpeakerKind.GROUP, SpeakerKind.ORGANIZATION),
            )
        if len(words) == 1 and lower[0] in ("it", "its"):
            return self._recent(
                index,
                PRONOUN_WINDOW,
                lambda e: e.kind in (SpeakerKind.ORGANIZATION, SpeakerKind.COUNTRY),
            )
        content_words = [w for w in lower if w not in _ARTICLES]
        described = not any(is_capitalized(w) for w in words[1:] if w.lower() not in NATIONALITIES)
        if lower[0] in _ARTICLES and content_words and described:
            # A role description: "the Ukrainian leader", "the ministry", "a central bank spokesman".
            head = content_words[-1]
            if head in GROUP_NOUNS:
                return SpeakerRef(" ".join(words[1:]), SpeakerKind.GROUP)
            if lower[0] == "the":
                match = self._recent(
                    index,
                    ROLE_WINDOW,
                    lambda e: e.describes(content_words),
                    spoken_only=False,
                )
                # A role resolves only to someone the article gave that role ("the president" is
                # never the last person named); a bare "the spokesman" with no one to point back to
                # stays unresolved, and a fuller description ("the regional governor") names a
                # speaker by role, not a person.
                if match is None and len(content_words) == 1:
                    match = self._body_by_kind(head, index)
                if match is not None or len(content_words) < 2:
                    return match
            # "A spokesman said": someone new, known only by role; later "the spokesman" finds them.
            kind = guess_kind(words[1:])
            return self._add(ParsedName(" ".join(words[1:]), kind, role=" ".join(words[1:])), index).ref()
        parsed = parse_name([strip_possessive(w) if i == len(words) - 1 else w for i, w in enumerate(words)])
        if not parsed.name:
            return None
        if parsed.kind is SpeakerKind.GROUP and _alias_key(parsed.name) in GROUP_NOUNS:
            return SpeakerRef(parsed.name, SpeakerKind.GROUP)
        if _alias_key(parsed.name) in COUNTRIES:
            return self._add(ParsedName(parsed.name, SpeakerKind.COUNTRY), index).ref()
        if len(parsed.name.split()) == 1 and len(self._surname_matches(parsed.name)) > 1:
            return None  # "Kovac said" when the article named two Kovacs: not guessed

        return self._add(parsed, index).ref()

    def _body_by_kind(self, head: str, index: int) -> SpeakerRef | None:
        """ "The company", "the report", "the army" when no named entity has that role."""
        if head in GENERIC_BODY_NOUNS:
            # "The company said" after the company spoke by name reads like "it said": the
            # organization that spoke last, within a pronoun's reach; else the one organization
            # the article named that recently ("NATO ministers agreed ..., the alliance said").
            spoke = self._recent(index, PRONOUN_WINDOW, lambda e: e.kind is SpeakerKind.ORGANIZATION)
            if spoke is not None:
                return spoke
            seen = [
                e
                for e in self.ordered
                if e.kind is SpeakerKind.ORGANIZATION and index - e.last_seen <= PRONOUN_WINDOW
            ]
            return seen[0].ref() if len(seen) == 1 else None
        if head in EVIDENCE_NOUNS:
            # "the report said" stands for whoever issued it: the body that spoke last.
            return self._recent(
                index, PRONOUN_WINDOW, lambda e: e.kind in (SpeakerKind.ORGANIZATION, SpeakerKind.GROUP)
            )
        if head in BODY_KIND_NOUNS:
            # "The army said" when the article named no army: the body its kind names.
            return SpeakerRef(head, SpeakerKind.ORGANIZATION)
        return None

    def _recent(self, index: int, window: int, fits: object, spoken_only: bool = True) -> SpeakerRef | None:
        test = fits if callable(fits) else (lambda e: True)
        candidates = [
            e
            for e in self.ordered
            if index - (e.last_spoke if spoken_only else e.last_seen) <= window
            and (e.last_spoke >= 0 or not spoken_only)
            and test(e)
        ]
        if not candidates:
            return None
        best = max(
            candidates,
            key=lambda e: e.last_spoke if spoken_only else max(e.last_seen, e.last_spoke),
        )
        return best.ref()
