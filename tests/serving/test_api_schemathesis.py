"""Schemathesis against the OpenAPI document that ``factdb serve`` serves, on the test's database
(SQLite or PostgreSQL): its coverage phase (each parameter's edges and invalid values) and generated
fuzzing for every operation, with an admin's write token so every operation is open. No answer may be
a 5xx, and every answer must match the document: status code, content type, headers and body schema."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import select

from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, TokenScope
from factdb.models import Claim
from factdb.services import claims as claim_service
from factdb.services import tokens as token_service
from factdb.services.editors import get_editor
from factdb.services.ingest import ingest_text
from tests.conftest import SAMPLE_TEXT
from tests.serving.conftest import Server

Launch = Callable[..., Server]

#: Generated cases per operation: enough for the edges of every parameter, small enough for CI (a couple
#: of minutes per database on a loaded two-core machine). FACTDB_API_EXAMPLES raises it for a longer run.
EXAMPLES = os.environ.get("FACTDB_API_EXAMPLES", "25")

CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def _archive_and_token(database_url: str) -> str:
    """The sample article with a verdict, and an admin's write token (its secret)."""
    engine = make_engine(database_url)
    try:
        with make_session_factory(engine, write=True).begin() as session:
            admin = get_editor(session, "ada")
            result = ingest_text(session, admin, SAMPLE_TEXT.read_text(encoding="utf-8"), title="Sample")
            first = session.scalars(select(Claim).where(Claim.source_id == result.source.id).limit(1)).one()
            claim_service.change_status(
                session, admin, first, ClaimStatus.FALSE, rationale="Records disagree"
            )
            _token, secret = token_service.create_token(
                session, admin, admin, name="schemathesis", scope=TokenScope.WRITE
            )
    finally:
        engine.dispose()
    return secret


def test_the_served_api_answers_as_its_document_says(
    served_database: str, launch: Launch, tmp_path: Path
) -> None:
    secret = _archive_and_token(served_database)
    # Two workers, as deployed; no rate limit in the run's way (the limit has tests of its own).
    server = launch(served_database, "--workers", "2", FACTDB_API_RATE_LIMIT="1000000 per minute")
    run = subprocess.run(
        [
            sys.executable, "-m", "schemathesis.cli", "run", f"{server.url}/api/v1/openapi.json",
            "--checks", CHECKS, "--header", f"Authorization: Bearer {secret}",
            "--phases", "examples,coverage,fuzzing", "--max-examples", EXAMPLES, "--seed", "18",
            "--workers", "1", "--request-timeout", "30", "--continue-on-failure", "--no-color",
        ],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "No issues found" in run.stdout or "passed" in run.stdout, report
