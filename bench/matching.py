"""Claim matching's cost (issue 17): ingest with and without it, the backfill rate, the claim page.

    python -m bench.matching [--claims 20000] [--db sqlite|postgresql] [--repeat 15]
                             [--archive CLAIMS] [--batch 20000] [--dir FOLDER]

Makes synthetic wire copy in which about a third of the statements are repeated by other outlets
in other words (reported speech, a quotation, "according to", numbers as words or digits), extracts
it once, then:

1. ingests the same articles into new databases (or, with ``--archive``, into copies of an archive
   of that many earlier claims of the same stream, built once and matched by the backfill, its
   clusters scored as below),
   matching off, on (a pass per article, as ``ingest_text`` does) and on after each transaction of
   25 articles (its claims matched together, as ``factdb ingest`` of many files does), with the
   matcher's caches emptied before each leg, and prints the storing times (wall clock and CPU)
   and their ratios: of factdb's own work (the extraction is done
   beforehand), and of the whole ingest, the engine's measured time added to both legs; and how
   the new claims' clusters agree with the statements the generator wrote (pair precision and
   recall);
2. runs the backfill (``factdb claims match``'s batches) over the claims ingested without matching
   and prints its rate and what it comes to for 1,000,000 claims (the rate in the first and the last
   part of the run is printed too: candidates come from an index that grows with the archive);
3. times the claim page of a claim in a cluster and of a claim alone through the real Flask app.

SQLite databases go to bench/results/ (or --dir); PostgreSQL uses schemas of their own in
FACTDB_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select, text

from factdb.config import Settings
from factdb.db import make_engine, make_session_factory
from factdb.enums import EditorRole
from factdb.extract import Extraction
from factdb.matching import clear_caches
from factdb.migrate import upgrade
from factdb.models import Claim, ClaimClusterMember, Editor, Source
from factdb.services import clusters
from factdb.services.editors import create_editor
from factdb.services.ingest import derive_after_ingests, extract_all, ingest_text
from factdb.services.validation import control_character
from factdb.web.app import create_app

RESULTS = Path(__file__).resolve().parent / "results"
OUTLETS = ["Daily Ledger", "Evening Wire", "Morning Post", "Radio North", "Harbour Times", "Coast Courier"]
SURNAMES = ("Brandt", "Costa", "Dvorak", "Engel", "Haas", "Novak", "Varga", "Weber")
FIRST_NAMES = ("Anna", "Boris", "Carla", "Dmitri", "Elena", "Farid", "Greta", "Hassan", "Irina", "Jonas")
PEOPLE = [f"{first} {last}" for last in SURNAMES for first in FIRST_NAMES]
THINGS = """villages bridges drones trucks shelters tanks boats depots radars schools clinics warehouses
pipelines substations ferries convoys checkpoints airfields barracks trenches""".split()
VERBS = [("recaptured", "retook"), ("destroyed", "hit"), ("repaired", "restored"), ("seized", "captured"),
         ("evacuated", "cleared"), ("inspected", "checked"), ("shelled", "struck"), ("reopened", "reopened"),
         ("supplied", "resupplied"), ("mined", "mined"), ("lost", "lost"), ("defended", "held")]  # fmt: skip
# 400 invented place names from syllables: a wire service covers many places, and a vocabulary of
# ten would make every statement share most of its words with every other.
SYLLABLES = "ar bel cor dal est for gar hel ist jor kes lom mar nor ost pel rov sor tav vel".split()
PLACES = [
    f"{a.capitalize()}{b}{c}" for a in SYLLABLES for b in SYLLABLES[:5] for c in ("a", "ov", "sk", "in")
][:400]
NUMBER_WORDS = ["two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"]
SENTENCES_PER_ARTICLE = 40
#: Share of sentences that repeat a statement another outlet already carried.
REPEAT_SHARE = 0.35


def _statement(rng: random.Random) -> tuple[str, int, str, str, str]:
    """A statement: (speaker, number, thing, verb pair index as text, place)."""
    return (rng.choice(PEOPLE), rng.randrange(2, 13), rng.choice(THINGS), str(rng.randrange(len(VERBS))),
            rng.choice(PLACES))  # fmt: skip


def _say(rng: random.Random, statement: tuple[str, int, str, str, str]) -> str:
    """One outlet's wording of ``statement``."""
    speaker, n, thing, verb, place = statement
    number = NUMBER_WORDS[n - 2] if rng.random() < 0.5 else str(n)
    done = VERBS[int(verb)][rng.randrange(2)] if rng.random() < 0.2 else VERBS[int(verb)][0]
    content = f"forces {done} {number} {thing} near {place} overnight"
    form = rng.randrange(4)
    if form == 0:
        return f"{speaker} said that {content}."
    if form == 1:
        return f"\u201c{content[0].upper() + content[1:]},\u201d {speaker} said."
    if form == 2:
        return f"According to {speaker}, {content}."
    return f"{content[0].upper() + content[1:]}, {speaker} told reporters."


