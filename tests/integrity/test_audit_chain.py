"""The audit hash chain: it verifies after real work, the database refuses edits, and tampering is found.

Tampering goes through raw SQL after dropping the append-only triggers, inside the test's
transaction, so the triggers are back (rolled back) when the test ends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from click.testing import CliRunner
from sqlalchemy import JSON, Connection, bindparam, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, SpeakerKind
from factdb.migrate import upgrade
from factdb.models import AuditEvent, Claim, Editor
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.audit import GENESIS_HASH, event_digest, verify_chain
from factdb.services.ingest import ingest_text


@pytest.fixture
def history(db_session: Session, editor: Editor, admin: Editor, sample_text: str) -> list[AuditEvent]:
    """Real work by two editors; returns the audit events in order."""
    result = ingest_text(db_session, editor, sample_text, title="Kursk", outlet="Wire")
    claims = list(db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)))
    claim_service.change_status(db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="Не так")
    claim_service.change_status(db_session, admin, claims[1], ClaimStatus.CONFIRMED, rationale="ok")
    spare = speaker_service.create_speaker(db_session, admin, name="Spare", kind=SpeakerKind.PERSON)
    speaker_service.merge_speakers(db_session, admin, source=spare, target=claims[0].speaker)  # type: ignore[arg-type]
    db_session.flush()
    return list(db_session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _drop_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        for table in ("audit_events", "reviews"):
            connection.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
    else:
        for table in ("audit_events", "reviews"):
            for verb in ("update", "delete"):
                connection.execute(text(f"DROP TRIGGER {table}_no_{verb}"))


def test_chain_verifies_after_real_work(db_session: Session, history: list[AuditEvent]) -> None:
    assert len(history) >= 5
    assert history[0].prev_hash == GENESIS_HASH
    for before, after in zip(history, history[1:], strict=False):
        assert after.prev_hash == before.hash
    report = verify_chain(db_session)
    assert report.ok and report.events == len(history) and report.head_hash == history[-1].hash


def test_hash_covers_every_field() -> None:
    fields = {
        "prev_hash": GENESIS_HASH, "actor": "eddie", "action": "claim.status", "entity_type": "claim",
        "entity_id": 7, "before": {"status": "unverified"}, "after": {"status": "false"},
        "created_at": dt.datetime(2025, 3, 15, 9, 30, tzinfo=dt.UTC),
    }  # fmt: skip
    digest = event_digest(**fields)  # type: ignore[arg-type]
    changed = {
        "prev_hash": "1" * 64, "actor": "ada", "action": "claim.update", "entity_type": "speaker",
        "entity_id": 8, "before": {"status": "disputed"}, "after": {"status": "true"},
        "created_at": dt.datetime(2025, 3, 15, 9, 30, 0, 1, tzinfo=dt.UTC),
    }  # fmt: skip
    for key, value in changed.items():
        assert event_digest(**{**fields, key: value}) != digest, key  # type: ignore[arg-type]


@pytest.mark.parametrize("table", ["audit_events", "reviews"])
@pytest.mark.parametrize("statement", ["UPDATE {table} SET created_at = created_at", "DELETE FROM {table}"])
def test_database_refuses_update_and_delete(
    connection: Connection, history: list[AuditEvent], table: str, statement: str
) -> None:
    savepoint = connection.begin_nested()
    with pytest.raises(DBAPIError, match="append-only"):
        connection.execute(text(statement.format(table=table)))
    savepoint.rollback()


def _tamper(connection: Connection, sql: str, **params: object) -> None:
    _drop_triggers(connection)
    connection.execute(text(sql), params)


def test_changed_field_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    target = history[2]
    _tamper(connection, "UPDATE audit_events SET actor = 'mallory' WHERE id = :id", id=target.id)
    report = verify_chain(db_session)
    assert not report.ok and report.broken_at == target.id and "changed" in (report.problem or "")


def test_deleted_event_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    _tamper(connection, "DELETE FROM audit_events WHERE id = :id", id=history[1].id)
    report = verify_chain(db_session)
    assert not report.ok and report.broken_at == history[2].id and "deleted" in (report.problem or "")


def test_forged_event_is_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    # A forger who links to the head but cannot produce the hash the fields demand.
    _tamper(
        connection,
        "INSERT INTO audit_events (actor, action, entity_type, entity_id, created_at, prev_hash, hash) "
        "VALUES ('mallory', 'claim.status', 'claim', 1, :at, :prev, :hash)",
        at=dt.datetime.now(dt.UTC), prev=history[-1].hash, hash="f" * 64,
    )  # fmt: skip
    report = verify_chain(db_session)
    assert not report.ok and report.broken_at is not None and report.broken_at > history[-1].id


def test_reordered_events_are_found(
    connection: Connection, db_session: Session, history: list[AuditEvent]
) -> None:
    first, second = history[1], history[2]
    columns = "actor, action, entity_type, entity_id, before, after, created_at, prev_hash, hash"
    rows = {
        row.id: row
        for row in connection.execute(
            text(f"SELECT id, {columns} FROM audit_events WHERE id IN (:a, :b)"),
            {"a": first.id, "b": second.id},
        )
    }
    _drop_triggers(connection)
    unique_free = "UPDATE audit_events SET hash = :tmp WHERE id = :id"
    connection.execute(text(unique_free), {"tmp": "0" * 63 + "1", "id": first.id})
    for target, source in ((second.id, first.id), (first.id, second.id)):
        row = rows[source]
        connection.execute(
            text(
                "UPDATE audit_events SET actor=:actor, action=:action, entity_type=:entity_type, "
                "entity_id=:entity_id, before=:before, after=:after, created_at=:created_at, "
                "prev_hash=:prev_hash, hash=:hash WHERE id=:id"
            ).bindparams(bindparam("before", type_=JSON), bindparam("after", type_=JSON)),
            {**row._asdict(), "id": target},
        )
    report = verify_chain(db_session)
    assert not report.ok and report.broken_at == first.id


def test_verify_command_and_anchor(new_database_url: Callable[[], str], sample_text: str) -> None:
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        ingest_text(session, None, sample_text, title="Kursk")
    runner = CliRunner()
    env = {"FACTDB_DATABASE_URL": url}
    ok = runner.invoke(main, ["audit", "verify"], env=env)
    assert ok.exit_code == 0 and "events, chain intact" in ok.output
    anchor = ok.output.split("head: ")[1].split()[0]
    assert runner.invoke(main, ["audit", "verify", "--anchor", anchor], env=env).exit_code == 0
    with make_session_factory(engine, write=True).begin() as session:
        ingest_text(session, None, sample_text + "\nMore.", title="Kursk 2")
    assert runner.invoke(main, ["audit", "verify", "--anchor", anchor], env=env).exit_code == 0
    with engine.begin() as connection:
        _drop_triggers(connection)
        connection.execute(text("UPDATE audit_events SET action = 'x' WHERE id = 2"))
    broken = runner.invoke(main, ["audit", "verify"], env=env)
    assert broken.exit_code == 1 and "broken: event #2" in broken.stderr
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))
    gone = runner.invoke(main, ["audit", "verify", "--anchor", anchor], env=env)
    assert gone.exit_code == 1 and "is gone" in gone.stderr
    bad = runner.invoke(main, ["audit", "verify", "--anchor", "nonsense"], env=env)
    assert bad.exit_code == 1 and "is not ID:HASH" in bad.stderr
    engine.dispose()
