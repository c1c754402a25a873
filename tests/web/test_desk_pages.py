"""The editor's desk through the real app: sorting, the speaker filter by name, speaker suggestions,
pages of sources, and walking a list from a claim page. Counts come from the database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SpeakerKind
from factdb.models import Claim, ClaimOpening, Editor, Speaker
from factdb.services import claims as claim_service
from factdb.services.desk import OPENING_NOTE_INTERVAL
from factdb.services.editors import reviewers
from factdb.services.ingest import IngestResult, ingest_text
from factdb.services.queries import suggest_speakers
from tests.handmade import Said, handmade
from tests.web.conftest import claims_of

ORG = SpeakerKind.ORGANIZATION

Client = Callable[[str], FlaskClient]


def _listed(body: str) -> list[int]:
    return [int(x) for x in re.findall(r'<td><a href="/claims/(\d+)[?"]', body)]


def test_sort_by_status_and_speaker(
    as_role: Client, db_session: Session, sample: IngestResult, editor: Editor
) -> None:
    claims = claims_of(db_session, sample.source)
    claim_service.change_status(db_session, editor, claims[-1], ClaimStatus.FALSE, rationale="no")
    client = as_role("viewer")
    by_status = _listed(client.get(f"/?source={sample.source.id}&sort=status").get_data(as_text=True))
    statuses = [db_session.get(Claim, i).status for i in by_status]  # type: ignore[union-attr]
    order = list(ClaimStatus)
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses)
    by_speaker = _listed(client.get(f"/?source={sample.source.id}&sort=speaker").get_data(as_text=True))
    names = [
        (c.speaker.name if c.speaker else None) for c in (db_session.get(Claim, i) for i in by_speaker) if c
    ]
    named = [n for n in names if n is not None]
    assert named == sorted(named) and names[: len(named)] == named, "named speakers first, in order"
    assert sorted(by_status) == sorted(by_speaker) == sorted(c.id for c in claims)
    bad = client.get("/?sort=height")
    assert bad.status_code == 400 and "is not one of: newest" in bad.get_data(as_text=True)


def test_numbered_pages_cover_a_sorted_list_once(
    as_role: Client, db_session: Session, editor: Editor
) -> None:
    text = " ".join(f"The ministry said that convoy {i} arrived." for i in range(120))
    said = [Said("The ministry", "said", f"convoy {i} arrived", "ministry", ORG) for i in range(120)]
    result = ingest_text(db_session, editor, text, title="Convoys", extraction=handmade(text, *said))
    ids = {c.id for c in claims_of(db_session, result.source)}
    client = as_role("viewer")
    seen: list[int] = []
    path = f"/?source={result.source.id}&sort=speaker"
    for _ in range(10):
        body = client.get(path).get_data(as_text=True)
        seen += _listed(body)
        following = re.search(r'rel="next" href="([^"]+)"', body)
        if not following:
            break
        path = following.group(1).replace("&amp;", "&")
    assert len(seen) == len(ids) and set(seen) == ids


def test_speaker_filter_by_name_and_suggestions(
    as_role: Client, db_session: Session, sample: IngestResult
) -> None:
    speaker = db_session.scalars(
        select(Speaker).join(Claim, Claim.speaker_id == Speaker.id).where(Claim.source_id == sample.source.id)
    ).first()
    assert speaker is not None
    client = as_role("viewer")
    body = client.get("/", query_string={"speaker": speaker.name.upper()}).get_data(as_text=True)
    expected = {c.id for c in claims_of(db_session, sample.source) if c.speaker_id == speaker.id}
    assert set(_listed(body)) == expected
    assert f'value="{speaker.name}"' in body
    unknown = client.get("/", query_string={"speaker": "Nobody Known"})
    assert unknown.status_code == 400 and "no speaker is known" in unknown.get_data(as_text=True)
    typed = speaker.name.split()[-1][:4].lower()
    suggested = client.get("/speakers/suggest", query_string={"q": typed}).get_json()
    assert speaker.name in [s["name"] for s in suggested]
    assert suggested == [
        {"id": s.id, "name": s.name, "alias": s.alias, "role": s.role}
        for s in suggest_speakers(db_session, typed)
    ]
    assert client.get("/speakers/suggest", query_string={"q": "%_"}).get_json() == []
    assert client.get("/speakers/suggest").get_json() == []
    assert as_role("anonymous").get("/speakers/suggest?q=a").status_code == 302


def test_claim_page_walks_its_list(
    as_role: Client, db_session: Session, sample: IngestResult, editor: Editor
) -> None:
    claims = claims_of(db_session, sample.source)
    newest_first = [c.id for c in reversed(claims)]
    middle = newest_first[3]
    claim_service.change_status(db_session, editor, db_session.get(Claim, newest_first[4]), ClaimStatus.FALSE,
                                rationale="no")  # type: ignore[arg-type]  # fmt: skip
    client = as_role("editor")
    body = client.get(f"/claims/{middle}?source={sample.source.id}").get_data(as_text=True)
    assert f'rel="prev" href="/claims/{newest_first[2]}?source={sample.source.id}"' in body
    assert f'rel="next" href="/claims/{newest_first[4]}?source={sample.source.id}"' in body
    assert f'class="review-next" href="/claims/{newest_first[5]}?source={sample.source.id}"' in body
    # "Save and review next" goes to the next unverified claim of the same list.
    saved = client.post(
        f"/claims/{middle}/review",
        data={"status": "confirmed", "rationale": "ok", "version": 1, "then": "next",
              "list": f"source={sample.source.id}"},
    )  # fmt: skip
    assert (
        saved.status_code == 302 and saved.location == f"/claims/{newest_first[5]}?source={sample.source.id}"
    )
    # The last unverified claim of the list leads back to the list.
    db_session.expire_all()
    ids = [c.id for c in claims_of(db_session, sample.source) if c.status is ClaimStatus.UNVERIFIED]
    claim_service.change_status_many(db_session, editor, ids[1:], ClaimStatus.DISPUTED, rationale="r")
    db_session.flush()
    last = client.post(
        f"/claims/{ids[0]}/review",
        data={"status": "confirmed", "rationale": "ok", "version": 1, "then": "next",
              "list": f"source={sample.source.id}"},
    )  # fmt: skip
    assert last.status_code == 302 and last.location == f"/?source={sample.source.id}"


def test_sources_list_is_paged(as_role: Client, db_session: Session, editor: Editor) -> None:
    for n in range(105):
        text = f"The agency said that report {n} was filed."
        said = Said("The agency", "said", f"report {n} was filed", "agency", ORG)
        ingest_text(db_session, editor, text, title=f"Report {n}", extraction=handmade(text, said))
    client = as_role("viewer")
    first = client.get("/sources").get_data(as_text=True)
    assert "Report 104" in first and "Report 4<" not in first
    older = re.search(r'rel="next" href="([^"]+)"', first)
    assert older is not None
    second = client.get(older.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "Report 4<" in second and "Report 104" not in second and 'rel="next"' not in second


def test_assign_a_filter_and_walk_my_queue(
    as_role: Client, db_session: Session, sample: IngestResult, editor: Editor, admin: Editor
) -> None:
    from factdb.models import AuditEvent

    claims = claims_of(db_session, sample.source)
    admin_client = as_role("admin")
    done = admin_client.post(
        "/claims/bulk",
        data={"action": "assign", "assign_to": editor.username, "scope": "filter", "new_status": "unverified",
              "source": sample.source.id},
    )  # fmt: skip
    assert done.status_code == 302
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "claim.assign")).all()
    assert len(events) == len(claims) and all(e.after == {"assignee": editor.username} for e in events)
    client = as_role("editor")
    queue = client.get(f"/?assignee={editor.username}&sort=status").get_data(as_text=True)
    assert "My queue" in queue and set(_listed(queue)) == {c.id for c in claims}
    first = _listed(queue)[0]
    page = client.get(f"/claims/{first}?assignee={editor.username}&sort=status").get_data(as_text=True)
    assert "In <strong>eddie</strong>&#39;s queue" in page or "In <strong>eddie</strong>'s queue" in page
    assert f'rel="next" href="/claims/{_listed(queue)[1]}?assignee=eddie&amp;sort=status"' in page
    # Moving one claim to another queue, then out of every queue.
    moved = admin_client.post(f"/claims/{first}/assign", data={"assign_to": admin.username})
    assert moved.status_code == 302
    assert first not in _listed(client.get(f"/?assignee={editor.username}").get_data(as_text=True))
    out = admin_client.post(f"/claims/{first}/assign", data={"assign_to": ""})
    assert out.status_code == 302
    again = admin_client.post(f"/claims/{first}/assign", data={"assign_to": ""})
    assert again.status_code == 400 and "in nobody&#39;s queue" in again.get_data(as_text=True)
    viewer_target = admin_client.post(f"/claims/{first}/assign", data={"assign_to": "vera"})
    assert viewer_target.status_code in (400, 404)


def test_someone_else_opened_it_lately(
    as_role: Client, db_session: Session, claim: Claim, admin: Editor, editor: Editor
) -> None:
    assert "Also opened" not in as_role("editor").get(f"/claims/{claim.id}").get_data(as_text=True)
    as_role("admin").get(f"/claims/{claim.id}")
    seen = as_role("editor").get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "Also opened in the last 10 minutes by" in seen and "<strong>ada</strong> (just now)" in seen
    own = as_role("admin").get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "<strong>eddie</strong>" in own and "<strong>ada</strong> (" not in own


def test_an_opening_is_written_at_most_once_a_minute(
    as_role: Client, db_session: Session, claim: Claim, admin: Editor, editor: Editor
) -> None:
    def opened_at() -> dt.datetime:
        return db_session.scalars(
            select(ClaimOpening.opened_at).where(
                ClaimOpening.claim_id == claim.id, ClaimOpening.editor_id == admin.id
            )
        ).one()

    client = as_role("admin")
    client.get(f"/claims/{claim.id}")
    first = opened_at()
    client.get(f"/claims/{claim.id}")
    assert opened_at() == first, "reopened within the minute: nothing rewritten"
    earlier = first - OPENING_NOTE_INTERVAL
    db_session.execute(update(ClaimOpening).values(opened_at=earlier))
    db_session.commit()
    client.get(f"/claims/{claim.id}")
    assert opened_at() > first, "reopened a minute later: written again"
    seen = as_role("editor").get(f"/claims/{claim.id}").get_data(as_text=True)
    assert "<strong>ada</strong> (just now)" in seen


def test_the_assign_menu_lists_whom_the_claim_can_go_to(
    as_role: Client, claim: Claim, admin: Editor, editor: Editor, viewer: Editor
) -> None:
    page = as_role("editor").get(f"/claims/{claim.id}").get_data(as_text=True)
    menu = re.search(r'<select name="assign_to">(.*?)</select>', page, re.S)
    assert menu is not None
    offered = re.findall(r'<option value="([^"]*)"', menu.group(1))
    assert offered == ["", admin.username, editor.username], "nobody, then the reviewers (no viewer)"
    assert re.search(rf"<option value=\"{editor.username}\"\s+selected>", menu.group(1)), "the editor first"


def test_smaller_fixes(as_role: Client) -> None:
    client = as_role("editor")
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.location.endswith("/static/favicon.svg")
    served = client.get("/static/favicon.svg")
    assert served.status_code == 200
    served.close()
    ingest = client.get("/sources/new").get_data(as_text=True)
    assert "at most 0.2 MB" in ingest, "the form names the limit the refusal names (256 KB in tests)"
    page = client.get("/").get_data(as_text=True)
    assert page.count(">Stance<") <= 1
    refused = as_role("viewer").post("/claims/bulk", data={"new_status": "false"})
    assert "you are a viewer" in refused.get_data(as_text=True)


def test_the_lists_assign_menu_lists_the_same_reviewers(
    as_role: Client, db_session: Session, claim: Claim, admin: Editor, editor: Editor, viewer: Editor
) -> None:
    # A reviewer whose account was closed is offered nowhere.
    gone = Editor(username="zed", display_name="Zed", password_hash="x", role=editor.role, active=False)
    db_session.add(gone)
    db_session.commit()
    page = as_role("editor").get("/").get_data(as_text=True)
    menu = re.search(r'<select name="assign_to">(.*?)</select>', page, re.S)
    assert menu is not None
    offered = re.findall(r'<option value="([^"]*)"', menu.group(1))
    assert offered == [admin.username, editor.username] == [e.username for e in reviewers(db_session)]
    assert re.search(rf"<option value=\"{editor.username}\" selected>{editor.display_name}<", menu.group(1))
