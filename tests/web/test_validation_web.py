"""Issue 13's bad inputs through the real app: each answered with a 4xx and a message, nothing stored."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from factdb.enums import SpeakerKind
from factdb.errors import InputError
from factdb.models import Claim, Editor, Source, Speaker
from factdb.services import speakers as speaker_service
from factdb.services.audit import EventSpec, record_events
from factdb.services.ingest import IngestResult
from factdb.web.request import db_session as request_session
from tests.web.conftest import MakeApp, log_in

Client = Callable[[str], FlaskClient]

HUGE_IDS = (str(2**31), str(2**63), str(2**64), "9" * 5000)


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_past_the_database_range_are_not_found(as_role: Client, huge: str) -> None:
    client = as_role("admin")
    for path in (f"/claims/{huge}", f"/sources/{huge}", f"/speakers/{huge}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "ids run from 1 to 2,147,483,647" in response.get_data(as_text=True)
    for path in (
        f"/claims/{huge}/review",
        f"/claims/{huge}/relations",
        f"/speakers/{huge}/aliases",
        f"/speakers/1/aliases/{huge}/delete",
        f"/editors/{huge}",
    ):
        assert client.post(path, data={"alias": "x"}).status_code == 404, path


@pytest.mark.parametrize("huge", HUGE_IDS)
def test_ids_past_the_database_range_in_parameters_and_forms(
    as_role: Client, claim: Claim, huge: str
) -> None:
    client = as_role("editor")
    paths = [
        *(f"/?{name}={huge}" for name in ("source", "speaker", "after", "before")),
        f"/?sort=status&page={huge}",
        f"/sources?after={huge}",
        f"/audit?entity_id={huge}",
        f"/export/claims.csv?source={huge}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 400, path
        assert "out of range" in response.get_data(as_text=True), path
    related = client.post(f"/claims/{claim.id}/relations", data={"related_claim": huge, "kind": "repeats"})
    assert related.status_code == 400
    review = client.post(
        f"/claims/{claim.id}/review", data={"status": "confirmed", "rationale": "ok", "version": huge}
    )
    assert review.status_code == 400 and "version=" in review.get_data(as_text=True)
    bulk = client.post(
        "/claims/bulk",
        data={"new_status": "disputed", "rationale": "r", "scope": "selected", "claim_ids": huge},
    )
    assert bulk.status_code == 400 and "claim_ids=" in bulk.get_data(as_text=True)


@pytest.mark.parametrize("value", ["a\x00b", "\x1b[31m", "bad\x7f"])
def test_control_characters_are_refused_in_every_field(
    as_role: Client, claim: Claim, db_session: Session, value: str
) -> None:
    anonymous = as_role("anonymous")
    login = anonymous.post("/login", data={"username": value, "password": value})
    assert login.status_code == 400
    assert "the field username contains" in login.get_data(as_text=True)
    client = as_role("editor")
    assert client.get("/", query_string={"q": value}).status_code == 400
    assert client.get("/", query_string={value: "1"}).status_code == 400  # a parameter's name too
    before = db_session.scalar(select(func.count()).select_from(Speaker))
    response = client.post(f"/speakers/{claim.speaker_id}/aliases", data={"alias": value})
    assert response.status_code == 400 and "contains" in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(Speaker)) == before


def test_multiline_fields_keep_line_breaks_but_not_nul(as_role: Client, claim: Claim) -> None:
    client = as_role("editor")
    data = {"status": "disputed", "version": str(claim.version), "rationale": "first\r\nsecond\tthird"}
    assert client.post(f"/claims/{claim.id}/review", data=data).status_code == 302
    data = {"status": "false", "version": str(claim.version), "rationale": "nul\x00inside"}
    refused = client.post(f"/claims/{claim.id}/review", data=data)
    assert refused.status_code == 400 and "NUL" in refused.get_data(as_text=True)


def test_ingest_form_refuses_dates_and_links_out_of_range(as_role: Client, db_session: Session) -> None:
    client = as_role("editor")
    before = db_session.scalar(select(func.count()).select_from(Source))
    text = "The minister said the bridge would reopen in May."
    for data, message in (
        ({"published": "9999-12-31"}, "published=&#39;9999-12-31&#39; is outside the years 1800-2200"),
        ({"published": "0001-01-01"}, "outside the years"),
        ({"url": "javascript:alert(1)"}, "http:// or https://"),
    ):
        response = client.post("/sources/new", data={"title": "T", "text": text, **data})
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert db_session.scalar(select(func.count()).select_from(Source)) == before


def test_audit_page_with_a_method_override_parameter(as_role: Client, db_session: Session) -> None:
    # More than a page of events, so the page links to older ones with the query's parameters.
    record_events(db_session, None, [EventSpec("speaker.note", "speaker", n) for n in range(1, 102)])
    client = as_role("viewer")
    for query in ("_method=POST", "_external=1&_anchor=x", "_scheme=javascript"):
        response = client.get(f"/audit?{query}")
        assert response.status_code == 200, query
        older = response.get_data(as_text=True).split('rel="next" href="', 1)[1].split('"', 1)[0]
        assert older.startswith("/audit?") and "javascript" not in older


def test_error_page_after_a_failed_flush(make_app: MakeApp, db_session: Session, viewer: Editor) -> None:
    app = make_app(WTF_CSRF_ENABLED=False)

    @app.route("/test-failed-flush")
    def failed_flush() -> str:
        # The editor is not loaded yet: the error page is the first to read it, after the failure.
        session = request_session()
        session.add(Editor(username=viewer.username, display_name="twin", password_hash="x"))
        try:
            session.flush()
        except IntegrityError:
            raise InputError("that username is taken") from None
        return "unreachable"

    client = log_in(app.test_client(), viewer.username)
    response = client.get("/test-failed-flush")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "that username is taken" in body and viewer.username in body  # the menu still knows who


def test_links_render_clickable_only_when_http(
    as_role: Client, db_session: Session, sample: IngestResult
) -> None:
    # A link stored before links were checked (or by another tool) is shown as text, never a link.
    sample.source.url = "javascript:alert(document.cookie)"
    db_session.execute(
        Source.__table__.update().where(Source.id == sample.source.id).values(url=sample.source.url)
    )
    client = as_role("viewer")
    page = client.get(f"/sources/{sample.source.id}").get_data(as_text=True)
    assert "javascript:alert(document.cookie)" in page
    assert 'href="javascript:' not in page
    report = client.get(f"/export/claims.html?status=unverified&source={sample.source.id}")
    body = b"".join(report.response).decode()  # type: ignore[arg-type]
    assert "javascript:alert(document.cookie)" in body and 'href="javascript:' not in body


def test_services_refuse_what_no_database_stores(db_session: Session, editor: Editor) -> None:
    # The floor under every entry point: the flush itself refuses, naming the field.
    with pytest.raises(InputError, match="the speaker's name contains a NUL character"):
        speaker_service.create_speaker(db_session, editor, name="Ada\x00", kind=SpeakerKind.PERSON)
    db_session.rollback()
    with pytest.raises(InputError, match="the speaker's role is longer than 300 characters"):
        speaker_service.create_speaker(
            db_session, editor, name="Ada", kind=SpeakerKind.PERSON, role="r" * 301
        )
