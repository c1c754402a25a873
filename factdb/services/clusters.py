"""Claim clusters: matching new claims with earlier ones, editors' corrections, and reading a cluster.

Matching (:func:`match_claims`) runs at ingest for the new claims and over an archive with
``factdb claims match``: each claim gets its MinHash LSH keys (stored, so later claims find it),
is compared with the earlier claims in other sources that share a key, and joins the cluster of
the best match (see :mod:`factdb.matching` for what counts as the same statement). Matching only
ever adds a claim that is in no cluster; it never moves or splits what an editor arranged, and
never puts into one cluster two claims an editor marked "not the same".

Editors split a claim off (it is then "not the same" as every claim left in the cluster), merge
two claims' clusters, or mark two claims as not the same; each change is one audit event in the
same transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    Table,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from factdb.db import bind_processor, in_chunks, utcnow
from factdb.enums import ClaimStatus, EditorRole, Stance
from factdb.errors import InputError
from factdb.matching import Prepared, match_score, prepare
from factdb.matching.score import EMPTY_KEY, PERFECT_SCORE, lsh_keys_many
from factdb.models import (
    Claim,
    ClaimCluster,
    ClaimClusterMember,
    ClaimMatchKey,
    ClaimNotSame,
    Review,
    Source,
)
from factdb.models.cluster import UNRESOLVED_SPEAKER
from factdb.services.audit import (
    Actor,
    EventSpec,
    lock_audit_chain,
    record_event,
    record_events,
    require_role,
)

#: At most this many earlier claims are compared with a new claim (the most recent of those its
#: keys find that pass the speaker and source vetoes): a statement travels within days, and a
#: common wording must not make one claim cost thousands of comparisons.
MAX_CANDIDATES = 50

#: Of the claims sharing one LSH key, the most recent this many below the claim that pass the
#: vetoes (another source; the same or an unresolved speaker) are candidates. Counted after the
#: vetoes and below each claim itself, so how many claims one pass matches never changes which
#: candidates a claim gets (a per-batch bound let a batch's own later claims and other speakers'
#: claims take the places of real candidates).
PER_KEY = 5
#: Lookups per statement: each (claim, key) lookup is one or two bounded index scans (see
#: :func:`_candidates_sql`), and SQLite allows at most 500 terms in a compound SELECT.
KEYS_PER_QUERY = 64
#: Fills the last statement's unused key slots: no band key is this value (a 64-bit hash would have
#: to come out exactly at the bottom of the range).
PAD_KEY = -(2**63)

#: Statuses that, found together in one cluster, make it a conflict (one copy confirmed, another
#: disputed or false).
CONFLICTING = (frozenset({ClaimStatus.CONFIRMED}), frozenset({ClaimStatus.DISPUTED, ClaimStatus.FALSE}))


class _Row(NamedTuple):
    id: int
    source_id: int
    speaker_id: int | None
    stance: Stance
    content: str
    #: The cluster it is in, if any (read with it: one query fewer per matching pass).
    cluster_id: int | None


def _id_list(connection: Connection, ids: Iterable[int]) -> tuple[str, str | list[int]]:
    """SQL that tests a column against ``ids`` bound as one parameter, and that parameter.

    One parameter, whatever the number of ids: the statement's text is the same every time, so the
    database prepares it once and SQLAlchemy renders nothing per call (an expanding ``IN`` cost
    more to render than a 40-claim lookup cost to run). SQLite reads a JSON array with
    ``json_each``; PostgreSQL compares with ``ANY`` of an array.
    """
    ordered = sorted(set(ids))
    if connection.dialect.name == "postgresql":
        return "= ANY(%s)", ordered
    return "IN (SELECT value FROM json_each(?))", json.dumps(ordered)


def _select_in(session: Session, sql: str, ids: Iterable[int]) -> list[Any]:
    """The rows of plain ``sql`` whose ``{test}`` tests a column against ``ids`` (see :func:`_id_list`)."""
    connection = session.connection()
    test, param = _id_list(connection, ids)
    return list(connection.exec_driver_sql(sql.format(test=test), (param,)).fetchall())


_STANCES = {stance.value: stance for stance in Stance}


def _load_rows(session: Session, ids: Iterable[int]) -> dict[int, _Row]:
    """The claims ``ids`` with their clusters."""
    connection = session.connection()
    test, param = _id_list(connection, ids)
    found = connection.exec_driver_sql(
        f"SELECT c.id, c.source_id, c.speaker_id, c.stance, c.content, m.cluster_id "  # noqa: S608 (constants)
        f"FROM {Claim.__tablename__} AS c LEFT JOIN {ClaimClusterMember.__tablename__} AS m "
        f"ON m.claim_id = c.id WHERE c.id {test}",
        (param,),
    ).fetchall()
    # Tuples, not an object per claim; the stance as the enum the ORM would give (by a dict:
    # calling the enum class per row cost more than reading the row).
    return {r[0]: _Row(r[0], r[1], r[2], _STANCES[r[3]], r[4], r[5]) for r in found}


def _not_same_pairs(session: Session, ids: Iterable[int]) -> dict[int, set[int]]:
    pairs: dict[int, set[int]] = defaultdict(set)
    connection = session.connection()
    test, param = _id_list(connection, ids)
    for a, b in connection.exec_driver_sql(
        f"SELECT claim_id, other_claim_id FROM {ClaimNotSame.__tablename__} "  # noqa: S608 (constants)
        f"WHERE claim_id {test} OR other_claim_id {test}",
        (param, param),
    ).fetchall():
        pairs[a].add(b)
        pairs[b].add(a)
    return pairs


def _members(session: Session, cluster_id: int) -> list[int]:
    return list(
        session.scalars(
            select(ClaimClusterMember.claim_id)
            .where(ClaimClusterMember.cluster_id == cluster_id)
            .order_by(ClaimClusterMember.claim_id)
        )
    )


def recount(session: Session, cluster_ids: Iterable[int]) -> None:
    """Set the claim and source counts of ``cluster_ids``; delete those left with fewer than two claims."""
    for chunk in in_chunks(sorted(set(cluster_ids))):
        counts = {
            r.cluster_id: (r.claims, r.sources)
            for r in session.execute(
                select(
                    ClaimClusterMember.cluster_id,
                    func.count().label("claims"),
                    func.count(func.distinct(Claim.source_id)).label("sources"),
                )
                .join(Claim, Claim.id == ClaimClusterMember.claim_id)
                .where(ClaimClusterMember.cluster_id.in_(chunk))
                .group_by(ClaimClusterMember.cluster_id)
            )
        }
        lonely = [c for c in chunk if counts.get(c, (0, 0))[0] < 2]
        if lonely:
            session.execute(delete(ClaimClusterMember).where(ClaimClusterMember.cluster_id.in_(lonely)))
            session.execute(delete(ClaimCluster).where(ClaimCluster.id.in_(lonely)))
        changes = [
            {"id": cluster_id, "claim_count": claims, "source_count": sources}
            for cluster_id, (claims, sources) in counts.items()
            if cluster_id not in lonely
        ]
        if changes:
            # One executemany by primary key (ORM bulk UPDATE), not a statement per cluster.
            session.execute(update(ClaimCluster), changes)


_INSERT_KEYS_QMARK = 'INSERT INTO claim_match_keys (claim_id, "key", speaker_key) VALUES (?, ?, ?)'
# PostgreSQL: the rows as three arrays in one statement. psycopg runs an executemany as one INSERT
# per row (six a claim), which cost 60-100 µs a row, ten times what the database spends storing it.
_INSERT_KEYS_ARRAYS = (
    'INSERT INTO claim_match_keys (claim_id, "key", speaker_key) '
    "SELECT * FROM unnest(%s::integer[], %s::bigint[], %s::integer[])"
)


def _insert_keys(session: Session, claims: Iterable[tuple[int, list[int], int | None]]) -> None:
    """Store the keys of each ``(claim_id, keys, speaker_id)`` at the driver, a row per key (six a
    claim; the ORM's bulk insert spent more per row building parameters than the database spent
    storing it), with the speaker as ``speaker_key`` (:data:`UNRESOLVED_SPEAKER` when None)."""
    lock_audit_chain(session)  # before the first write, as every write of a session takes it
    rows = [
        (claim_id, key, speaker_id or UNRESOLVED_SPEAKER)
        for claim_id, keys, speaker_id in claims
        for key in keys
    ]
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        claim_ids, keys, speakers = (list(column) for column in zip(*rows, strict=True))
        connection.exec_driver_sql(_INSERT_KEYS_ARRAYS, (claim_ids, keys, speakers))
    else:
        connection.exec_driver_sql(_INSERT_KEYS_QMARK, rows)


@dataclass
class MatchResult:
    """What one matching pass did."""

    matched: int = 0
    #: ``(claim_id, cluster_id)`` for every claim that joined a cluster.
    joins: list[tuple[int, int]] = field(default_factory=list)
    new_clusters: int = 0


def _new_cluster(session: Session) -> int:
    return int(session.scalars(insert(ClaimCluster).returning(ClaimCluster.id), [{}]).one())  # for merge


def match_claims(session: Session, actor: Actor, claim_ids: Sequence[int]) -> MatchResult:
    """Match ``claim_ids`` (claims without match keys) with the earlier claims, in id order.

    Stores each claim's LSH keys, puts each claim that is in no cluster into the cluster of its
    best match among earlier claims of other sources (creating the cluster when the match stood
    alone), and records one ``claims.match`` audit event listing the joins. Claims already in a
    cluster only get their keys. Flushes, never commits.
    """
    with no_cyclic_gc():
        return _match_claims(session, actor, claim_ids)


@contextlib.contextmanager
def no_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused for the block (restored after, if it was on).

    For the bulk paths (a matching pass, an ingest's store). A matching pass allocates tens of
    thousands of short-lived tuples and sets, none of them in a reference cycle, and each few hundred
    allocations made the collector walk its generations; the full walks over the matcher's caches
    (hundreds of thousands of prepared claims and words) took about a tenth of an ingest with
    matching. Paused, the pass's garbage is still freed by reference counting, and the collector runs
    as usual after it.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _match_claims(session: Session, actor: Actor, claim_ids: Sequence[int]) -> MatchResult:
    result = MatchResult()
    session.flush()  # the rows are read on the connection, which does not autoflush
    rows = _load_rows(session, claim_ids)
    if not rows:
        return result
    ordered = sorted(rows)
    prepared: dict[int, Prepared] = {i: prepare(r.content, r.speaker_id, r.stance) for i, r in rows.items()}
    keys = dict(zip(ordered, lsh_keys_many([prepared[i] for i in ordered]), strict=True))
    # Which keys earlier claims have, read before this pass's keys go in (see _known_keys).
    known, unresolved = _known_keys(session, {k for i in ordered for k in keys[i] if k != EMPTY_KEY})
    _insert_keys(session, [(i, keys[i], rows[i].speaker_id) for i in ordered])
    result.matched = len(ordered)

    # Each claim's candidates: the earlier claims sharing one of its keys (EMPTY_KEY: claims with no
    # words, compared with nothing) that pass the speaker and source vetoes, PER_KEY a key, then
    # the MAX_CANDIDATES most recent of them; each bounded below the claim itself, so the result
    # does not depend on which other claims the pass matches.
    # Below the first claim of the claim's source rather than below the claim: a source's claims
    # are stored together, so nothing of another source lies between, and a long article whose
    # claims share keys does not make each of them walk past all its own earlier ones.
    first = _first_claim_of_sources(session, {rows[i].source_id for i in ordered})
    # A lookup can find a claim only where its key was stored before this pass (``known``) or is
    # also a key of a claim of this pass below the lookup's bound: the others are not run at all
    # (in a wire archive most claims say something new, and most of their keys are new too).
    lowest: dict[int, int] = {}
    for i in ordered:
        for k in keys[i]:
            lowest.setdefault(k, i)
        if rows[i].speaker_id is None:
            unresolved.update(keys[i])
    lookups = []
    for i in ordered:
        below = min(i, first.get(rows[i].source_id, i))
        lookups += [
            (below, k, rows[i].speaker_id, i)
            for k in keys[i]
            if k != EMPTY_KEY and (k in known or lowest[k] < below)
        ]
    found: dict[int, set[int]] = defaultdict(set)
    for claim_id, candidate in _candidates(session, lookups, unresolved):
        found[claim_id].add(candidate)
    candidates = {i: sorted(found.get(i, ()), reverse=True)[:MAX_CANDIDATES] for i in ordered}
    rows.update(_load_rows(session, {c for cs in candidates.values() for c in cs} - rows.keys()))
    cluster = {i: r.cluster_id for i, r in rows.items() if r.cluster_id is not None}
    vetoes = _not_same_pairs(session, ordered)
    # Decided in memory, written at the end in a few statements. New clusters get provisional
    # negative ids until they are inserted; members already stored are read only for a veto check.
    stored: dict[int, set[int]] = {}
    added: dict[int, list[int]] = defaultdict(list)

    def group_of(cluster_id: int) -> set[int]:
        if cluster_id > 0 and cluster_id not in stored:
            stored[cluster_id] = set(_members(session, cluster_id))
        return stored.get(cluster_id, set()) | set(added.get(cluster_id, ()))

    for i in ordered:
        if i in cluster:
            continue
        me = prepared[i]
        best: tuple[float, int] | None = None
        for c in candidates[i]:
            other = rows.get(c)
            if other is None or other.source_id == rows[i].source_id:
                continue
            if me.speaker_key is not None and other.speaker_id not in (None, me.speaker_key):
                continue  # vetoed by speaker (checked before preparing the other claim)
            if c not in prepared:
                prepared[c] = prepare(other.content, other.speaker_id, other.stance)
            score = match_score(me, prepared[c])
            if score is None:
                continue
            if vetoes.get(i) and (group_of(cluster[c]) if c in cluster else {c}) & vetoes[i]:
                continue
            if best is None or score > best[0]:
                best = (score, c)
                if score >= PERFECT_SCORE:
                    break  # no later candidate can score higher and take its place
        if best is None:
            continue
        target = best[1]
        if target not in cluster:
            cluster[target] = -(result.new_clusters + 1)
            result.new_clusters += 1
            added[cluster[target]].append(target)
        cluster[i] = cluster[target]
        added[cluster[i]].append(i)
    if added:
        _store_joins(session, actor, added, rows, result)
    session.flush()
    return result


#: New clusters per INSERT statement on SQLite (three parameters each, far below its limit).
CLUSTERS_PER_INSERT = 500


def _insert_clusters(session: Session, values: list[dict[str, int]]) -> list[int]:
    """Insert a cluster for each of ``values`` (its counts); their ids, in the order of ``values``.

    On SQLite SQLAlchemy inserts such rows one statement each (it cannot rely on the order of a
    multi-row RETURNING), a thousand statements a pass. Here they go in a few multi-row statements:
    SQLite numbers the rows of one INSERT in the order of its VALUES, one above the table's largest
    id, and this transaction holds the write lock, so the returned ids sorted are in that order.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        returning = insert(ClaimCluster).returning(ClaimCluster.id, sort_by_parameter_order=True)
        return list(session.scalars(returning, values).all())
    lock_audit_chain(session)
    # The time as SQLAlchemy would store it (UTCDateTime's processing, then SQLite's text form).
    process = bind_processor(cast(Table, ClaimCluster.__table__).c.created_at, connection.dialect)
    now = utcnow() if process is None else process(utcnow())
    ids: list[int] = []
    for start in range(0, len(values), CLUSTERS_PER_INSERT):
        chunk = values[start : start + CLUSTERS_PER_INSERT]
        rows = ", ".join(["(?, ?, ?)"] * len(chunk))
        params = tuple(p for v in chunk for p in (v["claim_count"], v["source_count"], now))
        found = connection.exec_driver_sql(
            f"INSERT INTO {ClaimCluster.__tablename__} (claim_count, source_count, created_at) "  # noqa: S608
            f"VALUES {rows} RETURNING id",
            params,
        )
        ids += sorted(row[0] for row in found)
    return ids


