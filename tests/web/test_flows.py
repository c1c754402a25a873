"""Editors' tasks through the real app: review, conflicts, bulk, attribution, ingest, speakers, audit."""

from __future__ import annotations

import io
import re
import sqlite3
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, EditorRole, EvidenceStance, SpeakerKind, TokenScope
from factdb.errors import DatabaseBusyError
from factdb.migrate import upgrade
from factdb.models import AuditEvent, Claim, Editor, Evidence, Review, Source, Speaker, SpeakerAlias
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.claims import EvidenceInput
from factdb.services.editors import create_editor
from factdb.services.ingest import IngestResult
from factdb.services.tokens import create_token
from tests.conftest import TEST_PASSWORD
from tests.handmade import ingest_sample
from tests.web.conftest import claims_of, log_in

Client = Callable[[str], FlaskClient]


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_review_with_evidence_shows_in_history_and_audit(
    as_role: Client, db_session: Session, claim: Claim
) -> None:
    client = as_role("editor")
    response = client.post(
        f"/claims/{claim.id}/review",
        data={
            "status": "disputed", "rationale": "Satellite images show no such advance.",
            "version": claim.version,
            "evidence-0-url": "https://example.org/satellite", "evidence-0-stance": "refutes",
            "evidence-0-title": "Satellite images", "evidence-1-url": "",
        },
    )  # fmt: skip
    assert response.status_code == 302
    db_session.expire_all()
    assert claim.status is ClaimStatus.DISPUTED and claim.version == 2
    (review,) = db_session.scalars(select(Review).where(Review.claim_id == claim.id))
    assert review.editor is not None and review.editor.username == "eddie"
    (evidence,) = db_session.scalars(select(Evidence).where(Evidence.claim_id == claim.id))
    assert evidence.url == "https://example.org/satellite" and evidence.review_id == review.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Satellite images show no such advance." in page and 'href="https://example.org/satellite"' in page
    audit = client.get("/audit?action=claim.status").get_data(as_text=True)
    assert f"claim #{claim.id}" in audit and "eddie" in audit


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"status": "disputed", "rationale": " "}, "needs a rationale"),
        ({"status": "confirmed", "rationale": "ok", "evidence-0-url": "not a url"}, "http:// or https://"),
        ({"status": "confirmed", "rationale": "ok", "evidence-0-url": "ftp://example.org/x"}, "http:// or https://"),
        ({"status": "sideways", "rationale": "ok"}, "Not a valid choice"),
    ],
)  # fmt: skip
def test_bad_review_is_400_and_stores_nothing(
    as_role: Client, db_session: Session, claim: Claim, data: dict[str, str], message: str
) -> None:
    client = as_role("editor")  # logging in is an audit event of its own
    before = (_count(db_session, Review), _count(db_session, Evidence), _count(db_session, AuditEvent))
    response = client.post(f"/claims/{claim.id}/review", data={**data, "version": claim.version})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert (
        _count(db_session, Review),
        _count(db_session, Evidence),
        _count(db_session, AuditEvent),
    ) == before
    db_session.expire_all()
    assert claim.status is ClaimStatus.UNVERIFIED


def test_stale_form_is_refused_with_what_changed(
    as_role: Client, db_session: Session, claim: Claim, admin: Editor
) -> None:
    opened_at = claim.version
    admin_client = as_role("admin")
    first = admin_client.post(
        f"/claims/{claim.id}/review",
        data={"status": "confirmed", "rationale": "Checked.", "version": opened_at},
    )
    assert first.status_code == 302
    late = as_role("editor").post(
        f"/claims/{claim.id}/review",
        data={"status": "false", "rationale": "Fabricated.", "version": opened_at},
    )
    body = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "someone else changed this claim" in body and "ada" in body and "confirmed" in body
    assert "Fabricated." in body, "the editor's input is kept in the form"
    db_session.expire_all()
    assert claim.status is ClaimStatus.CONFIRMED and claim.version == opened_at + 1
    assert [r.to_status for r in claim.reviews] == [ClaimStatus.CONFIRMED]
    # The refused page carries the claim's current version, so saving it again goes through.
    current = re.search(r'name="version"[^>]*value="(\d+)"', body) or re.search(
        r'value="(\d+)"[^>]*name="version"', body
    )
    assert current is not None and int(current.group(1)) == claim.version
    assert "<del>unverified</del> → <ins>confirmed</ins>" in body, "the change is told in the UI's words"
    assert "review_id" not in body and "None →" not in body
    again = as_role("editor").post(
        f"/claims/{claim.id}/review",
        data={"status": "false", "rationale": "Fabricated.", "version": current.group(1)},
    )
    assert again.status_code == 302
    db_session.expire_all()
    assert claim.status is ClaimStatus.FALSE
    assert [r.to_status for r in claim.reviews] == [ClaimStatus.CONFIRMED, ClaimStatus.FALSE]


