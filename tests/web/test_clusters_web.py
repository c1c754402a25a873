"""Clusters through the real Flask app: the claim page, the cluster page, the list, review once."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.models import Claim, Editor, Review, ReviewFollow
from factdb.services import claims as claim_service
from factdb.services import clusters
from tests.matching.reports import REPORTS, dispute_all, ingest_reports


def test_claim_page_lists_the_other_appearances_first_first(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    claims = ingest_reports(db_session, editor)
    page = as_role("viewer").get(f"/claims/{claims[2].id}").get_data(as_text=True)
    assert "Also reported in 4 sources" in page
    outlets = [r.outlet for r in REPORTS]
    positions = [page.index(o, page.index("Also reported in")) for o in outlets]
    assert positions == sorted(positions)  # first appearance first
    assert "first appearance" in page and "2026-03-02" in page


def test_review_once_through_the_app(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    claims = ingest_reports(db_session, editor)
    claim_service.change_status(
        db_session, editor, claims[4], ClaimStatus.CONFIRMED, rationale="Seen on video."
    )
    client = as_role("editor")
    response = client.post(
        f"/claims/{claims[0].id}/review",
        data={
            "status": "disputed",
            "rationale": "Satellite images show no change.",
            "version": claims[0].version,
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/claims/{claims[0].id}")
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "3 other copies of this statement can take the same verdict" in preview
    # The verdict is offered, not applied: the three unverified copies ticked, the confirmed one not.
    checked = re.findall(r'name="apply" value="(\d+):(\d+)" checked', preview)
    assert [int(c) for c, _ in checked] == [c.id for c in claims[1:4]]
    assert f'value="{claims[4].id}:' in preview and "Conflicting verdicts" in preview
    db_session.expire_all()
    assert all(c.status is ClaimStatus.UNVERIFIED for c in claims[1:4])
    action = re.search(r'action="(/reviews/\d+/cluster)"', preview)
    assert action is not None
    assert client.get(action.group(1)).status_code == 200  # the same offer on a page of its own
    applied = client.post(action.group(1), data={"apply": [f"{c}:{v}" for c, v in checked]})
    assert applied.status_code == 302
    db_session.expire_all()
    assert [c.status for c in claims] == [ClaimStatus.DISPUTED] * 4 + [ClaimStatus.CONFIRMED]
    followed = db_session.scalars(select(Review).where(Review.claim_id == claims[0].id)).one()
    follows = db_session.scalars(select(ReviewFollow)).all()
    assert len(follows) == 3 and {f.followed_review_id for f in follows} == {followed.id}
    cluster_page = client.get(f"/clusters/{clusters.cluster_id_of(db_session, claims[0].id)}").get_data(
        as_text=True
    )
    assert "Conflicting verdicts" in cluster_page and "5 sources" in cluster_page


def test_list_collapses_clusters_and_filters_by_sources(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    claims = ingest_reports(db_session, editor)
    client = as_role("viewer")
    ids = {c.id for c in claims}

    def listed(query: str) -> set[int]:
        page = client.get(f"/?{query}").get_data(as_text=True)
        return {int(x) for x in re.findall(r'class="claim-link" href="/claims/(\d+)', page)}

    assert ids <= listed("")
    assert listed("collapse=1") & ids == {claims[0].id}
    assert listed("sources_over=4") == ids
    assert listed("sources_over=5") & ids == set()
    assert "5 sources" in client.get("/?collapse=1").get_data(as_text=True)
    refused = client.get("/?sources_over=lots")
    assert refused.status_code == 400 and "sources_over" in refused.get_data(as_text=True)


def test_collapsed_list_shows_the_copy_the_filter_matched(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    claims = ingest_reports(db_session, editor)
    claim_service.change_status(
        db_session, editor, claims[3], ClaimStatus.DISPUTED, rationale="No sign of it."
    )
    client = as_role("viewer")
    ids = {c.id for c in claims}

    def listed(query: str) -> tuple[set[int], str]:
        page = client.get(f"/?{query}").get_data(as_text=True)
        return {int(x) for x in re.findall(r'class="claim-link" href="/claims/(\d+)', page)} & ids, page

    # Only a later copy matches: it stands for the statement (not the cluster's first claim), with
    # the cluster's size.
    found, page = listed("collapse=1&status=disputed")
    assert found == {claims[3].id} and "5 sources" in page
    outlet = REPORTS[2][0].replace(" ", "+")
    assert listed(f"collapse=1&outlet={outlet}")[0] == {claims[2].id}
    # Several copies match: the first of them, once.
    assert listed("collapse=1&status=unverified")[0] == {claims[0].id}
    assert listed("status=unverified")[0] == ids - {claims[3].id}


def test_editor_splits_and_marks_not_same_on_the_pages(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    claims = ingest_reports(db_session, editor, REPORTS[:3])
    cluster_id = clusters.cluster_id_of(db_session, claims[0].id)
    client = as_role("editor")
    assert client.post(f"/clusters/{cluster_id}/split", data={"claim": claims[2].id}).status_code == 302
    assert clusters.cluster_id_of(db_session, claims[2].id) is None
    response = client.post(
        f"/claims/{claims[0].id}/cluster", data={"other": claims[1].id, "action": "not_same"}
    )
    assert response.status_code == 302
    assert clusters.cluster_of_claim(db_session, claims[0].id) is None
    bad = client.post(f"/claims/{claims[0].id}/cluster", data={"other": "x", "action": "merge"})
    assert bad.status_code == 400 and "Traceback" not in bad.get_data(as_text=True)
    assert (
        as_role("viewer").post(f"/clusters/{cluster_id}/split", data={"claim": claims[1].id}).status_code
        == 403
    )
    assert db_session.get(Claim, claims[1].id) is not None


def test_exports_and_speakers_page_through_the_app(
    db_session: Session, editor: Editor, as_role: Callable[[str], FlaskClient]
) -> None:
    claims = dispute_all(db_session, editor)
    client = as_role("viewer")
    response = client.get("/export/claims.csv?status=disputed&collapse=1")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [int(r["claim_id"]) for r in rows] == [claims[0].id] and len(
        rows[0]["appearances"].split("; ")
    ) == 5
    page = client.get("/speakers").get_data(as_text=True)
    assert "Claims count statements, not copies" in page and "4 repeated copies not counted" in page
