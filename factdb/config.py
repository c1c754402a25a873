"""The one settings object, read from the environment (``FACTDB_*``) with documented defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MAX_INGEST_BYTES = 5 * 1024 * 1024
#: A web session ends after this long without a request (an editor away from the desk)...
DEFAULT_SESSION_IDLE_MINUTES = 120
#: ...and this long after login whatever happens (about one newsroom shift).
DEFAULT_SESSION_MAX_HOURS = 12


#: Requests per API token: ten a second on average, enough for a feed reader or a newsroom tool.
DEFAULT_API_RATE_LIMIT = "600 per minute"


def default_database_url() -> str:
    """SQLite file ``instance/factdb.sqlite3`` under the current directory (created on demand)."""
    return f"sqlite:///{(Path.cwd() / 'instance' / 'factdb.sqlite3').as_posix()}"


def _env_int(name: str, default: int, unit: str = "bytes") -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of {unit}, got {raw!r}") from None
    if value <= 0:
        raise ValueError(f"{name} must be a positive number of {unit}, got {raw!r}")
    return value


def _env_flag(name: str, default: bool) -> bool:
    raw = (os.environ.get(name) or "").strip().lower()
    if raw == "":
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {raw!r}")


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
    - ``secure_cookies`` (``FACTDB_SECURE_COOKIES``): send the session cookie over HTTPS only; set it
      whenever the UI is served over HTTPS (directly or behind a proxy).
    - ``session_idle_minutes`` / ``session_max_hours`` (``FACTDB_SESSION_IDLE_MINUTES`` /
      ``FACTDB_SESSION_MAX_HOURS``): a login ends after this long without a request, and this long
      after it began whatever happens.
    - ``api_rate_limit`` (``FACTDB_API_RATE_LIMIT``): requests each API token may make, in
      Flask-Limiter's notation (``600 per minute``; several joined by ``;``).
    - ``api_rate_storage`` (``FACTDB_API_RATE_STORAGE``): where the API's request counts are kept, shared
      by every gunicorn worker: a ``limits`` storage URI such as ``redis://127.0.0.1:6379``; default a
      small SQLite file beside a SQLite database (see ``factdb.web.api.ratelimit``).
    """

    database_url: str = field(default_factory=default_database_url)
    secret_key: str | None = None
    max_ingest_bytes: int = DEFAULT_MAX_INGEST_BYTES
    org_name: str = "factdb"
    org_url: str = "http://127.0.0.1:5000/"
    base_url: str = "http://127.0.0.1:5000"
    secure_cookies: bool = False
    session_idle_minutes: int = DEFAULT_SESSION_IDLE_MINUTES
    session_max_hours: int = DEFAULT_SESSION_MAX_HOURS
    api_rate_limit: str = DEFAULT_API_RATE_LIMIT
    api_rate_storage: str | None = None

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
            secure_cookies=_env_flag("FACTDB_SECURE_COOKIES", False),
            session_idle_minutes=_env_int(
                "FACTDB_SESSION_IDLE_MINUTES", DEFAULT_SESSION_IDLE_MINUTES, "minutes"
            ),
            session_max_hours=_env_int("FACTDB_SESSION_MAX_HOURS", DEFAULT_SESSION_MAX_HOURS, "hours"),
            api_rate_limit=env.get("FACTDB_API_RATE_LIMIT") or DEFAULT_API_RATE_LIMIT,
            api_rate_storage=env.get("FACTDB_API_RATE_STORAGE") or None,
        )