def _store_joins(
    session: Session, actor: Actor, added: dict[int, list[int]], rows: Mapping[int, _Row], result: MatchResult
) -> None:
    """Insert the new clusters and every new member, update the counts, record the ``claims.match`` event."""
    provisional = sorted((c for c in added if c < 0), reverse=True)  # -1, -2, ...: in order of creation
    real: dict[int, int] = {}
    if provisional:
        values = [
            {"claim_count": len(added[c]), "source_count": len({rows[m].source_id for m in added[c]})}
            for c in provisional
        ]
        real = dict(zip(provisional, _insert_clusters(session, values), strict=True))
    result.joins = [(m, real.get(c, c)) for c, claim_ids in added.items() for m in claim_ids]
    connection = session.connection()
    mark = "%s" if connection.dialect.name == "postgresql" else "?"
    members, clusters = ClaimClusterMember.__tablename__, ClaimCluster.__tablename__
    connection.exec_driver_sql(
        f"INSERT INTO {members} (claim_id, cluster_id) VALUES ({mark}, {mark})",  # noqa: S608 (constants)
        result.joins,
    )
    grown = [c for c in added if c > 0]
    if grown:
        # Clusters only grow here (no cluster is left with fewer than two claims, as :func:`recount`
        # allows for): one statement sets their counts.
        test, param = _id_list(connection, grown)
        connection.exec_driver_sql(
            f"UPDATE {clusters} SET claim_count = "  # noqa: S608 (constants)
            f"(SELECT count(*) FROM {members} AS m WHERE m.cluster_id = {clusters}.id), source_count = "
            f"(SELECT count(DISTINCT c.source_id) FROM {members} AS m JOIN {Claim.__tablename__} AS c "
            f"ON c.id = m.claim_id WHERE m.cluster_id = {clusters}.id) WHERE id {test}",
            (param,),
        )
    # One event for the pass, inserted as a row (no ORM object and flush for it).
    record_events(
        session, actor,
        [EventSpec("claims.match", "cluster", None,
                   after={"joins": [list(j) for j in result.joins], "new_clusters": result.new_clusters})],
    )  # fmt: skip


