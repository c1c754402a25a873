"""The permission matrix (anonymous, viewer, editor, admin × every write route) and CSRF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.enums import SpeakerKind
from factdb.models import AuditEvent, Claim, Editor, Speaker
from factdb.services import speakers as speaker_service
from factdb.services.ingest import IngestResult
from tests.conftest import TEST_PASSWORD
from tests.web.conftest import MakeApp, claims_of

ROLES = ("anonymous", "viewer", "editor", "admin")


@dataclass
class Targets:
    """Ids the write routes act on."""

    claim: Claim
    other_claim: Claim
    speaker: Speaker
    spare_speaker: Speaker
    alias_id: int
    other_editor: Editor


@pytest.fixture
def targets(db_session: Session, sample: IngestResult, admin: Editor, viewer: Editor) -> Targets:
    claims = claims_of(db_session, sample.source)
    speaker = next(c.speaker for c in claims if c.speaker is not None)
    assert speaker is not None
    alias = speaker_service.add_alias(db_session, admin, speaker, "A Spare Alias")
    spare = speaker_service.create_speaker(db_session, admin, name="Spare Speaker", kind=SpeakerKind.PERSON)
    return Targets(claims[0], claims[1], speaker, spare, alias.id, viewer)


# (name, method, path, form data, lowest role allowed)
Route = tuple[str, str, Callable[[Targets], str], Callable[[Targets], dict[str, Any]], str]
WRITE_ROUTES: list[Route] = [
    ("bulk", "POST", lambda t: "/claims/bulk",
     lambda t: {"new_status": "confirmed", "rationale": "checked", "claim_ids": [t.claim.id], "confirm": "1"},
     "editor"),
    ("review", "POST", lambda t: f"/claims/{t.claim.id}/review",
     lambda t: {"status": "disputed", "rationale": "no evidence", "version": t.claim.version}, "editor"),
    ("attribution", "POST", lambda t: f"/claims/{t.claim.id}/attribution",
     lambda t: {"speaker": t.spare_speaker.name, "content_start": t.claim.content_start,
                "content_end": t.claim.content_end, "cue": "said", "stance": "asserts",
                "version": t.claim.version}, "editor"),
    ("relate", "POST", lambda t: f"/claims/{t.claim.id}/relations",
     lambda t: {"related_claim": t.other_claim.id, "kind": "contradicts"}, "editor"),
    ("ingest", "POST", lambda t: "/sources/new",
     lambda t: {"title": "New", "text": "The army said that the bridge was rebuilt."}, "editor"),
    ("speaker edit", "POST", lambda t: f"/speakers/{t.speaker.id}/edit",
     lambda t: {"name": t.speaker.name, "kind": "organization", "role": "", "affiliation": ""}, "editor"),
    ("alias add", "POST", lambda t: f"/speakers/{t.speaker.id}/aliases",
     lambda t: {"alias": "Yet Another Name"}, "editor"),
    ("alias remove", "POST", lambda t: f"/speakers/{t.speaker.id}/aliases/{t.alias_id}/delete",
     lambda t: {}, "editor"),
    ("merge", "POST", lambda t: f"/speakers/{t.spare_speaker.id}/merge",
     lambda t: {"target": t.speaker.name}, "admin"),
    ("editor create", "POST", lambda t: "/editors",
     lambda t: {"username": "newbie", "display_name": "New", "role": "viewer", "password": "long enough pw"},
     "admin"),
    ("editor update", "POST", lambda t: f"/editors/{t.other_editor.id}",
     lambda t: {"role": "editor", "active": "y"}, "admin"),
    ("password reset", "POST", lambda t: f"/editors/{t.other_editor.id}/password",
     lambda t: {"new": "a brand new password"}, "admin"),
    ("password", "POST", lambda t: "/account/password",
     lambda t: {"current": TEST_PASSWORD, "new": "a brand new password", "confirm": "a brand new password"},
     "viewer"),
]  # fmt: skip


def _audit_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent)) or 0


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", WRITE_ROUTES, ids=[r[0] for r in WRITE_ROUTES])
def test_permission_matrix(
    as_role: Callable[[str], FlaskClient], targets: Targets, db_session: Session, route: Route, role: str
) -> None:
    _, method, path, data, lowest = route
    client = as_role(role)
    before = _audit_count(db_session)
    response = client.open(path(targets), method=method, data=data(targets))
    body = response.get_data(as_text=True)
    if role == "anonymous":
        assert response.status_code == 302 and response.location.startswith("/login")
        assert _audit_count(db_session) == before
    elif ROLES.index(role) < ROLES.index(lowest):
        assert response.status_code == 403, body[:300]
        assert f"needs the {lowest} role" in body
        assert _audit_count(db_session) == before, "a refused write changed nothing"
    else:
        assert response.status_code == 302, body[:2000]
        assert _audit_count(db_session) > before, "an allowed write is audited"


@pytest.mark.parametrize("role", ROLES)
def test_editors_page_is_for_admins(as_role: Callable[[str], FlaskClient], role: str) -> None:
    response = as_role(role).get("/editors")
    expected = {"anonymous": 302, "viewer": 403, "editor": 403, "admin": 200}[role]
    assert response.status_code == expected


def test_csrf_token_is_required(
    make_app: MakeApp, targets: Targets, editor: Editor, db_session: Session
) -> None:
    app = make_app()  # CSRF on, as in production
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    assert (
        client.post("/login", data={"username": editor.username, "password": TEST_PASSWORD}).status_code
        == 400
    )
    log_in_response = client.post(
        "/login", data={"username": editor.username, "password": TEST_PASSWORD, "csrf_token": token}
    )
    assert log_in_response.status_code == 302
    before = _audit_count(db_session)
    refused = client.post(
        f"/claims/{targets.claim.id}/review",
        data={"status": "disputed", "rationale": "x", "version": targets.claim.version},
    )
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    assert _audit_count(db_session) == before
    page = client.get(f"/claims/{targets.claim.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    accepted = client.post(
        f"/claims/{targets.claim.id}/review",
        data={"status": "disputed", "rationale": "x", "version": targets.claim.version, "csrf_token": token},
    )
    assert accepted.status_code == 302
    assert _audit_count(db_session) == before + 1


def test_deactivated_editor_is_logged_out(
    as_role: Callable[[str], FlaskClient], admin: Editor, editor: Editor
) -> None:
    editor_client = as_role("editor")
    assert editor_client.get("/").status_code == 200
    admin_client = as_role("admin")
    assert admin_client.post(f"/editors/{editor.id}", data={"role": "editor"}).status_code == 302
    assert editor_client.get("/").status_code == 302
    assert (
        as_role("anonymous")
        .post("/login", data={"username": editor.username, "password": TEST_PASSWORD})
        .status_code
        == 200
    )


def test_upload_too_large_is_a_friendly_413(as_role: Callable[[str], FlaskClient]) -> None:
    client = as_role("editor")
    # ~410 KB: over the test app's limit, under the 500 KB at which the test client spools to a temp file.
    big = b"The ministry said that it rained. " * 12_000
    import io

    response = client.post(
        "/sources/new", data={"title": "Big", "upload": (io.BytesIO(big), "big.txt")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
