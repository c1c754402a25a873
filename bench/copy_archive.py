"""Copy a benchmark archive from SQLite into PostgreSQL, row for row (used by ``python -m bench --copy``).

    python -m bench.copy_archive SQLITE_FILE POSTGRES_URL

The PostgreSQL schema is migrated to head first, then every table is filled with COPY in foreign-key
order, with the same ids; PostgreSQL's own triggers build its derived tables (``speaker_status_counts``,
``claims_search`` and its counts) as the claims arrive. Both databases then hold the very same archive,
so their figures compare like with like; and a PostgreSQL archive of a million claims takes minutes
instead of the hour its ingest takes on a loaded machine (whose rate the bench measures on its own).
"""

from __future__ import annotations

import sqlite3
import sys
import time

from sqlalchemy import Engine, text

from factdb.db import Base, make_engine
from factdb.migrate import upgrade

#: Tables PostgreSQL fills itself, by triggers on claims.
DERIVED = ("speaker_status_counts",)
#: Rows per COPY statement: the claims triggers see one statement's rows at once, bounded here.
BATCH = 50_000


def copy_archive(sqlite_path: str, engine: Engine, *, progress: bool = True) -> float:
    """Copy every table of the SQLite archive at ``sqlite_path`` into ``engine``'s empty schema;
    returns the seconds it took."""
    start = time.perf_counter()
    upgrade(engine)
    source = sqlite3.connect(f"file:{sqlite_path}?mode=ro", uri=True)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SET timezone = 'UTC'")  # SQLite holds naive UTC times
        for table in Base.metadata.sorted_tables:
            if table.name in DERIVED:
                continue
            columns = [c.name for c in table.columns]
            names = ", ".join(f'"{c}"' for c in columns)
            rows = source.execute(f"SELECT {names} FROM {table.name} ORDER BY rowid")  # noqa: S608
            copied = 0
            while batch := rows.fetchmany(BATCH):
                with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                    for row in batch:
                        copy.write_row(row)
                copied += len(batch)
            if "id" in columns and copied:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), max(id)) FROM {table.name}"  # noqa: S608
                )
            raw.commit()
            if progress:
                print(f"  copied {copied:,} rows of {table.name}", flush=True)
    finally:
        raw.close()
        source.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))  # statistics, and visibility maps for index-only scans
    return time.perf_counter() - start


def main() -> None:
    sqlite_path, url = sys.argv[1:3]
    engine = make_engine(url)
    seconds = copy_archive(sqlite_path, engine)
    engine.dispose()
    print(f"copied in {seconds:.0f} s")


if __name__ == "__main__":
    main()
