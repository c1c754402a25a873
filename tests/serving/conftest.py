"""``factdb serve`` as deployed: gunicorn on 127.0.0.1 over a database of the engine under test."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from factdb.db import make_engine, make_session_factory
from factdb.enums import EditorRole
from factdb.migrate import upgrade
from factdb.services.editors import create_editor
from tests.conftest import TEST_PASSWORD

#: How long a server may take to come up on a busy machine.
STARTUP_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """One ``factdb serve`` process (an arbiter and its workers)."""

    database_url: str
    args: tuple[str, ...]
    home: Path
    log: Path
    extra_env: dict[str, str] = field(default_factory=dict)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Server:
        env = {k: v for k, v in os.environ.items() if k not in ("XDG_RUNTIME_DIR", "GUNICORN_CMD_ARGS")}
        env.update(
            FACTDB_DATABASE_URL=self.database_url, FACTDB_SECRET_KEY="serving-tests", HOME=str(self.home),
            **self.extra_env,
        )  # fmt: skip
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "factdb", "serve", "--port", str(self.port), *self.args],
                env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if request(self, "GET", "/login")[0] == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"factdb serve did not come up:\n{self.log.read_text()}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None


def request(
    server: Server, method: str, path: str, body: dict[str, str] | None = None, cookie: str | None = None
) -> tuple[int, dict[str, str], str]:
    """One request on a connection of its own: status, headers (lower-case names), body text."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        connection.close()


def session_cookie(headers: dict[str, str]) -> str:
    """The ``session=...`` pair of a response's Set-Cookie."""
    match = re.search(r"session=[^;]+", headers.get("set-cookie", ""))
    assert match, headers
    return match.group(0)


def try_login(server: Server, username: str, password: str) -> tuple[int, str]:
    """Post the login form as a browser would (CSRF token and all); the status and session cookie."""
    _, headers, page = request(server, "GET", "/login")
    cookie = session_cookie(headers)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, page
    form = {"csrf_token": token.group(1), "username": username, "password": password}
    status, headers, _ = request(server, "POST", "/login", form, cookie)
    return status, session_cookie(headers) if status == 302 else cookie


@pytest.fixture
def served_database(new_database_url: Callable[[], str]) -> str:
    """A fresh database migrated to head with ada (admin) and eddie (editor)."""
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        create_editor(session, None, username="ada", password=TEST_PASSWORD, role=EditorRole.ADMIN)
        create_editor(session, None, username="eddie", password=TEST_PASSWORD, role=EditorRole.EDITOR)
    engine.dispose()
    return url


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start ``factdb serve`` with extra arguments; every server is stopped after the test."""
    servers: list[Server] = []

    def start(database_url: str, *args: str, **extra_env: str) -> Server:
        home = tmp_path / f"home{len(servers)}"
        home.mkdir()
        server = Server(database_url, args, home, tmp_path / f"server{len(servers)}.log", extra_env)
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()
