"""Consistent copies of a live database: SQLite's online backup API, or pg_dump for PostgreSQL."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from factdb.errors import InputError


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise InputError(f"{path} already exists; choose a new file (a backup never overwrites)")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent} is not a folder")


def backup_sqlite(database: Path, path: Path) -> str:
    """Copy a SQLite database page by page with the online backup API, into ``path``."""
    _refuse_existing(path)
    partial = path.with_name(path.name + ".partial")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            # The backup API copies a consistent snapshot even while other connections write.
            source.backup(target)
            (check,) = target.execute("PRAGMA integrity_check").fetchone()
        finally:
            target.close()
        if check != "ok":
            raise InputError(f"the copy failed its integrity check: {check}")
        partial.replace(path)
    finally:
        source.close()
        partial.unlink(missing_ok=True)
    return f"backed up {database} to {path} ({path.stat().st_size:,} bytes)"


def pg_dump_command(url: str, path: Path) -> list[str]:
    """The pg_dump command line for ``url`` (a SQLAlchemy URL), writing custom format to ``path``."""
    parsed = make_url(url)
    options = str(parsed.query.get("options", ""))
    libpq = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    command = ["pg_dump", "--format=custom", "--no-owner", f"--file={path}", f"--dbname={libpq}"]
    # A search_path in the URL (a schema per deployment) limits the dump to that schema.
    if "search_path=" in options:
        command.append(f"--schema={options.split('search_path=', 1)[1].split(',')[0].split()[0]}")
    return command


def backup_postgresql(url: str, path: Path) -> str:
    """Dump a PostgreSQL database with pg_dump (custom format, consistent by MVCC snapshot)."""
    _refuse_existing(path)
    if shutil.which("pg_dump") is None:
        raise InputError(
            "pg_dump is not installed; install the PostgreSQL client (apt-get install postgresql-client) "
            "or run pg_dump --format=custom on the database server"
        )
    partial = path.with_name(path.name + ".partial")
    try:
        done = subprocess.run(pg_dump_command(url, partial), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise InputError(f"pg_dump failed: {done.stderr.strip()}")
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    size = path.stat().st_size
    return f"backed up with pg_dump to {path} ({size:,} bytes); restore: pg_restore --dbname NEWDB {path}"


def backup_database(engine: Engine, path: Path) -> str:
    """Back up the database ``engine`` points at into the new file ``path``; returns a summary line."""
    url = engine.url
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            raise InputError("an in-memory SQLite database cannot be backed up")
        return backup_sqlite(Path(url.database), path)
    if url.get_backend_name() == "postgresql":
        return backup_postgresql(url.render_as_string(hide_password=False), path)
    raise InputError(f"backup does not know the {url.get_backend_name()} database")