Statement = tuple[str, int, str, str, str]


def make_articles(
    claims: int, seed: int = 17, truth: list[list[Statement]] | None = None
) -> list[tuple[str, str, str]]:
    """(title, outlet, text) for about ``claims`` claims; a third of them repeat earlier statements.

    ``truth``, when given, gets each article's statements in the order of its sentences (what the
    clusters are scored against).
    """
    rng = random.Random(seed)
    recent: list[Statement] = []
    articles = []
    for number in range(claims // SENTENCES_PER_ARTICLE + 1):
        lines, said = [], []
        for _ in range(SENTENCES_PER_ARTICLE):
            if recent and rng.random() < REPEAT_SHARE:
                statement = rng.choice(recent[-300:])
            else:
                statement = _statement(rng)
                recent.append(statement)
            lines.append(_say(rng, statement))
            said.append(statement)
        title = f"Wire copy {number}"
        articles.append((title, OUTLETS[number % len(OUTLETS)], title + "\n" + " ".join(lines) + "\n"))
        if truth is not None:
            truth.append(said)
    return articles


def read_corpus(path: Path) -> list[tuple[str, str, str]]:
    """(title, outlet, text) of each article of a JSONL file of objects with "id" and "text"; those
    whose text factdb refuses (a control character) or has already (the same text twice) are left
    out, and counted."""
    articles, refused, seen = [], 0, set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            article = json.loads(line)
            if control_character(article["text"], multiline=True) is not None or article["text"] in seen:
                refused += 1
                continue
            seen.add(article["text"])
            articles.append((article["id"], article["id"].split("_")[0], article["text"]))
    print(f"{path.name}: {len(articles)} articles ({refused} left out: control characters or a repeat)")
    return articles


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def cluster_quality(engine: Engine, titles: list[str], truth: list[list[Statement]]) -> str:
    """How the clusters of the claims of the articles ``titles`` agree with the statements they
    report (``truth``, from :func:`make_articles`), as pair precision and recall: of the pairs of
    claims put in one cluster, the share that report one statement, and of the pairs that report
    one statement, the share put in one cluster (pairs within one article included, which matching
    never joins directly)."""
    statement_of: dict[int, Statement] = {}
    with make_session_factory(engine)() as session:
        ids = session.execute(
            select(Source.title, Claim.id).join(Claim, Claim.source_id == Source.id)
            .where(Source.title.in_(titles)).order_by(Claim.id)
        ).all()  # fmt: skip
        by_title: dict[str, list[int]] = {}
        for title, claim_id in ids:
            by_title.setdefault(title, []).append(claim_id)
        for title, said in zip(titles, truth, strict=True):
            claim_ids = by_title.get(title, [])
            if len(claim_ids) != len(said):
                return f"not scored: {title!r} has {len(claim_ids)} claims for {len(said)} sentences"
            statement_of.update(zip(claim_ids, said, strict=True))
        members = session.execute(
            select(ClaimClusterMember.cluster_id, ClaimClusterMember.claim_id).where(
                ClaimClusterMember.claim_id.in_(select(Claim.id).join(Source).where(Source.title.in_(titles)))
            )
        ).all()
    together: Counter[tuple[int, Statement]] = Counter()
    sizes: Counter[int] = Counter()
    for cluster_id, claim_id in members:
        together[cluster_id, statement_of[claim_id]] += 1
        sizes[cluster_id] += 1
    right = sum(_pairs(n) for n in together.values())
    put_together = sum(_pairs(n) for n in sizes.values())
    same = sum(_pairs(n) for n in Counter(statement_of.values()).values())
    precision, recall = right / max(put_together, 1), right / max(same, 1)
    return (f"pair precision {precision:.4f}, recall {recall:.4f} ({right:,} of {put_together:,} "
            f"clustered pairs right, of {same:,} same-statement pairs)")  # fmt: skip


@contextmanager
def _database(kind: str, name: str, copy_of: Path | None = None, folder: Path = RESULTS) -> Iterator[Engine]:
    """A new database for one leg: empty (schema and the bench editor), or on SQLite a copy of
    the archive ``copy_of``; SQLite's files go to ``folder``."""
    if kind == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"matching-{name}.sqlite3"
        path.unlink(missing_ok=True)
        if copy_of is not None:
            shutil.copyfile(copy_of, path)
            engine = make_engine(f"sqlite:///{path}")
            yield engine
            engine.dispose()
            return
        engine = make_engine(f"sqlite:///{path}")
    else:
        base = os.environ.get(
            "FACTDB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
        )
        schema = f"bench_matching_{name}_{secrets.token_hex(3)}"
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        from tests.conftest import with_search_path

        engine = make_engine(with_search_path(base, schema))
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        create_editor(session, None, username="bench", password="bench password", role=EditorRole.ADMIN)
    try:
        yield engine
    finally:
        engine.dispose()
        if kind != "sqlite":
            admin = make_engine(base)
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def ingest(
    engine: Engine,
    articles: list[tuple[str, str, str]],
    extractions: list[Extraction],
    *,
    match: bool,
    per_transaction: bool = False,
) -> tuple[float, float]:
    """Seconds to store every article (25 per transaction, as the archive bench does): wall clock
    and this process's CPU time (SQLite runs in the process; the CPU time moves less with load).

    ``per_transaction``: the articles are stored without matching and each transaction's ingests
    are derived together at its end (``derive_after_ingests``: merge suggestions, then matching in
    passes of up to ``MATCH_CHUNK`` claims, as ``factdb ingest`` of many files does), instead of a
    pass per article.

    Every leg starts with the matcher's caches empty, as a new process would: otherwise a leg
    would find the claims an earlier leg prepared already prepared (a new claim never is).
    """
    factory = make_session_factory(engine, write=True)
    clear_caches()
    start, cpu = time.perf_counter(), time.process_time()
    for offset in range(0, len(articles), 25):
        with factory.begin() as session:
            editor = session.scalars(select(Editor).where(Editor.username == "bench")).one()
            results = []
            for (title, outlet, body), extraction in zip(
                articles[offset : offset + 25], extractions[offset : offset + 25], strict=True
            ):
                results.append(
                    ingest_text(
                        session, editor, body, title=title, outlet=outlet, extraction=extraction,
                        match=match and not per_transaction,
                    )
                )  # fmt: skip
            if match and per_transaction:
                derive_after_ingests(session, editor, results)
    return time.perf_counter() - start, time.process_time() - cpu


#: Articles extracted and stored at a time while an archive is built (its extractions are not kept).
ARCHIVE_CHUNK = 500


def build_archive(articles: list[tuple[str, str, str]], batch: int, folder: Path) -> Path:
    """A SQLite archive of ``articles`` ingested without matching and then matched by the backfill
    in batches of ``batch`` (as ``factdb claims match`` would), built once and kept in ``folder``
    (delete it to build it again)."""
    path = folder / f"matching-archive-{len(articles)}.sqlite3"
    if path.exists():
        print(f"archive: {path.name} reused (delete it to build it again)")
        return path
    with _database("sqlite", "archive-building", folder=folder) as engine:
        start = time.perf_counter()
        for offset in range(0, len(articles), ARCHIVE_CHUNK):
            chunk = articles[offset : offset + ARCHIVE_CHUNK]
            ingest(engine, chunk, list(extract_all(body for _, _, body in chunk)), match=False)
        built = time.perf_counter() - start
        done, seconds, _ = backfill(engine, batch)
        print(f"archive: {len(articles):,} articles extracted and stored in {built:.0f} s, "
              f"{done:,} claims matched in {seconds:.0f} s")  # fmt: skip
    (folder / "matching-archive-building.sqlite3").rename(path)
    return path


def backfill(engine: Engine, batch: int = 2000) -> tuple[int, float, list[tuple[int, float]]]:
    """Match every claim as ``factdb claims match`` does; (claims, seconds, (claims, seconds) per batch)."""
    factory = make_session_factory(engine, write=True)
    clear_caches()
    done, rates, last_id = 0, [], 0
    start = time.perf_counter()
    while True:
        began = time.perf_counter()
        with factory.begin() as session:
            ids = clusters.unmatched_claim_ids(session, last_id, batch)
            if not ids:
                break
            clusters.match_claims(session, None, ids)
        last_id = ids[-1]
        done += len(ids)
        rates.append((len(ids), time.perf_counter() - began))
    return done, time.perf_counter() - start, rates


def claim_pages(engine: Engine, url: str, repeat: int) -> tuple[float, float, int]:
    """Median ms of the claim page of a claim in the largest cluster and of a claim alone."""
    with make_session_factory(engine)() as session:
        largest = session.execute(
            select(ClaimClusterMember.cluster_id, func.count().label("n"))
            .group_by(ClaimClusterMember.cluster_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        clustered = session.scalar(
            select(func.max(ClaimClusterMember.claim_id)).where(
                ClaimClusterMember.cluster_id == largest.cluster_id
            )
        )
        alone = session.scalar(
            select(func.max(Claim.id)).where(~Claim.id.in_(select(ClaimClusterMember.claim_id)))
        )
    settings = Settings(database_url=url, secret_key="bench")
    app = create_app({"FACTDB_SETTINGS": settings, "WTF_CSRF_ENABLED": False, "TESTING": True})
    client = app.test_client()
    assert client.post("/login", data={"username": "bench", "password": "bench password"}).status_code == 302

    def median(claim_id: int | None) -> float:
        times = []
        for i in range(repeat + 2):
            start = time.perf_counter()
            response = client.get(f"/claims/{claim_id}")
            elapsed = (time.perf_counter() - start) * 1000
            assert response.status_code == 200
            if i >= 2:
                times.append(elapsed)
        return statistics.median(times)

    return median(clustered), median(alone), int(largest.n)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--archive", type=int, default=0, metavar="CLAIMS",
        help="SQLite only: ingest into copies of an archive of about this many earlier claims "
        "(built once, matched, kept in bench/results/), not into empty databases",
    )  # fmt: skip
    parser.add_argument("--batch", type=int, default=20_000, help="backfill batch (default 20,000)")
    parser.add_argument(
        "--dir", type=Path, default=RESULTS, help="folder of the SQLite databases (default bench/results/)"
    )
    parser.add_argument(
        "--corpus", type=Path, metavar="JSONL",
        help="ingest these real articles instead of the synthetic wire copy: one JSON object a line "
        "with 'id' and 'text' (PolNeAR's files; the outlet is the id up to its first '_'); read in "
        "place, never copied (--claims and --archive do not apply)",
    )  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("FACTDB_AUDIT_KEY", secrets.token_hex(32))
    if args.archive and args.db != "sqlite":
        parser.error("--archive works on SQLite only")
    if args.corpus and args.archive:
        parser.error("--corpus and --archive do not go together")

    # One stream of wire copy: the archive is its beginning, the measured ingest what follows
    # (repeating statements the archive's last articles carried, as news does).
    earlier = -(-args.archive // SENTENCES_PER_ARTICLE) if args.archive else 0
    truth: list[list[Statement]] = []
    if args.corpus:
        articles, base = read_corpus(args.corpus), None
    else:
        stream = make_articles(args.archive + args.claims, truth=truth)
        base = build_archive(stream[:earlier], args.batch, args.dir) if earlier else None
        if base is not None:
            archive = make_engine(f"sqlite:///{base}")
            quality = cluster_quality(archive, [title for title, _, _ in stream[:earlier]], truth[:earlier])
            archive.dispose()
            print(f"archive: its clusters against the statements the generator wrote: {quality}")
        articles, truth = stream[earlier:], truth[earlier:]
    titles = [title for title, _, _ in articles]
    start = time.perf_counter()
    extractions = list(extract_all(body for _, _, body in articles))
    engine_seconds = time.perf_counter() - start
    print(
        f"{len(articles)} articles extracted in {engine_seconds:.1f} s (the engine's time, once for all legs)"
    )

    with (
        _database(args.db, "off", base, args.dir) as off,
        _database(args.db, "on", base, args.dir) as on,
        _database(args.db, "batch", base, args.dir) as batched,
    ):
        off_wall, off_cpu = ingest(off, articles, extractions, match=False)
        on_wall, on_cpu = ingest(on, articles, extractions, match=True)
        batched_wall, batched_cpu = ingest(batched, articles, extractions, match=True, per_transaction=True)
        with make_session_factory(on)() as session:
            claims = session.scalar(select(func.count()).select_from(Claim)) or 0
            in_clusters = session.scalar(select(func.count()).select_from(ClaimClusterMember)) or 0
        with make_session_factory(batched)() as session:
            batched_members = session.scalar(select(func.count()).select_from(ClaimClusterMember)) or 0
        where = f"after an archive of {args.archive:,}" if base else "into empty databases"
        print(f"ingest (storing only), {claims:,} claims in all on {args.db} {where}, wall / CPU seconds:")
        print(f"  matching off {off_wall:.1f} / {off_cpu:.1f} s; on, a pass per article {on_wall:.1f} / "
              f"{on_cpu:.1f} s (ratio {on_wall / off_wall:.2f} / {on_cpu / off_cpu:.2f}), "
              f"{in_clusters:,} claims in clusters; on, after each transaction of 25 articles "
              f"{batched_wall:.1f} / {batched_cpu:.1f} s (ratio {batched_wall / off_wall:.2f} / "
              f"{batched_cpu / off_cpu:.2f}), {batched_members:,} claims in clusters")  # fmt: skip
        if truth:
            print(f"  the new claims' clusters against the statements the generator wrote: "
                  f"{cluster_quality(on, titles, truth)}")  # fmt: skip
        # The whole ingest: the engine's work does not depend on matching, so its one measured time
        # is added to both legs (each leg would otherwise run the same extraction again).
        engine = engine_seconds
        legs = (("per article", on_wall, on_cpu), ("after each transaction", batched_wall, batched_cpu))
        for label, wall, cpu in legs:
            print(f"  whole ingest, the engine's {engine:.1f} s added to each leg, matching {label}: "
                  f"ratio {(engine + wall) / (engine + off_wall):.2f} wall / "
                  f"{(engine + cpu) / (engine + off_cpu):.2f} CPU (target <= 1.25)")  # fmt: skip

        done, seconds, rates = backfill(off, args.batch)
        rate = done / seconds
        print(f"backfill: {done:,} claims in {seconds:.1f} s = {rate:,.0f} claims/s, "
              f"{len(rates)} batches of up to {args.batch:,}")  # fmt: skip
        if len(rates) >= 3:
            # Claims over seconds in each third of the batches: a short last batch weighs what it
            # holds (its fixed costs over a few claims made a mean of batch rates look like a slowdown).
            third = len(rates) // 3
            early, late = (
                sum(n for n, _ in part) / sum(t for _, t in part) for part in (rates[:third], rates[-third:])
            )
            print(f"  first third {early:,.0f}/s, last third {late:,.0f}/s")
            rate = min(rate, late)
        minutes = 1_000_000 / rate / 60
        print(f"  1,000,000 claims at that rate (the slower of the whole and the last third): "
              f"{minutes:.1f} min (target < 15)")  # fmt: skip

        clustered, alone, size = claim_pages(on, on.url.render_as_string(hide_password=False), args.repeat)
        print(f"claim page: in a cluster of {size} claims {clustered:.1f} ms, alone {alone:.1f} ms "
              f"(median of {args.repeat}; target <= 15 ms)")  # fmt: skip


if __name__ == "__main__":
    main()
