"""The benchmark keeps working: a run at 5,000 claims produces every figure. No time is asserted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from factdb.db import make_engine
from tests.conftest import REPO


def test_bench_runs_at_5000_claims(tmp_path: Path, dialect_name: str) -> None:
    out = tmp_path / "bench.json"
    env = dict(os.environ)
    pg = os.environ.get("FACTDB_TEST_DATABASE_URL")
    if pg:
        env["FACTDB_BENCH_POSTGRES_URL"] = pg
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--claims", "5000", "--repeat", "2", "--export-rounds", "1",
         "--db", dialect_name, "--dir", str(tmp_path), "--json", str(out)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    try:
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
        figures = json.loads(out.read_text())
        assert figures["build"]["claims"] >= 5000 and figures["build"]["ingest_sentences_per_s"] > 0
        assert figures["build"]["ingest_vs_bare_insert"] > 0
        pages = figures["pages"]
        for label in (
            "list: disputed, page 1",
            "search: two words",
            "speaker scorecards (all)",
            "claim page",
        ):
            assert pages[label]["ms"] > 0 and pages[label]["raw_sql_ms"] > 0, label
        over_http = figures["http"]  # through `factdb serve`, logged in through the login form
        assert over_http["list: disputed, page 1"]["factdb_ms"] > 0
        assert over_http["search: one word + disputed"]["factdb_ms"] > 0
        assert over_http["export CSV disputed"]["factdb_rows_per_s"] > 0
        # Beside it, the floors: factdb's report query and the bare claims table, read into csv.writer.
        assert over_http["export CSV disputed"]["factdb_floor_rows_per_s"] > 0
        assert over_http["export CSV disputed"]["datasette_floor_rows_per_s"] > 0
        assert figures["build"]["store_sentences_per_s"] >= figures["build"]["ingest_sentences_per_s"]
        export = figures["export_csv_disputed"]
        assert export["all"]["rows"] > 0 and export["all"]["ratio_to_bare"] > 0
        assert figures["size"]["mb_per_million_claims"] > 0
        api = figures["api"]  # /api/v1/claims with a read token, then every disputed claim by cursor
        assert api["page_1_ms"] > 0 and api["raw_sql_ms"] > 0
        assert api["paged_claims"] == figures["build"]["disputed"] and api["heap_peak_mib_all_pages"] > 0
        assert "== factdb benchmark" in done.stdout
        # --only measures just the parts asked for, on the archive just built.
        only = tmp_path / "only.json"
        again = subprocess.run(
            [sys.executable, "-m", "bench", "--claims", "5000", "--repeat", "2", "--reuse", "--only", "api",
             "--api-pages", "2", "--db", dialect_name, "--dir", str(tmp_path), "--json", str(only)],
            cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-3000:]
        parts = json.loads(only.read_text())
        assert parts["api"]["page_1_ms"] > 0 and parts["api"]["pages"] == 2
        assert "pages" not in parts and "export_csv_disputed" not in parts and "build" not in parts
        _check_grown_archive(tmp_path, env, figures["build"]["claims"], dialect_name)
    finally:
        if pg:
            engine = make_engine(pg)
            with engine.begin() as connection:
                connection.execute(text('DROP SCHEMA IF EXISTS "factdb_bench_5000" CASCADE'))
                connection.execute(text('DROP SCHEMA IF EXISTS "factdb_bench_15000" CASCADE'))
            engine.dispose()


def _check_grown_archive(folder: Path, env: dict[str, str], claims: int, dialect_name: str) -> None:
    """--grow-from: the 5,000-claim archive three times over, its search index and counts with it."""
    grown = folder / "grown.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--claims", "15000", "--grow-from", "5000", "--repeat", "2", "--only",
         "api", "--api-pages", "1", "--db", dialect_name, "--dir", str(folder), "--json", str(grown)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    figures = json.loads(grown.read_text())
    source = "bench-5000.sqlite3" if dialect_name == "sqlite" else "factdb_bench_5000"
    assert figures["grown_from"] == {"archive": source, "factor": 3}
    assert figures["archive_claims"] == 3 * claims
    search_rows = "claims_search_docsize" if dialect_name == "sqlite" else "claims_search"
    if dialect_name == "sqlite":
        url = f"sqlite:///{folder / 'bench-15000.sqlite3'}"
    else:
        base = env["FACTDB_BENCH_POSTGRES_URL"]
        url = f"{base}{'&' if '?' in base else '?'}options=-csearch_path%3Dfactdb_bench_15000"
    engine = make_engine(url)
    with engine.connect() as connection:
        counted = connection.execute(text("SELECT sum(n) FROM speaker_status_counts")).scalar()
        indexed = connection.execute(text(f"SELECT count(*) FROM {search_rows}")).scalar()  # noqa: S608
        orphans = connection.execute(
            text("SELECT count(*) FROM claims JOIN sentences ON sentences.id = claims.sentence_id "
                 "WHERE sentences.source_id != claims.source_id")
        ).scalar()  # fmt: skip
    engine.dispose()
    assert (counted, indexed, orphans) == (3 * claims, 3 * claims, 0)


def test_series_prints_each_figure_at_each_size_with_its_growth(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.__main__ import _print_series

    def run(ms: float, export_rows_per_s: int) -> dict[str, Any]:
        return {
            "pages": {"list: disputed, page 1": {"ms": ms}},
            "http": {"list: disputed, page 1": {"factdb_ms": ms * 2}},
            "export_csv_disputed": {"all": {"rows": 1000, "rows_per_s": export_rows_per_s}},
        }

    _print_series({100_000: run(5.0, 1000), 1_000_000: run(6.0, 100)})
    out = capsys.readouterr().out
    lines = {line.split("  ")[0]: line for line in out.splitlines()}
    assert lines["list: disputed, page 1, ms (app)"].split()[-1] == "1.20×"
    assert lines["list: disputed, page 1, ms (HTTP)"].split()[-1] == "1.20×"
    assert lines["export CSV disputed, seconds"].split()[-1] == "10.00×"


def test_matching_bench_runs_into_an_archive(tmp_path: Path) -> None:
    """bench.matching at 400 claims after an archive of 400: every figure printed, clusters scored."""
    env = {**os.environ, "FACTDB_AUDIT_KEY": "cd" * 32}
    done = subprocess.run(
        [sys.executable, "-m", "bench.matching", "--claims", "400", "--archive", "400", "--repeat", "1",
         "--batch", "300", "--dir", str(tmp_path)],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    out = done.stdout
    assert "archive: 10 articles extracted and stored" in out
    assert "after an archive of 400" in out and "archive: its clusters against" in out
    assert out.count("pair precision") == 2  # the archive's clusters and the new claims'
    # The stream's 21 articles: the archive's first 10 (400 claims), then 11 measured (440).
    assert (
        out.count("whole ingest, the engine's") == 2
        and "backfill: 440 claims" in out
        and "1,000,000 claims at" in out
    )
    assert "claim page: in a cluster of" in out
    assert (tmp_path / "matching-archive-10.sqlite3").exists()
