"""Extractions made by hand, for tests outside tests/extract.

What the engine finds is tests/extract's business. Every other test stores claims it states itself:
the sample article's come from its gold file (exact spans, speakers and kinds, written by people),
a test's own little article's from :func:`handmade`. So an engine change never breaks a test of the
services, the web or the reports, and those tests can name the claims they work on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from factdb.enums import SentenceKind, SpeakerKind, Stance
from factdb.extract import Claim, Extraction, Sentence, SpeakerRef
from factdb.services.audit import Actor
from factdb.services.ingest import IngestResult, ingest_text

TESTS = Path(__file__).resolve().parent
SAMPLE_GOLD = TESTS / "gold" / "kursk-offensive.gold.json"

#: The ``rule`` of a claim stated by hand (a gold file or a test), where the engine records its rule's id.
HANDMADE_RULE = "handmade"

# A statement ends with one of these (and any closing quotes); a line without one is a heading.
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"'”’)]*|$)")


def publication_claim(index: int, sentence: Sentence, text: str) -> Claim:
    """The outlet's own statement: a sentence that attributes nothing, its whole span the content."""
    start, end = sentence.start, sentence.end
    return Claim(index, None, None, None, None, None, text[start:end], start, end, Stance.ASSERTS)


def _with_publication_claims(text: str, sentences: list[Sentence], claims: list[Claim]) -> Extraction:
    """``claims`` plus a publication claim for every statement sentence none of them is in, in order."""
    attributed = {claim.sentence for claim in claims}
    own = [
        publication_claim(i, s, text)
        for i, s in enumerate(sentences)
        if s.kind is SentenceKind.STATEMENT and i not in attributed
    ]
    ordered = sorted(claims + own, key=lambda c: (c.sentence, c.content_start))
    return Extraction(sentences=list(sentences), claims=ordered)


def _role(mention: str, name: str) -> str | None:
    """The title the gold mention puts before the speaker's name ("Kremlin spokesman" Dmitry Peskov)."""
    if not mention.endswith(name):
        return None
    title = mention[: -len(name)].strip()
    return None if title.lower() in ("", "the") else title


@cache
def _gold(path: Path) -> dict[str, Any]:
    gold: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return gold


def gold_extraction(path: Path = SAMPLE_GOLD, *, heading: str = "") -> Extraction:
    """The extraction a gold file states: its sentences, an attributed claim per gold attribution
    (optional ones too) and a publication claim per statement sentence with none.

    With ``heading``, the extraction of ``heading + "\\n" + text``: the heading one more sentence.
    """
    gold = _gold(path)
    text: str = gold["text"]
    kinds = {speaker["name"]: SpeakerKind(speaker["kind"]) for speaker in gold["speakers"]}
    shift = len(heading) + 1 if heading else 0
    sentences = [Sentence(0, len(heading), SentenceKind.HEADING)] if heading else []
    sentences += [
        Sentence(s["start"] + shift, s["end"] + shift, SentenceKind(s["kind"])) for s in gold["sentences"]
    ]
    claims = []
    for item in gold["attributions"]:
        (mention_start, mention_end), *_ = item["source_spans"]
        (cue_start, _), *_ = item["cue_spans"]
        *_, (_, cue_end) = item["cue_spans"]
        (content_start, content_end), *_ = item["content_spans"]
        mention = text[mention_start:mention_end]
        speaker = SpeakerRef(item["speaker"], kinds[item["speaker"]], role=_role(mention, item["speaker"]))
        claims.append(
            Claim(
                item["sentence"] + (1 if heading else 0), speaker, mention, mention_start + shift,
                mention_end + shift, text[cue_start:cue_end], text[content_start:content_end],
                content_start + shift, content_end + shift, Stance(item["stance"]), HANDMADE_RULE,
            )
        )  # fmt: skip
    full = f"{heading}\n{text}" if heading else text
    return _with_publication_claims(full, sentences, claims)


def sample_gold_text() -> str:
    """The sample article's text as its gold file holds it."""
    text: str = _gold(SAMPLE_GOLD)["text"]
    return text


def ingest_sample(
    session: Session, actor: Actor, *, title: str, heading: str = "", **fields: Any
) -> IngestResult:
    """Ingest the sample article (after ``heading`` and a newline, if given) with its gold claims."""
    text = f"{heading}\n{sample_gold_text()}" if heading else sample_gold_text()
    return ingest_text(
        session, actor, text, title=title, extraction=gold_extraction(heading=heading), **fields
    )


@dataclass(frozen=True)
class Said:
    """An attribution stated by a test: who (``speaker``, named in the text by ``mention``) put
    ``content`` forward with ``cue``. Each piece is found in the text by its first occurrence."""

    mention: str
    cue: str
    content: str
    speaker: str | None = None  # the canonical name; the mention itself when None
    kind: SpeakerKind = SpeakerKind.PERSON
    stance: Stance = Stance.ASSERTS
    role: str | None = None
    affiliation: str | None = None
    channel: str | None = None
    rule: str = HANDMADE_RULE


def split_sentences(text: str) -> list[Sentence]:
    """Lines, and within a line the runs ending in ``.``, ``!`` or ``?``; a line with no such end
    (a title) is a heading. Simple on purpose: for a test's own plain sentences."""
    sentences = []
    offset = 0
    for line in text.split("\n"):
        heading = not line.rstrip().endswith((".", "!", "?", '"', "”", "'", "’"))
        for match in _SENTENCE.finditer(line):
            start = offset + match.start() + len(match.group()) - len(match.group().lstrip())
            end = offset + match.end() - (len(match.group()) - len(match.group().rstrip()))
            if end > start:
                kind = SentenceKind.HEADING if heading else SentenceKind.STATEMENT
                sentences.append(Sentence(start, end, kind))
        offset += len(line) + 1
    return sentences


def handmade(text: str, *said: Said) -> Extraction:
    """The extraction of ``text`` with exactly the attributions ``said`` (each in the sentence that
    holds its content) and a publication claim for every other statement sentence."""
    sentences = split_sentences(text)
    claims = []
    for item in said:
        content_start = text.index(item.content)
        index = next(i for i, s in enumerate(sentences) if s.start <= content_start < s.end)
        sentence = sentences[index]
        mention_start = text.index(item.mention, sentence.start)
        content_end = content_start + len(item.content)
        speaker = SpeakerRef(
            item.speaker or item.mention, item.kind, role=item.role, affiliation=item.affiliation,
            affiliation_kind=SpeakerKind.ORGANIZATION if item.affiliation else None,
        )  # fmt: skip
        text.index(item.cue, sentence.start, sentence.end)  # the cue must be in the sentence
        claims.append(
            Claim(
                index, speaker, item.mention, mention_start, mention_start + len(item.mention), item.cue,
                item.content, content_start, content_end, item.stance, item.rule, item.channel,
            )
        )  # fmt: skip
    return _with_publication_claims(text, sentences, claims)
