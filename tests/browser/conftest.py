"""A real server (``factdb serve``: gunicorn) on 127.0.0.1 and the system Chromium driven by Playwright.

The database is a fresh one of the engine under test, migrated to head, holding the sample article
and two accounts. Screenshots of the main pages go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.db import make_engine, make_session_factory
from factdb.enums import EditorRole
from factdb.migrate import upgrade
from factdb.models import Claim
from factdb.services.editors import create_editor
from tests.conftest import REPO, SAMPLE_TEXT, TEST_PASSWORD
from tests.handmade import ingest_sample

CHROMIUM = Path(os.environ.get("FACTDB_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "test-output" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _seed(database_url: str) -> None:
    """Migrate a new database and give it the sample article and the two accounts."""
    engine = make_engine(database_url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        create_editor(session, None, username="ada", password=TEST_PASSWORD, role=EditorRole.ADMIN)
        create_editor(session, None, username="eddie", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        title = SAMPLE_TEXT.read_text(encoding="utf-8").splitlines()[0]
        ingest_sample(session, None, title=title, outlet="Sample Wire")
    engine.dispose()


@contextlib.contextmanager
def _serving(database_url: str, log_dir: Path) -> Iterator[str]:
    """``factdb serve`` on ``database_url`` until the block ends; yields its URL."""
    port = _free_port()
    log = log_dir / "server.log"
    env = {**os.environ, "FACTDB_DATABASE_URL": database_url, "FACTDB_SECRET_KEY": "browser-tests"}
    with log.open("wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "factdb", "serve", "--port", str(port), "--workers", "2"],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/login", timeout=2) as response:  # noqa: S310 (our own server)
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"factdb serve did not come up:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@pytest.fixture(scope="module")
def server_url(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of ``factdb serve`` on a database with the sample article, ada (admin) and eddie (editor)."""
    database_url = new_database_url()
    _seed(database_url)
    with _serving(database_url, tmp_path_factory.mktemp("server")) as url:
        yield url


@dataclass(frozen=True)
class Desk:
    """A running server and its database, for tests that set up rows of their own."""

    url: str
    database_url: str

    def session(self) -> contextlib.AbstractContextManager[Session]:
        """A session on the server's database, committed when the block ends."""
        return _committing(self.database_url)


@contextlib.contextmanager
def _committing(database_url: str) -> Iterator[Session]:
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def desk(new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """Like :func:`server_url`, with the database at hand (see :func:`fresh_sample`)."""
    database_url = new_database_url()
    _seed(database_url)
    with _serving(database_url, tmp_path_factory.mktemp("server")) as url:
        yield Desk(url, database_url)


@dataclass(frozen=True)
class FreshSource:
    """A copy of the sample article ingested for one test: its id and its claims' ids in order."""

    source_id: int
    title: str
    claim_ids: list[int]


@pytest.fixture
def fresh_sample(desk: Desk) -> FreshSource:
    """The sample article (its gold claims) ingested again under a title of its own, so a test's changes
    touch only it."""
    title = f"Desk copy {secrets.token_hex(4)}"
    with desk.session() as session:
        result = ingest_sample(session, None, title=title, heading=title, outlet="Sample Wire")
        source_id = result.source.id
    with desk.session() as session:
        ids = list(session.scalars(select(Claim.id).where(Claim.source_id == source_id).order_by(Claim.id)))
    return FreshSource(source_id, title, ids)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The system Chromium, headless."""
    if not CHROMIUM.exists():
        pytest.fail(f"the browser tests need Chromium at {CHROMIUM}: apt-get install -y chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[[], BrowserContext]]:
    """A factory of fresh browser contexts (separate cookie jars), closed after the test."""
    contexts: list[BrowserContext] = []

    def make() -> BrowserContext:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def log_in(context: BrowserContext, server_url: str, username: str) -> Page:
    """A page of ``context`` logged in as ``username`` through the login form."""
    page = context.new_page()
    page.goto(f"{server_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{server_url}/")
    return page


def screenshot(page: Page, name: str) -> None:
    """Save a full-page screenshot under test-output/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
