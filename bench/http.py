"""Pages and exports over HTTP, as a browser gets them: ``factdb serve`` (gunicorn, one worker) and,
with ``--peers``, Datasette serving the same SQLite file (used by ``python -m bench``).

Each request opens its own connection (gunicorn's sync workers close every connection anyway), reads the
whole body, and is timed from the request to the last byte; a page's figure is the median of ``repeat``.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

#: How long a server may take to start listening.
START_TIMEOUT_S = 120
#: Bytes read at a time from a streamed export.
CHUNK = 1 << 16


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    command: list[str],
    port: int,
    env: Mapping[str, str] | None = None,
    *,
    cwd: Path | None = None,
    log: Path | None = None,
) -> Iterator[None]:
    """Run a server until the block ends; wait until it accepts connections on ``port``.

    ``env`` is the server's whole environment (this process's when None); its output goes to ``log``
    (nowhere when None), whose end a failure to start quotes. Stopped (killed if need be) however the
    block ends. The tests start servers with it too (tests/test_packaging.py).
    """
    out = log.open("wb") if log is not None else open(os.devnull, "wb")  # noqa: SIM115 - closed below
    server = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"{command[:4]} stopped with status {server.returncode}{_tail(log)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{command[:4]} did not listen on {port}{_tail(log)}") from None
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        out.close()


def _tail(log: Path | None, chars: int = 4000) -> str:
    return f":\n{log.read_text(errors='replace')[-chars:]}" if log is not None and log.exists() else ""


class CutOff(Exception):
    """A streamed response the server ended before its end, after ``lines`` lines and ``seconds``."""

    def __init__(self, lines: int, seconds: float) -> None:
        super().__init__(f"cut off after {lines:,} lines and {seconds:.0f} s")
        self.lines = lines
        self.seconds = seconds


class Client:
    """A browser reduced to what the bench needs: one cookie jar, GET and a form POST."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: SimpleCookie = SimpleCookie()

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.cookies.load(header)
        connection.close()
        return response.status, data

    def get(self, path: str) -> bytes:
        status, data = self._request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: status {status}")
        return data

    def login(self, username: str, password: str) -> None:
        """Log in through factdb's own form (CSRF token included)."""
        status, page = self._request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        fields = {
            "username": username,
            "password": password,
            "csrf_token": token.group(1).decode() if token else "",
        }
        status, _ = self._request("POST", "/login", urlencode(fields))
        if status != 302:
            raise RuntimeError(f"login to factdb failed with status {status}")

    def median_ms(self, path: str, repeat: int, warmup: int = 2) -> float:
        for _ in range(warmup):
            self.get(path)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            self.get(path)
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    def stream(self, path: str) -> tuple[int, float]:
        """(lines, seconds) of a streamed response read to its end."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            raise RuntimeError(f"GET {path}: status {response.status}")
        lines = 0
        try:
            while chunk := response.read(CHUNK):
                lines += chunk.count(b"\n")
        except http.client.IncompleteRead as cut:
            # gunicorn kills a worker whose response runs past its timeout (30 s), mid-stream.
            raise CutOff(lines + cut.partial.count(b"\n"), time.perf_counter() - start) from None
        seconds = time.perf_counter() - start
        connection.close()
        return lines, seconds


def factdb_server(url: str, port: int) -> Callable[[], Iterator[None]]:
    """``factdb serve --workers 1`` on ``url``."""
    command = [sys.executable, "-m", "factdb", "serve", "--workers", "1", "--port", str(port)]
    env = {**os.environ, "FACTDB_DATABASE_URL": url, "FACTDB_SECRET_KEY": "bench"}
    return lambda: running(command, port, env)


def datasette_server(path: Path, port: int) -> Callable[[], Iterator[None]]:
    """Datasette on the SQLite file at ``path`` (the ``bench`` extra installs it)."""
    command = [
        sys.executable, "-m", "datasette", "serve", str(path), "--port", str(port),
        "--setting", "sql_time_limit_ms", "120000", "--setting", "max_returned_rows", "1000",
        "--setting", "allow_download", "off",
    ]  # fmt: skip
    return lambda: running(command, port)
