"""The bad-input corpus through the web ingest form: a 4xx page with the message, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder

from factdb.models import Source
from tests.integrity.cases import CASES, Case, materialise
from tests.web.conftest import MakeApp, log_in


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_web_ingest(
    make_app: MakeApp, editor: object, db_session: Session, case: Case, tmp_path: Path
) -> None:
    # The production upload cap (5 MB), so the 20 MB file meets it as it would in real life.
    app = make_app(max_ingest_bytes=5 * 1024 * 1024, WTF_CSRF_ENABLED=False)
    client: FlaskClient = log_in(app.test_client(), "eddie")
    path = materialise(case, tmp_path)
    before = db_session.scalar(select(func.count()).select_from(Source))
    with path.open("rb") as upload:
        builder = EnvironBuilder(
            path="/sources/new",
            method="POST",
            data={"title": case.name, "upload": (upload, path.name)},
            content_type="multipart/form-data",
        )
        environ = builder.get_environ()
        try:
            response = client.open(environ)
        finally:
            # The test client spools a 20 MB body to a temporary file that a refused request never reads.
            environ["wsgi.input"].close()
            builder.close()
    body = response.get_data(as_text=True)
    assert response.status_code < 500
    if case.message is None:
        assert response.status_code == 302, body[:500]
        assert db_session.scalar(select(func.count()).select_from(Source)) == (before or 0) + 1
    else:
        expected = "too large" if case.name == "big.txt" else case.message
        assert response.status_code in (400, 413), body[:300]
        assert expected in body
        assert db_session.scalar(select(func.count()).select_from(Source)) == before
        assert "Traceback" not in body


def test_web_duplicate(make_app: MakeApp, editor: object, db_session: Session) -> None:
    client = log_in(make_app(WTF_CSRF_ENABLED=False).test_client(), "eddie")
    text = (Path(__file__).resolve().parents[1] / "bad_inputs" / "windows-crlf.txt").read_bytes()
    first = client.post("/sources/new", data={"title": "one", "text": text.decode()})
    assert first.status_code == 302
    again = client.post("/sources/new", data={"title": "two", "text": text.decode()})
    assert again.status_code == 409 and "already" in again.get_data(as_text=True)
