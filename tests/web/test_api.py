"""The JSON API through the real app: tokens (scope, role, revocation, rate limit), what each endpoint
gives, writes with the version check, and that cookies and tokens never open each other's doors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.cli import main
from factdb.enums import ClaimStatus, EditorRole, TokenScope
from factdb.models import AuditEvent, Claim, Editor
from factdb.services import claims as claim_service
from factdb.services import tokens as token_service
from factdb.services.editors import update_editor
from factdb.services.ingest import IngestResult
from factdb.web.filters import FILTER_PARAMS
from tests.matching.reports import ingest_reports
from tests.web.conftest import MakeApp, claims_of

API = "/api/v1"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_for(db_session: Session) -> Callable[[Editor, TokenScope], str]:
    """A new token of ``editor`` with ``scope``; returns its secret."""

    def make(editor: Editor, scope: TokenScope = TokenScope.READ) -> str:
        _token, secret = token_service.create_token(db_session, None, editor, name="test", scope=scope)
        db_session.flush()
        return secret

    return make


def test_the_api_needs_a_token_and_a_login_cookie_is_not_one(
    as_role: Callable[[str], object], app: Flask, sample: IngestResult
) -> None:
    logged_in = as_role("admin")
    response = logged_in.get(f"{API}/claims")  # type: ignore[attr-defined]
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["status"] == 401 and "token" in response.json["detail"]
    wrong = app.test_client().get(f"{API}/claims", headers=bearer("fdb_" + "x" * 43))
    assert wrong.status_code == 401


def test_api_answers_never_read_or_set_the_login_cookie(
    as_role: Callable[[str], object], editor: Editor, token_for: Callable[..., str], sample: IngestResult
) -> None:
    logged_in = as_role("admin")
    secret = token_for(editor)
    for headers in ({}, bearer(secret)):
        response = logged_in.get(f"{API}/claims", headers=headers)  # type: ignore[attr-defined]
        assert response.status_code in (200, 401)
        assert "Set-Cookie" not in response.headers, response.headers
    # The HTML pages still use the login: the same client is still signed in there.
    assert logged_in.get("/").status_code == 200  # type: ignore[attr-defined]


def test_a_token_never_opens_the_html_pages_or_forms(
    make_app: MakeApp, editor: Editor, claim: Claim, token_for: Callable[..., str], db_session: Session
) -> None:
    secret = token_for(editor, TokenScope.WRITE)
    client = make_app().test_client()  # CSRF on, as served
    page = client.get("/", headers=bearer(secret))
    assert page.status_code == 302 and "/login" in page.headers["Location"]
    form = client.post(
        f"/claims/{claim.id}/review",
        headers=bearer(secret),
        data={"status": "false", "rationale": "nope", "version": claim.version},
    )
    assert form.status_code in (302, 400)
    db_session.refresh(claim)
    assert claim.status is ClaimStatus.UNVERIFIED


@pytest.mark.parametrize("role", [EditorRole.VIEWER, EditorRole.EDITOR, EditorRole.ADMIN])
@pytest.mark.parametrize("scope", [TokenScope.READ, TokenScope.WRITE])
def test_scope_and_role_matrix(
    role: EditorRole,
    scope: TokenScope,
    app: Flask,
    db_session: Session,
    admin: Editor,
    editor: Editor,
    viewer: Editor,
    claim: Claim,
    token_for: Callable[..., str],
) -> None:
    holder = {EditorRole.VIEWER: viewer, EditorRole.EDITOR: editor, EditorRole.ADMIN: admin}[role]
    client = app.test_client()
    headers = bearer(token_for(holder, scope))
    assert client.get(f"{API}/claims", headers=headers).status_code == 200
    assert client.get(f"{API}/claims/{claim.id}", headers=headers).status_code == 200
    audit = client.get(f"{API}/audit", headers=headers)
    assert audit.status_code == (200 if role is EditorRole.ADMIN else 403)
    verdict = client.post(
        f"{API}/claims/{claim.id}/status",
        headers=headers,
        json={"status": "disputed", "rationale": "Two witnesses say otherwise", "version": claim.version},
    )
    may_write = scope is TokenScope.WRITE and role is not EditorRole.VIEWER
    assert verdict.status_code == (200 if may_write else 403), verdict.json
    assert verdict.mimetype == ("application/json" if may_write else "application/problem+json")
    db_session.expire_all()
    assert (db_session.get(Claim, claim.id).status is ClaimStatus.DISPUTED) is may_write  # type: ignore[union-attr]


def test_revoking_or_deactivating_stops_a_token_at_once(
    app: Flask, db_session: Session, editor: Editor, admin: Editor, sample: IngestResult
) -> None:
    client = app.test_client()
    token, secret = token_service.create_token(db_session, editor, editor, name="feed", scope=TokenScope.READ)
    assert client.get(f"{API}/claims", headers=bearer(secret)).status_code == 200
    db_session.refresh(token)
    assert token.last_used_at is not None, "a read notes the token's use"
    token_service.revoke_token(db_session, editor, token)
    db_session.flush()
    assert client.get(f"{API}/claims", headers=bearer(secret)).status_code == 401
    _other, second = token_service.create_token(
        db_session, admin, editor, name="feed 2", scope=TokenScope.READ
    )
    assert client.get(f"{API}/claims", headers=bearer(second)).status_code == 200
    update_editor(db_session, admin, editor, active=False)
    db_session.flush()
    assert client.get(f"{API}/claims", headers=bearer(second)).status_code == 401
    actions = db_session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("token.%"))).all()
    assert actions.count("token.create") == 2 and actions.count("token.revoke") == 1


def test_an_editor_cannot_revoke_another_editors_token(
    db_session: Session, editor: Editor, viewer: Editor
) -> None:
    token, _secret = token_service.create_token(
        db_session, viewer, viewer, name="mine", scope=TokenScope.READ
    )
    with pytest.raises(Exception, match="only an admin"):
        token_service.revoke_token(db_session, editor, token)


def test_rate_limit_answers_429_with_retry_after_across_workers(
    make_app: MakeApp, editor: Editor, token_for: Callable[..., str], tmp_path: Path, sample: IngestResult
) -> None:
    # Two apps over one counts file stand for two gunicorn workers.
    changes = {"api_rate_limit": "3 per minute", "api_rate_storage": f"factdb+sqlite:///{tmp_path}/counts"}
    first, second = (make_app(settings_changes=changes).test_client() for _ in range(2))
    headers = bearer(token_for(editor))
    assert first.get(f"{API}/claims", headers=headers).status_code == 200
    assert second.get(f"{API}/claims", headers=headers).status_code == 200
    assert first.get(f"{API}/claims", headers=headers).status_code == 200
    refused = second.get(f"{API}/claims", headers=headers)
    assert refused.status_code == 429
    assert refused.mimetype == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    other = bearer(token_for(editor))
    assert first.get(f"{API}/claims", headers=other).status_code == 200, "each token has its own allowance"


def test_writes_skip_csrf_and_are_audited_as_the_editor_via_the_token(
    make_app: MakeApp, editor: Editor, claim: Claim, db_session: Session
) -> None:
    client = make_app().test_client()  # CSRF on
    token, secret = token_service.create_token(
        db_session, editor, editor, name="desk tool", scope=TokenScope.WRITE
    )
    response = client.post(
        f"{API}/claims/{claim.id}/status",
        headers=bearer(secret),
        json={
            "status": "false",
            "rationale": "The registry shows no such contract",
            "version": claim.version,
            "evidence": [{"url": "https://example.org/registry", "stance": "refutes", "title": "Registry"}],
        },
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert body["status"] == "false" and body["evidence"][0]["url"] == "https://example.org/registry"
    assert body["history"][-1]["editor"] == editor.username
    event = db_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "claim.status").order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None and event.actor == editor.username
    assert event.after is not None and event.after["via"] == token.label
    assert client.get(f"{API}/claims/{claim.id}/claimreview", headers=bearer(secret)).mimetype == (
        "application/ld+json"
    )


def test_a_stale_write_gets_409_with_what_changed(
    app: Flask, editor: Editor, claim: Claim, db_session: Session, token_for: Callable[..., str]
) -> None:
    seen = claim.version
    claim_service.change_status(
        db_session, editor, claim, ClaimStatus.DISPUTED, rationale="Disputed by the mayor"
    )
    db_session.flush()
    client = app.test_client()
    headers = bearer(token_for(editor, TokenScope.WRITE))
    stale = client.post(
        f"{API}/claims/{claim.id}/attribution", headers=headers, json={"version": seen, "cue": "insisted"}
    )
    assert stale.status_code == 409
    assert stale.json["current_version"] == seen + 1
    assert any("disputed" in line for line in stale.json["changes"])
    fresh = client.post(
        f"{API}/claims/{claim.id}/attribution", headers=headers, json={"version": seen + 1, "cue": "insisted"}
    )
    assert fresh.status_code == 200 and fresh.json["cue"] == "insisted"


def test_a_partner_pages_every_disputed_claim_with_the_cursor(
    app: Flask, editor: Editor, sample: IngestResult, db_session: Session, token_for: Callable[..., str]
) -> None:
    claims = claims_of(db_session, sample.source)
    disputed = claims[::2]
    for item in disputed:
        claim_service.change_status(db_session, editor, item, ClaimStatus.DISPUTED, rationale="Contested")
    db_session.flush()
    client = app.test_client()
    headers = bearer(token_for(editor))
    url: str | None = f"{API}/claims?status=disputed&limit=2&fields=id,status"
    seen: list[int] = []
    while url:
        page = client.get(url, headers=headers)
        assert page.status_code == 200
        assert all(
            set(item) == {"id", "status"} and item["status"] == "disputed" for item in page.json["items"]
        )
        seen.extend(item["id"] for item in page.json["items"])
        url = page.json["next"]
    assert seen == sorted((c.id for c in disputed), reverse=True)
    unknown = client.get(f"{API}/claims?fields=id,secret", headers=headers)
    assert unknown.status_code == 400 and "secret" in unknown.json["detail"]


def test_a_tool_ingests_an_article_and_the_same_text_twice_is_refused(
    app: Flask, editor: Editor, token_for: Callable[..., str]
) -> None:
    client = app.test_client()
    headers = bearer(token_for(editor, TokenScope.WRITE))
    article = {
        "text": "The harbour master said on Tuesday that the pier would close for repairs.\n",
        "title": "Pier closes",
        "outlet": "Coast Weekly",
        "url": "https://example.org/pier",
        "published": "2025-04-02",
    }
    stored = client.post(f"{API}/sources", headers=headers, json=article)
    assert stored.status_code == 201, stored.json
    assert stored.json["claims"] >= 1 and stored.json["source"]["published_at"].startswith("2025-04-02")
    again = client.post(f"{API}/sources", headers=headers, json=article)
    assert again.status_code == 409 and again.mimetype == "application/problem+json"
    bad = client.post(f"{API}/sources", headers=headers, json={**article, "url": "javascript:alert(1)"})
    assert bad.status_code == 400


def test_speakers_sources_and_one_claim(
    app: Flask, editor: Editor, claim: Claim, sample: IngestResult, token_for: Callable[..., str]
) -> None:
    client = app.test_client()
    headers = bearer(token_for(editor))
    shown = client.get(f"{API}/claims/{claim.id}", headers=headers).json
    assert shown["sentence"] and shown["cluster"] is None and shown["claim_review"] is None
    assert client.get(f"{API}/claims/{claim.id}/claimreview", headers=headers).status_code == 404
    assert claim.speaker is not None
    speaker = client.get(f"{API}/speakers/{claim.speaker.id}", headers=headers).json
    assert speaker["claims"] >= 1 and speaker["counts"]["unverified"] >= 1
    cards = client.get(f"{API}/speakers?sort=name", headers=headers).json["items"]
    assert any(card["id"] == claim.speaker.id for card in cards)
    source = client.get(f"{API}/sources/{sample.source.id}", headers=headers).json
    assert source["claims"] == sample.claim_count == len(source["claim_list"])
    assert client.get(f"{API}/claims/{2**40}", headers=headers).status_code == 404


def test_openapi_document_and_docs_page(app: Flask) -> None:
    client = app.test_client()
    spec = client.get(f"{API}/openapi.json").json
    assert spec["openapi"].startswith("3.1")
    listed = {p["name"] for p in spec["paths"]["/api/v1/claims"]["get"]["parameters"]}
    assert set(FILTER_PARAMS) <= listed, "every filter of the claims list, by the same name"
    assert {"/api/v1/claims", "/api/v1/claims/{claim_id}/status", "/api/v1/sources"} <= set(spec["paths"])
    page = client.get(f"{API}/docs")
    assert page.status_code == 200 and "Content-Security-Policy" in page.headers
    html = page.get_data(as_text=True)
    assert "GET /api/v1/claims" in html
    assert "<script" not in html.split("</head>")[1], "the reference page runs no script"
    assert "cdn" not in html.lower()


def test_tokens_on_the_command_line(new_database_url: Callable[[], str]) -> None:
    env = {"FACTDB_DATABASE_URL": new_database_url()}

    def run(*args: str, input: str | None = None) -> str:
        result = CliRunner().invoke(main, list(args), input=input, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("db", "upgrade")
    run("editors", "create", "nora", "--role", "editor", "--password-stdin", input="a long password 1\n")
    secret = run("tokens", "create", "nora", "--name", "newsletter", "--scope", "write").strip()
    assert secret.startswith("fdb_")
    listing = run("tokens", "list")
    assert "newsletter\tnora\twrite" in listing and secret not in listing
    token_id = listing.split("\t")[0].lstrip("#")
    assert "revoked" in run("tokens", "revoke", token_id)
    assert "revoked" in run("tokens", "list", "nora")


def test_tokens_page_makes_and_revokes(
    as_role: Callable[[str], object], db_session: Session, editor: Editor
) -> None:
    client = as_role("editor")
    made = client.post("/account/tokens", data={"name": "my script", "scope": "read"})  # type: ignore[attr-defined]
    assert made.status_code == 200
    html = made.get_data(as_text=True)
    assert 'id="token-secret">fdb_' in html
    token = token_service.list_tokens(db_session, editor)[0]
    revoked = client.post(f"/account/tokens/{token.id}/revoke")  # type: ignore[attr-defined]
    assert revoked.status_code == 302
    db_session.refresh(token)
    assert token.revoked_at is not None


def test_a_claim_shows_its_cluster(
    app: Flask, db_session: Session, editor: Editor, token_for: Callable[..., str]
) -> None:
    claims = ingest_reports(db_session, editor)
    db_session.flush()
    client = app.test_client()
    shown = client.get(f"{API}/claims/{claims[0].id}", headers=bearer(token_for(editor))).json
    cluster = shown["cluster"]
    assert cluster is not None and cluster["source_count"] == len(claims)
    assert [c["claim_id"] for c in cluster["claims"]] == [c.id for c in claims]
