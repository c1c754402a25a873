"""The command line meets bad input, missing or broken databases and interrupted backups with one line.

Each case: the exit status, a single ``error:`` line naming the problem and the fix, no traceback,
and nothing created or stored.
"""

from __future__ import annotations

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.migrate import upgrade
from factdb.models import Source

#: Commands that only read: none may create a database where there is none.
READ_COMMANDS = (
    ("claims", "list"),
    ("claims", "show", "1"),
    ("speakers", "list"),
    ("editors", "list"),
    ("export", "claims"),
    ("export", "audit"),
    ("db", "current"),
    ("audit", "verify"),
    ("model", "list"),
)


def run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"FACTDB_DATABASE_URL": url}, catch_exceptions=False)


def one_line_error(result: Result, *words: str) -> str:
    """The single error line of a failed command, after checking it names ``words``."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def migrated_url(new_database_url: Callable[[], str]) -> str:
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def _sources(url: str) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(Source)) or 0
    finally:
        engine.dispose()


@pytest.mark.parametrize("command", READ_COMMANDS, ids=" ".join)
def test_read_commands_never_create_a_database(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = tmp_path / "missing" / "factdb.sqlite3"
    result = run(f"sqlite:///{path}", *command)
    one_line_error(result, f"no database at {path}", "factdb db upgrade", "FACTDB_DATABASE_URL")
    assert not path.parent.exists()


def test_backup_of_a_missing_database(tmp_path: Path) -> None:
    path = tmp_path / "factdb.sqlite3"
    one_line_error(run(f"sqlite:///{path}", "backup", str(tmp_path / "copy")), "no database at")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_a_garbage_sqlite_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.sqlite3"
    junk = os.urandom(8192)
    path.write_bytes(junk)
    for command in (
        ("claims", "list"),
        ("db", "upgrade"),
        ("db", "current"),
        ("backup", str(tmp_path / "c")),
    ):
        one_line_error(run(f"sqlite:///{path}", *command), f"{path} is not a SQLite database")
    assert path.read_bytes() == junk
    assert sorted(p.name for p in tmp_path.iterdir()) == ["garbage.sqlite3"]


def test_an_unreachable_server() -> None:
    # Port 1 on the loopback: nothing listens, the connection is refused at once.
    url = "postgresql+psycopg://factdb@127.0.0.1:1/factdb"
    for command in (("claims", "list"), ("db", "upgrade")):
        one_line_error(run(url, *command), "cannot reach the PostgreSQL server at 127.0.0.1:1", "running")


def test_a_missing_postgresql_database(dialect_name: str, new_database_url: Callable[[], str]) -> None:
    if dialect_name != "postgresql":
        pytest.skip("needs the PostgreSQL server of FACTDB_TEST_DATABASE_URL")
    url = make_url(new_database_url()).set(database="factdb_no_such_database", query={})
    rendered = url.render_as_string(hide_password=False)
    one_line_error(run(rendered, "claims", "list"), "'factdb_no_such_database' does not exist", "createdb")


def test_an_unknown_schema_revision(migrated_url: str) -> None:
    engine = make_engine(migrated_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    engine.dispose()
    for command in (("claims", "list"), ("db", "upgrade"), ("db", "downgrade", "base"), ("ingest", __file__)):
        one_line_error(run(migrated_url, *command), "at revision ffff", "does not know", "upgrade factdb")
    assert "upgrade factdb" in run(migrated_url, "db", "current").output


def test_a_revision_that_does_not_exist(migrated_url: str) -> None:
    one_line_error(run(migrated_url, "db", "upgrade", "nosuch"), "'nosuch' is not a revision of factdb")


def test_ingest_refuses_links_that_are_not_http(migrated_url: str, tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text("The mayor said the bridge would reopen in May.\n", encoding="utf-8")
    for url in ("javascript:alert(document.cookie)", "data:text/html,x", "file:///etc/passwd"):
        one_line_error(run(migrated_url, "ingest", str(article), "--url", url), "--url", "http://")
    one_line_error(
        run(migrated_url, "ingest", str(article), "--published", "9999-12-31"), "outside the years"
    )
    one_line_error(run(migrated_url, "ingest", str(article), "--title", "bell\x07"), "--title contains")
    assert _sources(migrated_url) == 0
    assert run(migrated_url, "ingest", str(article), "--url", "https://example.org/a").exit_code == 0
    assert _sources(migrated_url) == 1


#: Every command that takes a row id, the id written ID, and how the message names it.
ID_COMMANDS = (
    (("claims", "show", "ID"), "claim id"),
    (("claims", "set-status", "ID", "disputed", "--rationale", "r"), "claim id"),
    (("claims", "add-evidence", "ID", "https://example.org/a"), "claim id"),
    (("claims", "edit-attribution", "ID", "--cue", "said"), "claim id"),
    (("claims", "list", "--source", "ID"), "--source"),
    (("export", "claims", "--source", "ID"), "--source"),
    (("sources", "show", "ID"), "source id"),
    (("sources", "list", "--before", "ID"), "--before"),
    (("speakers", "suggestions", "accept", "ID"), "suggestion id"),
    (("speakers", "suggestions", "accept", "1", "--keep", "ID"), "--keep"),
    (("speakers", "suggestions", "reject", "ID"), "suggestion id"),
    (("tokens", "revoke", "ID"), "token id"),
)

RANGE = "(1 to 2,147,483,647)"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        (str(2**31), f"is out of range {RANGE}"),
        (str(2**63), f"is out of range {RANGE}"),
        ("9" * 5000, "(5,000 characters)' is out of range"),
        ("0", f"is out of range {RANGE}"),
        ("-5", "is not an id (a whole number from 1 to 2,147,483,647)"),  # click's "no such option"
        ("abc", "is not an id (a whole number from 1 to 2,147,483,647)"),
        ("\u00b2", "is not an id"),  # a superscript two: str.isdigit says yes, int() says no
        ("1_000", "is not an id"),
    ],
    ids=["2**31", "2**63", "5000 digits", "zero", "negative", "word", "superscript", "underscore"],
)
def test_a_bad_id_is_one_line_in_every_command(migrated_url: str, given: str, says: str) -> None:
    for command, name in ID_COMMANDS:
        args = [given if part == "ID" else part for part in command]
        line = one_line_error(run(migrated_url, *args), says)
        assert line.startswith(f"error: {name} "), (command, line)
    assert _sources(migrated_url) == 0


def test_an_id_in_range_that_names_no_row(migrated_url: str) -> None:
    one_line_error(run(migrated_url, "claims", "show", "2147483647"), "no claim with id 2147483647")


def test_a_speaker_named_by_other_digits(migrated_url: str) -> None:
    # "²" passes str.isdigit but is no id: it is looked up as a name, and no speaker has it.
    one_line_error(run(migrated_url, "claims", "list", "--speaker", "\u00b2"), "no speaker is known as '²'")
    one_line_error(run(migrated_url, "speakers", "show", "99999999999"), "no speaker with id")


def test_an_audit_anchor_with_a_bad_id(migrated_url: str) -> None:
    digest = "0" * 64
    for given, says in (("x", "is not an id"), ("99999999999", "is out of range"), ("", "is not ID:HASH")):
        one_line_error(
            run(migrated_url, "audit", "verify", "--anchor", f"{given}:{digest}"), "--anchor", says
        )


def test_a_second_backup_to_the_same_path_is_refused(migrated_url: str, tmp_path: Path) -> None:
    target = tmp_path / "copy"
    partial = tmp_path / "copy.partial"
    # Another backup is writing: it holds the lock on the partial file.
    handle = os.open(partial, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        os.write(handle, b"the other backup's pages")
        one_line_error(run(migrated_url, "backup", str(target)), f"another backup to {target} is running")
        assert partial.read_bytes() == b"the other backup's pages" and not target.exists()
    finally:
        os.close(handle)
    # That backup died (its lock went with it): the next one reuses and removes what it left.
    result = run(migrated_url, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert target.exists() and not partial.exists()


def _big_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE ballast (data BLOB)")
        connection.executemany("INSERT INTO ballast VALUES (?)", ((os.urandom(1 << 20),) for _ in range(96)))
        connection.commit()
    return url


def _backup_process(url: str, target: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "factdb", "backup", str(target)],
        env={**os.environ, "FACTDB_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _when_writing(process: subprocess.Popen[bytes], partial: Path) -> None:
    deadline = time.monotonic() + 60
    while not partial.exists():
        assert process.poll() is None, "the backup ended before it began writing"
        assert time.monotonic() < deadline
        time.sleep(0.002)


def test_killed_backups_leave_nothing_behind(tmp_path: Path, dialect_name: str) -> None:
    if dialect_name != "sqlite":
        pytest.skip("the interrupted copy is the SQLite backup's; the lock is tested on both databases")
    url = _big_database(tmp_path / "live.sqlite3")
    target = tmp_path / "copy.sqlite3"
    partial = tmp_path / "copy.sqlite3.partial"

    # SIGTERM (`kill`): the copy stops between two steps and removes its partial file.
    process = _backup_process(url, target)
    _when_writing(process, partial)
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    if process.returncode != 0:  # it may also have finished first, on a fast machine
        assert process.returncode == 128 + signal.SIGTERM, stderr
        assert stderr.decode().strip().splitlines() == [
            "error: backup stopped by a signal; the partial file was removed"
        ]
        assert not target.exists()
    assert not partial.exists()
    target.unlink(missing_ok=True)

    # SIGKILL cannot be caught: the partial file stays, and the next backup removes it.
    process = _backup_process(url, target)
    _when_writing(process, partial)
    process.kill()
    process.communicate()
    target.unlink(missing_ok=True)  # if it finished first after all
    result = run(url, "backup", str(target))
    assert result.exit_code == 0, result.output
    assert not partial.exists()
    with closing(sqlite3.connect(target)) as copy:
        assert copy.execute("SELECT count(*) FROM ballast").fetchone() == (96,)
