"""Downloads through the real app: login, streaming, the list's filter, formats."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.models import Claim, Editor
from factdb.reports.claims import CLAIM_FORMATS
from factdb.services import claims as claim_service
from factdb.services.ingest import IngestResult
from tests.web.conftest import claims_of

Client = Callable[[str], FlaskClient]


@pytest.mark.parametrize("path", ["/export/claims.csv", "/export/scorecards.csv", "/export/audit.jsonl"])
def test_downloads_need_a_login(as_role: Client, path: str) -> None:
    response = as_role("anonymous").get(path)
    assert response.status_code == 302 and response.location.startswith("/login")


def test_claims_download_streams_the_lists_filter(
    as_role: Client, db_session: Session, sample: IngestResult, editor: Editor
) -> None:
    claims = claims_of(db_session, sample.source)
    for claim in claims[:3]:
        claim_service.change_status(db_session, editor, claim, ClaimStatus.DISPUTED, rationale="r")
    db_session.commit()
    client = as_role("viewer")
    listing = client.get("/?status=disputed").get_data(as_text=True)
    assert 'href="/export/claims.csv?status=disputed"' in listing
    response = client.get("/export/claims.csv?status=disputed")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [int(r["claim_id"]) for r in rows] == [c.id for c in claims[:3]]


@pytest.mark.parametrize("fmt", list(CLAIM_FORMATS))
def test_every_claim_format_downloads(as_role: Client, sample: IngestResult, fmt: str) -> None:
    response = as_role("viewer").get(f"/export/claims.{fmt}?source={sample.source.id}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    body = response.get_data(as_text=True)
    if fmt in ("json", "claimreview"):
        parsed = json.loads(body)
        assert len(parsed) == (0 if fmt == "claimreview" else sample.claim_count)
    elif fmt == "html":
        assert "<script" not in body and response.headers["Content-Security-Policy"].startswith(
            "default-src 'none'"
        )


def test_scorecard_and_audit_downloads(as_role: Client, sample: IngestResult) -> None:
    client = as_role("viewer")
    cards = json.loads(client.get("/export/scorecards.json?sort=disputed").get_data(as_text=True))
    assert any(c["speaker"] == "Volodymyr Zelensky" for c in cards)
    page = client.get("/audit?editor=eddie").get_data(as_text=True)
    assert "/export/audit.csv?editor=eddie" in page
    audit = client.get("/export/audit.csv?editor=eddie").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(audit)))
    assert rows and {r["actor"] for r in rows} == {"eddie"}


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/export/claims.xls", "format 'xls' is not one of"),
        ("/export/claims.csv?status=nope", "status='nope'"),
        ("/export/audit.csv?from=yesterday", "from='yesterday'"),
        ("/export/scorecards.csv?sort=size", "sort='size'"),
    ],
)
def test_bad_download_requests_are_400(as_role: Client, path: str, message: str) -> None:
    response = as_role("viewer").get(path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_claim_is_unchanged_by_downloads(as_role: Client, db_session: Session, claim: Claim) -> None:
    version = claim.version
    as_role("viewer").get("/export/claims.json")
    db_session.expire_all()
    assert claim.version == version
