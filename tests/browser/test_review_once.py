"""Review once, in a real browser: a verdict on one report of a statement, offered for the other four.

The five reports are written for the test (tests/matching/reports.py) and ingested into the
server's database; what the test expects is read from the database.
"""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select

from factdb.enums import ClaimStatus
from factdb.models import Claim, ReviewFollow
from tests.browser.conftest import Desk, log_in, screenshot
from tests.matching.reports import ingest_reports


def test_preview_and_apply_the_verdict_to_the_other_copies(
    desk: Desk, new_context: Callable[[], BrowserContext]
) -> None:
    with desk.session() as session:
        ids = [c.id for c in ingest_reports(session, None)]
    page = log_in(new_context(), desk.url, "eddie")
    page.goto(f"{desk.url}/claims/{ids[0]}")
    cluster = page.locator("section.cluster")
    expect(cluster.get_by_role("heading")).to_have_text("Also reported in 4 sources")
    expect(cluster.locator("ol.appearances > li")).to_have_count(5)

    review = page.locator("section[aria-labelledby='review']")
    review.get_by_label("Status", exact=True).select_option("disputed")
    review.get_by_label("Rationale").fill("Satellite images show no change near the villages.")
    review.get_by_role("button", name="Save review").click()
    expect(page.locator(".flash")).to_contain_text(
        "4 other copies of this statement can take the same verdict"
    )

    # The preview: four copies ticked, nothing applied yet.
    offer = page.locator("section.review-once")
    boxes = offer.locator("input[name='apply']")
    expect(boxes).to_have_count(4)
    for i in range(4):
        expect(boxes.nth(i)).to_be_checked()
    with desk.session() as session:
        assert set(session.scalars(select(Claim.status).where(Claim.id.in_(ids[1:])))) == {
            ClaimStatus.UNVERIFIED
        }
    screenshot(page, "review-once-offer")

    # The editor leaves the last copy out and applies the verdict to the other three.
    offer.get_by_label(f"Apply to claim {ids[4]}").uncheck()
    offer.get_by_role("button", name="Apply to the ticked copies").click()
    expect(page.locator(".flash")).to_contain_text("3 other copies of the statement marked disputed")
    expect(page.locator("section.cluster")).to_contain_text("disputed")
    with desk.session() as session:
        statuses = dict(session.execute(select(Claim.id, Claim.status).where(Claim.id.in_(ids))).all())
        follows = session.scalars(select(ReviewFollow)).all()
    assert [statuses[i] for i in ids] == [ClaimStatus.DISPUTED] * 4 + [ClaimStatus.UNVERIFIED]
    assert len(follows) == 3 and len({f.followed_review_id for f in follows}) == 1