#: The kinds of candidate lookup: a resolved claim's whose key has claims of unresolved speakers
#: (two scans), a resolved claim's whose key has none (one scan: its speaker's), an unresolved
#: claim's (one scan: any speaker).
_BOTH, _SPEAKER, _ANY = "both", "speaker", "any"


@functools.cache
def _candidates_sql(paramstyle: str, kind: str) -> str:
    """UNION ALL of :data:`KEYS_PER_QUERY` lookups, one (claim, key) each, for the driver (built once).

    A lookup of a claim whose speaker is resolved scans for the :data:`PER_KEY` newest claims with
    the key below a bound of the claim's speaker and (kind ``both``) of unresolved speakers; of a
    claim whose speaker is unresolved (kind ``any``), the PER_KEY newest of any speaker. A scan of
    one speaker is a range scan of the table's key (key, speaker_key, claim_id), newest first, that
    stops at its PER_KEY-th claim: no claims row and no other speaker's key is read. A scan of any
    speaker reads the key's rows of every speaker and keeps the newest (claims of unresolved speakers
    are the few whose source names no outlet, and a key's rows are few). The bound lies
    below the first claim of the claim's source (see :func:`match_claims`), so every claim found
    is of another source. A candidate sharing several keys with the claim comes back once per key
    (the caller keeps a set). Plain SQL run at the driver: with many parameters a statement,
    SQLAlchemy's processing of them cost more than the database spent running it.
    """
    mark = "?" if paramstyle == "qmark" else "%s"
    scan = (
        f"SELECT * FROM (SELECT {mark} AS for_id, claim_id FROM {ClaimMatchKey.__tablename__} "  # noqa: S608
        f'WHERE "key" = {mark} AND {{speaker}}claim_id < {mark} ORDER BY claim_id DESC LIMIT {PER_KEY}) '
        f"AS s{{n}}"
    )
    speakers = {
        _BOTH: (f"speaker_key = {mark} AND ", f"speaker_key = {UNRESOLVED_SPEAKER} AND "),
        _SPEAKER: (f"speaker_key = {mark} AND ",),
        _ANY: ("",),
    }[kind]
    parts = [
        scan.format(speaker=speaker, n=len(speakers) * n + x)
        for n in range(KEYS_PER_QUERY)
        for x, speaker in enumerate(speakers)
    ]
    return " UNION ALL ".join(parts)


