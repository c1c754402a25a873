"""The real Flask app on the test's database transaction, and clients logged in as each role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from factdb.config import Settings
from factdb.models import Claim, Editor, Source
from factdb.services.ingest import IngestResult
from factdb.web.api import ratelimit
from factdb.web.app import create_app
from tests.conftest import TEST_PASSWORD
from tests.handmade import ingest_sample

MakeApp = Callable[..., Flask]


@pytest.fixture
def make_app(connection: Connection, database_url: str, tmp_path: Path) -> MakeApp:
    """Build the app with extra config; every request's session joins the test's transaction.

    The API's request counts live outside the database (they are not rolled back with the test), so
    each test counts in a store of its own: by default every app of a run would share one, and a
    test that sends hundreds of token-less requests would leave the next test a 429.
    """
    factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    own_counts = {"api_rate_storage": f"{ratelimit.SCHEME}:///{tmp_path}/api-rate-counts.sqlite3"}

    def make(
        max_ingest_bytes: int = 256 * 1024, settings_changes: dict[str, Any] | None = None, **config: Any
    ) -> Flask:
        settings = replace(
            Settings.from_env(),
            database_url=database_url,
            max_ingest_bytes=max_ingest_bytes,
            **{**own_counts, **(settings_changes or {})},
        )
        return create_app(
            {"TESTING": True, "SECRET_KEY": "test", "FACTDB_SETTINGS": settings,
             "FACTDB_SESSION_FACTORY": factory, **config}
        )  # fmt: skip

    return make


@pytest.fixture
def app(make_app: MakeApp) -> Flask:
    """The app with CSRF checks off, for tests about behaviour (CSRF has tests of its own)."""
    return make_app(WTF_CSRF_ENABLED=False)


def log_in(client: FlaskClient, username: str) -> FlaskClient:
    """Log ``client`` in through the login form."""
    response = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def as_role(app: Flask, admin: Editor, editor: Editor, viewer: Editor) -> Callable[[str], FlaskClient]:
    """A client logged in as ``anonymous``, ``viewer``, ``editor`` or ``admin``."""
    users = {"viewer": viewer.username, "editor": editor.username, "admin": admin.username}

    def client_for(role: str) -> FlaskClient:
        client = app.test_client()
        return client if role == "anonymous" else log_in(client, users[role])

    return client_for


@pytest.fixture
def sample(db_session: Session, editor: Editor) -> IngestResult:
    """The sample article, ingested with its gold claims (tests/handmade.py)."""
    return ingest_sample(
        db_session,
        editor,
        title="Kursk offensive",
        outlet="Kyiv Independent",
        url="https://example.org/kursk",
    )


def claims_of(session: Session, source: Source) -> list[Claim]:
    """The claims of ``source`` in order."""
    return list(session.scalars(select(Claim).where(Claim.source_id == source.id).order_by(Claim.id)))


@pytest.fixture
def claim(db_session: Session, sample: IngestResult) -> Iterator[Claim]:
    """A claim of the sample article made by a named speaker."""
    yield next(c for c in claims_of(db_session, sample.source) if c.speaker is not None and c.mention_text)
