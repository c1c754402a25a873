"""factdb's benchmark: build a synthetic archive, then measure what editors wait for.

    python -m bench [--claims 1000000] [--db sqlite|postgresql] [--json FILE] [--repeat 15] [--reuse]
                    [--grow-from 100000]

Builds the archive through factdb's own ingest path (see bench/archive.py), then measures, each as a
median over --repeat runs: ingest rate and its ratio to a bare executemany of the same rows; claims
list pages (first and 1,000th by keyset) and free-text search through the real Flask app; claim,
speaker and scorecard pages; the disputed CSV export (rows/s and peak RSS at 10k and at all rows)
against a bare driver + csv.writer loop; the API's first page of disputed claims and a walk through
all of them by cursor (time, heap peak after 10 pages and after all); database size per million claims.
Every page also shows its ratio to the raw query floor: the same SQL, captured from the request,
replayed on the bare driver.

SQLite databases go to bench/results/ (ignored by git); PostgreSQL uses a schema of its own in
FACTDB_BENCH_POSTGRES_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

from sqlalchemy import Engine, event, select, text

from bench.archive import BuildStats, build_archive
from factdb.config import Settings
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, TokenScope
from factdb.migrate import upgrade
from factdb.models import Claim, Editor, Sentence
from factdb.services.scorecards import scorecards
from factdb.services.tokens import create_token
from factdb.web.app import create_app

RESULTS = Path(__file__).resolve().parent / "results"
#: What a run measures, in order (``--only`` picks some).
PARTS = ("pages", "api", "http", "export")
PAGE = 50


def _median_ms(run: Callable[[], object], repeat: int, warmup: int = 2) -> float:
    for _ in range(warmup):
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


@contextmanager
def _captured(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    statements: list[tuple[str, Any]] = []

    def capture(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, executemany: bool
    ) -> None:
        if not executemany:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", capture)


def _replay(engine: Engine, statements: list[tuple[str, Any]]) -> Callable[[], None]:
    """The raw floor: the same statements through the bare driver, results fetched."""
    raw = engine.raw_connection()

    def run() -> None:
        cursor = raw.cursor()
        for statement, parameters in statements:
            if statement.strip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SELECT PG_ADVISORY")):
                continue
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        cursor.close()
        raw.rollback()

    return run


class Bench:
    """One benchmark run against one database."""

    def __init__(self, url: str, repeat: int, export_rounds: int = 3) -> None:
        self.url = url
        self.repeat = repeat
        self.export_rounds = export_rounds
        self.engine = make_engine(url)
        self.results: dict[str, Any] = {"database": self.engine.dialect.name}

    # --- building ------------------------------------------------------------------------

    def build(self, claims: int) -> None:
        upgrade(self.engine)
        print(f"building an archive of {claims:,} claims …", flush=True)
        stats: BuildStats = build_archive(self.engine, claims)
        self.results["build"] = {
            "articles": stats.articles, "sentences": stats.sentences, "claims": stats.claims,
            "disputed": stats.disputed, "speakers": stats.speakers, "seconds": round(stats.seconds, 1),
            "seconds_ingest": round(stats.seconds_ingest, 1),
            "ingest_sentences_per_s": round(stats.ingest_sentences_per_second),
            "seconds_waiting_for_engine": round(stats.seconds_waiting_for_engine, 1),
            "store_sentences_per_s": round(stats.store_sentences_per_second),
            "seconds_matching": round(stats.seconds_matching, 1),
            "rows_sentences_per_s": round(stats.rows_sentences_per_second),
        }  # fmt: skip
        self._ingest_floor(stats)
        with self.engine.begin() as connection:
            connection.execute(text("ANALYZE"))

    def copy_from_sqlite(self, path: Path) -> None:
        """Fill this PostgreSQL schema with the very rows of the SQLite archive at ``path``."""
        from bench.copy_archive import copy_archive

        if not path.exists():
            raise SystemExit(f"{path} does not exist: build it first with --db sqlite")
        print(f"copying {path.name} into PostgreSQL …", flush=True)
        seconds = copy_archive(str(path), self.engine)
        self.results["copied_from_sqlite_s"] = round(seconds, 1)
        self.describe_archive()

    def grow_from(self, path: Path, factor: int) -> None:
        """Fill this SQLite archive with ``factor`` copies of the smaller archive at ``path``
        (``bench/grow_archive.py`` says what such an archive is and is not)."""
        from bench.grow_archive import grow_archive

        if not path.exists():
            raise SystemExit(f"{path} does not exist: build it first (python -m bench --claims N)")
        self.engine.dispose()
        dest = Path(self.engine.url.database or "")
        for suffix in ("-wal", "-shm"):  # of the empty database the engine may have opened
            Path(f"{dest}{suffix}").unlink(missing_ok=True)
        print(f"growing {path.name} {factor} times …", flush=True)
        self.results["grown_from"] = {"archive": path.name, "factor": factor}
        self.results["grown_s"] = round(grow_archive(path, factor, dest), 1)
        upgrade(self.engine)
        self.describe_archive()

    def grow_postgres_from(self, schema: str, factor: int) -> None:
        """Fill this PostgreSQL schema with ``factor`` copies of the archive in ``schema``."""
        from bench.grow_archive import grow_postgres

        with self.engine.connect() as connection:
            found = connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema})
            if found.scalar() is None:
                raise SystemExit(f"no schema {schema}: build it first (python -m bench --db postgresql)")
        print(f"growing {schema} {factor} times …", flush=True)
        self.results["grown_from"] = {"archive": schema, "factor": factor}
        self.results["grown_s"] = round(grow_postgres(self.engine, schema, factor), 1)
        self.describe_archive()

    def _ingest_floor(self, stats: BuildStats) -> None:
        """The floor: the same sentence and claim rows (of the first 200 articles) inserted into the
        same tables, with their indexes and triggers, by the bare driver's executemany; rolled back."""
        with self.engine.connect() as connection:
            sentence_rows = connection.execute(
                select(Sentence.__table__).where(Sentence.source_id <= 200)
            ).all()
            claim_rows = connection.execute(select(Claim.__table__).where(Claim.source_id <= 200)).all()
        mark = "?" if self.engine.dialect.name == "sqlite" else "%s"
        inserts = []
        for table, rows in (("sentences", sentence_rows), ("claims", claim_rows)):
            columns = [c for c in rows[0]._fields if c != "id"]  # let the database number them
            # Positions moved out of the way of (source_id, position), which is unique.
            values = [
                tuple(
                    v + 1_000_000 if k == "position" else getattr(v, "value", v)
                    for k, v in r._mapping.items()
                    if k != "id"
                )
                for r in rows
            ]
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"
            inserts.append((sql, values))
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if self.engine.dialect.name == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            start = time.perf_counter()
            for sql, values in inserts:
                cursor.executemany(sql, values)
            seconds = time.perf_counter() - start
            raw.rollback()
        finally:
            raw.close()
        floor = len(sentence_rows) / seconds
        self.results["build"]["bare_insert_sentences_per_s"] = round(floor)
        self.results["build"]["ingest_vs_bare_insert"] = round(stats.ingest_sentences_per_second / floor, 3)
        self.results["build"]["store_vs_bare_insert"] = round(stats.store_sentences_per_second / floor, 3)
        self.results["build"]["rows_vs_bare_insert"] = round(stats.rows_sentences_per_second / floor, 3)

    # --- pages ---------------------------------------------------------------------------

    def describe_archive(self) -> None:
        """What a reused archive holds (its build figures were printed by the run that built it)."""
        with self.engine.connect() as connection:
            self.results["archive_claims"] = (
                connection.execute(text("SELECT count(*) FROM claims")).scalar() or 0
            )

    def pages(self) -> None:
        settings = Settings(database_url=self.url, secret_key="bench")
        app = create_app({"FACTDB_SETTINGS": settings, "WTF_CSRF_ENABLED": False, "TESTING": True})
        # Time against the app's own engine, so the captured statements are the app's.
        app_engine = app.extensions["factdb"]["session_factory"].kw["bind"]
        client = app.test_client()
        login = client.post("/login", data={"username": "bench", "password": "bench password"})
        assert login.status_code == 302, "the bench editor could not log in"

        factory = make_session_factory(self.engine)
        with factory() as session:
            disputed = ClaimStatus.DISPUTED
            deep_after = session.scalar(
                select(Claim.id)
                .where(Claim.status == disputed)
                .order_by(Claim.id.desc())
                .offset(PAGE * 999 - 1)
                .limit(1)
            )
            cards = scorecards(session, "disputed")
            busiest = cards[0]
            speaker_claims = session.scalars(
                select(Claim.id).where(Claim.speaker_id == busiest.speaker_id, Claim.status == disputed)
                .order_by(Claim.id.desc())
            ).all()  # fmt: skip
            speaker_pages = max(1, (len(speaker_claims) - 1) // PAGE + 1)
            speaker_deep_after = speaker_claims[(speaker_pages - 1) * PAGE - 1] if speaker_pages > 1 else None
            claim_id = session.scalar(
                select(Claim.id).where(Claim.status == disputed).order_by(Claim.id.desc()).limit(1)
            )
        scenarios = {
            "list: disputed, page 1": "/?status=disputed",
            "list: disputed, page 1000": f"/?status=disputed&after={deep_after}" if deep_after else None,
            "list: disputed + speaker, page 1": f"/?status=disputed&speaker={busiest.speaker_id}",
            f"list: disputed + speaker, page {speaker_pages} (last)": (
                f"/?status=disputed&speaker={busiest.speaker_id}&after={speaker_deep_after}"
                if speaker_deep_after else None
            ),
            "search: two words": "/?q=bridge+Helmsk",
            "search: one word + disputed": "/?q=pipeline&status=disputed",
            "claim page": f"/claims/{claim_id}",
            "speaker page": f"/speakers/{busiest.speaker_id}",
            "speaker scorecards (all)": "/speakers",
        }  # fmt: skip
        self.scenarios = {label: path for label, path in scenarios.items() if path is not None}
        self.peer_paths = _datasette_paths(
            deep_after, busiest.speaker_id, speaker_deep_after if speaker_pages > 1 else None, speaker_pages
        )
        pages: dict[str, Any] = {}
        for label, path in scenarios.items():
            if path is None:
                continue
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            with _captured(app_engine) as statements:
                client.get(path)
            app_ms = _median_ms(lambda p=path: client.get(p), self.repeat)
            raw_ms = _median_ms(_replay(self.engine, statements), self.repeat)
            pages[label] = {"path": path, "ms": round(app_ms, 2), "raw_sql_ms": round(raw_ms, 2),
                            "ratio_to_raw": round(app_ms / raw_ms, 1) if raw_ms else None}  # fmt: skip
            print(f"  {label:42} {app_ms:8.2f} ms   (raw SQL {raw_ms:7.2f} ms)", flush=True)
        self.results["pages"] = pages
        app_engine.dispose()

    # --- the JSON API ----------------------------------------------------------------------

    def api(self, max_pages: int) -> None:
        """The partner's feed: page 1 of disputed claims through /api/v1/claims with a read token, and
        every page after it by the ``next`` cursor (up to ``max_pages``), with the Python heap's peak
        after the first 10 pages and after the last (flat memory: the two stay the same)."""
        settings = Settings(database_url=self.url, secret_key="bench", api_rate_limit="1000000 per second")
        app = create_app({"FACTDB_SETTINGS": settings, "TESTING": True, "SERVER_NAME": "bench.local"})
        app_engine = app.extensions["factdb"]["session_factory"].kw["bind"]
        with make_session_factory(self.engine, write=True).begin() as session:
            editor = session.scalars(select(Editor).where(Editor.username == "bench")).one()
            _token, secret = create_token(session, None, editor, name="bench", scope=TokenScope.READ)
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        first = "/api/v1/claims?status=disputed"
        assert client.get(first, headers=headers).status_code == 200
        with _captured(app_engine) as statements:
            client.get(first, headers=headers)
        app_ms = _median_ms(lambda: client.get(first, headers=headers), self.repeat)
        raw_ms = _median_ms(_replay(self.engine, statements), self.repeat)
        print(f"  {'api: disputed, page 1':42} {app_ms:8.2f} ms   (raw SQL {raw_ms:7.2f} ms)", flush=True)
        url: str | None = first + "&limit=200"
        pages = claims = 0
        early_peak = 0
        started = time.perf_counter()
        tracemalloc.start()
        while url and pages < max_pages:
            response = client.get(url.replace("http://bench.local", ""), headers=headers)
            body = response.get_json()
            claims += len(body["items"])
            url = body["next"]
            pages += 1
            if pages == 10:
                early_peak = tracemalloc.get_traced_memory()[1]
        late_peak = tracemalloc.get_traced_memory()[1]
        early_peak = early_peak or late_peak  # fewer than 10 pages in all
        tracemalloc.stop()
        seconds = time.perf_counter() - started
        print(
            f"  {'api: every disputed claim by cursor':42} {claims:,} claims in {pages:,} pages, "
            f"{seconds:.1f} s ({claims / seconds:,.0f} claims/s); heap peak after 10 pages "
            f"{early_peak / 2**20:.1f} MiB, after {pages:,} {late_peak / 2**20:.1f} MiB",
            flush=True,
        )
        self.results["api"] = {
            "page_1_ms": round(app_ms, 2), "raw_sql_ms": round(raw_ms, 2),
            "ratio_to_raw": round(app_ms / raw_ms, 1) if raw_ms else None,
            "paged_claims": claims, "pages": pages, "claims_per_s": round(claims / seconds),
            "heap_peak_mib_10_pages": round(early_peak / 2**20, 2),
            "heap_peak_mib_all_pages": round(late_peak / 2**20, 2),
        }  # fmt: skip
        app_engine.dispose()

    # --- over HTTP ------------------------------------------------------------------------

    def over_http(self, peers: bool) -> None:
        """The same pages through ``factdb serve`` (and, with ``peers``, Datasette on the same SQLite
        file), each timed from request to last byte; then the disputed CSV streamed over HTTP."""
        from bench import http

        figures: dict[str, Any] = {}
        port = http.free_port()
        with http.factdb_server(self.url, port)():
            client = http.Client(port)
            client.login("bench", "bench password")
            for label, path in self.scenarios.items():
                figures[label] = {"factdb_ms": round(client.median_ms(path, self.repeat), 2)}
                print(f"  HTTP {label:42} {figures[label]['factdb_ms']:8.2f} ms", flush=True)
            try:
                lines, seconds = client.stream("/export/claims.csv?status=disputed")
                figures["export CSV disputed"] = {"factdb_rows_per_s": round((lines - 1) / seconds)}
                print(f"  HTTP export CSV disputed: {lines - 1:,} rows, {(lines - 1) / seconds:,.0f} rows/s")
            except http.CutOff as cut:
                figures["export CSV disputed"] = {"factdb_rows_per_s": None, "factdb_cut_off": str(cut)}
                print(f"  HTTP export CSV disputed: {cut} (the server's worker timeout)", flush=True)
        if peers and self.engine.dialect.name == "sqlite":
            path = Path(str(self.engine.url.database))
            port = http.free_port()
            with http.datasette_server(path, port)():
                client = http.Client(port)
                base = f"/{path.stem}/claims"
                for label, query in self.peer_paths.items():
                    if label in figures:
                        figures[label]["datasette_ms"] = round(
                            client.median_ms(f"{base}.json?{query}", self.repeat), 2
                        )
                        print(f"  Datasette {label:37} {figures[label]['datasette_ms']:8.2f} ms", flush=True)
                lines, seconds = client.stream(f"{base}.csv?status=disputed&_stream=on&_size=max")
                figures["export CSV disputed"]["datasette_rows_per_s"] = round((lines - 1) / seconds)
                print(f"  Datasette export CSV disputed: {(lines - 1) / seconds:,.0f} rows/s", flush=True)
        export = figures["export CSV disputed"]
        export.update(self._csv_floors())
        for server in ("factdb", "datasette"):
            if export.get(f"{server}_rows_per_s"):
                export[f"{server}_of_floor"] = round(
                    export[f"{server}_rows_per_s"] / export[f"{server}_floor_rows_per_s"], 2
                )
        print(f"  over HTTP ÷ floor: factdb {export.get('factdb_of_floor')}, "
              f"Datasette {export.get('datasette_of_floor')}", flush=True)  # fmt: skip
        self.results["http"] = figures

    def _csv_floors(self) -> dict[str, int]:
        """What each server's CSV could reach at best: its rows read by the bare driver and written by
        csv.writer in one process, no HTTP. factdb's report joins sentences, sources, speakers and the
        last review; Datasette streams the claims table's own columns. Each server's HTTP rate
        divided by its floor says how much its serving costs; the two floors differ by what is in
        the rows."""
        floors = {}
        for mode, key in (("bare", "factdb_floor_rows_per_s"), ("table", "datasette_floor_rows_per_s")):
            run = _export_run(self.url, mode, 0)
            floors[key] = round(run["rows"] / run["seconds"])
        print(
            f"  floors (bare driver + csv.writer in process): factdb's report query "
            f"{floors['factdb_floor_rows_per_s']:,} rows/s; the claims table alone (what Datasette streams) "
            f"{floors['datasette_floor_rows_per_s']:,} rows/s",
            flush=True,
        )
        return floors

    # --- export --------------------------------------------------------------------------

    def export(self) -> None:
        figures: dict[str, Any] = {}
        for label, limit in (("10k", 10_000), ("all", 0)):
            runs: dict[str, dict[str, Any]] = {}
            # factdb and the floor take turns, export_rounds times; each keeps its fastest run, so a
            # burst of load from elsewhere on the machine does not decide the ratio.
            for _ in range(self.export_rounds):
                for mode in ("factdb", "bare"):
                    run = _export_run(self.url, mode, limit)
                    if mode not in runs or run["seconds"] < runs[mode]["seconds"]:
                        runs[mode] = run
            rate = runs["factdb"]["rows"] / runs["factdb"]["seconds"]
            bare_rate = runs["bare"]["rows"] / runs["bare"]["seconds"]
            figures[label] = {
                "rows": runs["factdb"]["rows"], "rows_per_s": round(rate),
                "bare_rows_per_s": round(bare_rate), "ratio_to_bare": round(rate / bare_rate, 3),
                "peak_rss_mb": round(runs["factdb"]["peak_rss_mb"], 1),
                "peak_anon_rss_mb": round(runs["factdb"]["peak_anon_rss_mb"], 1),
                "bare_peak_anon_rss_mb": round(runs["bare"]["peak_anon_rss_mb"], 1),
                "bare_peak_rss_mb": round(runs["bare"]["peak_rss_mb"], 1),
            }  # fmt: skip
            print(f"  export {label:4} {figures[label]}", flush=True)
        # Growth of what the export allocates (anonymous RSS, SQLite's page cache included); VmHWM also
        # counts the pages of the memory-mapped database file, which the kernel can drop at will.
        figures["rss_growth_mb_10k_to_all"] = round(
            figures["all"]["peak_anon_rss_mb"] - figures["10k"]["peak_anon_rss_mb"], 1
        )
        figures["vmhwm_growth_mb_10k_to_all"] = round(
            figures["all"]["peak_rss_mb"] - figures["10k"]["peak_rss_mb"], 1
        )
        self.results["export_csv_disputed"] = figures

    # --- size ----------------------------------------------------------------------------

    def size(self) -> None:
        with self.engine.connect() as connection:
            claims = connection.execute(select(Claim.id).order_by(Claim.id.desc()).limit(1)).scalar() or 1
            if self.engine.dialect.name == "sqlite":
                path = Path(str(self.engine.url.database))
                wal = Path(f"{path}-wal")
                size = path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
            else:
                size = (
                    connection.execute(
                        text(
                            "SELECT sum(pg_total_relation_size(c.oid)) FROM pg_class c "
                            "JOIN pg_namespace n ON n.oid = c.relnamespace "
                            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
                        )
                    ).scalar()
                    or 0
                )
        size = int(size or 0)
        self.results["size"] = {"bytes": size, "mb_per_million_claims": round(size / claims * 1e6 / 2**20, 1)}


def _datasette_paths(
    deep_after: int | None, speaker: int, speaker_deep_after: int | None, speaker_pages: int
) -> dict[str, str]:
    """The query strings of Datasette's JSON API that return the rows factdb's pages show (50 rows,
    newest first, keyset on id; the search through the same FTS5 table)."""
    # Rows only, as the peer figures were taken: Datasette's JSON counts every matching row and
    # suggests facets unless told not to (seconds at a million claims); factdb's pages do count.
    newest = "_sort_desc=id&_size=50&_nocount=1&_nofacet=1&_nosuggest=1"

    def search(words: str) -> str:
        where = f"id in (select rowid from claims_search where claims_search match '{words}')"
        return urlencode({"_where": where})

    paths = {
        "list: disputed, page 1": f"status=disputed&{newest}",
        "list: disputed + speaker, page 1": f"status=disputed&speaker_id={speaker}&{newest}",
        "search: two words": search('body:"bridge" AND body:"Helmsk"') + f"&{newest}",
        "search: one word + disputed": (
            search('body:"pipeline" AND (status:stdisputed)') + f"&status=disputed&{newest}"
        ),
    }
    if deep_after:
        paths["list: disputed, page 1000"] = f"status=disputed&id__lt={deep_after}&{newest}"
    if speaker_deep_after:
        paths[f"list: disputed + speaker, page {speaker_pages} (last)"] = (
            f"status=disputed&speaker_id={speaker}&id__lt={speaker_deep_after}&{newest}"
        )
    return paths


def _print_table(results: dict[str, Any]) -> None:
    build = results.get("build", {})
    claims = build.get("claims", results.get("archive_claims", 0))
    print(f"\n== factdb benchmark: {results['database']}, {claims:,} claims ==")
    if build:
        print(f"build: {build['seconds']} s in all ({build['articles']:,} articles, "
              f"{build['sentences']:,} sentences, "
              f"{build['disputed']:,} disputed, {build['speakers']:,} speakers)")  # fmt: skip
        print(f"ingest: {build['ingest_sentences_per_s']:,} sentences/s end to end; bare executemany "
              f"{build['bare_insert_sentences_per_s']:,}/s; "
              f"ratio {build['ingest_vs_bare_insert']}")  # fmt: skip
        if "store_sentences_per_s" in build:
            print(f"ingest without the {build['seconds_waiting_for_engine']} s spent waiting for the "
                  f"attribution engine: {build['store_sentences_per_s']:,} sentences/s; "
                  f"ratio {build['store_vs_bare_insert']}")  # fmt: skip
        if "rows_sentences_per_s" in build:
            print(f"storing the rows alone (also without the {build['seconds_matching']} s of matching the "
                  f"new claims): {build['rows_sentences_per_s']:,} sentences/s; "
                  f"ratio {build['rows_vs_bare_insert']}")  # fmt: skip
    print(f"{'page':44} {'median ms':>10} {'raw SQL ms':>11} {'ratio':>6}")
    for label, page in results.get("pages", {}).items():
        print(f"{label:44} {page['ms']:>10.2f} {page['raw_sql_ms']:>11.2f} {page['ratio_to_raw'] or 0:>6.1f}")
    over_http = results.get("http")
    if over_http:
        print(f"{'over HTTP (factdb serve, 1 worker)':44} {'factdb ms':>10} {'Datasette ms':>13}")
        for label, page in over_http.items():
            if "factdb_ms" in page:
                peer = page.get("datasette_ms")
                print(f"{label:44} {page['factdb_ms']:>10.2f} {peer if peer is not None else '':>13}")
        csv_http = over_http.get("export CSV disputed", {})
        if csv_http.get("factdb_cut_off"):
            print(
                f"export CSV disputed over HTTP: {csv_http['factdb_cut_off']} by the server's worker timeout"
            )
        elif csv_http:
            rate, peer_rate = csv_http["factdb_rows_per_s"], csv_http.get("datasette_rows_per_s")
            peer = f" (Datasette {peer_rate:,} rows/s, ratio {rate / peer_rate:.2f})" if peer_rate else ""
            print(f"export CSV disputed over HTTP: {rate:,} rows/s{peer}")
            if "factdb_floor_rows_per_s" in csv_http:
                floor = csv_http["factdb_floor_rows_per_s"]
                table_floor = csv_http["datasette_floor_rows_per_s"]
                share = csv_http.get("factdb_of_floor")
                print(f"  its floor, the report query's rows into csv.writer in process: {floor:,} rows/s "
                      f"(÷ {share}); the claims table's alone: {table_floor:,} rows/s")  # fmt: skip
    export = results.get("export_csv_disputed")
    if export:
        for label in ("10k", "all"):
            e = export[label]
            print(f"export CSV disputed, {label:3}: {e['rows']:,} rows, {e['rows_per_s']:,} rows/s "
                  f"(bare {e['bare_rows_per_s']:,}/s, ratio {e['ratio_to_bare']}), "
                  f"peak RSS {e['peak_anon_rss_mb']} MB anonymous (bare {e['bare_peak_anon_rss_mb']}), "
                  f"{e['peak_rss_mb']} MB with mapped file pages")  # fmt: skip
        print(f"export peak RSS growth 10k → all: {export['rss_growth_mb_10k_to_all']} MB anonymous "
              f"({export['vmhwm_growth_mb_10k_to_all']} MB counting mapped database pages)")  # fmt: skip
    size = results.get("size")
    if size:
        print(
            f"database size: {size['bytes'] / 2**20:,.1f} MB, "
            f"{size['mb_per_million_claims']:,} MB per million claims"
        )


def _database_url(db: str, claims: int, reuse: bool, folder: Path) -> tuple[str, bool]:
    """The URL to benchmark and whether it already holds an archive to reuse."""
    if db == "sqlite":
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"bench-{claims}.sqlite3"
        exists = path.exists()
        if exists and not reuse:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", exists and reuse
    base = os.environ.get("FACTDB_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
    schema = f"factdb_bench_{claims}"
    admin = make_engine(base)
    with admin.begin() as connection:
        exists = bool(
            connection.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).scalar()
        )
        if exists and not reuse:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        if not (exists and reuse):
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    admin.dispose()
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", exists and reuse


def run(args: argparse.Namespace, claims: int) -> dict[str, Any]:
    """One benchmark run at one archive size; prints its table and returns its figures."""
    url, reused = _database_url(args.db, claims, args.reuse, args.dir)
    bench = Bench(url, args.repeat, args.export_rounds)
    if reused:
        print("reusing the archive of an earlier run (migrating it to head first)", flush=True)
        upgrade(bench.engine)
        bench.describe_archive()
    elif args.copy and args.db == "postgresql":
        bench.copy_from_sqlite(args.dir / f"bench-{claims}.sqlite3")
    elif args.grow_from and args.db == "sqlite":
        bench.grow_from(args.dir / f"bench-{args.grow_from}.sqlite3", claims // args.grow_from)
    elif args.grow_from:
        bench.grow_postgres_from(f"factdb_bench_{args.grow_from}", claims // args.grow_from)
    else:
        bench.build(claims)
    wanted = set(args.only or PARTS)
    if "http" in wanted:
        wanted.add("pages")  # the HTTP run times the very paths the pages part picks
    if "pages" in wanted:
        print("pages:", flush=True)
        bench.pages()
    if "api" in wanted:
        print("API:", flush=True)
        bench.api(args.api_pages)
    if "http" in wanted and not args.no_http:
        print("over HTTP:", flush=True)
        bench.over_http(args.peers)
    if "export" in wanted:
        print("export:", flush=True)
        bench.export()
    bench.size()
    bench.engine.dispose()
    _print_table(bench.results)
    return bench.results


def _export_run(url: str, mode: str, limit: int) -> dict[str, Any]:
    """One run of ``bench.export_child`` in a process of its own (so its peak memory is its own)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.export_child", url, mode, str(limit)],
        capture_output=True, text=True, check=True, cwd=Path(__file__).resolve().parents[1],
    )  # fmt: skip
    return cast(dict[str, Any], json.loads(done.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark; print the table and return (and optionally save) the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--claims", type=int, default=1_000_000)
    parser.add_argument("--series", type=_sizes, help="Sizes to run one after the other, e.g. "
                        "100000,1000000; then print each figure at each size and its growth.")  # fmt: skip
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--json", type=Path, help="Also write the figures to this file.")
    parser.add_argument("--repeat", type=int, default=15, help="Runs per median.")
    parser.add_argument("--reuse", action="store_true", help="Reuse an archive built by an earlier run.")
    parser.add_argument("--copy", action="store_true", help="PostgreSQL: copy the SQLite archive of the "
                        "same size (built by an earlier run) instead of ingesting anew.")  # fmt: skip
    parser.add_argument("--grow-from", type=int, metavar="N", help="Instead of ingesting, copy the archive "
                        "of N claims (built by an earlier run, on the same database) --claims/N times "
                        "over; see bench/grow_archive.py.")  # fmt: skip
    parser.add_argument("--no-http", action="store_true", help="Skip the pages over HTTP.")
    parser.add_argument("--only", nargs="+", choices=PARTS, help="Measure these parts only (after the "
                        "build; the archive's size is always printed).")  # fmt: skip
    parser.add_argument("--api-pages", type=int, default=100_000, help="Most API pages (200 claims each) "
                        "the cursor walk reads.")  # fmt: skip
    parser.add_argument("--export-rounds", type=int, default=3, help="Turns factdb's export and the "
                        "bare floor take; the fastest of each is compared.")  # fmt: skip
    parser.add_argument("--peers", action="store_true", help="SQLite: serve the same file with Datasette "
                        "(pip install -e '.[bench]') and print its figures beside factdb's.")  # fmt: skip
    parser.add_argument("--dir", type=Path, default=RESULTS, help="Where SQLite archives go.")
    args = parser.parse_args(argv)

    sizes = args.series or [args.claims]
    figures = {size: run(args, size) for size in sizes}
    if len(sizes) > 1:
        _print_series(figures)
    results: dict[str, Any] = figures[sizes[0]] if len(sizes) == 1 else {"series": figures}
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of claim counts") from None
    if not sizes or min(sizes) < 1000:
        raise argparse.ArgumentTypeError("each size must be at least 1000 claims")
    return sorted(sizes)


def _flat(results: dict[str, Any]) -> dict[str, float]:
    """The figures of one run that a series compares, by name."""
    flat: dict[str, float] = {}
    build = results.get("build", {})
    if "seconds_ingest" in build:
        flat["build: ingest seconds"] = build["seconds_ingest"]
    for label, page in results.get("pages", {}).items():
        flat[f"{label}, ms (app)"] = page["ms"]
    for label, page in results.get("http", {}).items():
        if "factdb_ms" in page:
            flat[f"{label}, ms (HTTP)"] = page["factdb_ms"]
    export = results.get("export_csv_disputed", {}).get("all")
    if export:
        flat["export CSV disputed, seconds"] = round(export["rows"] / export["rows_per_s"], 2)
    size = results.get("size")
    if size:
        flat["database MB"] = round(size["bytes"] / 2**20, 1)
    return flat


def _print_series(figures: dict[int, dict[str, Any]]) -> None:
    """Each figure at each size, and how much it grew from the smallest size to the largest.

    Pages should stay flat (a growth near 1); exports, builds and sizes grow with the archive."""
    sizes = sorted(figures)
    flats = {size: _flat(figures[size]) for size in sizes}
    names = [name for name in flats[sizes[-1]] if all(name in flats[s] for s in sizes)]
    print(f"\n== growth, {sizes[0]:,} → {sizes[-1]:,} claims (×{sizes[-1] / sizes[0]:g}) ==")
    header = "".join(f"{size:>14,}" for size in sizes)
    print(f"{'figure':56}{header}{'growth':>9}")
    for name in names:
        values = [flats[size][name] for size in sizes]
        growth = values[-1] / values[0] if values[0] else float("nan")
        print(f"{name:56}" + "".join(f"{v:>14,.2f}" for v in values) + f"{growth:>8.2f}×")


if __name__ == "__main__":
    main()
