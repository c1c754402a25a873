"""Scoring the engine against gold attributions (the rules of shared/examples/FORMAT.md).

- Segmentation: F1 of exact (start, end) sentence spans (only for gold files that list sentences).
- A gold attribution is *found* when a non-publication claim in an overlapping sentence has
  content with token F1 >= 0.5 against the gold content (case-insensitive, punctuation ignored).
- It is *right* when the claim's speaker also equals the gold speaker's name or an alias
  (case-insensitive, a leading "the" ignored); for gold without a speakers registry (PolNeAR),
  when the claim's mention span overlaps a gold source span.
- Precision = right / non-publication claims, not counting claims matched to optional gold;
  recall = right / required gold attributions. Content P/R use *found* in place of *right*.

Sentence level (``unit="sentence"``), the product's notion: it stores one claim per sentence, so a
three-sentence quotation is three claims. A *unit* is a (sentence, attribution) pair where the
attribution's content covers at least half of the sentence or the sentence holds at least half of
the content, for gold attributions and for claims alike, over the sentences the project's segmenter
finds (both sides use the same ones, so units can meet). A sentence that holds the attribution's
cue and some of its content is a unit too, whatever the shares: the report is made there, so the
content beside it is what the product stores for that sentence ('"We lost," said Ana Ruiz, the
long-serving chair of the club. "It hurts."' is two units although the first sentence is mostly
speaker and holds under half of the content). Within a sentence, gold and claim units
pair one to one, largest character overlap of their contents first; a pair is *found* content, and
*right* when the speaker is right (as above). ``speech_only`` makes optional every gold attribution
whose cue has no verb of saying, thinking or taking a position ("according to", ":", "shows").
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from factdb.errors import InputError
from factdb.extract import lexicon
from factdb.extract.engine import extract
from factdb.extract.names import normalize_alias
from factdb.extract.types import Claim, Extraction

Extractor = Callable[[str], Extraction]

_TOKEN = re.compile(r"\w+")
MATCH_THRESHOLD = 0.5
# A unit needs half the sentence covered by the content, or half the content inside the sentence:
# a three-sentence quotation is then three units, while a clause that spills a word over a
# sentence boundary does not make a unit of the next sentence.
UNIT_SHARE = 0.5
# Verbs that report evidence rather than a speaker's saying, thinking or position ("polls show").
_EVIDENCE_VERBS = frozenset(
    """show shows showed showing shown indicate indicates indicated indicating reveal reveals
    revealed revealing suggest suggests suggested suggesting""".split()
)
# Every verb form the lexicon knows as a cue, whatever its context rules: the gold annotator has
# already decided that the word reports something.
SPEECH_CUE_WORDS = (
    frozenset(lexicon.CUE_STANCE)
    | lexicon.INFINITIVE_CUES
    | lexicon.NEEDS_COMPLEMENT
    | lexicon.OBJECT_CUES
    | lexicon.NOT_CUES
    | frozenset(phrase.split()[0] for phrase in lexicon.PHRASE_CUES)
) - _EVIDENCE_VERBS


def is_speech_cue(cue: str | None) -> bool:
    """Whether a gold cue has a verb of saying, thinking or taking a position ("has said", "urged")."""
    return any(word in SPEECH_CUE_WORDS for word in _TOKEN.findall((cue or "").lower()))


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
            "speaker_accuracy": self.gold_right / self.gold_found if self.gold_found else 0.0,
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


def _score_segmentation(gold: dict[str, Any], result: Extraction, tally: Tally) -> None:
    if gold.get("sentences"):
        tally.seg_scored = True
        gold_spans = {(int(s["start"]), int(s["end"])) for s in gold["sentences"]}
        predicted = {(s.start, s.end) for s in result.sentences}
        tally.seg_gold, tally.seg_predicted = len(gold_spans), len(predicted)
        tally.seg_right = len(gold_spans & predicted)


def score_document(gold: dict[str, Any], result: Extraction, verbose: bool = False) -> Tally:
    """Score one extraction against one gold document."""
    tally = Tally()
    doc = gold.get("id", "?")
    sentence_span = {i: (s.start, s.end) for i, s in enumerate(result.sentences)}
    _score_segmentation(gold, result, tally)
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


def _is_span(value: Any, size: int) -> bool:
    return (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1] <= size
    )


def _shape_problem(doc: dict[str, Any]) -> str | None:
    """What in a gold document's structure the scorer and trainer cannot read, if anything."""
    size = len(doc["text"])
    sentences = [] if doc.get("sentences") is None else doc["sentences"]
    if not isinstance(sentences, list) or not all(
        isinstance(s, dict) and _is_span([s.get("start"), s.get("end")], size) for s in sentences
    ):
        return "'sentences' must be a list of {start, end} offsets inside the text"
    attributions = [] if doc.get("attributions") is None else doc["attributions"]
    if not isinstance(attributions, list):
        return "'attributions' must be a list"
    for n, a in enumerate(attributions):
        if not isinstance(a, dict):
            return f"attribution {n} is not an object"
        for key in ("content_spans", "cue_spans", "source_spans"):
            spans = [] if a.get(key) is None else a[key]
            if not isinstance(spans, list) or not all(_is_span(x, size) for x in spans):
                return f"attribution {n}: '{key}' must be a list of [start, end] offsets inside the text"
        for key in ("content", "cue", "mention", "source", "speaker"):
            if a.get(key) is not None and not isinstance(a[key], str):
                return f"attribution {n}: '{key}' must be a string"
        index = a.get("sentence")
        if index is not None and not (
            isinstance(index, int) and not isinstance(index, bool) and 0 <= index < len(sentences)
        ):
            return f"attribution {n}: 'sentence' must be the index of one of its sentences"
    speakers = doc.get("speakers")
    if speakers is not None and not (
        isinstance(speakers, list)
        and all(
            isinstance(sp, dict)
            and isinstance(sp.get("name"), str)
            and isinstance(sp.get("aliases", []), list)
            for sp in speakers
        )
    ):
        return "'speakers' must be a list of {name, aliases}"
    return None


