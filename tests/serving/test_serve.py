"""Serving that slow clients cannot stop, and sessions that hold across workers, instances and restarts."""

from __future__ import annotations

import csv
import http.client
import io
import re
import socket
import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus
from factdb.models import AuditEvent, Claim
from factdb.services.claims import change_status_many
from factdb.services.ingest import ingest_text
from factdb.services.logins import MAX_FAILURES_PER_ACCOUNT
from tests.conftest import TEST_PASSWORD
from tests.serving.conftest import Server, request, session_cookie, try_login

pytestmark = pytest.mark.slow

Launch = Callable[..., Server]

#: The worker timeout the slow-reader test sets: far below how long its download takes.
LOW_TIMEOUT = 3
#: Articles x sentences of the disputed set: each claim's row is about 19 KB of CSV, 7.7 MB in all --
#: more than the loopback socket buffers (up to 4 MB) take in, so the server must wait for the reader.
ARTICLES, SENTENCES, FILLER_WORDS = 20, 20, 1600
_WORDS = (
    "the council budget for road repairs grew by nine percent over three years while schools waited".split()
)
FILLER = " ".join(_WORDS[i % len(_WORDS)] for i in range(FILLER_WORDS))
#: The slow reader takes 16 KB at a time with a pause after each: at most about 530 KB/s.
READ_BYTES, READ_PAUSE = 16 * 1024, 0.03
#: How long a loaded machine may take to open the control socket once the server answers.
CONTROL_SOCKET_WAIT_S = 20


def test_no_control_socket_and_gunicorn_cmd_args_honoured(served_database: str, launch: Launch) -> None:
    # Two instances on one machine, one HOME: neither opens the per-user control socket both would share.
    first = launch(served_database)
    second = launch(
        served_database, "--workers", "1",
        GUNICORN_CMD_ARGS="--workers 3 --threads 2 --access-logformat 'pid=%(p)s %(r)s %(s)s'",
    )  # fmt: skip
    assert request(first, "GET", "/login")[0] == 200 and request(second, "GET", "/login")[0] == 200
    for server in (first, second):
        assert not (server.home / ".gunicorn").exists()
    log = second.log.read_text()
    assert "Using worker: gthread" in log
    # GUNICORN_CMD_ARGS set the log format; factdb serve's own --workers won over it.
    assert re.search(r"pid=<\d+> GET /login HTTP/1.1 200", log), log
    assert len(set(re.findall(r"Booting worker with pid: (\d+)", log))) == 1
    # A control socket is opened only where one is asked for.
    third = launch(served_database, GUNICORN_CMD_ARGS=f"--control-socket {first.home}/factdb.ctl")
    # gunicorn opens its control socket in a thread of its own after it starts answering: wait for it.
    deadline = time.monotonic() + CONTROL_SOCKET_WAIT_S
    while not (first.home / "factdb.ctl").is_socket() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (first.home / "factdb.ctl").is_socket()
    third.stop()


def test_idle_connections_do_not_delay_a_request(served_database: str, launch: Launch) -> None:
    server = launch(served_database, "--workers", "2", "--timeout", "30")
    idle = []
    for n in range(3):
        sock = socket.create_connection(("127.0.0.1", server.port))
        if n:  # one sends nothing at all; the others stop in the middle of their request line
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        idle.append(sock)
    try:
        time.sleep(0.5)
        for _ in range(5):
            started = time.monotonic()
            status, _, page = request(server, "GET", "/login")
            elapsed = time.monotonic() - started
            assert status == 200 and "Log in" in page
            assert elapsed < 1.0, f"a request behind three idle connections took {elapsed:.2f} s"
        assert try_login(server, "eddie", TEST_PASSWORD)[0] == 302
    finally:
        for sock in idle:
            sock.close()


def _disputed_claims(database_url: str) -> int:
    engine = make_engine(database_url)
    with make_session_factory(engine, write=True).begin() as session:
        for a in range(ARTICLES):
            text = "\n\n".join(f"Councillor Maren Holt{a}x{s} said that {FILLER}." for s in range(SENTENCES))
            ingest_text(session, None, text, title=f"Budget {a}", outlet="Town Wire")
        ids = list(session.scalars(select(Claim.id)))
        change_status_many(
            session, None, ids, ClaimStatus.DISPUTED, rationale="the budget grew by four percent"
        )
    engine.dispose()
    return len(ids)


