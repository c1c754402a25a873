"""Ingesting sources: checking the text, extracting claims, storing everything in one go.

Extraction takes seconds for a long article (a 5 MB one, tens of seconds) and needs no database, so
it runs before the write transaction: :func:`prepare_ingest` refuses a known text early and picks
the extractor in a short read, the caller ends that transaction and extracts, then
:func:`ingest_text` stores the extraction in a short write transaction, checking for a duplicate
again inside it (two people may ingest the same text at once; the second is told it was already
ingested).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
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

# Rows go in through Core inserts of the tables, not the ORM's bulk inserts: its per-row bookkeeping
# was a quarter of the time a long article's store holds the write lock.
_SENTENCES = cast(Table, Sentence.__table__)
_CLAIMS = cast(Table, Claim.__table__)

#: Key of the ingest event's list of new claims, each ``[id, speaker_id, content_start, content_end]``
#: (every claim starts unverified).
CLAIM_ORIGINS = "claim_origins"


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


def refuse_duplicate(session: Session, digest: str) -> None:
    """DuplicateSourceError naming the source whose text has fingerprint ``digest``, if one exists."""
    existing = session.execute(select(Source.id, Source.title).where(Source.sha256 == digest)).first()
    if existing is not None:
        raise DuplicateSourceError(existing.id, existing.title)


def prepare_ingest(session: Session, text: str) -> Callable[[str], Extraction]:
    """Refuse a text that was ingested before, and return what will extract its claims now (the
    active model with the rules, or the rules alone).

    A read: the caller ends its transaction before calling the result, so that no lock is held
    while the engine works, and passes the extraction to :func:`ingest_text`.
    """
    refuse_duplicate(session, text_sha256(text))
    return model_service.extractor(session)


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

    Refuses a text that was ingested before (naming that source), also when another transaction
    stores the same text at the same moment. Writes one ``source.ingest`` audit event. With
    ``match`` (the default) the new claims are matched with earlier ones and join their clusters
    (:func:`factdb.services.clusters.match_claims`). Flushes but never commits: the caller's
    transaction decides, so a failure leaves nothing behind.

    ``extraction`` is what the engine found in ``text`` (see :func:`prepare_ingest`); without it the
    engine runs here, inside the caller's transaction, which is only right where nobody waits for
    that transaction's lock (a test, the demo).
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
    check_text(text, "the article text", multiline=True)
    digest = text_sha256(text)
    refuse_duplicate(session, digest)

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
    try:
        # In a savepoint: on PostgreSQL a second transaction storing the same text waits here for
        # the first to commit, then fails on the unique fingerprint; its transaction stays usable.
        with session.begin_nested():
            session.add(source)
            session.flush()
    except IntegrityError:
        refuse_duplicate(session, digest)
        raise

    sentence_ids: list[int] = []
    if result.sentences:
        # A plain executemany, then one indexed read of the ids by position: RETURNING with the
        # rows' order kept would make SQLAlchemy insert one row per statement on SQLite.
        session.execute(
            insert(_SENTENCES).execution_options(render_nulls=True),
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
        session.execute(insert(_CLAIMS).execution_options(render_nulls=True), claim_rows)
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
