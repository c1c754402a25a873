"""The one settings object, read from the environment (``FACTDB_*``) with documented defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_INGEST_BYTES = 5 * 1024 * 1024


def default_database_url() -> str:
    """SQLite file ``instance/factdb.sqlite3`` under the current directory (created on demand)."""
    return f"sqlite:///{(Path.cwd() / 'instance' / 'factdb.sqlite3').as_posix()}"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of bytes, got {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    """Everything factdb can be configured with.

    - ``database_url`` (``FACTDB_DATABASE_URL``): SQLAlchemy URL; default a SQLite file in ``./instance/``.
      For PostgreSQL use ``postgresql+psycopg://user@host/dbname``.
    - ``secret_key`` (``FACTDB_SECRET_KEY``): signs sessions and CSRF tokens; a random one per process
      when unset, which logs everyone out on restart.
    - ``max_ingest_bytes`` (``FACTDB_MAX_INGEST_BYTES``): the largest article accepted, in bytes.
    - ``org_name`` / ``org_url`` (``FACTDB_ORG_NAME`` / ``FACTDB_ORG_URL``): the fact-checking
      organization named as author of published reviews.
    - ``base_url`` (``FACTDB_BASE_URL``): where the web UI is reachable, for links in exports.
    """

    database_url: str = field(default_factory=default_database_url)
    secret_key: str | None = None
    max_ingest_bytes: int = DEFAULT_MAX_INGEST_BYTES
    org_name: str = "factdb"
    org_url: str = "http://127.0.0.1:5000/"
    base_url: str = "http://127.0.0.1:5000"

    @classmethod
    def from_env(cls) -> Settings:
        """Build settings from ``FACTDB_*`` environment variables, falling back to the defaults."""
        env = os.environ
        return cls(
            database_url=env.get("FACTDB_DATABASE_URL") or default_database_url(),
            secret_key=env.get("FACTDB_SECRET_KEY") or None,
            max_ingest_bytes=_env_int("FACTDB_MAX_INGEST_BYTES", DEFAULT_MAX_INGEST_BYTES),
            org_name=env.get("FACTDB_ORG_NAME") or cls.org_name,
            org_url=env.get("FACTDB_ORG_URL") or cls.org_url,
            base_url=(env.get("FACTDB_BASE_URL") or cls.base_url).rstrip("/"),
        )
