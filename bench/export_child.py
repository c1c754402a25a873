"""One export run in a process of its own, so its peak memory can be read (used by ``python -m bench``).

    python -m bench.export_child URL {factdb|bare|table} LIMIT

Prints one JSON line: rows, seconds, peak RSS in MB (VmHWM, which counts the pages of a memory-mapped
SQLite file the export touched) and peak anonymous RSS (what the process itself allocated, SQLite's
page cache included). LIMIT 0 means every disputed claim. ``table`` is the floor of what Datasette
streams as its CSV of the same claims: the ``claims`` table's own columns, no joins.
"""

from __future__ import annotations

import csv
import json
import os
import resource
import sys
import threading
import time

from sqlalchemy import select

from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus
from factdb.models import Claim
from factdb.reports.claims import claim_report
from factdb.reports.records import claim_rows_query
from factdb.services.queries import ClaimFilter

DISPUTED = ClaimFilter(statuses=(ClaimStatus.DISPUTED,))


def _factdb(url: str, limit: int | None, out: object) -> int:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        report = claim_report(session, DISPUTED, "csv")
        report.limit = limit
        rows = 0
        for chunk in report.chunks():
            out.write(chunk)  # type: ignore[attr-defined]
            rows += chunk.count("\r\n")
    engine.dispose()
    return rows - 1  # the header


def _bare(url: str, limit: int | None, out: object, *, table_only: bool = False) -> int:
    """The floor: the same SQL through the bare driver, rows straight into csv.writer (with
    ``table_only``, the claims table's own columns, as a table browser such as Datasette streams them)."""
    engine = make_engine(url)
    stmt = claim_rows_query(DISPUTED)
    if table_only:
        stmt = select(Claim).where(Claim.status == ClaimStatus.DISPUTED).order_by(Claim.id)
    if limit is not None:
        stmt = stmt.limit(limit)
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    values = {k: getattr(v, "value", v) for k, v in compiled.params.items()}  # enums as stored
    positions = compiled.positiontup
    params = [values[name] for name in positions] if positions else values
    sql = str(compiled)
    writer = csv.writer(out, lineterminator="\r\n")  # type: ignore[arg-type]
    rows = 0
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cursor = raw.driver_connection.cursor(name="bare_export")  # type: ignore[union-attr]
            cursor.itersize = 1000
        else:
            cursor = raw.cursor()
        cursor.execute(sql, params)
        while batch := cursor.fetchmany(1000):
            for row in batch:
                writer.writerow(row)
            rows += len(batch)
        cursor.close()
    finally:
        raw.close()
        engine.dispose()
    return rows


def _status_kb(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class AnonPeak(threading.Thread):
    """Samples RssAnon (memory the process allocated, not the database file it maps) every 5 ms."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.005):
            self.peak_kb = max(self.peak_kb, _status_kb("RssAnon"))


def main() -> None:
    url, mode, limit_text = sys.argv[1:4]
    limit = int(limit_text) or None
    sampler = AnonPeak()
    sampler.start()
    with open(os.devnull, "w", encoding="utf-8", newline="") as out:
        start = time.perf_counter()
        if mode == "factdb":
            rows = _factdb(url, limit, out)
        else:
            rows = _bare(url, limit, out, table_only=mode == "table")
        seconds = time.perf_counter() - start
    sampler.done.set()
    sampler.join()
    print(
        json.dumps(
            {"rows": rows, "seconds": seconds, "peak_rss_mb": _peak_rss_mb(),
             "peak_anon_rss_mb": max(sampler.peak_kb, _status_kb("RssAnon")) / 1024}
        )
    )  # fmt: skip


def _peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM). ru_maxrss would carry the parent's peak across exec."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