def test_stale_attribution_is_refused_then_saved_on_the_current_version(
    as_role: Client, db_session: Session, claim: Claim
) -> None:
    opened_at = claim.version
    form = {"speaker": "", "content_start": claim.content_start, "content_end": claim.content_end,
            "cue": claim.cue or "", "version": opened_at}  # fmt: skip
    assert (
        as_role("admin")
        .post(f"/claims/{claim.id}/attribution", data={**form, "stance": "denies"})
        .status_code
        == 302
    )
    late = as_role("editor").post(f"/claims/{claim.id}/attribution", data={**form, "cue": "insisted",
                                                                           "stance": "denies"})  # fmt: skip
    body = late.get_data(as_text=True)
    assert late.status_code == 409 and "stance" in body and "<ins>denies</ins>" in body
    assert 'value="insisted"' in body
    again = as_role("editor").post(
        f"/claims/{claim.id}/attribution", data={**form, "cue": "insisted", "stance": "denies",
                                                 "version": opened_at + 1}
    )  # fmt: skip
    assert again.status_code == 302
    db_session.expire_all()
    assert claim.cue == "insisted"


def test_bulk_review_of_every_claim_matching_the_filter(
    as_role: Client, db_session: Session, sample: IngestResult
) -> None:
    claims = claims_of(db_session, sample.source)
    data = {"new_status": "unverifiable", "rationale": "No independent source.", "scope": "filter",
            "source": sample.source.id, "stance": "asserts"}  # fmt: skip
    asserted = [c for c in claims if c.stance.value == "asserts"]
    preview = as_role("editor").post("/claims/bulk", data=data)
    assert preview.status_code == 200
    assert f'<strong class="changing-count">{len(asserted)}</strong>' in preview.get_data(as_text=True)
    db_session.expire_all()
    assert all(c.status is ClaimStatus.UNVERIFIED for c in claims), "a preview changes nothing"
    response = as_role("editor").post("/claims/bulk", data={**data, "confirm": "1"})
    assert response.status_code == 302 and f"source={sample.source.id}" in response.location
    db_session.expire_all()
    assert asserted and all(c.status is ClaimStatus.UNVERIFIABLE for c in asserted)
    assert all(c.status is ClaimStatus.UNVERIFIED for c in claims if c.stance.value != "asserts")


def test_bulk_leaves_a_verdict_alone_unless_included(
    as_role: Client, db_session: Session, sample: IngestResult, admin: Editor
) -> None:
    claims = claims_of(db_session, sample.source)
    confirmed, other = claims[0], claims[1]
    claim_service.change_status(
        db_session, admin, confirmed, ClaimStatus.CONFIRMED, rationale="On the record.",
        evidence=[EvidenceInput("https://example.org/record", EvidenceStance.SUPPORTS)],
    )  # fmt: skip
    db_session.flush()
    data = {"new_status": "disputed", "rationale": "Contested.", "scope": "filter",
            "source": sample.source.id}  # fmt: skip
    preview = as_role("editor").post("/claims/bulk", data=data).get_data(as_text=True)
    assert f'<strong class="changing-count">{len(claims) - 1}</strong>' in preview
    assert '<strong class="reviewed-count">1</strong>' in preview and f"#{confirmed.id}" in preview
    assert f'name="override" value="{confirmed.id}:{confirmed.version}"' in preview
    applied = as_role("editor").post(
        "/claims/bulk", data={**data, "confirm": "1", "override": f"{confirmed.id}:{confirmed.version}"}
    )
    assert applied.status_code == 302
    db_session.expire_all()
    assert confirmed.status is ClaimStatus.CONFIRMED, "the verdict was kept: the box was not ticked"
    assert other.status is ClaimStatus.DISPUTED
    # Ticking the box, with the version the preview showed, overrides it.
    stale = as_role("editor").post(
        "/claims/bulk", data={**data, "confirm": "1", "include_reviewed": "y",
                              "override": f"{confirmed.id}:{confirmed.version - 1}"}
    )  # fmt: skip
    assert stale.status_code == 302
    db_session.expire_all()
    assert confirmed.status is ClaimStatus.CONFIRMED, "a claim that changed since the preview is left alone"
    included = as_role("editor").post(
        "/claims/bulk", data={**data, "confirm": "1", "include_reviewed": "y",
                              "override": f"{confirmed.id}:{confirmed.version}"}
    )  # fmt: skip
    assert included.status_code == 302
    db_session.expire_all()
    assert confirmed.status is ClaimStatus.DISPUTED


