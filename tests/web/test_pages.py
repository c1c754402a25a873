"""Every page renders through the real app: content, 404/400 paths, escaping, security headers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SpeakerKind
from factdb.models import Claim, Editor
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.ingest import IngestResult, ingest_text
from tests.handmade import Said, handmade
from tests.web.conftest import claims_of

Client = Callable[[str], FlaskClient]


def test_pages_need_a_login(as_role: Client) -> None:
    client = as_role("anonymous")
    for path in ("/", "/sources", "/speakers", "/audit", "/claims/1", "/account/password"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login"), path
    assert client.get("/login").status_code == 200


def test_wrong_password_is_refused(as_role: Client, viewer: Editor) -> None:
    client = as_role("anonymous")
    response = client.post("/login", data={"username": viewer.username, "password": "nope"})
    assert response.status_code == 200 and "wrong password" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_login_never_redirects_off_site(as_role: Client, viewer: Editor) -> None:
    from tests.conftest import TEST_PASSWORD

    client = as_role("anonymous")
    response = client.post(
        "/login?next=//evil.example/x", data={"username": viewer.username, "password": TEST_PASSWORD}
    )
    assert response.location == "/"


def test_every_page_renders_for_a_viewer(as_role: Client, sample: IngestResult, db_session: Session) -> None:
    client = as_role("viewer")
    claim = claims_of(db_session, sample.source)[0]
    speaker = next(c.speaker for c in claims_of(db_session, sample.source) if c.speaker)
    assert speaker is not None
    pages = {
        "/": "Claims",
        f"/claims/{claim.id}": f"Claim #{claim.id}",
        "/sources": "Kursk offensive",
        f"/sources/{sample.source.id}": "Kursk offensive",
        "/speakers": "Who said what",
        f"/speakers/{speaker.id}": speaker.name,
        "/audit": "source.ingest",
        "/account/password": "Change your password",
    }
    for path, expected in pages.items():
        response = client.get(path)
        body = response.get_data(as_text=True)
        assert response.status_code == 200, (path, body[:500])
        assert expected in body, path
        assert "Save review" not in body, "a viewer sees no review form"


def test_claims_list_facets_and_filter(
    as_role: Client, sample: IngestResult, db_session: Session, editor: Editor
) -> None:
    claims = claims_of(db_session, sample.source)
    claim_service.change_status(db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="no evidence")
    client = as_role("viewer")
    body = client.get("/?status=disputed").get_data(as_text=True)
    assert f"{1} claims match" in body
    assert f'href="/claims/{claims[0].id}?status=disputed"' in body, "the claim keeps the list it is in"
    assert f'href="/claims/{claims[1].id}' not in body
    everything = client.get("/").get_data(as_text=True)
    assert f"{len(claims)} claims match" in everything


def test_keyset_pages_cover_every_claim_once(as_role: Client, db_session: Session, editor: Editor) -> None:
    text = " ".join(f"Convoy {i} arrived." for i in range(120))
    result = ingest_text(db_session, editor, text, title="Convoys", extraction=handmade(text))
    ids = {c.id for c in claims_of(db_session, result.source)}
    client = as_role("viewer")
    seen: list[int] = []
    path = f"/?source={result.source.id}"
    import re

    for _ in range(10):
        body = client.get(path).get_data(as_text=True)
        seen += [int(x) for x in re.findall(r'<td><a href="/claims/(\d+)[?"]', body)]
        older = re.search(r'rel="next" href="([^"]+)"', body)
        if not older:
            break
        path = older.group(1).replace("&amp;", "&")
    assert len(seen) == len(ids) == 120 and set(seen) == ids
    assert seen == sorted(seen, reverse=True)


@pytest.mark.parametrize("path", ["/claims/999999", "/sources/999999", "/speakers/999999", "/nowhere"])
def test_unknown_ids_are_404(as_role: Client, path: str) -> None:
    response = as_role("viewer").get(path)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/?status=bogus", "status='bogus' is not one of"),
        ("/?from=yesterday", "from='yesterday'"),
        ("/?speaker=abc", "speaker='abc'"),
        ("/?after=x", "after='x'"),
        ("/audit?from=31/12/2025", "from='31/12/2025'"),
        ("/audit?entity=planet", "entity='planet'"),
        ("/speakers?sort=height", "sort='height'"),
    ],
)
def test_malformed_input_is_400_with_a_message(as_role: Client, path: str, message: str) -> None:
    response = as_role("viewer").get(path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_user_text_is_escaped_everywhere(
    as_role: Client, db_session: Session, editor: Editor, admin: Editor
) -> None:
    text = f"The ministry said that {XSS} happened."
    said = Said("The ministry", "said", f"{XSS} happened", "ministry", SpeakerKind.ORGANIZATION)
    result = ingest_text(
        db_session, editor, text, title=f"T {XSS}", outlet=XSS, extraction=handmade(text, said)
    )
    claim = claims_of(db_session, result.source)[0]
    speaker = speaker_service.create_speaker(db_session, admin, name=f"Evil {XSS}", kind=SpeakerKind.PERSON)
    claim_service.edit_attribution(db_session, editor, claim, speaker=speaker)
    claim_service.change_status(db_session, editor, claim, ClaimStatus.FALSE, rationale=XSS)
    client = as_role("viewer")
    for path in ("/", f"/claims/{claim.id}", f"/sources/{result.source.id}", "/sources", "/speakers",
                 f"/speakers/{speaker.id}", "/audit"):  # fmt: skip
        body = client.get(path).get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body, path
        assert "&lt;script&gt;" in body or "\\u003cscript\\u003e" in body, path


def test_security_headers_and_cookie_flags(as_role: Client, viewer: Editor) -> None:
    from tests.conftest import TEST_PASSWORD

    client = as_role("anonymous")
    response = client.post("/login", data={"username": viewer.username, "password": TEST_PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    page = client.get("/")
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    body = page.get_data(as_text=True)
    # Script only from our own static files, never inline (the CSP would refuse it anyway).
    scripts = re.findall(r"<script[^>]*>.*?</script>", body, flags=re.S)
    assert scripts and all(
        re.fullmatch(r'<script src="/static/[a-z-]+\.js" defer></script>', s) for s in scripts
    )
    assert " style=" not in body and "http://" not in body.split("</head>")[0]


def test_claim_page_shows_context_history_and_relations(
    as_role: Client, sample: IngestResult, db_session: Session, editor: Editor, claim: Claim
) -> None:
    others = [c for c in claims_of(db_session, sample.source) if c.id != claim.id]
    claim_service.relate_claims(
        db_session, editor, claim, others[0], __import__("factdb.enums").enums.RelationKind.CONTRADICTS
    )
    body = as_role("viewer").get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "<mark" in body and claim.speaker is not None and claim.speaker.name in body
    assert f'href="/claims/{others[0].id}"' in body and "contradicts" in body
    back = as_role("viewer").get(f"/claims/{others[0].id}").get_data(as_text=True)
    assert f'href="/claims/{claim.id}"' in back and "contradicts</em> this claim" in back


def test_speaker_scorecards_draw_svg_bars(as_role: Client, sample: IngestResult) -> None:
    body = as_role("viewer").get("/speakers?sort=disputed").get_data(as_text=True)
    assert "<svg" in body and 'class="fill-unverified"' in body
    assert "Volodymyr Zelensky" in body
