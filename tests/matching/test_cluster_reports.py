"""Reports and scorecards with clusters: one statement, five sources (issue 17, item 4)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.models import Editor
from factdb.reports import claims as claims_report
from factdb.reports.claims import claim_report
from factdb.reports.scorecards import scorecard_chunks
from factdb.services.queries import ClaimFilter
from factdb.services.scorecards import scorecards
from tests.matching.reports import REPORTS, dispute_all


def test_disputed_report_lists_the_statement_once_with_five_sources(
    db_session: Session, editor: Editor
) -> None:
    claims = dispute_all(db_session, editor)
    disputed = ClaimFilter(statuses=(ClaimStatus.DISPUTED,), collapse=True)
    rows = list(csv.DictReader(io.StringIO("".join(claim_report(db_session, disputed, "csv").chunks()))))
    assert [int(r["claim_id"]) for r in rows] == [claims[0].id]
    appearances = rows[0]["appearances"].split("; ")
    assert [a.split()[0] for a in appearances] == [r.outlet.split()[0] for r in REPORTS]
    markdown = "".join(claim_report(db_session, disputed, "md").chunks())
    assert markdown.count("### Claim") == 1 and "Every appearance of this statement (5)" in markdown
    assert "one row per statement" in markdown
    # Without collapsing, every copy is its own row.
    every = ClaimFilter(statuses=(ClaimStatus.DISPUTED,))
    assert "".join(claim_report(db_session, every, "md").chunks()).count("### Claim") == 5


def test_claimreview_item_reviewed_lists_every_appearance(db_session: Session, editor: Editor) -> None:
    claims = dispute_all(db_session, editor)
    reviews = json.loads(
        "".join(
            claim_report(
                db_session, ClaimFilter(statuses=(ClaimStatus.DISPUTED,), collapse=True), "claimreview"
            ).chunks()
        )
    )
    (review,) = reviews
    item = review["itemReviewed"]
    assert [a["publisher"]["name"] for a in item["appearance"]] == [r.outlet for r in REPORTS]
    assert item["firstAppearance"]["publisher"]["name"] == "Wire One"
    assert review["url"].endswith(f"/claims/{claims[0].id}")


def test_scorecards_count_statements_not_copies(db_session: Session, editor: Editor) -> None:
    dispute_all(db_session, editor)
    (card,) = [c for c in scorecards(db_session) if c.name == "Oleg Varin"]
    assert (card.claims, card.counts[ClaimStatus.DISPUTED], card.copies) == (1, 1, 4)
    exported = json.loads("".join(scorecard_chunks(db_session, "json")))
    (row,) = [r for r in exported if r["speaker"] == "Oleg Varin"]
    assert row["claims_recorded"] == 1 and row["repeats_not_counted"] == 4 and "statements" in row["counting"]


def test_csv_cell_lists_the_first_appearances_and_counts_the_rest(
    db_session: Session, editor: Editor, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A statement repeated in thousands of articles must not write every copy into every copy's row;
    # the cap is lowered so that five reports run past it. JSON still lists every appearance.
    monkeypatch.setattr(claims_report, "MAX_APPEARANCES_IN_CELL", 3)
    claims = dispute_all(db_session, editor)
    every = ClaimFilter(statuses=(ClaimStatus.DISPUTED,))
    rows = list(csv.DictReader(io.StringIO("".join(claim_report(db_session, every, "csv").chunks()))))
    assert sorted(int(r["claim_id"]) for r in rows) == sorted(c.id for c in claims)
    for row in rows:
        *listed, more = row["appearances"].split("; ")
        assert [a.split()[0] for a in listed] == [r.outlet.split()[0] for r in REPORTS[:3]]
        assert more == "and 2 more"
    records = json.loads("".join(claim_report(db_session, every, "json").chunks()))
    assert all(len(record["appearances"]) == len(REPORTS) for record in records)