def _known_keys(session: Session, keys: Iterable[int]) -> tuple[set[int], set[int]]:
    """Those of ``keys`` that some stored claim has, and those that some stored claim of an
    unresolved speaker has: two probes of an index per key, in one statement.

    Lookups of the other keys are skipped, and so is the scan for unresolved speakers' claims of a
    key that has none (it cost as much as the scan of the claim's own speaker and, in most archives,
    finds nothing).
    """
    connection = session.connection()
    table = ClaimMatchKey.__tablename__
    ordered = sorted(set(keys))
    param: str | list[int] = ordered
    values = "unnest(%s::bigint[]) AS v(k)"
    if connection.dialect.name != "postgresql":
        values, param = "(SELECT value AS k FROM json_each(?))", json.dumps(ordered)
    found = connection.exec_driver_sql(
        f'SELECT k, EXISTS (SELECT 1 FROM {table} WHERE "key" = k AND speaker_key = {UNRESOLVED_SPEAKER}) '  # noqa: S608
        f'FROM {values} WHERE EXISTS (SELECT 1 FROM {table} WHERE "key" = k)',
        (param,),
    ).fetchall()
    return {k for k, _ in found}, {k for k, unresolved in found if unresolved}


def _first_claim_of_sources(session: Session, source_ids: Iterable[int]) -> dict[int, int]:
    """The lowest claim id of each of ``source_ids``."""
    sql = (
        f"SELECT source_id, min(id) FROM {Claim.__tablename__} "  # noqa: S608 (constants)
        "WHERE source_id {test} GROUP BY source_id"
    )
    return {source_id: first for source_id, first in _select_in(session, sql, source_ids)}


