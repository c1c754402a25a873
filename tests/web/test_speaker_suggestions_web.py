"""The suggested-merges page through the real Flask app: listing, accepting, rejecting, each audited."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.enums import SuggestionStatus
from factdb.models import AuditEvent, Editor, Speaker, SpeakerMergeSuggestion
from tests.conftest import TEST_PASSWORD
from tests.speaker_texts import PRESIDENT, ingest_report
from tests.web.conftest import MakeApp


def _suggestion(session: Session, editor: Editor) -> SpeakerMergeSuggestion:
    for i, report in enumerate(PRESIDENT[:2]):
        ingest_report(session, editor, report, title=f"Report {i}")
    [suggestion] = session.scalars(select(SpeakerMergeSuggestion))
    return suggestion


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_page_lists_pending_suggestions(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    suggestion = _suggestion(db_session, editor)
    page = as_role("viewer").get("/speakers/suggestions")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert (
        "Volodymyr Zelenskyy" in html and "Zelenskiy" in html and f'id="suggestion-{suggestion.id}"' in html
    )
    assert "/reject" not in html  # viewers see, never judge
    assert "Same speaker: merge" not in as_role("editor").get("/speakers/suggestions").get_data(as_text=True)
    assert "Same speaker: merge" in as_role("admin").get("/speakers/suggestions").get_data(as_text=True)
    assert as_role("anonymous").get("/speakers/suggestions").status_code == 302


def test_accept_merges_through_the_web_audited(
    db_session: Session, editor: Editor, admin: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    suggestion = _suggestion(db_session, editor)
    url = f"/speakers/suggestions/{suggestion.id}/accept"
    assert as_role("editor").post(url).status_code == 403
    full = next(s for s in (suggestion.speaker, suggestion.other) if s.name == "Volodymyr Zelenskyy")
    response = as_role("admin").post(url, data={"keep": str(full.id)})
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.scalars(select(SpeakerMergeSuggestion)).first() is None
    assert [s.name for s in db_session.scalars(select(Speaker))] == ["Volodymyr Zelenskyy"]
    [accepted] = _events(db_session, "speaker.suggestion_accept")
    assert accepted.actor == admin.username
    assert len(_events(db_session, "speaker.merge")) == 1
    # The scorecards page lists the speaker once.
    html = as_role("viewer").get("/speakers").get_data(as_text=True)
    assert html.count(">Volodymyr Zelenskyy</a>") == 1 and ">Zelenskiy</a>" not in html
    csv = as_role("viewer").get("/export/scorecards.csv").get_data(as_text=True)
    assert sum("Zelensk" in line for line in csv.splitlines()) == 1


def test_reject_through_the_web_audited_and_never_again(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    suggestion = _suggestion(db_session, editor)
    response = as_role("editor").post(f"/speakers/suggestions/{suggestion.id}/reject")
    assert response.status_code == 302
    db_session.expire_all()
    assert suggestion.status is SuggestionStatus.REJECTED
    [event] = _events(db_session, "speaker.suggestion_reject")
    assert event.actor == editor.username
    again = as_role("editor").post(f"/speakers/suggestions/{suggestion.id}/reject")
    assert again.status_code == 400 and "already judged" in again.get_data(as_text=True)
    rejected = as_role("viewer").get("/speakers/suggestions?show=rejected").get_data(as_text=True)
    assert f'id="suggestion-{suggestion.id}"' in rejected


def test_bad_requests_get_clear_answers(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    suggestion = _suggestion(db_session, editor)
    admin = as_role("admin")
    assert admin.post("/speakers/suggestions/999999/accept").status_code == 404
    assert admin.post("/speakers/suggestions/99999999999999999999/accept").status_code == 404
    bad = admin.post(f"/speakers/suggestions/{suggestion.id}/accept", data={"keep": "abc"})
    assert bad.status_code == 400
    other = admin.post(f"/speakers/suggestions/{suggestion.id}/accept", data={"keep": "12345"})
    assert other.status_code == 400 and "not one of" in other.get_data(as_text=True)
    db_session.expire_all()
    assert suggestion.status is SuggestionStatus.PENDING


def _token(html: str) -> str:
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def test_csrf_is_checked(db_session: Session, editor: Editor, make_app: MakeApp) -> None:
    suggestion = _suggestion(db_session, editor)
    client = make_app().test_client()  # CSRF on, as in production
    token = _token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": editor.username, "password": TEST_PASSWORD, "csrf_token": token})
    url = f"/speakers/suggestions/{suggestion.id}/reject"
    refused = client.post(url)
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    db_session.expire_all()
    assert suggestion.status is SuggestionStatus.PENDING
    token = _token(client.get("/speakers/suggestions").get_data(as_text=True))
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    db_session.expire_all()
    assert suggestion.status is SuggestionStatus.REJECTED
