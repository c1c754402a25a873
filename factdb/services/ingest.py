"""Ingesting sources: checking the text, extracting claims, storing everything in one go."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from factdb.enums import EditorRole, SpeakerKind
from factdb.errors import DuplicateSourceError, InputError
from factdb.extract import Extraction, SpeakerRef, extract, normalize_alias
from factdb.models import Claim, Sentence, Source, Speaker, SpeakerAlias
from factdb.services import clusters
from factdb.services import models as model_service
from factdb.services.audit import Actor, record_event, require_role
from factdb.services.speaker_suggestions import propose_merges, speaker_by_name_key
from factdb.services.speakers import add_name_variant, create_speaker, find_by_alias
from factdb.services.validation import check_moment, check_text, check_url

# The longest channel name stored (the column's length): a longer phrase is cut, never refused.
CHANNEL_MAX = 200
#: The longest title and outlet name kept (the columns' lengths).
TITLE_MAX = 500
OUTLET_MAX = 200
_BINARY_SAMPLE = 8192

#: Key of the ingest event's list of new claims, each ``[id, speaker_id, content_start, content_end]``
#: (every claim starts unverified).
CLAIM_ORIGINS = "claim_origins"


def decode_article(data: bytes, name: str, *, max_bytes: int) -> str:
    """Turn uploaded or read bytes into article text, or raise InputError naming ``name`` and the problem.

    Refuses empty, oversized, binary and non-UTF-8 input; drops a UTF-8 byte-order mark and
    turns Windows and old Mac line endings into ``\\n`` so offsets are the same everywhere.
    """
    if len(data) > max_bytes:
        raise InputError(f"{name}: {len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    if b"\x00" in data[:_BINARY_SAMPLE]:
        raise InputError(f"{name}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: is not valid UTF-8 text (bad byte at position {exc.start})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputError(f"{name}: is empty")
    if looks_like_html(text):
        raise InputError(
            f"{name}: looks like HTML, not plain text; save the article as plain text (or paste its text)"
        )
    return text


_HTML_START = re.compile(r"\s*(<!doctype html|<html|<head|<body|<\?xml)", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>")


def looks_like_html(text: str) -> bool:
    """True for a web page rather than article text: a document start, or text that is mostly tags."""
    if _HTML_START.match(text[:1000]):
        return True
    sample = text[:20_000]
    tags = [match.group(0) for match in _TAG.finditer(sample)]
    return len(tags) >= 10 and sum(map(len, tags)) > len(sample) // 10


def read_article(path: Path, *, max_bytes: int) -> str:
    """Read an article file, with the same checks as :func:`decode_article`."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, not a file")
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(f"{path}: {size:,} bytes is over the limit of {max_bytes:,} bytes")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    return decode_article(data, str(path), max_bytes=max_bytes)