_GENERIC_PLANS = (
    "SELECT current_setting('plan_cache_mode'), set_config('plan_cache_mode', 'force_generic_plan', true)"
)


def _candidates(
    session: Session, lookups: Sequence[tuple[int, int, int | None, int]], unresolved: Set[int]
) -> Iterable[tuple[int, int]]:
    """``(claim_id, candidate_id)`` for the ``(below, key, speaker_id, claim_id)`` lookups: the claims
    below ``below`` with the key, the :data:`PER_KEY` newest of the same speaker and of unresolved
    speakers (of any speaker when ``speaker_id`` is None); see :func:`_candidates_sql`. The scan for
    unresolved speakers runs only for the keys in ``unresolved`` (those some claim of an unresolved
    speaker has). The last statement of each kind is padded with lookups that read nothing."""
    connection = session.connection()
    resolved = [lookup for lookup in lookups if lookup[2] is not None]
    kinds = {
        _BOTH: [lookup for lookup in resolved if lookup[1] in unresolved],
        _SPEAKER: [lookup for lookup in resolved if lookup[1] not in unresolved],
        _ANY: [lookup for lookup in lookups if lookup[2] is None],
    }
    generic_plans = connection.dialect.name == "postgresql" and bool(lookups)
    if generic_plans:
        # One plan per statement for the whole pass: these statements are 64 index range scans each,
        # the same plan whatever the parameters, and planning them anew each time (the connection's
        # force_custom_plan, see factdb.db) cost three times what running them did. Local to the
        # transaction, set back after the lookups (a rollback undoes it too).
        previous = connection.exec_driver_sql(_GENERIC_PLANS).scalar_one()
    for kind, mine in kinds.items():
        sql = _candidates_sql(connection.dialect.paramstyle, kind)
        for start in range(0, len(mine), KEYS_PER_QUERY):
            chunk = mine[start : start + KEYS_PER_QUERY]
            chunk += [(0, PAD_KEY, UNRESOLVED_SPEAKER, 0)] * (KEYS_PER_QUERY - len(chunk))
            params: list[int | None] = []
            if kind == _BOTH:
                for below, key, speaker, claim_id in chunk:
                    params += (claim_id, key, speaker, below, claim_id, key, below)
            elif kind == _SPEAKER:
                for below, key, speaker, claim_id in chunk:
                    params += (claim_id, key, speaker, below)
            else:
                for below, key, _, claim_id in chunk:
                    params += (claim_id, key, below)
            yield from connection.exec_driver_sql(sql, tuple(params)).fetchall()
    if generic_plans:
        connection.exec_driver_sql("SELECT set_config('plan_cache_mode', %s, true)", (previous,))


