"""`factdb speakers suggestions`: list, accept, reject and compute, against a real database, audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.models import AuditEvent, Speaker, SpeakerMergeSuggestion
from tests.handmade import Said
from tests.speaker_texts import PRESIDENT, ingest_report


@pytest.fixture
def cli(new_database_url: Callable[[], str]) -> Callable[..., Result]:
    url = new_database_url()

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, list(args), input=input, env={"FACTDB_DATABASE_URL": url})

    run.url = url  # type: ignore[attr-defined]
    assert run("db", "upgrade").exit_code == 0
    return run


def _rows(url: str, stmt: object) -> list:  # type: ignore[type-arg]
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return list(session.execute(stmt))  # type: ignore[call-overload]
    finally:
        engine.dispose()


def _ingest(url: str, *reports: tuple[str, Said]) -> None:
    """Store the reports with their stated attributions (the engine's findings are not the subject)."""
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            for i, report in enumerate(reports):
                ingest_report(session, None, report, title=f"Report {i}")
    finally:
        engine.dispose()


def _pending_id(cli: Callable[..., Result]) -> int:
    listed = cli("speakers", "suggestions")
    assert listed.exit_code == 0, listed.output
    line = next(line for line in listed.output.splitlines() if line.startswith("#"))
    assert "Volodymyr Zelenskyy" in line and "Zelenskiy" in line
    return int(line.split("\t")[0][1:])


def test_reject_from_the_command_line_is_audited_and_final(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    _ingest(cli.url, *PRESIDENT[:2])  # type: ignore[attr-defined]
    suggestion_id = _pending_id(cli)
    rejected = cli("speakers", "suggestions", "reject", str(suggestion_id))
    assert rejected.exit_code == 0 and "not the same" in rejected.output
    assert "no pending suggestions" in cli("speakers", "suggestions", "list").output
    assert f"#{suggestion_id}\t" in cli("speakers", "suggestions", "list", "--rejected").output
    again = cli("speakers", "suggestions", "reject", str(suggestion_id))
    assert again.exit_code == 1 and "already judged" in again.output
    computed = cli("speakers", "suggestions", "compute")
    assert computed.exit_code == 0 and "0 new suggestions" in computed.output
    events = _rows(
        cli.url, select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.action.like("speaker.sugg%"))
    )  # type: ignore[attr-defined]
    assert [tuple(e) for e in events] == [
        ("speaker.suggest_merge", "system"),
        ("speaker.suggestion_reject", "system"),
    ]


def test_accept_from_the_command_line_merges(cli: Callable[..., Result], tmp_path: Path) -> None:
    _ingest(cli.url, *PRESIDENT[:2])  # type: ignore[attr-defined]
    suggestion_id = _pending_id(cli)
    unknown = cli("speakers", "suggestions", "accept", "999999")
    assert unknown.exit_code == 1 and "no speaker merge suggestion with id 999999" in unknown.output
    accepted = cli("speakers", "suggestions", "accept", str(suggestion_id))
    assert accepted.exit_code == 0, accepted.output
    names = _rows(cli.url, select(Speaker.name).order_by(Speaker.id))  # type: ignore[attr-defined]
    assert [n for (n,) in names] == ["Volodymyr Zelenskyy"]
    assert _rows(cli.url, select(SpeakerMergeSuggestion.id)) == []  # type: ignore[attr-defined]
    actions = _rows(cli.url, select(AuditEvent.action).order_by(AuditEvent.id))  # type: ignore[attr-defined]
    assert [a for (a,) in actions][-2:] == ["speaker.suggestion_accept", "speaker.merge"]
    listed = cli("speakers", "list")
    assert listed.output.count("Zelensk") == 1 and "2 claims" in listed.output
