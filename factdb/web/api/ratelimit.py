"""Where Flask-Limiter keeps the API's request counts: one store shared by every gunicorn worker.

Flask-Limiter counts through the ``limits`` library, whose stores are memory (one per process: each
gunicorn worker would grant the full rate again), Redis, Memcached, MongoDB and the like. factdb's
embedded deployment is one SQLite file and no other server, so this module adds one more ``limits``
store: a small SQLite file of its own (``factdb+sqlite:///path``), in WAL mode, that every worker on
the machine opens. It is deliberately not the archive's database: counting every API read there would
turn each read into a write on the archive's single write lock. A deployment with Redis (or several
machines behind one address) sets ``FACTDB_API_RATE_STORAGE=redis://...`` instead.

Only the fixed-window strategy is supported (Flask-Limiter's default): one row per key and window.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from limits.storage import Storage
from sqlalchemy.engine import make_url

SCHEME = "factdb+sqlite"
#: Expired counters are deleted once every this many increments (cheap, and the file stays small).
PRUNE_EVERY = 1000
#: How long a worker waits for another one's increment (a single UPSERT) before giving up.
BUSY_TIMEOUT_MS = 5000


class SQLiteStorage(Storage):
    """A ``limits`` storage in a SQLite file: counters with an expiry, updated by one UPSERT each."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: object) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        path = urlparse(uri or "").path
        if not path:
            raise ValueError(
                f"{SCHEME}:// needs a file path, e.g. {SCHEME}:///var/lib/factdb/ratelimit.sqlite3"
            )
        self.path = path
        self._local = threading.local()
        self._count = 0
        self._connection().execute(
            "CREATE TABLE IF NOT EXISTS counters"
            " (key TEXT PRIMARY KEY, n INTEGER NOT NULL, expires REAL NOT NULL)"
        )

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # One connection per thread (gunicorn's threads, Flask's test client); autocommit statements.
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")  # a lost count after a power cut is harmless
            self._local.db = db
        return db

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to ``key``'s counter, starting a new window of ``expiry`` seconds if it ran out."""
        now = time.time()
        db = self._connection()
        row = db.execute(
            "INSERT INTO counters (key, n, expires) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET "
            " n = CASE WHEN counters.expires <= ? THEN excluded.n ELSE counters.n + excluded.n END,"
            " expires = CASE WHEN counters.expires <= ? THEN excluded.expires ELSE counters.expires END "
            "RETURNING n",
            (key, amount, now + expiry, now, now),
        ).fetchone()
        self._count += 1
        if self._count % PRUNE_EVERY == 0:
            db.execute("DELETE FROM counters WHERE expires <= ?", (now,))
        return int(row[0])

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT n FROM counters WHERE key = ? AND expires > ?", (key, time.time()))
            .fetchone()
        )
        return 0 if row is None else int(row[0])

    def get_expiry(self, key: str) -> float:
        row = self._connection().execute("SELECT expires FROM counters WHERE key = ?", (key,)).fetchone()
        return time.time() if row is None else float(row[0])

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        cursor = self._connection().execute("DELETE FROM counters")
        return cursor.rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))


def default_storage_uri(database_url: str) -> str:
    """The counts' store when none is configured: a file beside a SQLite archive, else one in the
    machine's temporary folder (every worker on this machine shares it; several machines need Redis)."""
    url = make_url(database_url)
    path = url.database
    if url.get_backend_name() == "sqlite" and path and path != ":memory:" and not path.startswith("file:"):
        return f"{SCHEME}:///{os.path.abspath(path)}.ratelimit"
    user = os.getuid() if hasattr(os, "getuid") else 0
    return f"{SCHEME}:///{tempfile.gettempdir()}/factdb-{user}-api-ratelimit.sqlite3"
