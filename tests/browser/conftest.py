"""A real server (``factdb serve``: gunicorn) on 127.0.0.1 and the system Chromium driven by Playwright.

The database is a fresh one of the engine under test, migrated to head, holding the sample article
and two accounts. Screenshots of the main pages go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from factdb.db import make_engine, make_session_factory
from factdb.enums import EditorRole
from factdb.migrate import upgrade
from factdb.services.editors import create_editor
from factdb.services.ingest import ingest_text
from tests.conftest import REPO, SAMPLE_TEXT, TEST_PASSWORD

CHROMIUM = Path(os.environ.get("FACTDB_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO / "test-output" / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server_url(
    new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """URL of ``factdb serve`` on a database with the sample article, ada (admin) and eddie (editor)."""
    database_url = new_database_url()
    engine = make_engine(database_url)
    upgrade(engine)
    with make_session_factory(engine).begin() as session:
        create_editor(session, None, username="ada", password=TEST_PASSWORD, role=EditorRole.ADMIN)
        create_editor(session, None, username="eddie", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        text = SAMPLE_TEXT.read_text(encoding="utf-8")
        ingest_text(session, None, text, title=text.splitlines()[0], outlet="Sample Wire")
    engine.dispose()

    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
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
