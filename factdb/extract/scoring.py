"""Scoring the engine against gold attributions (the rules of shared/examples/FORMAT.md).

- Segmentation: F1 of exact (start, end) sentence spans (only for gold files that list sentences).
- A gold attribution is *found* when a non-publication claim in an overlapping sentence has
  content with token F1 >= 0.5 against the gold content (case-insensitive, punctuation ignored).
- It is *right* when the claim's speaker also equals the gold speaker's name or an alias
  (case-insensitive, a leading "the" ignored); for gold without a speakers registry (PolNeAR),
  when the claim's mention span overlaps a gold source span.
- Precision = right / non-publication claims, not counting claims matched to optional gold;
  recall = right / required gold attributions. Content P/R use *found* in place of *right*.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdb.errors import InputError
from factdb.extract.engine import extract
from factdb.extract.names import normalize_alias
from factdb.extract.types import Claim, Extraction

_TOKEN = re.compile(r"\w+")
MATCH_THRESHOLD = 0.5


def token_f1(a: str, b: str) -> float:
    """Token-overlap F1 of two strings, case-insensitive, punctuation ignored."""
    ta, tb = Counter(_TOKEN.findall(a.lower())), Counter(_TOKEN.findall(b.lower()))
    common = sum((ta & tb).values())
    if not common:
        return 0.0
    precision, recall = common / sum(ta.values()), common / sum(tb.values())
    return 2 * precision * recall / (precision + recall)


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Tally:
    """Counts over one or more documents, from which the scores follow."""

    seg_gold: int = 0
    seg_predicted: int = 0
    seg_right: int = 0
    seg_scored: bool = False
    claims: int = 0  # non-publication claims, less those matched to optional gold
    found_claims: int = 0  # those whose content matches some gold attribution
    right_claims: int = 0
    gold_required: int = 0
    gold_found: int = 0
    gold_right: int = 0
    misses: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in (
            "seg_gold",
            "seg_predicted",
            "seg_right",
            "claims",
            "found_claims",
            "right_claims",
            "gold_required",
            "gold_found",
            "gold_right",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.seg_scored = self.seg_scored or other.seg_scored
        self.misses.extend(other.misses)
        self.extras.extend(other.extras)

    def scores(self) -> dict[str, float | None]:
        """Segmentation F1 (None without gold sentences), content and attribution P/R/F1."""
        seg = None
        if self.seg_scored:
            p = self.seg_right / self.seg_predicted if self.seg_predicted else 0.0
            r = self.seg_right / self.seg_gold if self.seg_gold else 0.0
            seg = _f1(p, r)
        cp = self.found_claims / self.claims if self.claims else 0.0
        cr = self.gold_found / self.gold_required if self.gold_required else 0.0
        ap = self.right_claims / self.claims if self.claims else 0.0
        ar = self.gold_right / self.gold_required if self.gold_required else 0.0
        return {
            "segmentation_f1": seg,
            "content_precision": cp,
            "content_recall": cr,
            "content_f1": _f1(cp, cr),
            "attribution_precision": ap,
            "attribution_recall": ar,
            "attribution_f1": _f1(ap, ar),
        }


def _gold_who(attribution: dict[str, Any]) -> str | None:
    who = attribution.get("source") or attribution.get("speaker")
    return str(who) if who else None


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _gold_sentence_span(gold: dict[str, Any], attribution: dict[str, Any]) -> tuple[int, int]:
    sentences = gold.get("sentences")
    if sentences and attribution.get("sentence") is not None:
        s = sentences[attribution["sentence"]]
        return int(s["start"]), int(s["end"])
    spans = [
        tuple(x) for key in ("content_spans", "cue_spans", "source_spans") for x in attribution.get(key) or []
    ]
    if not spans:
        return 0, 0
    return min(s[0] for s in spans), max(s[1] for s in spans)


def _speaker_right(gold: dict[str, Any], attribution: dict[str, Any], claim: Claim) -> bool:
    registry = gold.get("speakers")
    if registry:
        if claim.speaker is None:
            return False
        wanted = attribution.get("speaker")
        names = {normalize_alias(wanted)} if wanted else set()
        for speaker in registry:
            if speaker["name"] == wanted:
                names |= {normalize_alias(a) for a in speaker.get("aliases", [])}
        return normalize_alias(claim.speaker.name) in names
    if claim.mention_start is None or claim.mention_end is None:
        return False
    mention = (claim.mention_start, claim.mention_end)
    return any(_overlaps(mention, (int(a), int(b))) for a, b in attribution.get("source_spans") or [])


def score_document(gold: dict[str, Any], result: Extraction, verbose: bool = False) -> Tally:
    """Score one extraction against one gold document."""
    tally = Tally()
    doc = gold.get("id", "?")
    sentence_span = {i: (s.start, s.end) for i, s in enumerate(result.sentences)}
    if gold.get("sentences"):
        tally.seg_scored = True
        gold_spans = {(int(s["start"]), int(s["end"])) for s in gold["sentences"]}
        predicted = set(sentence_span.values())
        tally.seg_gold, tally.seg_predicted = len(gold_spans), len(predicted)
        tally.seg_right = len(gold_spans & predicted)
    claims = [c for c in result.claims if not c.is_publication]
    attributions = gold.get("attributions", [])
    matched_claims: dict[int, tuple[bool, bool]] = {}  # claim index -> (optional, right)
    for attribution in attributions:
        optional = bool(attribution.get("optional"))
        gspan = _gold_sentence_span(gold, attribution)
        best: tuple[float, int, bool] | None = None
        for ci, claim in enumerate(claims):
            if not _overlaps(sentence_span[claim.sentence], gspan):
                continue
            f1 = token_f1(claim.content, attribution.get("content") or "")
            if f1 < MATCH_THRESHOLD:
                continue
            right = _speaker_right(gold, attribution, claim)
            key = (f1 + (1.0 if right else 0.0), ci, right)
            if best is None or key[0] > best[0]:
                best = key
        if not optional:
            tally.gold_required += 1
        if best is None:
            if not optional:
                tally.misses.append(
                    f"{doc}: missed {_gold_who(attribution)!r} {attribution.get('cue')!r}: "
                    f"{(attribution.get('content') or '')[:100]!r}"
                )
            continue
        _, ci, right = best
        previous = matched_claims.get(ci)
        matched_claims[ci] = (
            optional and (previous is None or previous[0]),
            right or bool(previous and previous[1]),
        )
        if not optional:
            tally.gold_found += 1
            tally.gold_right += int(right)
            if not right:
                speaker = claims[ci].speaker
                tally.misses.append(
                    f"{doc}: wrong speaker {claims[ci].mention!r} -> "
                    f"{speaker.name if speaker else None!r} for {_gold_who(attribution)!r}"
                )
    for ci, claim in enumerate(claims):
        state = matched_claims.get(ci)
        if state is not None and state[0]:
            continue  # matched only optional gold: not counted either way
        tally.claims += 1
        if state is not None:
            tally.found_claims += 1
            tally.right_claims += int(state[1])
        else:
            tally.extras.append(f"{doc}: extra {claim.mention!r} {claim.cue!r}: {claim.content[:100]!r}")
    if not verbose:
        tally.misses.clear()
        tally.extras.clear()
    return tally


def load_gold(path: Path) -> Iterator[dict[str, Any]]:
    """The gold documents in a .json file (one document) or .jsonl file (one a line)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: is not valid UTF-8 text") from None
    try:
        if path.suffix == ".jsonl":
            for number, line in enumerate(raw.splitlines(), 1):
                if line.strip():
                    yield _check(json.loads(line), path, number)
        else:
            yield _check(json.loads(raw), path, None)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: is not valid JSON ({exc.msg} at line {exc.lineno})") from None


def _check(doc: Any, path: Path, line: int | None) -> dict[str, Any]:
    where = f"{path}:{line}" if line else str(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
        raise InputError(f"{where}: a gold document needs a 'text' string")
    return doc


def evaluate(paths: Iterable[Path], verbose: bool = False) -> tuple[Tally, int]:
    """Score the engine on every gold document in ``paths``; returns the tally and document count."""
    total = Tally()
    documents = 0
    for path in paths:
        for gold in load_gold(path):
            total.add(score_document(gold, extract(gold["text"]), verbose))
            documents += 1
    return total, documents
