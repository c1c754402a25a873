"""The project's controlled vocabularies, each defined once.

Every enum here is stored by its ``value`` in the database and used as-is by the
models, forms, CLI and exports, so a value means the same thing everywhere.
"""

from __future__ import annotations

import enum


class ClaimStatus(enum.StrEnum):
    """Where a claim stands after review.

    - ``unverified``: nobody has reviewed it yet (every new claim starts here).
    - ``confirmed``: the desk checked it and the evidence supports it.
    - ``disputed``: credible evidence contradicts it, or it is contested.
    - ``false``: the evidence shows it is wrong.
    - ``unverifiable``: it cannot be checked with the evidence available.
    """

    UNVERIFIED = "unverified"
    CONFIRMED = "confirmed"
    DISPUTED = "disputed"
    FALSE = "false"
    UNVERIFIABLE = "unverifiable"

    @property
    def needs_rationale(self) -> bool:
        """Every verdict must be explained; only a reset to unverified may go without."""
        return self is not ClaimStatus.UNVERIFIED

    @property
    def rating(self) -> int | None:
        """The number published with the verdict (ClaimReview ``ratingValue``), on a 1-5 scale.

        1 false, 2 disputed, 3 unverifiable, 5 confirmed; unverified claims carry no rating and are
        never published. The text (``alternateName``) is :attr:`label`.
        """
        return _RATINGS.get(self)

    @property
    def label(self) -> str:
        """The status as shown to readers: "Disputed", "False", ..."""
        return self.value.capitalize()


_RATINGS = {
    ClaimStatus.FALSE: 1,
    ClaimStatus.DISPUTED: 2,
    ClaimStatus.UNVERIFIABLE: 3,
    ClaimStatus.CONFIRMED: 5,
}
BEST_RATING, WORST_RATING = 5, 1


class Stance(enum.StrEnum):
    """How the speaker relates to the content of a claim.

    - ``asserts``: the speaker puts the content forward as true ("claimed", "said").
    - ``denies``: the speaker says the content is not so ("denied", "rejected", "have not confirmed").
    - ``urges``: the speaker calls for the content to happen ("called on", "urged", "appealed").
    """

    ASSERTS = "asserts"
    DENIES = "denies"
    URGES = "urges"


class SpeakerKind(enum.StrEnum):
    """What sort of entity a speaker is.

    - ``person``: a named individual ("Dmitry Peskov").
    - ``organization``: an institution or office ("Russian Defense Ministry", "Kremlin").
    - ``group``: an unnamed collective ("Ukrainian officials", "sources").
    - ``country``: a state speaking as such ("Russia").
    - ``publication``: the outlet itself, speaker of every unattributed statement.
    """

    PERSON = "person"
    ORGANIZATION = "organization"
    GROUP = "group"
    COUNTRY = "country"
    PUBLICATION = "publication"


class SuggestionStatus(enum.StrEnum):
    """Where a suggested speaker merge stands: waiting for an editor, or judged "not the same".

    An accepted suggestion is gone: the two speakers became one (the audit trail keeps it).
    """

    PENDING = "pending"
    REJECTED = "rejected"


class SentenceKind(enum.StrEnum):
    """A heading (a line without final punctuation) carries no claim; a statement does."""

    HEADING = "heading"
    STATEMENT = "statement"


class EditorRole(enum.StrEnum):
    """What a logged-in editor may do; each role includes the ones before it.

    - ``viewer``: reads everything, changes nothing.
    - ``editor``: also reviews claims, edits attributions and ingests sources.
    - ``admin``: also manages editors and merges speakers.
    """

    VIEWER = "viewer"
    EDITOR = "editor"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(EditorRole).index(self)

    def allows(self, required: EditorRole) -> bool:
        """True when this role includes everything ``required`` may do."""
        return self.rank >= required.rank


class RelationKind(enum.StrEnum):
    """How one claim relates to another.

    - ``contradicts``: both cannot be true.
    - ``supports``: the first makes the second more likely.
    - ``duplicates``: the same claim recorded twice (another source, another wording).
    """

    CONTRADICTS = "contradicts"
    SUPPORTS = "supports"
    DUPLICATES = "duplicates"


class EvidenceStance(enum.StrEnum):
    """Whether a piece of evidence backs the claim (``supports``) or goes against it (``refutes``)."""

    SUPPORTS = "supports"
    REFUTES = "refutes"


class TokenScope(enum.StrEnum):
    """What an API token may do, on top of its editor's role (a token never exceeds its editor).

    - ``read``: read endpoints only.
    - ``write``: also the write endpoints (ingest, verdicts, attribution edits) the editor's role allows.
    """

    READ = "read"
    WRITE = "write"