def extract_all(texts: Iterable[str], *, processes: int = 0, window: int = 32) -> Iterator[Extraction]:
    """Extractions of ``texts`` in order; with ``processes`` > 0 they are made in that many other
    processes while the caller stores the previous ones (0: here, one after the other).

    Extraction is pure and CPU-bound, storing is sequential: on two cores one process extracts the
    next articles while this one writes. At most ``window`` articles are in flight.
    """
    if processes <= 0:
        yield from map(extract, texts)
        return
    with ProcessPoolExecutor(max_workers=processes) as pool:
        pending: deque[Future[Extraction]] = deque()
        for text in texts:
            pending.append(pool.submit(extract, text))
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def text_sha256(text: str) -> str:
    """The fingerprint that makes the same article text a duplicate."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class IngestResult:
    """What one ingest stored."""

    source: Source
    sentence_count: int
    claim_count: int
    new_speakers: list[Speaker] = field(default_factory=list)


class _SpeakerCache:
    """Maps names found by the extractor to stored speakers, creating unknown ones for review."""

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.by_key: dict[str, Speaker] = {}
        self.unknown: set[str] = set()  # keys prefetch looked up and found in no alias
        self.created: list[Speaker] = []

    def prefetch(self, names: Iterable[str]) -> None:
        """Look up every name of an article in one query (instead of one query per name)."""
        keys = {normalize_alias(name) for name in names} - self.by_key.keys()
        keys.discard("")
        if not keys:
            return
        rows = self.session.execute(
            select(SpeakerAlias.normalized, Speaker).join(Speaker).where(SpeakerAlias.normalized.in_(keys))
        )
        for key, speaker in rows:
            self.by_key[key] = speaker
        self.unknown |= keys - self.by_key.keys()

    def get(self, name: str, kind: SpeakerKind, role: str | None = None) -> Speaker:
        key = normalize_alias(name)
        speaker = self.by_key.get(key)
        if speaker is None and key not in self.unknown:
            speaker = find_by_alias(self.session, name)
        if speaker is None:
            # Another way of writing a known name ("Russia's Defence Ministry" for "Russian Defense
            # Ministry"): the speaker it names gets it as an alias.
            speaker = speaker_by_name_key(self.session, name, kind)
            if speaker is not None:
                add_name_variant(self.session, self.actor, speaker, name)
        if speaker is None:
            speaker = create_speaker(
                self.session, self.actor, name=name, kind=kind, role=role, needs_review=True
            )
            self.created.append(speaker)
        self.by_key[key] = speaker
        return speaker

    def for_ref(self, ref: SpeakerRef) -> Speaker:
        speaker = self.get(ref.name, ref.kind, ref.role)
        if ref.affiliation and speaker.affiliation_id is None and speaker in self.created:
            body = self.get(ref.affiliation, ref.affiliation_kind or SpeakerKind.ORGANIZATION)
            if body.id != speaker.id:
                speaker.affiliation = body
        return speaker


def ingest_text(
    session: Session,
    actor: Actor,
    text: str,
    *,
    title: str,
    outlet: str | None = None,
    url: str | None = None,
    published_at: dt.datetime | None = None,
    extraction: Extraction | None = None,
    match: bool = True,
) -> IngestResult:
    """Store an article with its sentences and claims, resolving or creating speakers.

    Refuses a text that was ingested before (naming that source). Writes one
    ``source.ingest`` audit event. With ``match`` (the default) the new claims are matched with
    earlier ones and join their clusters (:func:`factdb.services.clusters.match_claims`).
    Flushes but never commits: the caller's transaction decides, so a failure leaves nothing behind.
    """
    require_role(actor, EditorRole.EDITOR)
    # Tabs and line breaks in the title or outlet are folded into spaces below; other controls are refused.
    check_text(title, "the title", multiline=True, max_length=TITLE_MAX)
    check_text(outlet, "the outlet", multiline=True, max_length=OUTLET_MAX)
    url = check_url(url, "the URL")
    check_moment(published_at, "the publication date")
    if not text.strip():
        raise InputError("the article text is empty")
    title = " ".join(title.split())
    if not title:
        raise InputError("a source needs a title")
    outlet = " ".join(outlet.split()) if outlet else None
    digest = text_sha256(text)
    existing = session.execute(select(Source.id, Source.title).where(Source.sha256 == digest)).first()
    if existing is not None:
        raise DuplicateSourceError(existing.id, existing.title)

    # The active learned model with the rules, or the rules alone when none is active.
    result = extraction if extraction is not None else model_service.extractor(session)(text)
    source = Source(
        title=title,
        outlet=outlet,
        url=url,
        published_at=published_at,
        text=text,
        sha256=digest,
        ingested_by_id=None if actor is None else actor.id,
    )
    session.add(source)
    session.flush()

    sentence_ids: list[int] = []
    if result.sentences:
        # A plain executemany, then one indexed read of the ids by position: RETURNING with the
        # rows' order kept would make SQLAlchemy insert one row per statement on SQLite.
        session.execute(
            insert(Sentence).execution_options(render_nulls=True),
            [
                {"source_id": source.id, "position": i, "char_start": s.start, "char_end": s.end,
                 "kind": s.kind, "text": text[s.start : s.end]}
                for i, s in enumerate(result.sentences)
            ],
        )  # fmt: skip
        sentence_ids = list(
            session.scalars(
                select(Sentence.id).where(Sentence.source_id == source.id).order_by(Sentence.position)
            )
        )

    speakers = _SpeakerCache(session, actor)
    speakers.prefetch(
        [outlet or ""]
        + [c.speaker.name for c in result.claims if c.speaker is not None]
        + [c.speaker.affiliation for c in result.claims if c.speaker is not None and c.speaker.affiliation]
    )
    publication = speakers.get(outlet, SpeakerKind.PUBLICATION) if outlet else None
    claim_rows = []
    for claim in result.claims:
        if claim.is_publication:
            speaker = publication
        elif claim.speaker is not None:
            speaker = speakers.for_ref(claim.speaker)
        else:
            speaker = None  # a mention the extractor could not resolve: left for an editor
        claim_rows.append(
            {
                "source_id": source.id,
                "sentence_id": sentence_ids[claim.sentence],
                "speaker_id": None if speaker is None else speaker.id,
                "mention_text": claim.mention,
                "mention_start": claim.mention_start,
                "mention_end": claim.mention_end,
                "cue": claim.cue,
                "content": claim.content,
                "content_start": claim.content_start,
                "content_end": claim.content_end,
                "stance": claim.stance,
                "rule": claim.rule,
                "channel": claim.channel[:CHANNEL_MAX] if claim.channel else None,
            }
        )
    if claim_rows:
        # render_nulls: one executemany for all rows (otherwise rows are split by which fields are None).
        session.execute(insert(Claim).execution_options(render_nulls=True), claim_rows)
    # Each new claim's attribution as it was created, so `factdb audit verify` can replay its history.
    origins = [
        list(row)
        for row in session.execute(
            select(Claim.id, Claim.speaker_id, Claim.content_start, Claim.content_end)
            .where(Claim.source_id == source.id)
            .order_by(Claim.id)
        )
    ]
    # New speakers who may be someone already known go to the editors' queue, never merged by guess.
    suggestions = [s.id for speaker in speakers.created for s in propose_merges(session, actor, speaker)]
    record_event(
        session,
        actor,
        "source.ingest",
        "source",
        source.id,
        after={
            "title": title,
            "outlet": outlet,
            "url": url,
            "sha256": digest,
            "sentences": len(sentence_ids),
            "claims": len(claim_rows),
            "new_speakers": [s.id for s in speakers.created],
            "merge_suggestions": suggestions,
            CLAIM_ORIGINS: origins,
        },
    )
    if match and origins:
        # After the ingest event, so the claims exist in the record before they join clusters.
        clusters.match_claims(session, actor, [row[0] for row in origins if row[0] is not None])
    session.flush()
    return IngestResult(source, len(sentence_ids), len(claim_rows), speakers.created)
