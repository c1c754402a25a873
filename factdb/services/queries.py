"""Finding things: the claim filter (claims list, CLI, every export), the audit filter (audit page and
export), the sources list and speaker suggestions; each read written once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    Exists,
    Integer,
    Select,
    Text,
    bindparam,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import BindParameter

from factdb.enums import ClaimStatus, Stance
from factdb.errors import InputError
from factdb.extract import normalize_alias
from factdb.models import (
    Assignment,
    AuditEvent,
    Claim,
    ClaimCluster,
    ClaimClusterMember,
    Review,
    Source,
    Speaker,
    SpeakerAlias,
    SpeakerStatusCount,
)
from factdb.services.search import (
    SQLITE_SEARCH_INDEX,
    claim_text_matches,
    fts5_query,
    search_words,
    sqlite_index_match,
    tsquery_of_statuses,
)
from factdb.services.validation import check_text

S = TypeVar("S", bound="Select[*tuple[Any, ...]]")


@dataclass(frozen=True)
class ClaimFilter:
    """Which claims to show or export. Empty fields do not filter.

    ``speaker_id`` with ``include_affiliated`` also takes the claims of everyone who speaks
    for that speaker (Peskov's claims count for the Kremlin). Source dates filter on the
    source's ``published_at``; review dates and ``editor_id`` on the claim's latest review.
    ``text`` searches claim content and sentence text. ``as_of`` looks at the archive as it was
    at that moment: claims recorded by then, with the status their reviews had given them by then.
    """

    statuses: tuple[ClaimStatus, ...] = ()
    speaker_id: int | None = None
    include_affiliated: bool = False
    source_id: int | None = None
    outlet: str | None = None
    channel: str | None = None
    stance: Stance | None = None
    published_from: dt.date | None = None
    published_to: dt.date | None = None
    reviewed_from: dt.date | None = None
    reviewed_to: dt.date | None = None
    editor_id: int | None = None
    text: str | None = None
    as_of: dt.datetime | None = None
    #: Claims in this editor's queue (see ``factdb.services.desk``).
    assignee_id: int | None = None
    #: Only claims whose cluster spans more than this many sources ("reported by more than N").
    sources_over: int | None = None
    #: One row per statement: a claim of a cluster shows only as the cluster's first claim.
    collapse: bool = False

    def is_empty(self) -> bool:
        """True when the filter lets every claim through."""
        return all(getattr(self, f.name) in (None, (), False, "") for f in fields(self))

    def apply(self, stmt: S) -> S:
        """Add this filter's conditions to a select over ``Claim``."""
        if self.as_of is not None:
            stmt = stmt.where(Claim.created_at <= self.as_of)
        if self.statuses:
            stmt = stmt.where(status_column(self.as_of).in_(self.statuses))
        if self.speaker_id is not None:
            if self.include_affiliated:
                followers = select(Speaker.id).where(Speaker.affiliation_id == self.speaker_id)
                stmt = stmt.where(or_(Claim.speaker_id == self.speaker_id, Claim.speaker_id.in_(followers)))
            else:
                stmt = stmt.where(Claim.speaker_id == self.speaker_id)
        if self.source_id is not None:
            stmt = stmt.where(Claim.source_id == self.source_id)
        if self.outlet or self.published_from or self.published_to:
            conditions = []
            if self.outlet:
                conditions.append(Source.outlet == self.outlet)
            if self.published_from:
                conditions.append(Source.published_at >= _start_of(self.published_from))
            if self.published_to:
                conditions.append(Source.published_at < _start_of(self.published_to + dt.timedelta(days=1)))
            stmt = stmt.where(Claim.source_id.in_(select(Source.id).where(*conditions)))
        if self.channel:
            stmt = stmt.where(Claim.channel == self.channel)
        if self.assignee_id is not None:
            queue = select(Assignment.claim_id).where(Assignment.editor_id == self.assignee_id)
            stmt = stmt.where(Claim.id.in_(queue))
        if self.stance is not None:
            stmt = stmt.where(Claim.stance == self.stance)
        if self.sources_over is not None:
            wide = (
                select(ClaimClusterMember.claim_id)
                .join(ClaimCluster, ClaimCluster.id == ClaimClusterMember.cluster_id)
                .where(ClaimCluster.source_count > self.sources_over)
            )
            stmt = stmt.where(Claim.id.in_(wide))
        if self.collapse:
            stmt = stmt.where(~self._earlier_copy_matches())
        if self.reviewed_from or self.reviewed_to or self.editor_id is not None:
            later = aliased(Review)
            latest = select(Review.id).where(
                Review.claim_id == Claim.id,
                ~exists().where(later.claim_id == Review.claim_id, later.id > Review.id),
            )
            if self.reviewed_from:
                latest = latest.where(Review.created_at >= _start_of(self.reviewed_from))
            if self.reviewed_to:
                latest = latest.where(Review.created_at < _start_of(self.reviewed_to + dt.timedelta(days=1)))
            if self.editor_id is not None:
                latest = latest.where(Review.editor_id == self.editor_id)
            stmt = stmt.where(latest.exists())
        if self.text and search_words(self.text):
            # The index knows current statuses only: an as-of search filters statuses the slow way.
            narrow = self.statuses if self.as_of is None else ()
            stmt = stmt.where(claim_text_matches(self.text, narrow))
        return stmt

    def _earlier_copy_matches(self) -> Exists:
        """True for a claim with an earlier (lower id) claim of its cluster that this filter also lets
        through: collapsed, a statement shows as the first of its copies the filter matched, not as
        the cluster's first claim (which the filter may exclude: another outlet, another status)."""
        mine, earlier = aliased(ClaimClusterMember), aliased(ClaimClusterMember)
        condition = exists().where(
            mine.claim_id == Claim.id,
            earlier.cluster_id == mine.cluster_id,
            earlier.claim_id < Claim.id,
        )
        rest = replace(self, collapse=False)
        if rest.is_empty():
            return condition
        # The same filter over the earlier copy: Claim inside is that copy, not the outer claim.
        matching = rest.apply(select(Claim.id)).correlate_except(Claim)
        return condition.where(earlier.claim_id.in_(matching))


#: A channel is an outlet's name: no filter value is longer than the stored column.
CHANNEL_FILTER_MAX = 200


def channel_value(raw: str | None, name: str = "channel") -> str | None:
    """A channel filter value from user input: trimmed, None when empty; InputError naming
    ``name`` when it is too long or holds control characters."""
    value = (raw or "").strip()
    if not value:
        return None
    check_text(value, name, max_length=CHANNEL_FILTER_MAX)
    return value


_OUTLETS = text(
    "WITH RECURSIVE o(outlet) AS ("
    " SELECT min(outlet) FROM sources"
    " UNION ALL"
    " SELECT (SELECT min(s.outlet) FROM sources AS s WHERE s.outlet > o.outlet) FROM o"
    " WHERE o.outlet IS NOT NULL"
    ") SELECT outlet FROM o WHERE outlet IS NOT NULL"
)


def outlets(session: Session) -> list[str]:
    """Every distinct outlet, in order, by index seeks (one per outlet, not one per source).

    A recursive "skip scan": each step asks the outlet index for the next name after the last one.
    Run on the session's connection: the rows are plain values, and the ORM's set-up of a statement
    costs more than this one takes.
    """
    return list(session.connection().execute(_OUTLETS).scalars())


def status_column(as_of: dt.datetime | None = None) -> Any:
    """The claim's status now, or as its reviews had left it at ``as_of`` (unverified before any)."""
    if as_of is None:
        return Claim.status
    then = (
        select(Review.to_status)
        .where(Review.claim_id == Claim.id, Review.created_at <= as_of)
        .order_by(Review.id.desc())
        .limit(1)
        .correlate(Claim)
        .scalar_subquery()
    )
    return func.coalesce(then, ClaimStatus.UNVERIFIED.value, type_=Claim.__table__.c.status.type)


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def claims_query(claim_filter: ClaimFilter) -> Select[Claim]:
    """Claims matching ``claim_filter``, newest first (by id, which follows ingest order)."""
    return claim_filter.apply(select(Claim)).order_by(Claim.id.desc())


#: The orders the claims list offers, by parameter value, with their labels.
CLAIM_SORTS = {
    "newest": "newest first",
    "published": "date published",
    "status": "status",
    "speaker": "speaker",
}


def sorted_claims_query(claim_filter: ClaimFilter, sort: str = "newest") -> Select[Claim]:
    """Claims matching ``claim_filter`` in one of the :data:`CLAIM_SORTS` orders (ties newest first)."""
    if sort not in CLAIM_SORTS:
        raise InputError(f"sort={sort!r} is not one of: {', '.join(CLAIM_SORTS)}")
    stmt = claim_filter.apply(select(Claim))
    if sort == "status":
        # Workflow order (unverified first), the same on every database whatever its enum sorting.
        rank = case({status: n for n, status in enumerate(ClaimStatus)}, value=Claim.status)
        return stmt.order_by(rank, Claim.id.desc())
    if sort == "speaker":
        stmt = stmt.outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        return stmt.order_by(Speaker.name.is_(None), Speaker.name, Claim.id.desc())
    if sort == "published":
        stmt = stmt.join(Source, Source.id == Claim.source_id)
        return stmt.order_by(Source.published_at.is_(None), Source.published_at.desc(), Claim.id.desc())
    return stmt.order_by(Claim.id.desc())


#: How far into a list sorted by anything but id the claim page looks for a claim's neighbours.
NEIGHBOUR_SCAN = 5000


@dataclass(frozen=True)
class Neighbours:
    """Where a claim sits in the list an editor came from: the claims before and after it, and the
    next unverified one after it (or, past the end, the first unverified one of the list)."""

    previous_id: int | None
    next_id: int | None
    next_unverified_id: int | None
    in_list: bool


#: Page statements kept, one per filter and direction: a statement is immutable, and building the
#: select with its four joins cost the API's first page more Python time than running it (~1 ms).
PAGE_STATEMENTS_KEPT = 256


@lru_cache(maxsize=PAGE_STATEMENTS_KEPT)
def _newest_neighbours(claim_filter: ClaimFilter) -> Select[*tuple[Any, ...]]:
    """The neighbours of the claim ``claim_id`` (a parameter) in a newest-first list, built once per
    filter: keyset seeks on id, as fast at the millionth claim as at the first; all four in one
    statement (COALESCE looks for the first unverified claim of the list only when none comes after).
    Building it cost the claim page more than running it."""
    claim_id = bindparam("claim_id", type_=Integer)
    unverified = replace(claim_filter, statuses=(ClaimStatus.UNVERIFIED,))
    base = claim_filter.apply(select(Claim.id))
    todo = unverified.apply(select(Claim.id)).where(Claim.id != claim_id)
    return select(
        base.where(Claim.id > claim_id).order_by(Claim.id.asc()).limit(1).scalar_subquery(),
        base.where(Claim.id < claim_id).order_by(Claim.id.desc()).limit(1).scalar_subquery(),
        func.coalesce(
            todo.where(Claim.id < claim_id).order_by(Claim.id.desc()).limit(1).scalar_subquery(),
            todo.order_by(Claim.id.desc()).limit(1).scalar_subquery(),
        ),
        base.where(Claim.id == claim_id).exists(),
    )


def neighbours(session: Session, claim_filter: ClaimFilter, sort: str, claim_id: int) -> Neighbours:
    """The claims around ``claim_id`` in the list ``claim_filter`` and ``sort`` describe."""
    if sort == "newest":
        # Plain values, on the session's connection: the ORM's set-up of a statement is not needed.
        row = session.connection().execute(_newest_neighbours(claim_filter), {"claim_id": claim_id}).one()
        return Neighbours(row[0], row[1], row[2], bool(row[3]))
    ordered = sorted_claims_query(claim_filter, sort)
    unverified = replace(claim_filter, statuses=(ClaimStatus.UNVERIFIED,))
    ids = list(session.scalars(ordered.with_only_columns(Claim.id).limit(NEIGHBOUR_SCAN)))
    todo_ids = list(
        session.scalars(
            sorted_claims_query(unverified, sort).with_only_columns(Claim.id).limit(NEIGHBOUR_SCAN)
        )
    )
    if claim_id not in ids:
        first = next((i for i in todo_ids if i != claim_id), None)
        return Neighbours(None, None, first, False)
    at = ids.index(claim_id)
    later = set(ids[at + 1 :])
    next_unverified = next((i for i in todo_ids if i in later), None)
    if next_unverified is None:
        next_unverified = next((i for i in todo_ids if i != claim_id), None)
    return Neighbours(
        ids[at - 1] if at > 0 else None, ids[at + 1] if at + 1 < len(ids) else None, next_unverified, True
    )


#: The facets of the plain list and of a status-only list (the home page): built once, as a kept
#: statement's cache key is computed once too.
_ALL_STATUS_COUNTS = select(SpeakerStatusCount.status, func.sum(SpeakerStatusCount.n)).group_by(
    SpeakerStatusCount.status
)


def status_counts(claim_filter: ClaimFilter, *, dialect: str, lookup_limit: int | None = None) -> Any:
    """Per-status counts of the claims matching the filter (ignoring its status part), for facets.

    Rows of (status, count). With no filter but a speaker, the counts come from
    ``speaker_status_counts`` (a few rows, kept by triggers); with no filter but words on SQLite
    (``dialect``), from the search index (see :func:`_sqlite_search_counts`; ``lookup_limit`` fixes
    its choice of method, for tests); on PostgreSQL from ``claims_search`` and its counts table; so
    the home page and plain searches stay fast on any archive.
    """
    rest = replace(claim_filter, statuses=(), speaker_id=None, include_affiliated=False)
    if rest.is_empty():
        if claim_filter.speaker_id is None:
            return _ALL_STATUS_COUNTS
        counts = SpeakerStatusCount
        keys = [claim_filter.speaker_id]
        if claim_filter.include_affiliated:
            followers = select(Speaker.id).where(Speaker.affiliation_id == claim_filter.speaker_id)
            return _ALL_STATUS_COUNTS.where(
                or_(counts.speaker_key.in_(keys), counts.speaker_key.in_(followers))
            )
        return _ALL_STATUS_COUNTS.where(counts.speaker_key.in_(keys))
    words = claim_filter.text and search_words(claim_filter.text)
    if words and replace(rest, text=None).is_empty() and claim_filter.as_of is None:
        if dialect == "sqlite":
            return _sqlite_search_counts(claim_filter.text or "", lookup_limit)
        if dialect == "postgresql":
            return _postgresql_search_counts(claim_filter.text or "")
    return _counted(replace(claim_filter, statuses=()))


def _counted(claim_filter: ClaimFilter) -> Any:
    """Per-status counts the plain way: every matching claim read and grouped."""
    stmt: Any = select(Claim.status, func.count()).group_by(Claim.status)
    return claim_filter.apply(stmt)


# The status most claims are in: its count is derived (all hits minus the others), never counted.
_COMMON_STATUS = ClaimStatus.UNVERIFIED

#: A search's status counts read each hit's status from ``claims`` (a primary-key lookup per hit) when
#: it has at most one hit per this many claims in the archive; past that they are counted in the
#: index, status by status. A lookup costs ~1-2 µs a hit, while counting one status in the index
#: reads that status's whole hit list (~30 ns a claim in it) and the words' again: at 100,000 claims
#: the two cost the same near 1,000 hits ("pipeline", 5,066 hits: 1.4 ms counted against 6 ms
#: looked up; "bridge Helmsk", 243 hits: 0.9 ms looked up against 2.0 ms counted).
CLAIMS_PER_LOOKED_UP_HIT = 128
#: Below this many hits the lookups always win (a small archive's counts are cheap either way).
LOOKED_UP_HITS_FLOOR = 100


_RARE_STATUSES = [status for status in ClaimStatus if status is not _COMMON_STATUS]


def _sqlite_search_counts_sql(limit: str) -> str:
    """The statement of :func:`_sqlite_search_counts` with ``limit`` (an SQL expression) as its lookup
    limit. Built once at import from the status enum's own values: no input goes into its text."""
    rare = _RARE_STATUSES
    match = "(SELECT count(*) FROM claims_search WHERE claims_search MATCH :q{})"
    counted = "".join(
        f", CASE WHEN NOT few THEN {match.format('_' + s.value)} END AS n_{s.value}" for s in rare
    )
    derived = "".join(f" - n_{s.value}" for s in rare)
    rows = "".join(
        f"UNION ALL SELECT '{s.value}', n_{s.value} FROM counted WHERE total IS NOT NULL\n"  # noqa: S608 (constants)
        for s in rare
    )
    return (
        f"WITH limits AS MATERIALIZED (SELECT {limit} AS n),\n"  # noqa: S608 (constants)
        "hits AS MATERIALIZED (SELECT rowid AS id FROM claims_search WHERE claims_search MATCH :q\n"
        "  LIMIT (SELECT n + 1 FROM limits)),\n"
        "few AS MATERIALIZED (SELECT (SELECT count(*) FROM hits) <= (SELECT n FROM limits) AS few),\n"
        f"counted AS MATERIALIZED (SELECT CASE WHEN NOT few THEN {match.format('')} END AS total{counted}\n"
        "  FROM few)\n"
        "SELECT claims.status, count(*) FROM hits JOIN claims ON claims.id = hits.id\n"
        "WHERE (SELECT few FROM few) GROUP BY claims.status\n"
        f"UNION ALL SELECT '{_COMMON_STATUS.value}', total{derived} FROM counted WHERE total IS NOT NULL\n"
        f"{rows}"
    )


# The lookup limit from the archive's size (its highest claim id: one index step), or a given one.
_SQLITE_SEARCH_COUNTS = {
    True: _sqlite_search_counts_sql("max(:floor, (SELECT ifnull(max(id), 0) FROM claims) / :per_hit)"),
    False: _sqlite_search_counts_sql(":lookup_limit"),
}


def _sqlite_search_counts(words: str, lookup_limit: int | None = None) -> Any:
    """Per-status hits of a search from SQLite's index, in one statement that counts the words once.

    The hits' ids are read first, at most the lookup limit + 1 of them (the limit: one hit per
    :data:`CLAIMS_PER_LOOKED_UP_HIT` claims, at least :data:`LOOKED_UP_HITS_FLOOR`, or ``lookup_limit``
    if given). If they are all the hits, each one's status is read from ``claims`` and grouped. If
    not (a common word), the hits are counted in the index: all of them once, those within each
    rarer status (short status lists), the common status derived. Each branch is a condition SQLite
    tests before running it, so only one of the two is ever run.
    """
    values: dict[str, Any] = {f"q_{s.value}": fts5_query(words, [s]) for s in _RARE_STATUSES}
    values["q"] = fts5_query(words)
    if lookup_limit is None:
        values |= {"floor": LOOKED_UP_HITS_FLOOR, "per_hit": CLAIMS_PER_LOOKED_UP_HIT}
    else:
        values["lookup_limit"] = lookup_limit
    status_type = Claim.__table__.c.status.type
    statement = text(_SQLITE_SEARCH_COUNTS[lookup_limit is None]).bindparams(**values)
    return statement.columns(column("status", status_type), column("n", Integer()))


_CLAIMS_SEARCH = table("claims_search", column("claim_id", Integer()), column("words"))  # PostgreSQL only

_SEARCH_COUNTS = table(
    "claims_search_counts",  # PostgreSQL only, kept by triggers (migration 0005)
    column("lexeme", Text()),
    column("status", Claim.__table__.c.status.type),
    column("n", Integer()),
)


def _postgresql_search_counts(text: str) -> Any:
    """Per-status hits of a search on PostgreSQL: a one-word search reads its five rows of
    ``claims_search_counts``; a search of several words counts the claims that have them all in one
    pass over their ``claims_search`` rows, each row's status read from its status lexeme (no visit to
    ``claims``).

    Which case applies is decided in SQL, by the text-search parser itself (the words of the search
    box are not always its lexemes); the branch not taken is a one-time filter, never run."""
    plain = " ".join(search_words(text))
    lexemes = func.tsvector_to_array(func.to_tsvector(literal_column("'simple'"), plain), type_=ARRAY(Text()))
    one_word = func.cardinality(lexemes) == 1
    status_type = Claim.__table__.c.status.type
    words = _CLAIMS_SEARCH.c.words
    hits = (
        select(
            *(
                func.count()
                .filter(words.op("@@")(cast(literal(tsquery_of_statuses([status])), TSQUERY)))
                .label(f"n_{status.value}")
                for status in ClaimStatus
            )
        )
        .where(words.op("@@")(func.plainto_tsquery(literal_column("'simple'"), plain)), ~one_word)
        .cte("hits")
    )
    counts = _SEARCH_COUNTS
    return union_all(
        *(select(literal(s, status_type), hits.c[f"n_{s.value}"]).where(~one_word) for s in ClaimStatus),
        select(counts.c.status, counts.c.n).where(counts.c.lexeme == lexemes[1], one_word),
    )


@dataclass(frozen=True, slots=True)
class SpeakerName:
    """A speaker as a list row shows it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class SourceTitle:
    """A source as a list row shows it."""

    id: int
    title: str
    published_at: dt.datetime | None
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class ListedClaim:
    """One row of the claims list: what the list shows of a claim, its speaker and its source."""

    id: int
    cue: str | None
    content: str
    stance: Stance
    status: ClaimStatus
    mention_text: str | None
    speaker: SpeakerName | None
    source: SourceTitle
    #: The claim's cluster, if it has one: (cluster id, how many sources the cluster spans).
    cluster: tuple[int, int] | None = None


@dataclass(frozen=True)
class ClaimPage:
    """One page of the claims list, newest first, and whether there are older and newer pages."""

    claims: list[ListedClaim]
    has_older: bool
    has_newer: bool


# What a list row shows, read as plain values (see :func:`claims_page`).
_LISTED_COLUMNS = (
    Claim.id, Claim.cue, Claim.content, Claim.stance, Claim.status, Claim.mention_text,
    Speaker.id, Speaker.name, Source.id, Source.title, Source.published_at, Source.outlet,
    ClaimCluster.id, ClaimCluster.source_count,
)  # fmt: skip


def _listed_rows(stmt: S) -> S:
    """``stmt`` (a select of :data:`_LISTED_COLUMNS` from claims) joined to each claim's speaker, source
    and cluster: one row per claim, each join a primary-key lookup."""
    return (
        stmt.join(Source, Source.id == Claim.source_id)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
        .outerjoin(ClaimClusterMember, ClaimClusterMember.claim_id == Claim.id)
        .outerjoin(ClaimCluster, ClaimCluster.id == ClaimClusterMember.cluster_id)
    )


def _listed(row: Any) -> ListedClaim:
    (id, cue, content, stance, status, mention, speaker_id, speaker_name, source_id, title,
     published_at, outlet, cluster_id, cluster_sources) = row  # fmt: skip
    return ListedClaim(
        id, cue, content, stance, status, mention,
        None if speaker_id is None else SpeakerName(speaker_id, speaker_name),
        SourceTitle(source_id, title, published_at, outlet),
        None if cluster_id is None else (cluster_id, cluster_sources),
    )  # fmt: skip


def sorted_claims_page(
    session: Session, claim_filter: ClaimFilter, sort: str, *, page: int, size: int
) -> tuple[list[ListedClaim], bool]:
    """Page ``page`` (from 1) of the claims in a :data:`CLAIM_SORTS` order, and whether more follow.

    The page's ids come first (in order), then only those rows are read with speaker and source.
    """
    ids = list(
        session.scalars(
            sorted_claims_query(claim_filter, sort)
            .with_only_columns(Claim.id)
            .offset((page - 1) * size)
            .limit(size + 1)
        )
    )
    more = len(ids) > size
    ids = ids[:size]
    if not ids:
        return [], more
    rows = session.execute(_listed_rows(select(*_LISTED_COLUMNS)).where(Claim.id.in_(ids))).all()
    by_id = {row[0]: _listed(row) for row in rows}
    return [by_id[i] for i in ids if i in by_id], more


def _searched_in_index(claim_filter: ClaimFilter) -> bool:
    """True when a page's ids can come from SQLite's search index alone: the filter is words, and
    perhaps statuses (the index holds each claim's current status), and nothing else."""
    words = bool(claim_filter.text and search_words(claim_filter.text))
    return words and replace(claim_filter, text=None, statuses=()).is_empty()


def _page_select(
    claim_filter: ClaimFilter,
    direction: str | None,
    cursor: BindParameter[int],
    size: int,
    dialect: str | None,
) -> Select[*tuple[Any, ...]]:
    """The page's statement: ``direction`` "older" takes ids below ``cursor``, "newer" ids above it,
    None the first page.

    On SQLite (``dialect``) a search's page takes its ids from the search index in id order, which
    stops at the page's end; a condition on ``claims`` would read every hit first and sort them
    (for a word in every claim at 100,000 claims: 64 ms against 0.4 ms)."""
    from_index = dialect == "sqlite" and _searched_in_index(claim_filter)
    key: Any
    if from_index:
        key = SQLITE_SEARCH_INDEX.c.rowid
        match = sqlite_index_match(claim_filter.text or "", claim_filter.statuses)
        ids = select(key.label("id")).where(match).order_by(key.desc())
    else:
        key = Claim.id
        ids = claims_query(claim_filter).with_only_columns(Claim.id)
    if direction == "newer":
        ids = ids.where(key > cursor).order_by(None).order_by(key.asc())
    elif direction == "older":
        ids = ids.where(key < cursor)
    chosen = ids.limit(size + 1).subquery("page")
    rows = select(*_LISTED_COLUMNS).join(chosen, chosen.c.id == Claim.id)
    if from_index and claim_filter.statuses:
        rows = rows.where(Claim.status.in_(claim_filter.statuses))  # the table's word, as claims_query's
    return _listed_rows(rows).order_by(Claim.id.desc())


@lru_cache(maxsize=PAGE_STATEMENTS_KEPT)
def _page_statement(
    claim_filter: ClaimFilter, direction: str | None, size: int, dialect: str
) -> Select[*tuple[Any, ...]]:
    """:func:`_page_select` built once per filter, with the keyset cursor left as the parameter ``cursor``."""
    return _page_select(claim_filter, direction, bindparam("cursor", type_=Integer), size, dialect)


def _page_direction(after: int | None, before: int | None) -> tuple[str | None, dict[str, int]]:
    if before is not None:
        return "newer", {"cursor": before}
    if after is not None:
        return "older", {"cursor": after}
    return None, {}


def claims_page_query(
    claim_filter: ClaimFilter, *, after: int | None, before: int | None, size: int, dialect: str | None = None
) -> Select[*tuple[Any, ...]]:
    """The statement behind :func:`claims_page`, with the cursor's value in it: up to ``size`` + 1
    rows, newest first.

    The page's ids are found first (from an index alone where the filter allows), then only those
    rows are joined to their speaker, source and cluster.
    """
    direction, cursor = _page_direction(after, before)
    value = bindparam("cursor", cursor.get("cursor"), type_=Integer)
    return _page_select(claim_filter, direction, value, size, dialect)


def claims_page(
    session: Session, claim_filter: ClaimFilter, *, after: int | None, before: int | None, size: int
) -> ClaimPage:
    """One page by keyset on id (newest first): ``after`` goes older, ``before`` goes newer.

    Rows are read as plain values, not ORM objects: loading 50 claims with their speaker, source
    and sentence relationships cost more than the query did.
    """
    direction, cursor = _page_direction(after, before)
    # On the session's connection, not through the ORM's execute: the rows are plain values anyway,
    # and the ORM's statement set-up cost a fifth of a millisecond per page.
    connection = session.connection()
    statement = _page_statement(claim_filter, direction, size, connection.dialect.name)
    rows = connection.execute(statement, cursor).all()
    more = len(rows) > size
    if more:  # the row past the page: the oldest going older, the newest going newer
        rows = rows[:-1] if before is None else rows[1:]
    claims = [_listed(row) for row in rows]
    if before is not None:
        return ClaimPage(claims, has_older=True, has_newer=more)
    return ClaimPage(claims, has_older=more, has_newer=after is not None)


#: What the audit trail records changes of.
ENTITY_TYPES = ("claim", "speaker", "source", "editor")


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to show or export; dates are whole UTC days, both ends included."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: int | None = None

    def __post_init__(self) -> None:
        if self.entity_type is not None and self.entity_type not in ENTITY_TYPES:
            raise InputError(f"entity={self.entity_type!r} is not one of: {', '.join(ENTITY_TYPES)}")

    def bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """The first moment included and the first moment after the range (None when open)."""
        end = _start_of(self.date_to + dt.timedelta(days=1)) if self.date_to else None
        return (_start_of(self.date_from) if self.date_from else None), end

    def apply(self, stmt: S) -> S:
        """Add this filter's conditions to a select over ``AuditEvent``."""
        start, end = self.bounds()
        if start:
            stmt = stmt.where(AuditEvent.created_at >= start)
        if end:
            stmt = stmt.where(AuditEvent.created_at < end)
        if self.actor:
            stmt = stmt.where(AuditEvent.actor == self.actor)
        if self.action:
            stmt = stmt.where(AuditEvent.action == self.action)
        if self.entity_type:
            stmt = stmt.where(AuditEvent.entity_type == self.entity_type)
            if self.entity_id is not None:
                stmt = stmt.where(AuditEvent.entity_id == self.entity_id)
        return stmt


def audit_page(
    session: Session, audit_filter: AuditFilter, *, before_id: int | None = None, size: int = 100
) -> tuple[list[AuditEvent], bool]:
    """One page of matching events, newest first, older than ``before_id``; and whether more follow."""
    stmt = audit_filter.apply(select(AuditEvent)).order_by(AuditEvent.id.desc())
    if before_id is not None:
        stmt = stmt.where(AuditEvent.id < before_id)
    events = list(session.scalars(stmt.limit(size + 1)))
    return events[:size], len(events) > size


def sources_page(
    session: Session, *, before_id: int | None = None, size: int = 100
) -> tuple[list[tuple[Source, int]], bool]:
    """One page of sources, newest first, each with its claim count; and whether more follow."""
    stmt = select(Source).order_by(Source.id.desc())
    if before_id is not None:
        stmt = stmt.where(Source.id < before_id)
    sources = list(session.scalars(stmt.limit(size + 1)))
    more = len(sources) > size
    sources = sources[:size]
    counts: dict[int, int] = {}
    if sources:
        counts = dict(
            session.execute(
                select(Claim.source_id, func.count())
                .where(Claim.source_id.in_([s.id for s in sources]))
                .group_by(Claim.source_id)
            ).all()
        )
    return [(source, counts.get(source.id, 0)) for source in sources], more


#: How many names a speaker suggestion offers: enough to pick from, few enough to read.
SUGGESTIONS = 12


@dataclass(frozen=True)
class SpeakerSuggestion:
    """A speaker offered for typed words: its name, and the alias that matched if not the name."""

    id: int
    name: str
    alias: str | None
    role: str | None


def suggest_speakers(session: Session, typed: str, limit: int = SUGGESTIONS) -> list[SpeakerSuggestion]:
    """Speakers whose name or an alias contains ``typed`` (compared as the alias registry compares
    names: case and accents aside), names starting with it first. A search, not a list: type more to
    narrow it."""
    key = normalize_alias(typed[:200])
    if not key:
        return []
    contains = SpeakerAlias.normalized.like(f"%{_escape_like(key)}%", escape="\\")
    starts = SpeakerAlias.normalized.like(f"{_escape_like(key)}%", escape="\\")
    rows = session.execute(
        select(Speaker.id, Speaker.name, SpeakerAlias.alias, Speaker.role)
        .join(SpeakerAlias, SpeakerAlias.speaker_id == Speaker.id)
        .where(contains)
        .order_by(~starts, func.length(SpeakerAlias.normalized), Speaker.id)
        .limit(limit * 4)
    ).all()
    found: dict[int, SpeakerSuggestion] = {}
    for speaker_id, name, alias, role in rows:
        if speaker_id not in found:
            found[speaker_id] = SpeakerSuggestion(speaker_id, name, None if alias == name else alias, role)
    return list(found.values())[:limit]


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