def test_bulk_on_the_page_and_on_ticked_claims(
    as_role: Client, db_session: Session, sample: IngestResult
) -> None:
    claims = claims_of(db_session, sample.source)
    page = as_role("editor").post(
        "/claims/bulk", data={"new_status": "false", "rationale": "r", "scope": "page", "confirm": "1",
                              "page_ids": [c.id for c in claims[:3]], "claim_ids": claims[5].id},
    )  # fmt: skip
    assert page.status_code == 302
    db_session.expire_all()
    assert [c.status for c in claims[:3]] == [ClaimStatus.FALSE] * 3
    assert claims[5].status is ClaimStatus.UNVERIFIED


def test_bulk_needs_a_selection_and_a_rationale(as_role: Client, claim: Claim) -> None:
    client = as_role("editor")
    nothing = client.post("/claims/bulk", data={"new_status": "confirmed", "rationale": "x"})
    assert nothing.status_code == 400 and "select at least one claim" in nothing.get_data(as_text=True)
    no_reason = client.post(
        "/claims/bulk", data={"new_status": "confirmed", "rationale": "", "claim_ids": claim.id}
    )
    assert no_reason.status_code == 400 and "needs a rationale" in no_reason.get_data(as_text=True)


def test_reassign_speaker_and_fix_span(
    as_role: Client, db_session: Session, claim: Claim, admin: Editor
) -> None:
    other = speaker_service.create_speaker(
        db_session, admin, name="Oleksandr Syrskyi", kind=SpeakerKind.PERSON, aliases=("Syrsky",)
    )
    new_start = claim.content_start + 1
    response = as_role("editor").post(
        f"/claims/{claim.id}/attribution",
        data={"speaker": "syrsky", "content_start": new_start, "content_end": claim.content_end,
              "cue": "stated", "stance": "denies", "version": claim.version},
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    db_session.expire_all()
    assert claim.speaker_id == other.id and claim.content_start == new_start and claim.cue == "stated"
    assert claim.stance.value == "denies"


def test_reassign_to_unknown_speaker_is_refused(as_role: Client, db_session: Session, claim: Claim) -> None:
    speaker_id = claim.speaker_id
    response = as_role("editor").post(
        f"/claims/{claim.id}/attribution",
        data={"speaker": "Nobody Atall", "content_start": claim.content_start,
              "content_end": claim.content_end, "cue": "", "stance": "asserts", "version": claim.version},
    )  # fmt: skip
    assert response.status_code == 400 and "no speaker is known as" in response.get_data(as_text=True)
    db_session.expire_all()
    assert claim.speaker_id == speaker_id


def test_ingest_pasted_text_shows_the_claims(as_role: Client, db_session: Session) -> None:
    client = as_role("editor")
    text = (
        "Bridge Repairs\nThe army said that the bridge was rebuilt. "
        "Officials denied that it had been shelled."
    )
    response = client.post(
        "/sources/new", data={"title": "Bridges", "outlet": "Test Post", "url": "https://example.org/b",
                              "published": "2025-03-01", "text": text},
    )  # fmt: skip
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    source = db_session.scalars(select(Source).where(Source.title == "Bridges")).one()
    assert source.outlet == "Test Post" and source.published_at is not None
    # Whatever the engine found (its business is tests/extract's), every stored claim is marked.
    claims = claims_of(db_session, source)
    assert claims and "the bridge was rebuilt" in page
    assert all(f'status-bg-unverified" href="/claims/{c.id}"' in page for c in claims)
    again = client.post("/sources/new", data={"title": "Again", "text": text})
    assert again.status_code == 409 and "Bridges" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"caf\xe9 au lait", "not valid UTF-8"),
    ],
)
def test_ingest_bad_upload_is_400_and_stores_nothing(
    as_role: Client, db_session: Session, payload: bytes, message: str
) -> None:
    sources = _count(db_session, Source)
    response = as_role("editor").post(
        "/sources/new", data={"title": "Bad", "upload": (io.BytesIO(payload), "bad.txt")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _count(db_session, Source) == sources


def test_ingest_upload_of_the_sample(as_role: Client, db_session: Session, sample_text: str) -> None:
    response = as_role("editor").post(
        "/sources/new",
        data={"title": "Kursk", "upload": (io.BytesIO(sample_text.encode()), "kursk.txt")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    source = db_session.scalars(select(Source).where(Source.title == "Kursk")).one()
    assert source.text == sample_text


def test_speaker_aliases_affiliation_and_merge(
    as_role: Client, db_session: Session, sample: IngestResult, admin: Editor
) -> None:
    zelensky = speaker_service.find_by_alias(db_session, "Volodymyr Zelensky")
    assert zelensky is not None
    client = as_role("admin")
    assert client.post(f"/speakers/{zelensky.id}/aliases", data={"alias": "Zelenskyy"}).status_code == 302
    duplicate = speaker_service.create_speaker(
        db_session, admin, name="V. Zelenskyi", kind=SpeakerKind.PERSON
    )
    dup_claim = claims_of(db_session, sample.source)[0]
    claim_service.edit_attribution(db_session, admin, dup_claim, speaker=duplicate)
    his_claims = _count_claims(db_session, zelensky)
    response = client.post(f"/speakers/{duplicate.id}/merge", data={"target": "zelenskyy"})
    assert response.status_code == 302 and response.location == f"/speakers/{zelensky.id}"
    duplicate_id = duplicate.id
    db_session.expire_all()
    assert db_session.get(Speaker, duplicate_id) is None
    assert _count_claims(db_session, zelensky) == his_claims + 1
    names = {
        a.alias
        for a in db_session.scalars(select(SpeakerAlias).where(SpeakerAlias.speaker_id == zelensky.id))
    }
    assert {"V. Zelenskyi", "Zelenskyy", "Volodymyr Zelensky"} <= names
    ukraine = speaker_service.create_speaker(db_session, admin, name="Ukraine", kind=SpeakerKind.COUNTRY)
    saved = client.post(
        f"/speakers/{zelensky.id}/edit",
        data={
            "name": zelensky.name,
            "kind": "person",
            "role": "President of Ukraine",
            "affiliation": "ukraine",
        },
    )
    assert saved.status_code == 302
    page = client.get(f"/speakers/{ukraine.id}").get_data(as_text=True)
    assert "Volodymyr Zelensky" in page and "their claims too" in page
    loop = client.post(
        f"/speakers/{ukraine.id}/edit",
        data={"name": "Ukraine", "kind": "country", "affiliation": zelensky.name},
    )
    assert loop.status_code == 400 and "makes a loop" in loop.get_data(as_text=True)


def _count_claims(session: Session, speaker: Speaker) -> int:
    return session.scalar(select(func.count()).where(Claim.speaker_id == speaker.id)) or 0


def test_speaker_page_lists_claims_newest_first(
    as_role: Client, db_session: Session, sample: IngestResult
) -> None:
    zelensky = speaker_service.find_by_alias(db_session, "Volodymyr Zelensky")
    assert zelensky is not None
    ids = [c.id for c in claims_of(db_session, sample.source) if c.speaker_id == zelensky.id]
    body = as_role("viewer").get(f"/speakers/{zelensky.id}").get_data(as_text=True)
    positions = [body.index(f'href="/claims/{i}"') for i in ids]
    assert len(ids) >= 2 and positions == sorted(positions, reverse=True)


def test_audit_filters(
    as_role: Client, db_session: Session, claim: Claim, admin: Editor, editor: Editor
) -> None:
    claim_service.change_status(db_session, admin, claim, ClaimStatus.CONFIRMED, rationale="ok")
    db_session.commit()
    client = as_role("viewer")
    by_admin = client.get("/audit?editor=ada").get_data(as_text=True)
    assert "<td>changed the status</td>" in by_admin and "<td>ingested the source</td>" not in by_admin
    # In words: per-field old → new, names as everywhere else, no raw JSON or internal keys.
    assert "<del>unverified</del> → <ins>confirmed</ins>" in by_admin
    assert "review_id" not in by_admin and '{"' not in by_admin and "version" not in by_admin
    by_action = client.get("/audit?action=source.ingest").get_data(as_text=True)
    assert "<td>ingested the source</td>" in by_action and "<td>changed the status</td>" not in by_action
    future = client.get("/audit?from=2199-01-01").get_data(as_text=True)
    assert "No events match." in future
    far = client.get("/audit?from=9999-12-31")
    assert far.status_code == 400 and "outside the years" in far.get_data(as_text=True)
    own = client.get(f"/audit?entity=claim&entity_id={claim.id}").get_data(as_text=True)
    assert "<td>changed the status</td>" in own and "<td>ingested the source</td>" not in own


def test_admin_creates_editor_who_can_log_in(as_role: Client, db_session: Session) -> None:
    client = as_role("admin")
    response = client.post(
        "/editors",
        data={"username": "nina", "display_name": "Nina", "role": "editor", "password": "pw that is long"},
    )
    assert response.status_code == 302
    nina = db_session.scalars(select(Editor).where(Editor.username == "nina")).one()
    assert nina.role.value == "editor"
    short = client.post("/editors", data={"username": "x", "role": "editor", "password": "short"})
    assert short.status_code == 400 and "password" in short.get_data(as_text=True)
    own = client.post(f"/editors/{_admin_id(db_session)}", data={"role": "viewer", "active": "y"})
    assert own.status_code == 400 and "yourself" in own.get_data(as_text=True)


def test_admin_resets_a_password(as_role: Client, db_session: Session, viewer: Editor) -> None:
    from factdb.services.editors import authenticate

    old_session = as_role("viewer")
    admin = as_role("admin")
    page = admin.get("/editors").get_data(as_text=True)
    assert f'action="/editors/{viewer.id}/password"' in page
    short = admin.post(f"/editors/{viewer.id}/password", data={"new": "short"})
    assert short.status_code == 400 and "vera" in short.get_data(as_text=True)
    done = admin.post(f"/editors/{viewer.id}/password", data={"new": "a new long password"})
    assert done.status_code == 302
    db_session.expire_all()
    assert authenticate(db_session, "vera", "a new long password") is viewer
    assert old_session.get("/").status_code == 302, "the editor's old sessions have ended"
    own = admin.post(f"/editors/{_admin_id(db_session)}/password", data={"new": "a new long password"})
    assert own.status_code == 400 and "your own password" in own.get_data(as_text=True)
    refused = as_role("editor").post(f"/editors/{viewer.id}/password", data={"new": "a new long password"})
    assert refused.status_code == 403 and "you are an editor" in refused.get_data(as_text=True)


def _admin_id(session: Session) -> int:
    return session.scalars(select(Editor.id).where(Editor.username == "ada")).one()


def test_change_own_password(as_role: Client, db_session: Session, viewer: Editor) -> None:
    client = as_role("viewer")
    wrong = client.post(
        "/account/password", data={"current": "nope", "new": "another long pw", "confirm": "another long pw"}
    )
    assert wrong.status_code == 400 and "current password is wrong" in wrong.get_data(as_text=True)
    differ = client.post(
        "/account/password", data={"current": "x", "new": "another long pw", "confirm": "other"}
    )
    assert differ.status_code == 400 and "the passwords differ" in differ.get_data(as_text=True)
    from tests.conftest import TEST_PASSWORD

    ok = client.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "new": "another long pw", "confirm": "another long pw"},
    )
    assert ok.status_code == 302
    fresh = as_role("anonymous")
    assert (
        fresh.post("/login", data={"username": viewer.username, "password": "another long pw"}).status_code
        == 302
    )


def test_password_change_signs_out_other_sessions(as_role: Client, viewer: Editor) -> None:
    from tests.conftest import TEST_PASSWORD

    laptop, phone = as_role("viewer"), as_role("viewer")
    assert phone.get("/").status_code == 200
    changed = laptop.post(
        "/account/password",
        data={"current": TEST_PASSWORD, "new": "another long pw", "confirm": "another long pw"},
    )
    assert changed.status_code == 302
    assert phone.get("/").status_code == 302, "the other session is signed out"
    assert laptop.get("/").status_code == 200, "the session that changed it carries on"


def test_add_evidence_and_amend_a_verdict_from_the_claim_page(
    as_role: Client, db_session: Session, claim: Claim
) -> None:
    client = as_role("editor")
    client.post(
        f"/claims/{claim.id}/review",
        data={"status": "disputed", "rationale": "First doubts.", "version": claim.version,
              "evidence-0-url": "https://example.org/first", "evidence-0-stance": "refutes"},
    )  # fmt: skip
    db_session.expire_all()
    added = client.post(
        f"/claims/{claim.id}/review",
        data={"status": "disputed", "rationale": "", "version": claim.version,
              "evidence-0-url": "https://example.org/second", "evidence-0-stance": "refutes",
              "evidence-0-title": "Second source"},
    )  # fmt: skip
    assert added.status_code == 302
    page = client.get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "1 piece of evidence added; the status stays." in page
    assert "added evidence to" in page and "Second source" in page
    db_session.expire_all()
    assert claim.status is ClaimStatus.DISPUTED
    assert [r.rationale for r in claim.reviews] == ["First doubts.", "First doubts."]
    nothing = client.post(
        f"/claims/{claim.id}/review", data={"status": "disputed", "rationale": "", "version": claim.version}
    )
    assert nothing.status_code == 400 and "give evidence or a new rationale" in nothing.get_data(as_text=True)


def test_alias_naming_another_speaker_is_refused_with_a_pointer_to_merge(
    as_role: Client, db_session: Session, admin: Editor
) -> None:
    zelensky = speaker_service.create_speaker(
        db_session, admin, name="Volodymyr Zelensky", kind=SpeakerKind.PERSON
    )
    other = speaker_service.create_speaker(db_session, admin, name="Oleh Ivanenko", kind=SpeakerKind.PERSON)
    response = as_role("editor").post(f"/speakers/{other.id}/aliases", data={"alias": "Zelensky"})
    assert response.status_code == 400
    page = response.get_data(as_text=True).replace("&#39;", "'")
    assert f"'Zelensky' is already the surname of speaker #{zelensky.id} ('Volodymyr Zelensky')" in page
    assert "merge them instead" in page
    assert [a.alias for a in other.aliases] == ["Oleh Ivanenko"]


def test_a_review_save_on_a_locked_database_answers_busy_and_saves_nothing(
    new_database_url: Callable[[], str], app_on: Callable[[str], Flask], dialect_name: str
) -> None:
    if dialect_name != "sqlite":
        pytest.skip("SQLite's write lock: PostgreSQL writers lock rows, not the database")
    # A database of its own, so the app's write session really meets SQLite's write lock.
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        eve = create_editor(session, None, username="eve", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        _token, secret = create_token(session, None, eve, name="feed", scope=TokenScope.WRITE)
        claim_id = session.scalars(
            select(Claim.id).where(Claim.source_id == ingest_sample(session, None, title="Sample").source.id)
        ).first()
    app = app_on(url)
    app_engine = app.extensions["factdb"]["write_session_factory"].kw["bind"]
    # The app waits 200 ms for the lock instead of its 15 s busy timeout (set after factdb's own).
    event.listen(app_engine, "connect", lambda dbapi, _record: dbapi.execute("PRAGMA busy_timeout = 200"))
    client = log_in(app.test_client(), "eve")
    form = {"status": "disputed", "rationale": "Checked.", "version": 1}

    holder = sqlite3.connect(make_url(url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the busy timeout
    try:
        busy = client.post(f"/claims/{claim_id}/review", data=form)
        api_busy = app.test_client().post(
            f"/api/v1/claims/{claim_id}/status",
            json={"status": "disputed", "rationale": "Checked.", "version": 1},
            headers={"Authorization": f"Bearer {secret}"},
        )
    finally:
        holder.rollback()
        holder.close()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == str(DatabaseBusyError.retry_after)
    page = busy.get_data(as_text=True)
    assert str(DatabaseBusyError()) in page
    assert "eve" in page  # drawn for the signed-in editor, from a read session the lock did not block
    # The API's rate limiter raises Retry-After to its window's end when that comes later.
    assert api_busy.status_code == 503
    assert int(api_busy.headers["Retry-After"]) >= DatabaseBusyError.retry_after
    assert api_busy.get_json()["detail"] == str(DatabaseBusyError())
    with make_session_factory(engine)() as session:
        assert session.get(Claim, claim_id).status is ClaimStatus.UNVERIFIED  # type: ignore[union-attr]
        assert not session.scalars(select(Review).where(Review.claim_id == claim_id)).all()

    again = client.post(f"/claims/{claim_id}/review", data=form)
    assert again.status_code == 302
    with make_session_factory(engine)() as session:
        assert session.get(Claim, claim_id).status is ClaimStatus.DISPUTED  # type: ignore[union-attr]
    engine.dispose()
