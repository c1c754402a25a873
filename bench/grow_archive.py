"""Grow a SQLite benchmark archive by replication (used by ``python -m bench --grow-from N``).

    python -m bench.grow_archive SOURCE.sqlite3 FACTOR DEST.sqlite3

Building an archive through ingest costs about 1 h 45 min per million claims on this machine (the
engine, matching and the store per claim), so a million claims, let alone the ten million issue 16
asks PostgreSQL to be measured at, do not fit a working session. This copies an archive built through
ingest and adds FACTOR - 1 copies of its articles with everything that hangs on them: sources,
sentences, claims, reviews, evidence, match keys, clusters and relations, every id and every reference
shifted past the originals (copy k adds k times the table's largest id). Speakers, editors, tokens and
the audit chain are shared, not copied. The database's own triggers fill the search index and the
per-speaker counts as the copied claims arrive, as they do at ingest.

What the grown archive is not: a signed record of how it came to be (``factdb audit verify`` covers
the original rows only), nor a fair test of matching (each statement now has FACTOR word-for-word
copies by the same speaker). What it is: the same mix of statuses, speakers, words and reviews at
FACTOR times the rows, which is what the pages, searches and exports pay for. ``python -m bench
--copy`` takes it to PostgreSQL row for row.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy import Engine, Table, text

from factdb import models  # noqa: F401  (registers the tables on Base.metadata)
from factdb.db import Base
from factdb.migrate import upgrade

#: Tables copied FACTOR times; everything else (speakers, editors, audit, tokens, models) is shared.
REPLICATED = (
    "sources", "sentences", "claims", "reviews", "evidence", "review_follows", "claim_match_keys",
    "claim_clusters", "claim_cluster_members", "claim_relations", "claim_not_same", "assignments",
    "claim_openings",
)  # fmt: skip
#: A column that must stay unique across copies, and how a copy ``k`` makes its value unique, per
#: database: the article's fingerprint keeps its length (64 hex digits) with the copy's number at its end.
UNIQUE_PER_COPY = {
    ("sources", "sha256"): {
        "sqlite": "substr(sha256, 1, 56) || printf('%08x', {k})",
        "postgresql": "substr(sha256, 1, 56) || lpad(to_hex({k}), 8, '0')",
    }
}
#: Tables PostgreSQL fills itself, by triggers on claims (as in bench/copy_archive.py).
DERIVED = ("speaker_status_counts",)


def _copy_statement(
    table: Table, k: int, offsets: dict[str, int], *, source: str | None = None, dialect: str = "sqlite"
) -> str:
    """INSERT ... SELECT of the original rows of ``table`` as copy number ``k`` (0: as they are),
    read from the same table or from ``source`` (another schema's, on PostgreSQL). ``offsets``
    holds the largest original id of each replicated table: a copy shifts its ids and references by
    ``k`` times those, and only the original rows (ids up to the offset) are read."""
    selected = []
    original = None
    for column in table.columns:
        name = column.name
        targets = {fk.column.table.name for fk in column.foreign_keys} & offsets.keys()
        if (table.name, name) in UNIQUE_PER_COPY and k:
            selected.append(UNIQUE_PER_COPY[(table.name, name)][dialect].format(k=k))
        elif name == "id" and table.name in offsets:
            selected.append(f"id + {k * offsets[table.name]}")
            original = f"id <= {offsets[table.name]}"
        elif targets:
            (target,) = targets
            selected.append(f'"{name}" + {k * offsets[target]}')  # NULL stays NULL
            original = original or f'"{name}" <= {offsets[target]}'
        else:
            selected.append(f'"{name}"')
    names = ", ".join(f'"{c.name}"' for c in table.columns)
    values = ", ".join(selected)
    where = f" WHERE {original}" if original else ""
    order = " ORDER BY id" if "id" in table.columns else ""  # the audit chain goes in its order
    return f"INSERT INTO {table.name} ({names}) SELECT {values} FROM {source or table.name}{where}{order}"  # noqa: S608


def grow_archive(source: Path, factor: int, dest: Path, *, progress: bool = True) -> float:
    """Write ``dest``: the archive at ``source`` with its articles ``factor`` times; the seconds taken."""
    if factor < 2:
        raise ValueError("the factor must be at least 2")
    start = time.perf_counter()
    shutil.copyfile(source, dest)
    connection = sqlite3.connect(dest)
    try:
        tables = [t for t in Base.metadata.sorted_tables if t.name in REPLICATED]
        offsets = {t.name: connection.execute(f"SELECT coalesce(max(id), 0) FROM {t.name}").fetchone()[0]  # noqa: S608
                   for t in tables if "id" in t.columns}  # fmt: skip
        for k in range(1, factor):
            for table in tables:
                connection.execute(_copy_statement(table, k, offsets))
            connection.commit()
            if progress:
                print(f"  copy {k} of {factor - 1} written ({time.perf_counter() - start:.0f} s)", flush=True)
        connection.execute("ANALYZE")
        connection.commit()
    finally:
        connection.close()
    return time.perf_counter() - start


def grow_postgres(engine: Engine, source_schema: str, factor: int, *, progress: bool = True) -> float:
    """Fill ``engine``'s empty schema with the archive of ``source_schema``, its articles ``factor``
    times (the shared tables once); the seconds taken. PostgreSQL's triggers build the search
    tables and counts as the claims arrive."""
    start = time.perf_counter()
    upgrade(engine)
    tables = [t for t in Base.metadata.sorted_tables if t.name not in DERIVED]
    with engine.begin() as connection:
        offsets = {
            t.name: connection.execute(
                text(f'SELECT coalesce(max(id), 0) FROM "{source_schema}".{t.name}')
            ).scalar()  # noqa: S608
            or 0
            for t in tables
            if t.name in REPLICATED and "id" in t.columns
        }
    for table in tables:
        copies = range(factor) if table.name in REPLICATED else range(1)
        for k in copies:
            statement = _copy_statement(
                table, k, offsets, source=f'"{source_schema}".{table.name}', dialect="postgresql"
            )
            with engine.begin() as connection:
                connection.execute(text(statement))
        if "id" in table.columns:
            with engine.begin() as connection:
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) FROM {table.name}"  # noqa: S608
                ))  # fmt: skip
        if progress:
            print(f"  {table.name}: {len(copies)} cop{'y' if len(copies) == 1 else 'ies'} "
                  f"({time.perf_counter() - start:.0f} s)", flush=True)  # fmt: skip
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return time.perf_counter() - start


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    seconds = grow_archive(Path(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3]))
    print(f"grown in {seconds:.0f} s")