def _read_slowly(server: Server, path: str, cookie: str) -> tuple[int, bytes, float]:
    """GET ``path`` over HTTP/1.1 as a slow reader; the status, body and seconds taken."""
    sock = socket.socket()
    # A small receive window: the server can only send as fast as this client reads.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, READ_BYTES)
    sock.connect(("127.0.0.1", server.port))
    connection = http.client.HTTPConnection("127.0.0.1", server.port)
    connection.sock = sock
    started = time.monotonic()
    connection.request("GET", path, headers={"Cookie": cookie})
    response = connection.getresponse()
    chunks = []
    while chunk := response.read(READ_BYTES):
        chunks.append(chunk)
        time.sleep(READ_PAUSE)
    connection.close()
    return response.status, b"".join(chunks), time.monotonic() - started


def test_a_slow_reader_receives_the_whole_disputed_csv(served_database: str, launch: Launch) -> None:
    expected = _disputed_claims(served_database)
    server = launch(
        served_database, "--timeout", str(LOW_TIMEOUT), "--workers", "2",
        GUNICORN_CMD_ARGS="--access-logformat '%(r)s %(s)s took=%(L)s'",
    )  # fmt: skip
    status, cookie = try_login(server, "eddie", TEST_PASSWORD)
    assert status == 302
    status, body, elapsed = _read_slowly(server, "/export/claims.csv?status=disputed", cookie)
    assert status == 200
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == expected + 1, f"{len(rows) - 1} of {expected} claims arrived"
    assert all(row[0].isdigit() for row in rows[1:])
    # The download really ran past the worker timeout, on the server's own clock too.
    took = re.search(
        r"GET /export/claims.csv\?status=disputed HTTP/1.1 200 took=([\d.]+)", server.log.read_text()
    )
    assert took, server.log.read_text()[-3000:]
    assert float(took.group(1)) > 2 * LOW_TIMEOUT and elapsed > 2 * LOW_TIMEOUT
    assert "WORKER TIMEOUT" not in server.log.read_text()


def test_sixth_wrong_password_throttled_across_workers_instances_and_restarts(
    served_database: str, launch: Launch
) -> None:
    # Two instances of two workers each on one database: no worker has a counter of its own to exhaust.
    one = launch(served_database, "--workers", "2")
    two = launch(served_database, "--workers", "2")
    for n in range(MAX_FAILURES_PER_ACCOUNT):
        assert try_login(one if n % 2 else two, "eddie", "not the password")[0] == 200
    assert try_login(one, "eddie", "still not it")[0] == 429
    assert try_login(two, "eddie", TEST_PASSWORD)[0] == 429
    one.stop()
    again = launch(served_database, "--workers", "2")
    status, headers, page = request(again, "GET", "/login")
    assert try_login(again, "eddie", TEST_PASSWORD)[0] == 429
    assert try_login(again, "ada", TEST_PASSWORD)[0] == 302  # another account is not held up
    engine = make_engine(served_database)
    with make_session_factory(engine)() as session:
        reasons = [
            (e.after or {}).get("reason")
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "editor.login_failed").order_by(AuditEvent.id)
            )
        ]
    engine.dispose()
    assert reasons == ["wrong password"] * MAX_FAILURES_PER_ACCOUNT + ["throttled"] * 3


def test_cookie_replayed_after_logout_is_refused_by_every_worker(
    served_database: str, launch: Launch
) -> None:
    server = launch(served_database, "--workers", "2")
    status, cookie = try_login(server, "eddie", TEST_PASSWORD)
    assert status == 302
    assert request(server, "GET", "/", cookie=cookie)[0] == 200
    _, headers, page = request(server, "GET", "/", cookie=cookie)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token, page
    # The page's form token lives in the session; the first page that makes one sends the cookie anew.
    cookie = session_cookie(headers) if "set-cookie" in headers else cookie
    assert request(server, "POST", "/logout", {"csrf_token": token.group(1)}, cookie)[0] == 302
    for _ in range(6):  # whichever worker takes the connection
        status, headers, _ = request(server, "GET", "/", cookie=cookie)
        assert status == 302 and headers["location"].startswith("/login")
