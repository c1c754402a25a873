"""The matching gold set: groups of reports of one statement, expanded into labelled claim pairs.

The format is described at the top of ``tests/matching/gold_pairs.txt``. :func:`evaluate` runs
:func:`factdb.matching.is_match` over every pair and counts what it got right. The claims it compares
are the gold file's own (speaker, content) lines, never what the attribution engine extracts: the
figures measure the matcher alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from factdb.errors import InputError
from factdb.matching.score import MATCH_THRESHOLD, Prepared, prepare, similarity, veto

#: The gold set in a checkout of the repository.
DEFAULT_GOLD = Path("tests") / "matching" / "gold_pairs.txt"


@dataclass(frozen=True, slots=True)
class GoldClaim:
    """One report in the gold set: its speaker (None: unresolved) and content."""

    speaker: str | None
    content: str


@dataclass(frozen=True, slots=True)
class GoldPair:
    """Two reports and whether they state the same thing; ``kind`` says how they differ."""

    a: GoldClaim
    b: GoldClaim
    same: bool
    kind: str


_DIFFERENT_KINDS = ("number", "place", "negation", "speaker", "other")


def _groups(lines: Iterable[str], name: str) -> list[tuple[str, list[tuple[str, GoldClaim]]]]:
    groups: list[tuple[str, list[tuple[str, GoldClaim]]]] = []
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=="):
            groups.append((line[2:].strip(), []))
            continue
        label, sep, rest = line.partition(":")
        if not sep or not groups:
            raise InputError(f"{name} line {number}: expected '== speaker' or 'label: text'")
        speaker = groups[-1][0]
        label, rest = label.strip(), rest.strip()
        if label == "speaker":
            other, bar, rest = rest.partition("|")
            if not bar:
                raise InputError(f"{name} line {number}: a speaker line is 'speaker: NAME | text'")
            speaker, rest = other.strip(), rest.strip()
        elif label not in ("base", "same", "same-unresolved", *_DIFFERENT_KINDS):
            raise InputError(f"{name} line {number}: unknown label {label!r}")
        claim = GoldClaim(None if label == "same-unresolved" else speaker, rest)
        groups[-1][1].append((label, claim))
    return groups


def load_pairs(path: Path) -> list[GoldPair]:
    """The labelled pairs of the gold file at ``path`` (InputError if it cannot be read or parsed)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    pairs: list[GoldPair] = []
    for _speaker, items in _groups(text.splitlines(), str(path)):
        same = [c for label, c in items if label in ("base", "same", "same-unresolved")]
        for i, a in enumerate(same):
            pairs.extend(GoldPair(a, b, True, "reworded") for b in same[i + 1 :])
        for label, claim in items:
            if label in _DIFFERENT_KINDS:
                pairs.extend(GoldPair(anchor, claim, False, label) for anchor in same[:2])
    return pairs


@dataclass
class MatchScore:
    """Counts of one run over the gold pairs."""

    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    #: The pairs it got wrong, with the similarity and the veto (for --verbose).
    errors: list[tuple[GoldPair, float, str | None]] = field(default_factory=list)

    @property
    def pairs(self) -> int:
        return self.true_positive + self.false_positive + self.false_negative + self.true_negative

    @property
    def precision(self) -> float:
        found = self.true_positive + self.false_positive
        return self.true_positive / found if found else 1.0

    @property
    def recall(self) -> float:
        gold = self.true_positive + self.false_negative
        return self.true_positive / gold if gold else 1.0


def _prepared(pairs: list[GoldPair]) -> Callable[[GoldClaim], Prepared]:
    speaker_ids: dict[str, int] = {}
    for pair in pairs:
        for claim in (pair.a, pair.b):
            if claim.speaker is not None:
                speaker_ids.setdefault(claim.speaker, len(speaker_ids) + 1)

    def prep(claim: GoldClaim) -> Prepared:
        return prepare(claim.content, None if claim.speaker is None else speaker_ids[claim.speaker])

    return prep


def evaluate(pairs: list[GoldPair], threshold: float = MATCH_THRESHOLD) -> MatchScore:
    """Run the matcher over ``pairs`` at ``threshold`` and count right and wrong answers."""
    prep = _prepared(pairs)
    score = MatchScore()
    for pair in pairs:
        a, b = prep(pair.a), prep(pair.b)
        why = veto(a, b)
        value = similarity(a, b)
        found = why is None and value >= threshold
        if found and pair.same:
            score.true_positive += 1
        elif found:
            score.false_positive += 1
            score.errors.append((pair, value, why))
        elif pair.same:
            score.false_negative += 1
            score.errors.append((pair, value, why))
        else:
            score.true_negative += 1
    return score
