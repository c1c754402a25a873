"""The claims CSV, byte for byte: the export's fast path (issue 16, item 4) writes exactly what the
per-row path it replaced wrote.

The reference below is that former path, kept here as the oracle: every claim's row built in Python
from the query's plain columns (formula neutralising, timestamps, claim page, evidence, relations and
appearances joined per row). The archive is made by hand: formula-like text in every neutralised
column, reviewed and unreviewed claims, evidence, relations both ways, a cluster of copies, a source
without a date and one without an outlet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, EvidenceStance, RelationKind
from factdb.models import Claim, Editor
from factdb.reports.claims import CSV_HEADER, ReportOptions, claim_report
from factdb.reports.records import (
    _appearances_for,
    _evidence_for,
    _related_for,
    claim_rows_query,
)
from factdb.reports.text import FORMULA_STARTS
from factdb.services import claims as claim_service
from factdb.services.claims import EvidenceInput
from factdb.services.ingest import ingest_text
from factdb.services.queries import ClaimFilter
from tests.matching.reports import dispute_all

ON_THE_SECOND = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
WITH_MICROSECONDS = dt.datetime(2024, 12, 31, 23, 59, 59, 123456, tzinfo=dt.UTC)
ARTICLES = [
    ("=Title one", "-Outlet", "The minister said that =SUM(A1) was the total.", ON_THE_SECOND),
    ("Title two", None, "@Someone said that the harbour would reopen on Monday.", None),
    ("+Title three", "Evening Line", 'The governor said that\tprices rose, "sharply".', WITH_MICROSECONDS),
]


def _reference(session: Session, claim_filter: ClaimFilter, options: ReportOptions) -> str:
    """The claims CSV as the per-row path wrote it before issue 16's item 4."""

    def safe(value: str | None) -> str | None:
        return "'" + value if value and value.startswith(FORMULA_STARTS) else value

    def stamp(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, str):
            return value.replace(" ", "T", 1) + ("" if "+" in value else "+00:00")
        return value.astimezone(dt.UTC).isoformat()  # type: ignore[no-any-return]

    def lines() -> Iterator[tuple[Any, ...]]:
        base = options.claim_url(0)[:-1]
        stmt = claim_rows_query(claim_filter, "id", plain=True)
        rows = session.execute(stmt).all()
        ids = [r.claim_id for r in rows]
        evidence = _evidence_for(session, ids, claim_filter.as_of) if ids else {}
        related = _related_for(session, ids) if ids else {}
        seen = _appearances_for(session, ids) if ids else {}
        for r in rows:
            ev, rel, app = evidence.get(r.claim_id, []), related.get(r.claim_id, []), seen.get(r.claim_id, [])
            yield (
                r.claim_id, safe(r.content), safe(r.sentence), safe(r.speaker), r.speaker_kind,
                safe(r.mention), safe(r.cue), r.stance, safe(r.source_title), safe(r.outlet), safe(r.url),
                stamp(r.published_at), r.status, stamp(r.last_review_at), safe(r.last_review_editor),
                safe(r.rationale), safe(" ".join(e.url for e in ev)),
                "; ".join(x.describe() for x in rel), f"{base}{r.claim_id}", safe(r.channel), r.rule,
                safe("; ".join(a.describe() for a in app)),
            )  # fmt: skip

    out = io.StringIO()
    if options.bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(lines())
    return out.getvalue()


@pytest.fixture
def archive(db_session: Session, editor: Editor) -> list[Claim]:
    """Claims of every shape the CSV has to write (see the module's docstring)."""
    claims: list[Claim] = dispute_all(db_session, editor)  # a cluster of five copies, disputed
    for n, (title, outlet, text, published) in enumerate(ARTICLES):
        result = ingest_text(
            db_session, editor, text, title=title, outlet=outlet, url=f"https://example.org/b/{n}",
            published_at=published,
        )  # fmt: skip
        claims += [db_session.get(Claim, i) for i in result.claim_ids]  # type: ignore[misc]
    mine = claims[5:]
    assert len(mine) >= 3
    claim_service.change_status(
        db_session, editor, mine[0], ClaimStatus.DISPUTED, rationale="=1+1, \"quoted\"\nnext line",
        evidence=[EvidenceInput("https://example.org/e/1?a=1,b=2", EvidenceStance.REFUTES, title="t"),
                  EvidenceInput("https://example.org/e/2", EvidenceStance.SUPPORTS)],
    )  # fmt: skip
    claim_service.change_status(db_session, editor, mine[1], ClaimStatus.CONFIRMED, rationale="-checked")
    claim_service.relate_claims(db_session, editor, mine[0], mine[1], RelationKind.CONTRADICTS)
    claim_service.relate_claims(db_session, editor, mine[2], mine[0], RelationKind.CONTRADICTS)
    db_session.flush()
    return claims


@pytest.mark.parametrize(
    "claim_filter",
    [ClaimFilter(), ClaimFilter(statuses=(ClaimStatus.DISPUTED,)), ClaimFilter(collapse=True),
     ClaimFilter(statuses=(ClaimStatus.DISPUTED,), collapse=True)],
    ids=["all", "disputed", "collapsed", "disputed-collapsed"],
)  # fmt: skip
@pytest.mark.parametrize("bom", [False, True])
def test_csv_bytes_are_those_of_the_per_row_path(
    db_session: Session, archive: list[Claim], claim_filter: ClaimFilter, bom: bool
) -> None:
    options = ReportOptions(base_url="https://factdb.example/", bom=bom)
    expected = _reference(db_session, claim_filter, options)
    assert expected.count("\r\n") > 2 and "'=SUM" in expected and "'-Outlet" in expected
    got = "".join(claim_report(db_session, claim_filter, "csv", options).chunks())
    assert got.encode("utf-8") == expected.encode("utf-8")


def test_csv_bytes_as_of_a_moment(db_session: Session, archive: list[Claim]) -> None:
    """An as-of export (status and evidence as they were) writes the same bytes too."""
    moment = dt.datetime.now(dt.UTC)
    options = ReportOptions()
    claim_filter = ClaimFilter(as_of=moment)
    got = "".join(claim_report(db_session, claim_filter, "csv", options).chunks())
    assert got == _reference(db_session, claim_filter, options)