def _check(doc: Any, path: Path, line: int | None) -> dict[str, Any]:
    where = f"{path}:{line}" if line else str(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("text"), str):
        raise InputError(f"{where}: a gold document needs a 'text' string")
    problem = _shape_problem(doc)
    if problem is not None:
        raise InputError(f"{where}: {problem}")
    if doc.get("attributions") is None:
        doc["attributions"] = []  # a document of the publication's own statements only
    return doc


def _content_spans(text: str, attribution: dict[str, Any], near: tuple[int, int]) -> list[tuple[int, int]]:
    """The gold content's character spans; located by its words near its sentence when not given."""
    spans = [(int(a), int(b)) for a, b in attribution.get("content_spans") or []]
    if spans:
        return spans
    content = attribution.get("content") or ""
    if not content:
        return []
    start = text.find(content, near[0])
    if start < 0:
        start = text.find(content)
    return [(start, start + len(content))] if start >= 0 else []


def _cue_spans(text: str, attribution: dict[str, Any], near: tuple[int, int]) -> list[tuple[int, int]]:
    """The gold cue's character spans; located by its words inside its sentence when not given."""
    spans = [(int(a), int(b)) for a, b in attribution.get("cue_spans") or []]
    if spans:
        return spans
    cue = attribution.get("cue") or ""
    start = text.find(cue, near[0], near[1]) if cue else -1
    return [(start, start + len(cue))] if start >= 0 else []


def _overlap(spans: list[tuple[int, int]], start: int, end: int) -> int:
    return sum(max(0, min(b, end) - max(a, start)) for a, b in spans)


def _units(
    spans: list[tuple[int, int]],
    sentences: list[tuple[int, int]],
    cues: list[tuple[int, int]] | None = None,
) -> Iterator[tuple[int, tuple[int, int]]]:
    """(sentence index, the content's extent inside it) for each sentence this content makes a unit of.

    ``cues`` are the attribution's cue spans: a sentence holding one is a unit of any content in it.
    """
    length = sum(b - a for a, b in spans)
    if not length:
        return
    for index, (start, end) in enumerate(sentences):
        inside = _overlap(spans, start, end)
        if inside and (
            inside >= UNIT_SHARE * (end - start)
            or inside >= UNIT_SHARE * length
            or (cues is not None and _overlap(cues, start, end) > 0)
        ):
            lo = max(start, min(a for a, _ in spans))
            hi = min(end, max(b for _, b in spans))
            yield index, (lo, hi)


