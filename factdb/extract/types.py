"""The values the extraction engine hands to the rest of factdb.

Pure data: no database, no Flask. Offsets are Python string indices into the
text that was extracted (end exclusive), so ``text[start:end]`` is the span.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from factdb.enums import SentenceKind, SpeakerKind, Stance


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence of the source text; headings carry no claim."""

    start: int
    end: int
    kind: SentenceKind


@dataclass(frozen=True, slots=True)
class SpeakerRef:
    """Who the engine believes spoke, as far as the text alone can tell.

    ``name`` is the best canonical name found in the article ("Dmitry Peskov" for
    "Kremlin spokesman Dmitry Peskov", and also for a later "He"). ``role`` is the
    title split off the name ("Kremlin spokesman"); ``affiliation`` the body the
    speaker speaks for ("Kremlin"), if the text says so. The storage layer maps the
    name to a stored speaker through the alias registry.
    """

    name: str
    kind: SpeakerKind
    role: str | None = None
    affiliation: str | None = None
    affiliation_kind: SpeakerKind | None = None


@dataclass(frozen=True, slots=True)
class Claim:
    """One statement reported in one sentence.

    ``speaker`` is None for a statement of the publication itself (no attribution)
    and for a mention the engine could not resolve without guessing; in the latter
    case ``mention`` still holds the words of the text ("they").
    """

    sentence: int
    speaker: SpeakerRef | None
    mention: str | None
    mention_start: int | None
    mention_end: int | None
    cue: str | None
    content: str
    content_start: int
    content_end: int
    stance: Stance
    rule: str | None = None  # RULE_ID of the rule that found it; None for the publication's own
    channel: str | None = None  # the outlet that carried the speaker's words ("TASS quoted ...")

    @property
    def is_publication(self) -> bool:
        """True for an unattributed statement, which the outlet itself makes."""
        return self.mention is None


@dataclass(slots=True)
class Extraction:
    """The result of extracting one text: its sentences and the claims they report."""

    sentences: list[Sentence] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
