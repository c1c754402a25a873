"""Consistent copies of a live database: SQLite's online backup API, or pg_dump for PostgreSQL.

A backup is written to ``PATH.partial`` and renamed to ``PATH`` only once whole, so ``PATH`` never
holds half a copy. The partial file is locked while it is written: a second backup to the same path
is refused with a message instead of writing into the first's file, and a partial file left by a
backup that was killed (no lock on it any more) is reused and removed, never left to pile up.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from factdb.errors import InputError


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise InputError(f"{path} already exists; choose a new file (a backup never overwrites)")
    if not path.parent.is_dir():
        raise InputError(f"{path.parent} is not a folder")


#: Pages the SQLite backup copies between two returns to Python (where a SIGTERM can stop it cleanly).
SQLITE_STEP_PAGES = 4096


@contextmanager
def _partial_file(path: Path) -> Iterator[Path]:
    """``PATH.partial``, locked for this process, emptied of any leftover; renamed to ``path`` by the
    caller on success and removed on any failure or interruption."""
    if not path.parent.is_dir():
        raise InputError(f"{path.parent} is not a folder")
    partial = path.with_name(path.name + ".partial")
    # SIGTERM is held back from creating the file until this process has locked it and owns its
    # removal: a kill falling between the two left the partial file behind.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        try:
            handle = os.open(partial, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as error:
            raise InputError(f"{partial}: cannot be written ({error.strerror})") from None
        try:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(
                    f"another backup to {path} is running (it holds {partial}); wait for it to finish "
                    "or choose another file"
                ) from None
            finished = False
            try:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # from here a kill removes the file
                _refuse_existing(path)
                os.ftruncate(handle, 0)  # what a killed backup left behind
                yield partial
                finished = True  # the caller renamed it as its last step; the name may be another's now
            finally:
                if not finished:
                    partial.unlink(missing_ok=True)
        finally:
            os.close(handle)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _step(_status: int, _remaining: int, _total: int) -> None:
    """Between two steps of a SQLite backup: Python runs, so a pending SIGTERM stops the copy here."""


def backup_sqlite(database: Path, path: Path) -> str:
    """Copy a SQLite database page by page with the online backup API, into ``path``."""
    _refuse_existing(path)
    if not database.is_file():
        raise InputError(f"no database at {database}: nothing to back up")
    with _partial_file(path) as partial:
        source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True)
        try:
            target = sqlite3.connect(partial)
            try:
                # The backup API copies a consistent snapshot even while other connections write.
                source.backup(target, pages=SQLITE_STEP_PAGES, progress=_step)
                (check,) = target.execute("PRAGMA integrity_check").fetchone()
            finally:
                target.close()
        finally:
            source.close()
        if check != "ok":
            raise InputError(f"the copy failed its integrity check: {check}")
        partial.replace(path)
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
    with _partial_file(path) as partial:
        # On an exception (a SIGTERM turned into SystemExit by the CLI) subprocess.run kills pg_dump.
        done = subprocess.run(pg_dump_command(url, partial), capture_output=True, text=True, check=False)  # noqa: S603
        if done.returncode != 0:
            raise InputError(f"pg_dump failed: {done.stderr.strip()}")
        partial.replace(path)
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
