"""The declarative base, engines and sessions.

Every model derives from :class:`Base`, whose metadata names every constraint
(unnamed constraints break SQLite batch migrations). :func:`make_engine` applies the
per-dialect settings that make SQLite behave: foreign keys on, WAL, a busy timeout,
and real transactions so SAVEPOINTs work (see the SQLAlchemy pysqlite docs).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Column, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from factdb.errors import DatabaseBusyError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SQLITE_BUSY_TIMEOUT_MS = 15_000
#: Values per IN (...) list: under SQLite's and PostgreSQL's limits on bound parameters.
IN_CHUNK = 5000
SQLITE_CACHE_KB = 32 * 1024
SQLITE_MMAP_BYTES = 256 * 1024 * 1024

#: Execution option marking connections of write sessions (see :func:`make_session_factory`).
WRITE_OPTION = "factdb_write"


class Base(DeclarativeBase):
    """Base of every factdb model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware.

    SQLite has no time zones and hands back naive values; PostgreSQL's ``timestamptz``
    does; this type gives both the same behaviour.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; factdb stores timezone-aware UTC times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (needed for SAVEPOINT).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
            # A 32 MB page cache and memory-mapped reads: archives of millions of claims keep their
            # index pages hot (the defaults, 2 MB and no mmap, are sized for small databases).
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KB}")
            cursor.execute(f"PRAGMA mmap_size = {SQLITE_MMAP_BYTES}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A write transaction takes the write lock up front: a deferred one that read first could
        # fail at its first write if another writer committed meanwhile ("database is locked").
        immediate = connection.get_execution_options().get(WRITE_OPTION)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    """What SQLAlchemy does to a value of ``column`` before handing it to the driver (None: nothing),
    for the bulk paths that write rows at the driver themselves."""
    processor: Callable[[Any], Any] | None = column.type.dialect_impl(dialect).bind_processor(dialect)
    return processor


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with factdb's per-dialect settings.

    For a SQLite file the parent folder is created, so the default ``./instance/``
    database works on a fresh machine.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


#: How PostgreSQL plans factdb's statements: each execution for its own parameters. psycopg prepares a
#: statement on the server once it has run five times, and PostgreSQL may then switch to one generic
#: plan for all parameters. With skewed data that plan can be far worse: the search for a common word
#: within a status, at 1M claims, went from 4-5 ms to 58-504 ms from its tenth run on (bench archive,
#: 2026-12-03). The price is planning every time, about a millisecond.
POSTGRESQL_PLAN_CACHE_MODE = "force_custom_plan"


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _plan_for_the_parameters(dbapi_connection: Any, _record: Any) -> None:
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET plan_cache_mode = {POSTGRESQL_PLAN_CACHE_MODE}")
        dbapi_connection.commit()


def make_session_factory(engine: Engine, *, write: bool = False) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit.

    ``write=True`` is for sessions that change data: on SQLite their transactions begin
    IMMEDIATE, taking the write lock before reading, so concurrent writers queue on the busy
    timeout instead of failing. Read sessions begin deferred and never block writers (WAL).
    Its sessions get every factdb listener (:func:`factdb.services.session_setup.set_up_sessions`:
    unstorable text refused before a flush, the audit chain kept).
    """
    bind = engine.execution_options(**{WRITE_OPTION: True}) if write else engine
    factory = sessionmaker(bind=bind, expire_on_commit=False)
    # Every factdb session gets its listeners (set up here rather than at import, so importing factdb
    # leaves other Sessions alone). The one upward dependency of this bottom layer, imported here on
    # purpose: factdb.services.session_setup needs the services, which need the models, which need this
    # module's Base, so a top-level import would be a cycle. Moving the factory up instead would leave
    # every caller (the CLI, the app, the tests) to remember the listeners; a factory without them must
    # not exist.
    from factdb.services.session_setup import set_up_sessions

    set_up_sessions(factory)
    return factory


@contextmanager
def unit_of_work(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back on any exception."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


#: SQLite's primary result codes for a database another connection holds (the low byte of extended codes).
_SQLITE_BUSY_CODES = (5, 6)  # SQLITE_BUSY, SQLITE_LOCKED


def is_database_busy(error: BaseException) -> bool:
    """Whether ``error`` (a driver's error, or SQLAlchemy's wrapping of one) is SQLite's "database is
    locked": another connection held the write lock past the busy timeout. Nothing of the failed
    transaction was written (see :class:`factdb.errors.DatabaseBusyError`)."""
    original = getattr(error, "orig", None) or error
    if not isinstance(original, sqlite3.OperationalError):
        return False
    code = getattr(original, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in _SQLITE_BUSY_CODES
    lowered = str(original).lower()
    return "locked" in lowered or "busy" in lowered


#: What drivers say when a PostgreSQL server cannot be reached at all.
_UNREACHABLE = (
    "connection refused", "could not connect", "timeout", "timed out", "could not translate",
    "name or service not known", "no route to host", "connection failed", "server closed",
)  # fmt: skip


def database_problem(error: BaseException, url: str) -> str:
    """One line naming what went wrong reaching or reading the database at ``url``, and the fix.

    For the command line, which must never answer a missing database, a stopped server or a file
    that is not a database with a traceback. The driver's own words end the line when no known
    cause matches.
    """
    parsed = make_url(url)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0] if str(error).strip() else ""
    lowered = reason.lower()
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ":memory:"
        if "file is not a database" in lowered or "malformed" in lowered:
            return (
                f"{path} is not a SQLite database (or is damaged): point FACTDB_DATABASE_URL at a factdb "
                "database, or restore one from a backup"
            )
        if "unable to open" in lowered or "readonly" in lowered or "read-only" in lowered:
            return (
                f"cannot open the SQLite file {path} ({reason}): check that its folder exists and is writable"
            )
        if is_database_busy(error):
            return str(DatabaseBusyError(f"the database {path}"))
        return f"the SQLite database {path} failed: {reason}"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    name = parsed.database or "(none)"
    if "does not exist" in lowered and "database" in lowered:
        return (
            f"the PostgreSQL database {name!r} does not exist on {where}: create it "
            f"(createdb {name}) and run `factdb db upgrade`, or fix FACTDB_DATABASE_URL"
        )
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return (
            f"the PostgreSQL server at {where} refused the login: "
            "check the user and password in FACTDB_DATABASE_URL"
        )
    if any(words in lowered for words in _UNREACHABLE):
        return (
            f"cannot reach the PostgreSQL server at {where} ({reason}): check that it is running and "
            "that FACTDB_DATABASE_URL names it"
        )
    return f"the PostgreSQL database {name!r} on {where} failed: {reason}"


_Item = TypeVar("_Item")


def in_chunks(items: Sequence[_Item], size: int = IN_CHUNK) -> Iterator[list[_Item]]:
    """``items`` in lists of at most ``size``: one IN (...) list each (see :data:`IN_CHUNK`)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
