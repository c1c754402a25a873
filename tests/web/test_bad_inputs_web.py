"""The bad-input corpus through the web ingest form: a 4xx page with the message, never a 500."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.test import EnvironBuilder, TestResponse

from factdb.models import Source
from tests.integrity.cases import CASES, Case, materialise
from tests.web.conftest import MakeApp, log_in

WEB_CASES = [c for c in CASES if c.web]


def _post(client: FlaskClient, data: dict[str, object]) -> TestResponse:
    """POST the ingest form as multipart, as a browser does."""
    builder = EnvironBuilder(
        path="/sources/new", method="POST", data=data, content_type="multipart/form-data"
    )
    environ = builder.get_environ()
    try:
        return client.open(environ)
    finally:
        # The test client spools a large body to a temporary file that a refused request never reads.
        environ["wsgi.input"].close()
        builder.close()


@pytest.mark.parametrize("case", WEB_CASES, ids=[c.name for c in WEB_CASES])
def test_web_ingest(
    make_app: MakeApp, editor: object, db_session: Session, case: Case, tmp_path: Path
) -> None:
    # The production upload cap (5 MB), so the 20 MB file meets it as it would in real life.
    app = make_app(max_ingest_bytes=5 * 1024 * 1024, WTF_CSRF_ENABLED=False)
    client: FlaskClient = log_in(app.test_client(), "eddie")
    path = materialise(case, tmp_path)
    before = db_session.scalar(select(func.count()).select_from(Source))
    with path.open("rb") as upload:
        response = _post(client, {"title": case.name, "upload": (upload, path.name)})
    body = response.get_data(as_text=True)
    assert response.status_code < 500
    if case.message is None:
        assert response.status_code == 302, body[:500]
        assert db_session.scalar(select(func.count()).select_from(Source)) == (before or 0) + 1
        stored = db_session.scalars(select(Source.text).order_by(Source.id.desc()).limit(1)).one()
        if case.stored_holds is not None:
            assert case.stored_holds in stored
        if case.stored_lacks is not None:
            assert case.stored_lacks not in stored
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


def test_a_paste_over_werkzeugs_form_limit_but_within_the_article_limit_is_stored(
    make_app: MakeApp, editor: object, db_session: Session
) -> None:
    # Werkzeug keeps at most 500 KB of a form field in memory unless told otherwise.
    client = log_in(make_app(max_ingest_bytes=1024 * 1024, WTF_CSRF_ENABLED=False).test_client(), "eddie")
    # 550 KB of words without a full stop: a heading, cut into pieces, with no claims to store.
    text = "Harbour notes\n" + "word " * 110_000
    response = _post(client, {"title": "long paste", "text": text})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert db_session.scalar(select(Source.title).order_by(Source.id.desc()).limit(1)) == "long paste"


@pytest.mark.parametrize("size", [150_000, 400_000])
def test_a_paste_over_the_article_limit_names_that_limit(
    make_app: MakeApp, editor: object, db_session: Session, size: int
) -> None:
    # 150 KB is read and refused by the ingest check; 400 KB is refused before it is read (413).
    client = log_in(make_app(max_ingest_bytes=100_000, WTF_CSRF_ENABLED=False).test_client(), "eddie")
    before = db_session.scalar(select(func.count()).select_from(Source))
    response = _post(client, {"title": "too long", "text": "x" * size})
    body = response.get_data(as_text=True)
    assert response.status_code in (400, 413)
    assert "100,000 bytes" in body and "5.0 MB" not in body
    assert db_session.scalar(select(func.count()).select_from(Source)) == before
