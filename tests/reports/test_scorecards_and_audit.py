"""Scorecard and audit exports against a real database, and the export commands."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, EvidenceStance
from factdb.models import AuditEvent, Claim, Editor, Review
from factdb.reports.audit import AuditFilter, audit_chunks
from factdb.reports.scorecards import scorecard_chunks
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.claims import EvidenceInput
from factdb.services.ingest import IngestResult
from tests.handmade import ingest_sample


def test_scorecards_match_the_database(
    db_session: Session, editor: Editor, sample_source: IngestResult
) -> None:
    result = sample_source
    zelensky = speaker_service.find_by_alias(db_session, "Volodymyr Zelensky")
    assert zelensky is not None
    his = list(db_session.scalars(select(Claim).where(Claim.speaker_id == zelensky.id).order_by(Claim.id)))
    claim_service.change_status(db_session, editor, his[0], ClaimStatus.DISPUTED, rationale="r")
    claim_service.change_status(db_session, editor, his[1], ClaimStatus.CONFIRMED, rationale="r")
    cards = {c["speaker"]: c for c in json.loads("".join(scorecard_chunks(db_session, "json")))}
    card = cards["Volodymyr Zelensky"]
    assert card["claims_recorded"] == len(his) and card["claims_reviewed"] == 2
    assert card["counts"]["disputed"] == 1 and card["counts"]["unverified"] == len(his) - 2
    assert card["disputed_or_false_share_of_reviewed"] == 0.5
    total = db_session.scalar(select(func.count()).where(Claim.source_id == result.source.id))
    assert sum(c["claims_recorded"] for c in cards.values()) == total
    rows = list(csv.DictReader(io.StringIO("".join(scorecard_chunks(db_session, "csv")))))
    by_name = {r["speaker"]: r for r in rows}
    assert by_name["Volodymyr Zelensky"]["disputed_or_false_share_of_reviewed"] == "0.5000"
    assert by_name["Dmitry Peskov"]["disputed_or_false_share_of_reviewed"] == "", "no reviews: no share"


def test_audit_export_has_events_and_reviews(
    db_session: Session, editor: Editor, admin: Editor, sample_source: IngestResult
) -> None:
    result = sample_source
    claim = db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)).first()
    assert claim is not None
    claim_service.change_status(
        db_session, admin, claim, ClaimStatus.FALSE, rationale="Fabricated, \"clearly\"",
        evidence=[EvidenceInput("https://example.org/x", EvidenceStance.REFUTES)],
    )  # fmt: skip
    db_session.flush()
    records = [
        json.loads(line) for line in "".join(audit_chunks(db_session, "jsonl", AuditFilter())).splitlines()
    ]
    events = db_session.scalar(select(func.count()).select_from(AuditEvent))
    reviews = db_session.scalar(select(func.count()).select_from(Review))
    assert len(records) == (events or 0) + (reviews or 0)
    assert [r["at"] for r in records] == sorted(r["at"] for r in records)
    (review,) = [r for r in records if r["record"] == "review"]
    assert review["actor"] == "ada" and review["before"] == {"status": "unverified"}
    assert (
        review["after"]["status"] == "false"
        and review["after"]["evidence"][0]["url"] == "https://example.org/x"
    )
    assert {r["action"] for r in records} >= {"source.ingest", "claim.status", "review"}
    only_admin = "".join(audit_chunks(db_session, "csv", AuditFilter(actor="ada")))
    rows = list(csv.DictReader(io.StringIO(only_admin)))
    assert rows and {r["actor"] for r in rows} == {"ada"}
    assert json.loads(rows[-1]["after"])["status"] == "false"
    tomorrow = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)
    assert "".join(audit_chunks(db_session, "jsonl", AuditFilter(date_from=tomorrow))) == ""
    header_only = "".join(audit_chunks(db_session, "csv", AuditFilter(date_from=tomorrow)))
    assert header_only.strip() == "record,id,at,actor,action,entity_type,entity_id,before,after"


def _cli(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"FACTDB_DATABASE_URL": url}, catch_exceptions=False)


def test_export_commands(new_database_url: Callable[[], str], tmp_path: Path) -> None:
    url = new_database_url()
    assert _cli(url, "db", "upgrade").exit_code == 0
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        ingest_sample(session, None, title="Kursk", outlet="Wire")
    with make_session_factory(engine)() as session:
        claim_ids = list(session.scalars(select(Claim.id).order_by(Claim.id)))
    engine.dispose()
    claim_id = str(claim_ids[-1])
    assert _cli(url, "claims", "set-status", claim_id, "disputed", "--rationale", "=no").exit_code == 0

    stdout = _cli(url, "export", "claims")
    assert stdout.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(stdout.stdout)))
    assert [r["claim_id"] for r in rows] == [claim_id] and rows[0]["rationale"] == "'=no"

    target = tmp_path / "all.jsonl"
    to_file = _cli(url, "export", "claims", "--status", "any", "--format", "jsonl", "-o", str(target))
    assert to_file.exit_code == 0 and "claims" in to_file.stderr, "a progress bar on stderr"
    assert len(target.read_text().splitlines()) == len(claim_ids)
    assert not list(tmp_path.glob("*.partial"))

    html = tmp_path / "report.html"
    assert (
        _cli(
            url,
            "export",
            "claims",
            "--format",
            "html",
            "-o",
            str(html),
            "--speaker",
            "Russian Defense Ministry",
        ).exit_code
        == 0
    )
    assert "Russian Defense Ministry" in html.read_text()

    assert "Volodymyr Zelensky" in _cli(url, "export", "scorecards").stdout
    assert '"review"' in _cli(url, "export", "audit").stdout

    bad_date = _cli(url, "export", "claims", "--published-from", "March")
    assert bad_date.exit_code == 1 and "--published-from 'March' is not a date" in bad_date.stderr
    unknown = _cli(url, "export", "claims", "--speaker", "Nobody Atall")
    assert unknown.exit_code == 1 and "no speaker is known as" in unknown.stderr
    unwritable = _cli(url, "export", "claims", "-o", str(tmp_path / "missing-dir" / "x.csv"))
    assert unwritable.exit_code == 1 and "cannot be written" in unwritable.stderr