def refresh_keys(session: Session, claim: Claim) -> None:
    """Compute a matched claim's LSH keys again from its content and stance (after an editor
    corrected either): later claims then find it by what it now says. A claim not matched yet keeps
    none (the backfill gives it its keys). Its cluster stays as it is: whether the corrected claim
    still states the same thing as the others is the editors' call (split off)."""
    session.flush()
    matched = select(ClaimMatchKey.claim_id).where(ClaimMatchKey.claim_id == claim.id).exists()
    if not session.scalar(select(matched)):
        return
    session.execute(delete(ClaimMatchKey).where(ClaimMatchKey.claim_id == claim.id))
    (keys,) = lsh_keys_many([prepare(claim.content, claim.speaker_id, claim.stance)])
    _insert_keys(session, [(claim.id, keys, claim.speaker_id)])


def unmatched_claim_ids(session: Session, after_id: int, limit: int) -> list[int]:
    """Ids above ``after_id`` of claims that have no match keys yet (what a resumed backfill does next)."""
    has_keys = select(ClaimMatchKey.claim_id).where(ClaimMatchKey.claim_id == Claim.id).exists()
    return list(
        session.scalars(
            select(Claim.id).where(Claim.id > after_id, ~has_keys).order_by(Claim.id).limit(limit)
        )
    )


def count_unmatched(session: Session) -> int:
    """How many claims have no match keys yet."""
    has_keys = select(ClaimMatchKey.claim_id).where(ClaimMatchKey.claim_id == Claim.id).exists()
    return int(session.scalar(select(func.count()).select_from(Claim).where(~has_keys)) or 0)


def forget_keys_of_unclustered(session: Session) -> int:
    """Drop the match keys of every claim in no cluster, so the next backfill matches them again.

    Editors' "not the same" pairs stay, so a claim split off is never put back.
    """
    in_cluster = select(ClaimClusterMember.claim_id)
    result = session.execute(delete(ClaimMatchKey).where(ClaimMatchKey.claim_id.not_in(in_cluster)))
    return int(getattr(result, "rowcount", 0) or 0)


# --- Editors' corrections -------------------------------------------------------------------


def _cluster_id(session: Session, claim: Claim) -> int | None:
    return session.scalar(
        select(ClaimClusterMember.cluster_id).where(ClaimClusterMember.claim_id == claim.id)
    )


def _add_not_same(session: Session, actor: Actor, claim_id: int, others: Iterable[int]) -> list[list[int]]:
    pairs = sorted({(min(claim_id, o), max(claim_id, o)) for o in others if o != claim_id})
    session.flush()  # the pairs are read on the connection, which does not autoflush
    existing = _not_same_pairs(session, [claim_id])
    new = [p for p in pairs if p[1] not in existing.get(p[0], set())]
    if new:
        session.execute(
            insert(ClaimNotSame),
            [
                {"claim_id": a, "other_claim_id": b, "created_by_id": None if actor is None else actor.id}
                for a, b in new
            ],
        )
    return [list(p) for p in new]


def split_off(session: Session, actor: Actor, claim: Claim) -> int:
    """Take ``claim`` out of its cluster; it is "not the same" as every claim left there.

    Returns the cluster's id. A cluster left with one claim is dissolved.
    """
    require_role(actor, EditorRole.EDITOR)
    cluster_id = _cluster_id(session, claim)
    if cluster_id is None:
        raise InputError(f"claim {claim.id} is in no cluster")
    before = _members(session, cluster_id)
    session.execute(delete(ClaimClusterMember).where(ClaimClusterMember.claim_id == claim.id))
    pairs = _add_not_same(session, actor, claim.id, before)
    recount(session, [cluster_id])
    record_event(
        session, actor, "cluster.split", "cluster", cluster_id,
        before={"claims": before},
        after={"claims": [c for c in before if c != claim.id], "split_off": claim.id, "not_same": pairs},
    )  # fmt: skip
    return cluster_id


def mark_not_same(session: Session, actor: Actor, claim: Claim, other: Claim) -> None:
    """Record that ``claim`` and ``other`` are not the same statement; if one cluster holds both,
    the later of the two leaves it. Matching never puts them together again."""
    require_role(actor, EditorRole.EDITOR)
    if claim.id == other.id:
        raise InputError("a claim is always the same as itself")
    cluster_a, cluster_b = _cluster_id(session, claim), _cluster_id(session, other)
    later = claim if claim.id > other.id else other
    if cluster_a is not None and cluster_a == cluster_b:
        before = _members(session, cluster_a)
        session.execute(delete(ClaimClusterMember).where(ClaimClusterMember.claim_id == later.id))
        recount(session, [cluster_a])
    else:
        before = []
    pairs = _add_not_same(session, actor, claim.id, [other.id])
    if not pairs and not before:
        raise InputError(f"claims {claim.id} and {other.id} are already marked as not the same")
    record_event(
        session, actor, "cluster.not_same", "cluster", cluster_a if before else None,
        before={"claims": before} if before else None,
        after={"not_same": [[min(claim.id, other.id), max(claim.id, other.id)]],
               "split_off": later.id if before else None},
    )  # fmt: skip


