"""Shared fixtures: a real database built by ``alembic upgrade head``, one transaction per test.

SQLite (a temporary file) by default; PostgreSQL when FACTDB_TEST_DATABASE_URL is set. On
PostgreSQL every test run works in a schema of its own, so runs never see each other's rows.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from factdb.db import make_engine
from factdb.enums import EditorRole
from factdb.extract import Extraction
from factdb.migrate import upgrade
from factdb.models import Editor
from factdb.services.editors import create_editor
from factdb.services.ingest import IngestResult
from factdb.services.session_setup import set_up_sessions
from tests.handmade import gold_extraction, ingest_sample, sample_gold_text

# Property-based tests take their size from a profile: "ci" (hypothesis' default size, no deadline:
# a loaded CI machine must not fail a test for being slow) or "thorough" for a long local run.
hypothesis_settings.register_profile("ci", max_examples=100, deadline=None)
hypothesis_settings.register_profile("thorough", max_examples=2000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE_TEXT = REPO / "factdb" / "data" / "kursk-offensive.txt"
TEST_PASSWORD = "correct horse battery"


def _postgres_base_url() -> str | None:
    url = os.environ.get("FACTDB_TEST_DATABASE_URL")
    if url and not url.startswith("postgresql"):
        raise pytest.UsageError("FACTDB_TEST_DATABASE_URL must be a postgresql+psycopg:// URL")
    return url or None


def with_search_path(url: str, schema: str) -> str:
    """``url`` with every connection's search_path set to ``schema`` (psycopg's ``options``)."""
    return (
        make_url(url)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )


@pytest.fixture(scope="session", autouse=True)
def audit_key() -> Iterator[str]:
    """A random audit key for this run, set in the environment (subprocesses inherit it).

    Set explicitly so the suite never depends on, or creates, a key file in the working folder.
    """
    key = secrets.token_hex(32)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FACTDB_AUDIT_KEY", key)
        patch.delenv("FACTDB_AUDIT_KEY_FILE", raising=False)
        yield key


@pytest.fixture(scope="session")
def dialect_name() -> str:
    """``sqlite`` or ``postgresql``: the engine this test run is on."""
    return "postgresql" if _postgres_base_url() else "sqlite"


@pytest.fixture(scope="session")
def new_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[], str]]:
    """A factory of URLs of new, empty databases of the engine under test."""
    base = _postgres_base_url()
    schemas: list[str] = []

    def make() -> str:
        if base is None:
            path = tmp_path_factory.mktemp("db") / "factdb.sqlite3"
            return f"sqlite:///{path.as_posix()}"
        schema = f"factdb_test_{secrets.token_hex(6)}"
        admin = make_engine(base)
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        admin.dispose()
        schemas.append(schema)
        return with_search_path(base, schema)

    yield make
    if base is not None and schemas:
        admin = make_engine(base)
        # One transaction per schema: dropping a schema locks each of its objects until commit, and all of
        # a run's schemas at once overflowed the server's lock table ("out of shared memory").
        for schema in schemas:
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def app_on() -> Iterator[Callable[[str], Flask]]:
    """A factory of real apps, each with its own engine on the URL given (its own read and write
    session factories, as gunicorn builds them). Their engines are disposed when the test ends: a pool
    left to the garbage collector closes its PostgreSQL connections during whatever test runs next,
    which fails there with a ResourceWarning."""
    from dataclasses import replace

    from factdb.config import Settings
    from factdb.web import create_app

    apps: list[Flask] = []

    def make(url: str) -> Flask:
        settings = replace(Settings.from_env(), database_url=url)
        app = create_app({"SECRET_KEY": "test", "FACTDB_SETTINGS": settings, "WTF_CSRF_ENABLED": False})
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["factdb"]["session_factory"].kw["bind"].dispose()


@pytest.fixture(scope="session")
def database_url(new_database_url: Callable[[], str]) -> str:
    """The URL of this run's shared database, migrated to head."""
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the migrated database."""
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    with engine.connect() as connection:
        outer = connection.begin()
        try:
            yield connection
        finally:
            outer.rollback()


@pytest.fixture
def db_session(connection: Connection) -> Iterator[Session]:
    """A session whose commits only release savepoints of the test's outer transaction."""
    session = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    set_up_sessions(session)
    try:
        yield session
    finally:
        session.close()


def _make_editor(session: Session, username: str, role: EditorRole) -> Editor:
    return create_editor(session, None, username=username, password=TEST_PASSWORD, role=role)


@pytest.fixture
def admin(db_session: Session) -> Editor:
    return _make_editor(db_session, "ada", EditorRole.ADMIN)


@pytest.fixture
def editor(db_session: Session) -> Editor:
    return _make_editor(db_session, "eddie", EditorRole.EDITOR)


@pytest.fixture
def viewer(db_session: Session) -> Editor:
    return _make_editor(db_session, "vera", EditorRole.VIEWER)


@pytest.fixture(scope="session")
def sample_text() -> str:
    """The sample article the product was specified from."""
    return SAMPLE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def sample_extraction(sample_text: str) -> Extraction:
    """The sample article's sentences and claims as its gold file states them, never as the engine
    finds them today: what the tests outside tests/extract store (see tests/handmade.py)."""
    assert sample_gold_text() == sample_text, "the gold file holds the sample article"
    return gold_extraction()


@pytest.fixture
def sample_source(db_session: Session, editor: Editor) -> IngestResult:
    """The sample article ingested by the editor with its gold claims, from the outlet "Wire"."""
    return ingest_sample(db_session, editor, title="Kursk", outlet="Wire")
