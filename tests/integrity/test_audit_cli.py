"""The audit and migration commands on databases of their own: verify (text, JSON, anchors, exit
statuses), --fix-state, key files and rotation, and downgrades that refuse to destroy data."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, inspect, select, text

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus
from factdb.migrate import upgrade
from factdb.models import Claim
from factdb.services import claims as claim_service
from factdb.services.audit_key import read_key_file
from tests.handmade import ingest_sample


@pytest.fixture
def url(new_database_url: Callable[[], str]) -> str:
    return new_database_url()


@pytest.fixture
def engine(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def reviewed(engine: Engine) -> int:
    """A migrated database with the sample article and one verdict; returns the reviewed claim's id."""
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        ingest_sample(session, None, title="Kursk")
        claim = session.scalars(select(Claim).order_by(Claim.id)).first()
        assert claim is not None
        claim_service.change_status(session, None, claim, ClaimStatus.FALSE, rationale="checked")
        return claim.id


def _run(url: str, *args: str, env: dict[str, str] | None = None, input: str | None = None) -> Result:  # noqa: A002
    return CliRunner().invoke(main, list(args), env={"FACTDB_DATABASE_URL": url, **(env or {})}, input=input)


def _drop_audit_triggers(engine: Engine) -> None:
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_verify_command_and_anchor(url: str, engine: Engine, reviewed: int) -> None:
    ok = _run(url, "audit", "verify")
    assert ok.exit_code == 0, ok.output + ok.stderr
    assert "events, chain intact" in ok.output and "key " in ok.output
    anchor = ok.output.split("head: ")[1].split()[0]
    assert _run(url, "audit", "verify", "--anchor", anchor).exit_code == 0
    with make_session_factory(engine, write=True).begin() as session:
        ingest_sample(session, None, title="Kursk 2", heading="More")
    assert _run(url, "audit", "verify", "--anchor", anchor).exit_code == 0
    _drop_audit_triggers(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'x' WHERE id = 2"))
        connection.execute(text("UPDATE audit_events SET actor = 'mallory' WHERE id = 3"))
    broken = _run(url, "audit", "verify")
    assert broken.exit_code == 1
    assert "broken: event #2" in broken.stderr and "broken: event #3" in broken.stderr, (
        "every break, not the first"
    )
    as_json = _run(url, "audit", "verify", "--json")
    assert as_json.exit_code == 1
    data = json.loads(as_json.output)
    assert not data["ok"] and data["complete"] and [p["event_id"] for p in data["problems"]] == [2, 3]
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
    gone = _run(url, "audit", "verify", "--anchor", anchor)
    assert gone.exit_code == 1 and "is gone" in gone.stderr
    bad = _run(url, "audit", "verify", "--anchor", "nonsense")
    assert bad.exit_code == 1 and "is not ID:HASH" in bad.stderr


def test_verify_without_a_key_exits_3(url: str, reviewed: int, tmp_path: Path) -> None:
    env = {"FACTDB_AUDIT_KEY": "", "FACTDB_AUDIT_KEY_FILE": str(tmp_path / "none.key")}
    result = _run(url, "audit", "verify", env=env)
    assert result.exit_code == 3 and "signatures were not checked" in result.stderr
    data = json.loads(_run(url, "audit", "verify", "--json", env=env).output)
    assert data["ok"] and not data["complete"] and data["unchecked_signatures"] == data["events"]


def test_fix_state_restores_a_direct_status_update(url: str, engine: Engine, reviewed: int) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE claims SET status = 'confirmed' WHERE id = :id"), {"id": reviewed})
    found = _run(url, "audit", "verify")
    assert found.exit_code == 1
    assert f"state: claim #{reviewed}: status is 'confirmed', its history says 'false'" in found.stderr
    declined = _run(url, "audit", "verify", "--fix-state", input="n\n")
    assert declined.exit_code == 1 and "nothing was restored" in declined.stderr
    fixed = _run(url, "audit", "verify", "--fix-state", input="y\n")
    assert fixed.exit_code == 0 and f"restored from history: #{reviewed}" in fixed.output
    again = _run(url, "audit", "verify")
    assert again.exit_code == 0, again.stderr
    with make_session_factory(engine)() as session:
        claim = session.get(Claim, reviewed)
        assert claim is not None and claim.status is ClaimStatus.FALSE


def test_upgrade_creates_a_private_key_file_and_rotation_is_recorded(url: str, tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "audit.key"
    env = {"FACTDB_AUDIT_KEY": "", "FACTDB_AUDIT_KEY_FILE": str(key_file)}
    created = _run(url, "db", "upgrade", env=env)
    assert created.exit_code == 0 and "created the audit key file" in created.stderr
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    first = read_key_file(key_file).signing
    assert _run(url, "speakers", "add", "Ann Example", env=env).exit_code == 0
    rotated = _run(url, "audit", "rotate-key", "--yes", env=env)
    assert rotated.exit_code == 0, rotated.stderr
    keys = read_key_file(key_file)
    assert len(keys.keys) == 2 and keys.keys[0] == first and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _run(url, "speakers", "add", "Bo Example", env=env).exit_code == 0
    report = json.loads(_run(url, "audit", "verify", "--json", env=env).output)
    assert report["ok"] and report["complete"]
    assert [(k["key_id"], k["events"]) for k in report["keys"]] == [(first.id, 1), (keys.signing.id, 2)]
    assert _run(url, "db", "upgrade", env=env).exit_code == 0, "an existing key file is kept"
    assert read_key_file(key_file) == keys


def test_rotate_key_from_the_environment_prints_the_new_value(url: str, reviewed: int) -> None:
    rotated = _run(url, "audit", "rotate-key", "--yes")
    assert rotated.exit_code == 0, rotated.stderr
    value = rotated.stdout.strip().split("=", 1)[1]
    assert len(value.split(",")) == 2
    assert _run(url, "audit", "verify", env={"FACTDB_AUDIT_KEY": value}).exit_code == 0
    stale = _run(url, "audit", "verify")
    assert stale.exit_code == 1 and "not in the keyring" in stale.stderr


def test_downgrade_refuses_to_destroy_data(url: str, engine: Engine, reviewed: int, tmp_path: Path) -> None:
    refused = _run(url, "db", "downgrade", "base")
    assert (
        refused.exit_code == 1
        and "would destroy rows" in refused.stderr
        and "--destroy-data" in refused.stderr
    )
    assert "claims" in inspect(engine).get_table_names()
    no_backup = _run(url, "db", "downgrade", "base", "--destroy-data")
    assert no_backup.exit_code == 1 and "claims" in inspect(engine).get_table_names()
    backup = tmp_path / "before-base.backup"
    backup.write_text("old")
    stale = _run(url, "db", "downgrade", "base", "--destroy-data", "--backup", str(backup))
    assert stale.exit_code == 1 and "already exists" in stale.stderr, "the backup must be a fresh file"
    backup.unlink()
    done = _run(url, "db", "downgrade", "base", "--destroy-data", "--backup", str(backup))
    assert done.exit_code == 0, done.stderr
    assert backup.stat().st_size > 0 and set(inspect(engine).get_table_names()) <= {"alembic_version"}


def test_downgrade_base_of_an_empty_database_needs_nothing(url: str, engine: Engine) -> None:
    upgrade(engine)
    done = _run(url, "db", "downgrade", "base")
    assert done.exit_code == 0 and "database is at revision base" in done.output


def test_migrations_never_re_sign_history(url: str, engine: Engine, reviewed: int, tmp_path: Path) -> None:
    """The old attack: downgrade past the chain, edit, upgrade to rebuild every hash."""
    done = _run(url, "db", "downgrade", "0001", "--destroy-data", "--backup", str(tmp_path / "b"))
    assert done.exit_code == 0, done.stderr
    with engine.begin() as connection:
        connection.execute(text("UPDATE reviews SET rationale = 'rewritten'"))
    again = _run(url, "db", "upgrade")
    assert again.exit_code == 1 and "never re-signs history" in again.stderr