def merge(session: Session, actor: Actor, claim: Claim, other: Claim) -> int:
    """Put ``claim`` and ``other`` (with their clusters) into one cluster; returns its id.

    The editor's word replaces any "not the same" recorded between the two groups.
    """
    require_role(actor, EditorRole.EDITOR)
    if claim.id == other.id:
        raise InputError("a claim cannot be merged with itself")
    cluster_a, cluster_b = _cluster_id(session, claim), _cluster_id(session, other)
    if cluster_a is not None and cluster_a == cluster_b:
        raise InputError(f"claims {claim.id} and {other.id} are already in one cluster")
    group_a = _members(session, cluster_a) if cluster_a is not None else [claim.id]
    group_b = _members(session, cluster_b) if cluster_b is not None else [other.id]
    keep = min(c for c in (cluster_a, cluster_b) if c is not None) if (cluster_a or cluster_b) else None
    if keep is None:
        keep = _new_cluster(session)
    moving_ids = (group_a if cluster_a != keep else []) + (group_b if cluster_b != keep else [])
    session.execute(delete(ClaimClusterMember).where(ClaimClusterMember.claim_id.in_(moving_ids)))
    session.execute(insert(ClaimClusterMember), [{"claim_id": c, "cluster_id": keep} for c in moving_ids])
    removed = session.execute(
        delete(ClaimNotSame)
        .where(
            or_(
                ClaimNotSame.claim_id.in_(group_a) & ClaimNotSame.other_claim_id.in_(group_b),
                ClaimNotSame.claim_id.in_(group_b) & ClaimNotSame.other_claim_id.in_(group_a),
            )
        )
        .returning(ClaimNotSame.claim_id, ClaimNotSame.other_claim_id)
    ).all()
    stale = {c for c in (cluster_a, cluster_b) if c is not None and c != keep}
    recount(session, {keep} | stale)
    record_event(
        session, actor, "cluster.merge", "cluster", keep,
        before={"clusters": [cluster_a, cluster_b], "claims": [group_a, group_b]},
        after={"claims": sorted(set(group_a) | set(group_b)),
               "not_same_removed": sorted([list(r) for r in removed])},
    )  # fmt: skip
    return keep


# --- Reading ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Appearance:
    """One claim of a cluster as pages and reports list it."""

    claim_id: int
    source_id: int
    source_title: str
    outlet: str | None
    published_at: dt.datetime | None
    ingested_at: dt.datetime
    status: ClaimStatus
    content: str
    version: int


@dataclass(frozen=True, slots=True)
class ClusterView:
    """A cluster: its claims in order of first appearance, and whether their verdicts conflict."""

    id: int
    appearances: list[Appearance]
    source_count: int

    @property
    def conflict(self) -> bool:
        """True when one copy is confirmed and another disputed or false."""
        statuses = {a.status for a in self.appearances}
        return all(statuses & group for group in CONFLICTING)

    @property
    def first(self) -> Appearance:
        """The first appearance of the statement."""
        return self.appearances[0]

    def others(self, claim_id: int) -> list[Appearance]:
        """Every appearance but ``claim_id``'s."""
        return [a for a in self.appearances if a.claim_id != claim_id]

    def other_sources(self, claim_id: int) -> int:
        """How many sources other than ``claim_id``'s report the statement."""
        mine = next((a.source_id for a in self.appearances if a.claim_id == claim_id), None)
        return len({a.source_id for a in self.appearances} - {mine})


def appearance_order(a: Appearance) -> tuple[dt.datetime, int]:
    """First appearance first: by publication date (ingest time when unknown), then claim id."""
    when = a.published_at or a.ingested_at
    return (when, a.claim_id)


def cluster_id_of(session: Session, claim_id: int) -> int | None:
    """The id of the cluster ``claim_id`` is in, or None."""
    return session.scalar(
        select(ClaimClusterMember.cluster_id).where(ClaimClusterMember.claim_id == claim_id)
    )


#: What a cluster view reads: each member claim with its source, labelled as Appearance's fields (so a
#: row becomes one by name, never by position); built once, for a cluster id or a claim's cluster.
_CLUSTER_ROWS = (
    select(
        ClaimClusterMember.cluster_id, Claim.id.label("claim_id"), Claim.source_id,
        Source.title.label("source_title"), Source.outlet, Source.published_at, Source.ingested_at,
        Claim.status, Claim.content, Claim.version,
    )
    .join(ClaimClusterMember, ClaimClusterMember.claim_id == Claim.id)
    .join(Source, Source.id == Claim.source_id)
)  # fmt: skip
_CLUSTER_BY_ID = _CLUSTER_ROWS.where(ClaimClusterMember.cluster_id == bindparam("cluster_id"))
_CLUSTER_OF_CLAIM = _CLUSTER_ROWS.where(
    ClaimClusterMember.cluster_id
    == select(ClaimClusterMember.cluster_id)
    .where(ClaimClusterMember.claim_id == bindparam("claim_id"))
    .scalar_subquery()
)


