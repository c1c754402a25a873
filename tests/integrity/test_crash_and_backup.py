"""Nothing half-written after SIGKILL mid-ingest; backups restore whole with a verifying chain; as-of."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus
from factdb.migrate import upgrade
from factdb.models import AuditEvent, Claim, Review, Sentence, Source
from factdb.services import claims as claim_service
from factdb.services.audit import verify_chain
from tests.handmade import ingest_sample

ARTICLES = 300


def _article(n: int) -> str:
    lines = [f"Dispatch {n}"]
    for k in range(40):
        lines.append(
            f"The regional governor said on day {k} that convoy {n}-{k} reached the border crossing."
        )
        lines.append(f"Officials denied that shelling near village {n}-{k} had damaged the power station.")
    return " ".join(lines[1:]).join([lines[0] + "\n", "\n"])


def _counts(session: Session) -> dict[str, int]:
    return {
        model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Source, Sentence, Claim, AuditEvent, Review)
    }


def test_sigkill_mid_batch_leaves_only_whole_sources(
    new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    files = []
    for n in range(ARTICLES):
        path = tmp_path / f"article-{n:03}.txt"
        path.write_text(_article(n), encoding="utf-8")
        files.append(str(path))
    env = {**os.environ, "FACTDB_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-m", "factdb", "ingest", *files], env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    factory = make_session_factory(engine)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            with factory() as session:
                if (session.scalar(select(func.count()).select_from(Source)) or 0) >= 5:
                    break
            assert process.poll() is None, "the batch finished before it could be interrupted"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()

    with factory() as session:
        counts = _counts(session)
        assert 5 <= counts["sources"] < ARTICLES
        for source in session.scalars(select(Source)):
            event = session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "source.ingest", AuditEvent.entity_id == source.id
                )
            ).one()
            stored_sentences = session.scalar(select(func.count()).where(Sentence.source_id == source.id))
            stored_claims = session.scalar(select(func.count()).where(Claim.source_id == source.id))
            assert event.after is not None
            assert (stored_sentences, stored_claims) == (event.after["sentences"], event.after["claims"])
        orphans = session.scalar(
            select(func.count()).select_from(Sentence).where(~Sentence.source_id.in_(select(Source.id)))
        )
        assert orphans == 0
        assert verify_chain(session).ok
        if engine.dialect.name == "sqlite":
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    engine.dispose()

    # Running the batch again finishes the job: done files are refused as duplicates, the rest stored.
    again = CliRunner().invoke(main, ["ingest", *files], env={"FACTDB_DATABASE_URL": url})
    assert again.exit_code == 1 and "already" in again.stderr
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert _counts(session)["sources"] == ARTICLES
    engine.dispose()


def _populated(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        result = ingest_sample(session, None, title="Kursk", outlet="Wire")
        for claim in session.scalars(select(Claim).where(Claim.source_id == result.source.id).limit(5)):
            claim_service.change_status(session, None, claim, ClaimStatus.DISPUTED, rationale="checked")
    engine.dispose()


def _snapshot(url: str) -> tuple[dict[str, int], bool]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return _counts(session), verify_chain(session).ok
    finally:
        engine.dispose()


def test_backup_of_live_sqlite_restores_whole(tmp_path: Path) -> None:
    live = tmp_path / "live.sqlite3"
    url = f"sqlite:///{live}"
    _populated(url)
    # A second connection holds an open read transaction and another writes: the backup still works.
    engine = make_engine(url)
    with engine.connect() as reader:
        reader.execute(text("SELECT count(*) FROM claims")).scalar()
        copy = tmp_path / "copy.sqlite3"
        result = CliRunner().invoke(main, ["backup", str(copy)], env={"FACTDB_DATABASE_URL": url})
        assert result.exit_code == 0, result.output
    engine.dispose()
    assert _snapshot(f"sqlite:///{copy}") == _snapshot(url)
    counts, chain_ok = _snapshot(f"sqlite:///{copy}")
    assert chain_ok and counts["reviews"] == 5 and counts["claims"] > 0
    refused = CliRunner().invoke(main, ["backup", str(copy)], env={"FACTDB_DATABASE_URL": url})
    assert refused.exit_code == 1 and "already exists" in refused.stderr


def test_backup_of_postgresql_restores_whole(
    new_database_url: Callable[[], str], dialect_name: str, tmp_path: Path
) -> None:
    if dialect_name != "postgresql":
        pytest.skip("pg_dump backs up PostgreSQL; the SQLite test covers SQLite")
    url = new_database_url()
    _populated(url)
    dump = tmp_path / "factdb.dump"
    result = CliRunner().invoke(main, ["backup", str(dump)], env={"FACTDB_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "pg_restore" in result.output

    parsed = make_url(url)
    restored_db = f"factdb_restore_{uuid.uuid4().hex[:8]}"
    admin = make_engine(
        parsed.set(query={}).render_as_string(hide_password=False), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{restored_db}"'))
    try:
        target = parsed.set(database=restored_db)
        libpq = target.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
        restore = subprocess.run(
            ["pg_restore", "--no-owner", f"--dbname={libpq}", str(dump)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert restore.returncode == 0, restore.stderr
        assert _snapshot(target.render_as_string(hide_password=False)) == _snapshot(url)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{restored_db}" WITH (FORCE)'))
        admin.dispose()


def test_status_as_of(new_database_url: Callable[[], str]) -> None:
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine, write=True)
    with factory.begin() as session:
        result = ingest_sample(session, None, title="Kursk", outlet="Wire")
        claim_id = session.scalars(select(Claim.id).where(Claim.source_id == result.source.id)).first()
    with factory.begin() as session:
        claim = session.get(Claim, claim_id)
        claim_service.change_status(session, None, claim, ClaimStatus.DISPUTED, rationale="first look")  # type: ignore[arg-type]
    between = dt.datetime.now(dt.UTC)
    time.sleep(0.01)
    with factory.begin() as session:
        claim = session.get(Claim, claim_id)
        claim_service.change_status(session, None, claim, ClaimStatus.FALSE, rationale="fabricated")  # type: ignore[arg-type]
    engine.dispose()
    env = {"FACTDB_DATABASE_URL": url}
    runner = CliRunner()
    then = runner.invoke(main, ["claims", "show", str(claim_id), "--as-of", between.isoformat()], env=env)
    assert "disputed (now false)" in then.output and "fabricated" not in then.output
    before = runner.invoke(main, ["claims", "show", str(claim_id), "--as-of", "2000-01-01"], env=env)
    assert "not recorded yet" in before.output
    report = runner.invoke(
        main,
        ["export", "claims", "--status", "disputed", "--as-of", between.isoformat(), "--format", "jsonl"],
        env=env,
    )
    assert report.exit_code == 0 and f'"claim_id": {claim_id}' in report.output
    assert '"rationale": "first look"' in report.output
    now = runner.invoke(main, ["export", "claims", "--status", "disputed", "--format", "jsonl"], env=env)
    assert now.output == ""