def score_sentences(
    gold: dict[str, Any], result: Extraction, verbose: bool = False, speech_only: bool = False
) -> Tally:
    """Score one extraction at the sentence level (see the module docstring).

    The tally's counts are units: ``claims`` are claim units (less those paired with optional
    gold), ``gold_required`` the required gold units, ``found_*`` pairs and ``right_*`` pairs
    whose speaker is right.
    """
    tally = Tally()
    doc = gold.get("id", "?")
    text: str = gold["text"]
    _score_segmentation(gold, result, tally)
    sentences = [(s.start, s.end) for s in result.sentences]
    gold_units: dict[int, list[tuple[tuple[int, int], dict[str, Any], bool]]] = {}
    for attribution in gold.get("attributions", []):
        optional = bool(attribution.get("optional")) or (
            speech_only and not is_speech_cue(attribution.get("cue"))
        )
        near = _gold_sentence_span(gold, attribution)
        spans = _content_spans(text, attribution, near)
        for index, extent in _units(spans, sentences, _cue_spans(text, attribution, near)):
            gold_units.setdefault(index, []).append((extent, attribution, optional))
    claim_units: dict[int, list[tuple[tuple[int, int], Claim]]] = {}
    for claim in result.claims:
        if claim.is_publication:
            continue
        for index, extent in _units([(claim.content_start, claim.content_end)], sentences):
            claim_units.setdefault(index, []).append((extent, claim))
    for index in sorted(set(gold_units) | set(claim_units)):
        golds, predicted = gold_units.get(index, []), claim_units.get(index, [])
        candidates = sorted(
            (
                (_overlap([g[0]], *p[0]), g_index, c_index)
                for g_index, g in enumerate(golds)
                for c_index, p in enumerate(predicted)
                if _overlaps(g[0], p[0])
            ),
            reverse=True,
        )
        gold_pair: dict[int, int] = {}
        claim_pair: dict[int, int] = {}
        for _, g_index, c_index in candidates:
            if g_index not in gold_pair and c_index not in claim_pair:
                gold_pair[g_index], claim_pair[c_index] = c_index, g_index
        for gi, (_, attribution, optional) in enumerate(golds):
            if optional:
                continue
            tally.gold_required += 1
            pi = gold_pair.get(gi)
            if pi is None:
                tally.misses.append(
                    f"{doc}: [{index}] missed {_gold_who(attribution)!r} {attribution.get('cue')!r}: "
                    f"{text[sentences[index][0] : sentences[index][1]][:100]!r}"
                )
                continue
            claim = predicted[pi][1]
            right = _speaker_right(gold, attribution, claim)
            tally.gold_found += 1
            tally.gold_right += int(right)
            if not right:
                tally.misses.append(
                    f"{doc}: [{index}] wrong speaker {claim.mention!r} -> "
                    f"{claim.speaker.name if claim.speaker else None!r} for {_gold_who(attribution)!r}"
                )
        for pi, (_, claim) in enumerate(predicted):
            paired = claim_pair.get(pi)
            if paired is not None and golds[paired][2]:
                continue  # paired with optional gold: not counted either way
            tally.claims += 1
            if paired is None:
                tally.extras.append(
                    f"{doc}: [{index}] extra {claim.mention!r} {claim.cue!r}: {claim.content[:100]!r}"
                )
                continue
            tally.found_claims += 1
            tally.right_claims += int(_speaker_right(gold, golds[paired][1], claim))
    if not verbose:
        tally.misses.clear()
        tally.extras.clear()
    return tally


UNITS = ("span", "sentence")


def evaluate(
    paths: Iterable[Path],
    verbose: bool = False,
    *,
    extractor: Extractor | None = None,
    unit: str = "span",
    speech_only: bool = False,
) -> tuple[Tally, int]:
    """Score an extractor (the rules by default) on every gold document in ``paths``.

    ``unit`` is ``"span"`` (FORMAT.md's scoring) or ``"sentence"`` (the product's claims, see
    :func:`score_sentences`); returns the tally and the document count.
    """
    if unit not in UNITS:
        raise InputError(f"unknown scoring unit {unit!r}; use one of {', '.join(UNITS)}")
    run = extractor or extract
    total = Tally()
    documents = 0
    for path in paths:
        for gold in load_gold(path):
            result = run(gold["text"])
            if unit == "sentence":
                total.add(score_sentences(gold, result, verbose, speech_only))
            else:
                total.add(score_document(_speech_only(gold) if speech_only else gold, result, verbose))
            documents += 1
    return total, documents


def _speech_only(gold: dict[str, Any]) -> dict[str, Any]:
    """The gold document with every attribution whose cue is no speech verb made optional."""
    attributions = [
        a if is_speech_cue(a.get("cue")) else {**a, "optional": True} for a in gold.get("attributions", [])
    ]
    return {**gold, "attributions": attributions}


def score_table(paths: Iterable[Path], extractor: Extractor | None = None) -> dict[str, float]:
    """The figures the engine is judged by, at span and sentence level, for one extractor."""
    files = list(paths)
    span = evaluate(files, extractor=extractor)[0].scores()
    sentence = evaluate(files, extractor=extractor, unit="sentence")[0].scores()
    speech = evaluate(files, extractor=extractor, unit="sentence", speech_only=True)[0].scores()
    return {
        "span-level attribution F1": span["attribution_f1"] or 0.0,
        "span-level content F1": span["content_f1"] or 0.0,
        "sentence-level attribution F1": sentence["attribution_f1"] or 0.0,
        "sentence-level attribution F1, speech cues": speech["attribution_f1"] or 0.0,
        "sentence-level content F1, speech cues": speech["content_f1"] or 0.0,
        "speaker accuracy on found content (span)": span["speaker_accuracy"] or 0.0,
        "speaker accuracy on found content (sentence, speech cues)": speech["speaker_accuracy"] or 0.0,
    }
