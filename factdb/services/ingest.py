"""Ingesting sources: checking the text, extracting claims, storing everything in one go.

Extraction takes seconds for a long article (a 5 MB one, tens of seconds) and needs no database, so
it runs before the write transaction: :func:`prepare_ingest` refuses a known text early and picks
the extractor in a short read, the caller ends that transaction and extracts, then
:func:`ingest_text` stores the extraction in a short write transaction, checking for a duplicate
again inside it (two people may ingest the same text at once; the second is told it was already
ingested). What can be derived again later (merge suggestions for the new speakers, the claims'
clusters) the caller makes after that commit with :func:`derive_after_ingest`, a small chunk per
transaction: on SQLite, matching a 5 MB article's claims in the ingest's transaction held the write
lock for minutes, and every concurrent save failed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import ColumnDefault, String, Table, select
from sqlalchemy import text as sql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factdb.db import bind_processor
from factdb.enums import EditorRole, SpeakerKind
from factdb.errors import DuplicateSourceError, InputError
from factdb.extract import Extraction, SpeakerRef, extract, normalize_alias
from factdb.models import Claim, Sentence, Source, Speaker, SpeakerAlias
from factdb.services import clusters
from factdb.services import models as model_service
from factdb.services.audit import Actor, EventSpec, lock_audit_chain, record_events, require_role
from factdb.services.speaker_suggestions import (
    propose_merges_many,
    speaker_by_name_key,
    speakers_with_aliases,
)
from factdb.services.speakers import add_name_variant, create_speaker, find_by_alias
from factdb.services.validation import check_moment, check_row, check_text, check_url

# Sentence and claim rows go in at the driver (see _insert_rows), not through the ORM's bulk inserts
# (their per-row bookkeeping was a quarter of the time a long article's store holds the write lock)
# nor SQLAlchemy's Core insert (building each row's parameters, half of what was left).
_SENTENCES = cast(Table, Sentence.__table__)
_CLAIMS = cast(Table, Claim.__table__)
_SOURCES = cast(Table, Source.__table__)


def _length(table: Table, column: str) -> int:
    """The declared length of a String column of ``table`` (one place for it: the model)."""
    length = cast(String, table.c[column].type).length
    if length is None:
        raise TypeError(f"{table.name}.{column} has no declared length")
    return length


# The longest channel name, mention and cue stored (the columns' lengths): a longer phrase is cut,
# never refused (the claim's offsets still give the whole span).
CHANNEL_MAX = _length(_CLAIMS, "channel")
MENTION_MAX = _length(_CLAIMS, "mention_text")
CUE_MAX = _length(_CLAIMS, "cue")
#: The longest title and outlet name kept (the columns' lengths).
TITLE_MAX = _length(_SOURCES, "title")
OUTLET_MAX = _length(_SOURCES, "outlet")

#: Sentences or claims per insert statement: a long article's rows are built and sent a chunk at a
#: time, so the memory they take stays small whatever the article's length.
ROW_CHUNK = 5000
#: Claims matched per transaction by :func:`derive_after_ingest` (about a second each on a loaded
#: machine), and new speakers compared with the known ones per transaction.
MATCH_CHUNK = 500
SUGGEST_CHUNK = 50

# SQLite (migration 0015): while a source is listed in claims_search_deferred, the row triggers that
# keep search and counts skip its claims; the ingest fills both for the whole source in two
# statements (under a second for 65,000 claims, against 15 s of trigger runs) and unlists it, in
# its one transaction. PostgreSQL's triggers run once per statement already.
_DEFER_SEARCH = sql("INSERT INTO claims_search_deferred (source_id) VALUES (:source)")
_FILL_SEARCH = (
    sql(
        "INSERT INTO claims_search (rowid, body, status) SELECT c.id, s.text, 'st' || c.status "
        "FROM claims c JOIN sentences s ON s.id = c.sentence_id WHERE c.source_id = :source"
    ),
    sql(
        "INSERT INTO speaker_status_counts (speaker_key, status, n) "
        "SELECT coalesce(speaker_id, 0), status, count(*) FROM claims WHERE source_id = :source "
        "GROUP BY 1, 2 ON CONFLICT (speaker_key, status) DO UPDATE SET n = n + excluded.n"
    ),
    sql("DELETE FROM claims_search_deferred WHERE source_id = :source"),
)

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


def prepare_ingest(session: Session, text: str) -> Callable[[str], Extraction]:
    """Refuse a text that was ingested before, and return what will extract its claims now (the
    active model with the rules, or the rules alone).

    A read: the caller ends its transaction before calling the result, so that no lock is held
    while the engine works, and passes the extraction to :func:`ingest_text`.
    """
    _refuse_duplicates(session, [text_sha256(text)])
    return model_service.extractor(session)


@dataclass
class IngestResult:
    """What one ingest stored."""

    source: Source
    sentence_count: int
    claim_count: int
    new_speakers: list[Speaker] = field(default_factory=list)
    #: The new claims' ids, in order.
    claim_ids: list[int] = field(default_factory=list)


class _SpeakerCache:
    """Maps names found by the extractor to stored speakers' ids, creating unknown ones for review.

    Known speakers are held by id, not loaded as objects: an article names dozens, a batch of fifty
    thousands, and building the ORM objects cost a tenth of the store.
    """

    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self.by_key: dict[str, int] = {}
        self.unknown: set[str] = set()  # keys prefetch looked up and found in no alias
        self.created: list[Speaker] = []
        self.created_by_id: dict[int, Speaker] = {}

    def prefetch(self, names: Iterable[str]) -> None:
        """Look up every name of an article in one query (instead of one query per name)."""
        keys = {normalize_alias(name) for name in names} - self.by_key.keys()
        keys.discard("")
        if not keys:
            return
        rows = self.session.execute(
            select(SpeakerAlias.normalized, SpeakerAlias.speaker_id).where(SpeakerAlias.normalized.in_(keys))
        )
        for key, speaker_id in rows:
            self.by_key[key] = speaker_id
        self.unknown |= keys - self.by_key.keys()

    def get(self, name: str, kind: SpeakerKind, role: str | None = None) -> int:
        """The id of the speaker ``name`` denotes (found, or created for review)."""
        key = normalize_alias(name)
        found = self.by_key.get(key)
        if found is not None:
            return found
        speaker = None if key in self.unknown else find_by_alias(self.session, name)
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
            self.created_by_id[speaker.id] = speaker
        self.by_key[key] = speaker.id
        return speaker.id

    def for_ref(self, ref: SpeakerRef) -> int:
        """The id of the speaker of ``ref``; a speaker created by this ingest gets its affiliation."""
        speaker_id = self.get(ref.name, ref.kind, ref.role)
        created = self.created_by_id.get(speaker_id)
        if ref.affiliation and created is not None and created.affiliation_id is None:
            body = self.get(ref.affiliation, ref.affiliation_kind or SpeakerKind.ORGANIZATION)
            if body != speaker_id:
                created.affiliation = self.session.get(Speaker, body)
        return speaker_id


@dataclass(frozen=True)
class Article:
    """One article for :func:`ingest_many`: its text, what is known of it, and what the engine found
    in it (None: the engine runs in the caller's transaction, see :func:`ingest_text`)."""

    text: str
    title: str
    outlet: str | None = None
    url: str | None = None
    published_at: dt.datetime | None = None
    extraction: Extraction | None = None


@dataclass(frozen=True)
class _Checked:
    """An article after validation: its fields as stored and its text's fingerprint."""

    article: Article
    title: str
    outlet: str | None
    url: str | None
    digest: str


def _check_article(article: Article) -> _Checked:
    # Tabs and line breaks in the title or outlet are folded into spaces below; other controls are refused.
    check_text(article.title, "the title", multiline=True, max_length=TITLE_MAX)
    check_text(article.outlet, "the outlet", multiline=True, max_length=OUTLET_MAX)
    url = check_url(article.url, "the URL")
    check_moment(article.published_at, "the publication date")
    if not article.text.strip():
        raise InputError("the article text is empty")
    title = " ".join(article.title.split())
    if not title:
        raise InputError("a source needs a title")
    outlet = " ".join(article.outlet.split()) if article.outlet else None
    check_text(article.text, "the article text", multiline=True)
    return _Checked(article, title, outlet, url, text_sha256(article.text))


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
    ``match`` (the default) :func:`derive_after_ingest` runs in the same transaction: merge
    suggestions for the new speakers, and the new claims matched with earlier ones. A caller that
    stores long articles where others wait for the write lock passes ``match=False`` and calls it
    after its commit, a chunk per transaction. Flushes but never commits: the caller's transaction
    decides, so a failure leaves nothing behind.

    ``extraction`` is what the engine found in ``text`` (see :func:`prepare_ingest`); without it the
    engine runs here, inside the caller's transaction, which is only right where nobody waits for
    that transaction's lock (a test, the demo).
    """
    article = Article(text, title, outlet, url, published_at, extraction)
    (stored,) = ingest_many(session, actor, [article], match=match)
    return stored


def ingest_many(
    session: Session, actor: Actor, articles: Sequence[Article], *, match: bool = True
) -> list[IngestResult]:
    """Store several articles as :func:`ingest_text` stores one, in the caller's transaction, with
    the per-statement work done once for all of them: one duplicate check, one lookup of every
    speaker they name, their sentences and claims in shared multi-row inserts, one read of the new
    ids. Each article still gets its own ``source.ingest`` audit event (as :func:`ingest_text`
    writes it), in this transaction; the new speakers' events come before them.

    Refuses the whole batch when one article is invalid or was ingested before, or when the batch
    holds the same text twice. Results in the order of ``articles``.
    """
    # A dict or tuple per sentence and claim, none in a reference cycle: the collector's walks over
    # them (and over whatever else the process holds) are work for nothing (see no_cyclic_gc).
    with clusters.no_cyclic_gc():
        return _ingest_many(session, actor, articles, match=match)


def _ingest_many(
    session: Session, actor: Actor, articles: Sequence[Article], *, match: bool
) -> list[IngestResult]:
    require_role(actor, EditorRole.EDITOR)
    checked = [_check_article(article) for article in articles]
    if not checked:
        return []
    first_of: dict[str, int] = {}
    for n, item in enumerate(checked):
        if item.digest in first_of:
            raise InputError(
                f"articles {first_of[item.digest] + 1} and {n + 1} of the batch have the same text"
            )
        first_of[item.digest] = n
    _refuse_duplicates(session, list(first_of))

    # The active learned model with the rules, or the rules alone when none is active.
    extractor = None
    results: list[Extraction] = []
    for item in checked:
        found = item.article.extraction
        if found is None:
            extractor = extractor or model_service.extractor(session)
            found = extractor(item.article.text)
        results.append(found)
    sources = [
        Source(
            title=item.title, outlet=item.outlet, url=item.url, published_at=item.article.published_at,
            text=item.article.text, sha256=item.digest, ingested_by_id=None if actor is None else actor.id,
        )
        for item in checked
    ]  # fmt: skip
    try:
        # In a savepoint: on PostgreSQL a second transaction storing the same text waits here for
        # the first to commit, then fails on the unique fingerprint; its transaction stays usable.
        with session.begin_nested():
            session.add_all(sources)
            session.flush()
    except IntegrityError:
        _refuse_duplicates(session, list(first_of))
        raise
    source_ids = [source.id for source in sources]

    deferred = session.get_bind().dialect.name == "sqlite"
    if deferred:
        session.execute(_DEFER_SEARCH, [{"source": i} for i in source_ids])
    rows = _RowBuffer(session, _SENTENCES, "a sentence")
    for source_id, item, result in zip(source_ids, checked, results, strict=True):
        text = item.article.text
        for i, s in enumerate(result.sentences):
            rows.add(
                {"source_id": source_id, "position": i, "char_start": s.start, "char_end": s.end,
                 "kind": s.kind, "text": text[s.start : s.end]}
            )  # fmt: skip
    rows.flush()
    # A plain executemany, then one indexed read of the ids by position: RETURNING with the rows'
    # order kept would make SQLAlchemy insert one row per statement on SQLite.
    sentence_ids: dict[int, list[int]] = {i: [] for i in source_ids}
    for source_id, sentence_id in session.execute(
        select(Sentence.source_id, Sentence.id)
        .where(Sentence.source_id.in_(source_ids))
        .order_by(Sentence.source_id, Sentence.position)
    ):
        sentence_ids[source_id].append(sentence_id)

    speakers = _SpeakerCache(session, actor)
    speakers.prefetch(
        [item.outlet or "" for item in checked]
        + [c.speaker.name for r in results for c in r.claims if c.speaker is not None]
        + [c.speaker.affiliation for r in results for c in r.claims if c.speaker and c.speaker.affiliation]
    )  # fmt: skip
    new_speakers: list[list[Speaker]] = []
    rows = _RowBuffer(session, _CLAIMS, "a claim")
    for source_id, item, result in zip(source_ids, checked, results, strict=True):
        known = len(speakers.created)
        publication = speakers.get(item.outlet, SpeakerKind.PUBLICATION) if item.outlet else None
        ids = sentence_ids[source_id]
        for claim in result.claims:
            if claim.is_publication:
                speaker_id = publication
            elif claim.speaker is not None:
                speaker_id = speakers.for_ref(claim.speaker)
            else:
                speaker_id = None  # a mention the extractor could not resolve: left for an editor
            rows.add(
                {
                    "source_id": source_id,
                    "sentence_id": ids[claim.sentence],
                    "speaker_id": speaker_id,
                    "mention_text": claim.mention[:MENTION_MAX] if claim.mention else claim.mention,
                    "mention_start": claim.mention_start,
                    "mention_end": claim.mention_end,
                    "cue": claim.cue[:CUE_MAX] if claim.cue else claim.cue,
                    "content": claim.content,
                    "content_start": claim.content_start,
                    "content_end": claim.content_end,
                    "stance": claim.stance,
                    "rule": claim.rule,
                    "channel": claim.channel[:CHANNEL_MAX] if claim.channel else None,
                }
            )
        new_speakers.append(speakers.created[known:])
    rows.flush()
    if deferred:
        # Search rows and counts for all the batch's sources at once (see _FILL_SEARCH).
        for statement in _FILL_SEARCH:
            session.execute(statement, [{"source": i} for i in source_ids])
    # Each new claim's attribution as it was created, so `factdb audit verify` can replay its history.
    origins: dict[int, list[list[int | None]]] = {i: [] for i in source_ids}
    for source_id, *origin in session.execute(
        select(Claim.source_id, Claim.id, Claim.speaker_id, Claim.content_start, Claim.content_end)
        .where(Claim.source_id.in_(source_ids))
        .order_by(Claim.id)
    ):
        origins[source_id].append(origin)
    record_events(
        session,
        actor,
        [
            EventSpec(
                "source.ingest", "source", source_id,
                after={
                    "title": item.title, "outlet": item.outlet, "url": item.url, "sha256": item.digest,
                    "sentences": len(sentence_ids[source_id]), "claims": len(origins[source_id]),
                    "new_speakers": [s.id for s in created], CLAIM_ORIGINS: origins[source_id],
                },
            )
            for source_id, item, created in zip(source_ids, checked, new_speakers, strict=True)
        ],
    )  # fmt: skip
    stored = [
        IngestResult(
            source, len(sentence_ids[source.id]), len(origins[source.id]), created,
            [cast(int, origin[0]) for origin in origins[source.id]],
        )
        for source, created in zip(sources, new_speakers, strict=True)
    ]  # fmt: skip
    if match:
        # After the ingest events, so the claims exist in the record before they join clusters.
        derive_after_ingests(session, actor, stored)
    session.flush()
    return stored


def _refuse_duplicates(session: Session, digests: list[str]) -> None:
    """DuplicateSourceError naming a source whose text has one of these fingerprints, if any."""
    for start in range(0, len(digests), ROW_CHUNK):
        existing = session.execute(
            select(Source.id, Source.title).where(Source.sha256.in_(digests[start : start + ROW_CHUNK]))
        ).first()
        if existing is not None:
            raise DuplicateSourceError(existing.id, existing.title)


class _RowBuffer:
    """Rows of one table checked as they come and inserted :data:`ROW_CHUNK` at a time (so a long
    article's, or a batch's, rows never sit in memory all at once)."""

    def __init__(self, session: Session, table: Table, what: str) -> None:
        self.session, self.table, self.what = session, table, what
        self.rows: list[dict[str, object]] = []

    def add(self, row: dict[str, object]) -> None:
        # The check every flushed row gets (a Core insert is never flushed).
        check_row(self.table, row, self.what)
        self.rows.append(row)
        if len(self.rows) >= ROW_CHUNK:
            self.flush()

    def flush(self) -> None:
        _insert_rows(self.session, self.table, self.rows)
        self.rows = []


def _insert_rows(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """Insert ``rows`` (each with the same keys) into ``table`` at the driver, as SQLAlchemy's
    insert would store them: each value through its column's bind processing, the columns' Python
    defaults filled (one value for the whole statement, as a server default would be).

    SQLite takes one executemany. On PostgreSQL the rows go in as one array per column, unnested
    in one statement: psycopg runs an executemany as one INSERT per row, and PostgreSQL's statement
    triggers on claims (search words and counts, migration 0005) then ran once per claim (a 1 MB
    article's store took minutes); a multi-row VALUES statement fires them once but cost more to
    build and parse than its rows cost to store.

    Through SQLAlchemy's insert the per-row work (building each row's parameters, calling each
    column's default) took more than half the time of an ingest's store on SQLite.
    """
    if not rows:
        return
    lock_audit_chain(session)  # before the first write, as every write of a session takes it
    connection = session.connection()
    dialect = connection.dialect
    names = list(rows[0])
    columns: list[list[object]] = []
    for name in names:
        process = bind_processor(table.c[name], dialect)
        values = [row[name] for row in rows]
        columns.append(values if process is None else [None if v is None else process(v) for v in values])
    for column in table.c:
        if column.key in rows[0] or column.default is None or not isinstance(column.default, ColumnDefault):
            continue
        default = column.default.arg(None) if column.default.is_callable else column.default.arg
        process = bind_processor(column, dialect)
        names.append(column.key)
        columns.append([default if process is None else process(default)] * len(rows))
    quoted = ", ".join(dialect.identifier_preparer.quote(table.c[name].name) for name in names)
    if dialect.name == "postgresql":
        arrays = ", ".join(f"%s::{_array_type(table, name, dialect)}" for name in names)
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({quoted}) SELECT * FROM unnest({arrays})",  # noqa: S608 (constants)
            tuple(columns),
        )
    else:
        marks = ", ".join("?" * len(names))
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({quoted}) VALUES ({marks})",  # noqa: S608 (constants)
            list(zip(*columns, strict=True)),
        )


def _array_type(table: Table, name: str, dialect: Dialect) -> str:
    """The PostgreSQL array type a column's values are sent as: text for every string column (an
    explicit cast to varchar(n) would cut a longer value, where the insert's own cast refuses it)."""
    kind = table.c[name].type
    if isinstance(kind, String):
        return "text[]"
    return f"{kind.compile(dialect=dialect)}[]"


def derive_after_ingest(
    session: Session,
    actor: Actor,
    ingest: IngestResult,
    *,
    commit: Callable[[], None] | None = None,
) -> None:
    """Suggest merges for the new speakers of ``ingest`` (each one who may be someone known goes to
    the editors' queue, never merged by guess), then match its claims with earlier ones.

    With ``commit`` (the caller's commit, called after :func:`ingest_text`'s transaction was
    committed) each chunk of :data:`SUGGEST_CHUNK` speakers or :data:`MATCH_CHUNK` claims is a
    transaction of its own, each audited in itself: the write lock is never held for long, and a
    crash between chunks leaves derived data missing, never wrong (``factdb claims match`` matches
    the claims that have no keys, ``factdb speakers suggestions compute`` suggests for every
    speaker). Without it everything happens in the caller's transaction (a short article, a test).
    """
    derive_after_ingests(session, actor, [ingest], commit=commit)


def derive_after_ingests(
    session: Session,
    actor: Actor,
    ingests: Sequence[IngestResult],
    *,
    commit: Callable[[], None] | None = None,
) -> None:
    """:func:`derive_after_ingest` for several stored ingests at once (a bulk ingest of many files):
    their claims are matched together, in passes of up to :data:`MATCH_CHUNK` claims.

    A matching pass has a fixed cost (its lookups, its audit event) that a pass per 40-claim article
    paid hundreds of times; the clusters are the same whichever claims share a pass.
    """
    new_speakers = [speaker for ingest in ingests for speaker in ingest.new_speakers]
    claim_ids = sorted(claim_id for ingest in ingests for claim_id in ingest.claim_ids)
    for start in range(0, len(new_speakers), SUGGEST_CHUNK):
        # Read in this session: the caller may store and derive in two sessions (the CLI), and an
        # editor may have merged a speaker away in between.
        ids = [created.id for created in new_speakers[start : start + SUGGEST_CHUNK]]
        propose_merges_many(session, actor, speakers_with_aliases(session, ids))
        if commit is not None:
            commit()
    for start in range(0, len(claim_ids), MATCH_CHUNK):
        clusters.match_claims(session, actor, claim_ids[start : start + MATCH_CHUNK])
        if commit is not None:
            commit()