def _cluster_view(session: Session, statement: Any, values: dict[str, int]) -> ClusterView | None:
    """The cluster ``statement`` (:data:`_CLUSTER_BY_ID` or :data:`_CLUSTER_OF_CLAIM`) reads with
    ``values``, in one query (through the session, which flushes first: a review just saved counts)."""
    rows = session.execute(statement, values).all()
    if not rows:
        return None
    names = [f.name for f in fields(Appearance)]
    appearances = sorted(
        (Appearance(**{name: getattr(row, name) for name in names}) for row in rows), key=appearance_order
    )
    return ClusterView(rows[0].cluster_id, appearances, len({a.source_id for a in appearances}))


def get_cluster(session: Session, cluster_id: int) -> ClusterView | None:
    """The cluster with ``cluster_id`` (None if there is none), its claims first appearance first."""
    return _cluster_view(session, _CLUSTER_BY_ID, {"cluster_id": cluster_id})


def cluster_of_claim(session: Session, claim_id: int) -> ClusterView | None:
    """The cluster of ``claim_id``, or None when it stands alone (one query: the claim page's)."""
    return _cluster_view(session, _CLUSTER_OF_CLAIM, {"claim_id": claim_id})


# --- Review once -----------------------------------------------------------------------------


class _Unread:
    """The default of an optional ``cluster`` argument: not read yet (None means "no cluster")."""


UNREAD = _Unread()


@dataclass(frozen=True, slots=True)
class VerdictOffer:
    """The preview of applying one claim's verdict to the rest of its cluster.

    ``offered`` are unverified copies (checked by default); ``reviewed`` carry another verdict and
    are left alone unless the editor ticks them; ``already`` have this status.
    """

    review: Review
    cluster: ClusterView
    offered: list[Appearance]
    reviewed: list[Appearance]
    already: list[Appearance]


def plan_cluster_verdict(
    session: Session, review: Review, cluster: ClusterView | None | _Unread = UNREAD
) -> VerdictOffer | None:
    """What applying ``review``'s verdict to the other claims of its claim's cluster would change.

    ``cluster``: that cluster when the caller has read it already (None: the claim stands alone).
    """
    if isinstance(cluster, _Unread):
        cluster = cluster_of_claim(session, review.claim_id)
    if cluster is None:
        return None
    others = cluster.others(review.claim_id)
    status = review.to_status
    return VerdictOffer(
        review,
        cluster,
        [a for a in others if a.status is ClaimStatus.UNVERIFIED and status is not ClaimStatus.UNVERIFIED],
        [a for a in others if a.status not in (ClaimStatus.UNVERIFIED, status)],
        [a for a in others if a.status is status],
    )


def standing_offer(
    session: Session, claim: Claim, cluster: ClusterView | None | _Unread = UNREAD
) -> VerdictOffer | None:
    """The offer a claim's page shows: its current verdict (its last status change, if it set a
    verdict) for the other copies of the statement that do not carry it; None when there is none.

    ``cluster``: the claim's cluster when the caller has read it already (None: it stands alone).
    """
    if isinstance(cluster, _Unread):
        cluster = cluster_of_claim(session, claim.id)
    if cluster is None:
        return None
    # The claim's reviews, oldest first (its page has them loaded already).
    last = next((r for r in reversed(claim.reviews) if r.from_status is not r.to_status), None)
    if last is None or last.to_status is ClaimStatus.UNVERIFIED or last.to_status is not claim.status:
        return None
    offer = plan_cluster_verdict(session, last, cluster)
    return offer if offer is not None and (offer.offered or offer.reviewed) else None


def apply_cluster_verdict(
    session: Session, actor: Actor, review: Review, chosen: Mapping[int, int]
) -> list[Review]:
    """Give each claim in ``chosen`` (claim id -> the version the editor saw) ``review``'s verdict.

    Each claim gets its own review (same status and rationale, a copy of the evidence) through
    :func:`factdb.services.claims.change_status`, pointing to ``review`` (``review_follows``, and
    the audit event's ``followed_review_id``). Only claims of the same cluster; a claim changed
    since the preview is refused (ConflictError), and nothing is saved.
    """
    from factdb.services.claims import EvidenceInput, change_status

    require_role(actor, EditorRole.EDITOR)
    cluster = cluster_of_claim(session, review.claim_id)
    members = set() if cluster is None else {a.claim_id for a in cluster.appearances}
    strays = sorted(set(chosen) - members - {review.claim_id})
    if strays or review.claim_id in chosen:
        raise InputError(
            f"claims {', '.join(map(str, strays or [review.claim_id]))} are not other claims of this cluster"
        )
    if review.from_status is review.to_status:
        raise InputError("only a change of status can be applied to the cluster")
    evidence = [EvidenceInput(e.url, e.stance, e.title, e.note) for e in review.evidence]
    applied: list[Review] = []
    for claim_id in sorted(chosen):
        claim = session.get(Claim, claim_id)
        assert claim is not None  # noqa: S101 (a member of the cluster)
        applied.append(
            change_status(
                session, actor, claim, review.to_status, rationale=review.rationale,
                expected_version=chosen[claim_id], evidence=evidence, follows=review,
            )
        )  # fmt: skip
    return applied
