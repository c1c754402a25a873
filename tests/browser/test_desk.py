"""The editor's desk in a real browser: bulk previews, evidence over time, accounts, the queue, the keyboard.

Each test works on a copy of the sample article of its own (``fresh_sample``) and reads what it
expects from the database, never from what the engine happens to extract.
"""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, expect
from sqlalchemy import select

from factdb.enums import ClaimStatus, EditorRole, EvidenceStance
from factdb.models import Claim
from factdb.services import claims as claim_service
from factdb.services.claims import EvidenceInput
from factdb.services.editors import create_editor
from tests.browser.conftest import Desk, FreshSource, log_in, screenshot
from tests.conftest import TEST_PASSWORD

Contexts = Callable[[], BrowserContext]


def _status(desk: Desk, claim_id: int) -> ClaimStatus:
    with desk.session() as session:
        return session.scalars(select(Claim.status).where(Claim.id == claim_id)).one()


def test_bulk_preview_leaves_a_confirmed_claim_alone(
    desk: Desk, fresh_sample: FreshSource, new_context: Contexts
) -> None:
    confirmed_id, *others = fresh_sample.claim_ids
    with desk.session() as session:
        claim_service.change_status(
            session, None, claim_service.get_claim(session, confirmed_id), ClaimStatus.CONFIRMED,
            rationale="On the record.",
            evidence=[EvidenceInput("https://example.org/on-record", EvidenceStance.SUPPORTS, "Transcript")],
        )  # fmt: skip
    page = log_in(new_context(), desk.url, "eddie")
    page.goto(f"{desk.url}/?source={fresh_sample.source_id}")

    # The bulk controls sit above the list, in the first screen.
    bulk = page.locator("fieldset.bulk-action")
    box = bulk.bounding_box()
    assert box is not None and box["y"] + box["height"] <= page.viewport_size["height"], box  # type: ignore[index]
    # Select-all ticks every row of the page.
    page.get_by_label("Select every claim on this page").check()
    rows = page.locator("table.claims tbody input[name='claim_ids']")
    assert rows.count() == len(fresh_sample.claim_ids) and all(
        rows.nth(i).is_checked() for i in range(rows.count())
    )
    screenshot(page, "claims-list-bulk")

    bulk.get_by_label("Set status").select_option("disputed")
    bulk.get_by_label("Rationale").fill("Both sides contest the figures.")
    bulk.get_by_label(re.compile("every claim matching the filter")).check()
    bulk.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Preview")
    expect(page.locator(".changing-count")).to_have_text(str(len(others)))
    expect(page.locator(".reviewed-count")).to_have_text("1")
    reviewed = page.locator("table.reviewed")
    expect(reviewed).to_contain_text(f"#{confirmed_id}")
    expect(reviewed).to_contain_text("confirmed")
    expect(page.get_by_label(re.compile("overriding their verdicts"))).not_to_be_checked()
    screenshot(page, "bulk-preview")
    assert all(_status(desk, i) is ClaimStatus.UNVERIFIED for i in others), "a preview changes nothing"

    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flash")).to_contain_text(f"{len(others)} claims marked disputed")
    expect(page.locator(".flash")).to_contain_text("1 claims that already carry a verdict were left alone")
    assert _status(desk, confirmed_id) is ClaimStatus.CONFIRMED
    assert all(_status(desk, i) is ClaimStatus.DISPUTED for i in others)


def test_add_evidence_to_a_disputed_claim_and_see_it_in_the_report(
    desk: Desk, fresh_sample: FreshSource, new_context: Contexts
) -> None:
    claim_id = fresh_sample.claim_ids[1]
    with desk.session() as session:
        claim = claim_service.get_claim(session, claim_id)
        claim_service.change_status(
            session, None, claim, ClaimStatus.CONFIRMED, rationale="Looked right at first.",
            evidence=[EvidenceInput("https://example.org/first-look", EvidenceStance.SUPPORTS, "First look")],
        )  # fmt: skip
        claim_service.change_status(
            session, None, claim, ClaimStatus.DISPUTED, rationale="Footage disagrees."
        )
    page = log_in(new_context(), desk.url, "eddie")
    page.goto(f"{desk.url}/claims/{claim_id}")
    review = page.locator("section[aria-labelledby='review']")
    expect(review.get_by_label("Status", exact=True)).to_have_value("disputed")
    review.locator("[name='evidence-0-url']").fill("https://example.org/footage")
    review.locator("[name='evidence-0-title']").fill("Footage analysis")
    review.get_by_role("button", name="Save review").click()
    expect(page.locator(".flash")).to_contain_text("1 piece of evidence added; the status stays.")
    verdict = page.locator("section.verdict")
    expect(verdict).to_contain_text("Footage disagrees.")
    expect(verdict.get_by_role("link", name="Footage analysis")).to_be_visible()
    expect(verdict).not_to_contain_text("First look")
    expect(page.locator("ol.history li.superseded")).to_contain_text("First look")
    expect(page.locator("ol.history > li").last).to_contain_text("added evidence to")
    screenshot(page, "claim-evidence-over-time")

    # The report of disputed claims shows the new link as the verdict's evidence, not the superseded one.
    page.goto(f"{desk.url}/?source={fresh_sample.source_id}&status=disputed")
    with page.expect_download() as download:
        page.get_by_role("link", name="html", exact=True).click()
    report = Path(download.value.path()).read_text(encoding="utf-8")
    assert "https://example.org/footage" in report and "Footage disagrees." in report
    assert "first-look" not in report


def test_admin_resets_a_password_and_the_editor_logs_in_with_it(desk: Desk, new_context: Contexts) -> None:
    username = f"temp{secrets.token_hex(3)}"
    with desk.session() as session:
        create_editor(session, None, username=username, password=TEST_PASSWORD, role=EditorRole.EDITOR)
    admin = log_in(new_context(), desk.url, "ada")
    admin.get_by_role("link", name="Editors", exact=True).click()
    admin.get_by_label(f"New password for {username}").fill("a password told in person")
    admin.get_by_role("button", name=f"Reset the password of {username}").click()
    expect(admin.locator(".flash")).to_contain_text(f"Password of {username} reset")
    screenshot(admin, "editors")

    page = new_context().new_page()
    page.goto(f"{desk.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("body")).to_contain_text("wrong")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("a password told in person")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{desk.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")


def test_assign_a_filter_to_an_editor_and_walk_my_queue(
    desk: Desk, fresh_sample: FreshSource, new_context: Contexts
) -> None:
    username = f"q{secrets.token_hex(3)}"
    with desk.session() as session:
        create_editor(session, None, username=username, password=TEST_PASSWORD, role=EditorRole.EDITOR)
    admin = log_in(new_context(), desk.url, "ada")
    admin.goto(f"{desk.url}/?source={fresh_sample.source_id}")
    bulk = admin.locator("fieldset.bulk-action")
    bulk.get_by_label(re.compile("every claim matching the filter")).check()
    bulk.get_by_label("or put them in the queue of").select_option(username)
    bulk.get_by_role("button", name="Assign").click()
    expect(admin.locator(".flash")).to_contain_text(
        f"{len(fresh_sample.claim_ids)} claims put in {username}'s queue"
    )

    page = log_in(new_context(), desk.url, username)
    page.get_by_role("link", name="My queue").click()
    expect(page.get_by_text(f"{len(fresh_sample.claim_ids)} claims match")).to_be_visible()
    screenshot(page, "my-queue")
    page.locator("table.claims a.claim-link").first.click()
    seen = []
    for _ in range(len(fresh_sample.claim_ids)):
        expect(page.locator("div.queue")).to_contain_text(username)
        seen.append(int(re.search(r"/claims/(\d+)", page.url).group(1)))  # type: ignore[union-attr]
        following = page.get_by_role("link", name="Next →")
        if following.count() == 0:
            break
        following.click()
    assert sorted(seen) == sorted(fresh_sample.claim_ids), "the queue walks every assigned claim once"

    # Another editor opening the same claim sees that it is open elsewhere (a hint, not a lock).
    other = log_in(new_context(), desk.url, "eddie")
    other.goto(page.url)
    expect(other.locator("p.opened-by")).to_contain_text(username)
    screenshot(other, "claim-opened-by")


def test_triage_the_sample_article_by_keyboard(
    desk: Desk, fresh_sample: FreshSource, new_context: Contexts
) -> None:
    """Every claim of the sample article: a status key, a short rationale, Ctrl+Enter for the next."""
    page = log_in(new_context(), desk.url, "eddie")
    claims = sorted(fresh_sample.claim_ids, reverse=True)  # the list's order: newest first
    page.goto(f"{desk.url}/claims/{claims[0]}?source={fresh_sample.source_id}")
    keys = ["d", "c", "f", "x"]
    presses = 0
    started = time.perf_counter()
    for n in range(len(claims)):
        expect(page.get_by_role("heading", level=1)).to_contain_text("Claim #")
        page.keyboard.press(keys[n % len(keys)])
        presses += 1
        page.keyboard.type(f"Checked {n}.")  # the rationale: not counted
        # The next page's document is enough (a loaded machine can hold back its "load" event).
        with page.expect_navigation(wait_until="domcontentloaded", timeout=30_000):
            page.keyboard.press("Control+Enter")
        presses += 1
    seconds = time.perf_counter() - started
    expect(page.locator(".flash").last).to_contain_text("No unverified claim is left in this list.")
    per_claim = presses / len(claims)
    print(f"\nkeyboard triage: {len(claims)} claims, {per_claim:.1f} keystrokes per claim "
          f"(rationale excluded), {seconds:.1f} s in all")  # fmt: skip
    assert per_claim <= 4
    with desk.session() as session:
        statuses = dict(session.execute(select(Claim.id, Claim.status).where(Claim.id.in_(claims))).all())
    assert all(statuses[c] is not ClaimStatus.UNVERIFIED for c in claims), "every claim got a verdict"
    assert [statuses[c].value for c in claims] == [
        {"d": "disputed", "c": "confirmed", "f": "false", "x": "unverifiable"}[keys[n % len(keys)]]
        for n in range(len(claims))
    ]


def test_keys_are_shown_with_question_mark(
    desk: Desk, fresh_sample: FreshSource, new_context: Contexts
) -> None:
    page = log_in(new_context(), desk.url, "eddie")
    page.goto(f"{desk.url}/claims/{fresh_sample.claim_ids[0]}")
    expect(page.locator("#keys-help")).to_be_hidden()
    page.keyboard.press("?")
    expect(page.locator("#keys-help")).to_be_visible()
    screenshot(page, "claim-keys")
    page.keyboard.press("Escape")
    expect(page.locator("#keys-help")).to_be_hidden()
    # Typing in a field is never taken for a key.
    page.get_by_label("Rationale").fill("")
    page.get_by_label("Rationale").press_sequentially("dcfx")
    expect(page.get_by_label("Status", exact=True)).to_have_value("unverified")


def test_every_task_works_without_javascript(desk: Desk, fresh_sample: FreshSource, browser: Browser) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        page = log_in(context, desk.url, "eddie")
        page.goto(f"{desk.url}/?source={fresh_sample.source_id}")
        expect(page.locator("input.select-all")).to_be_hidden()
        page.locator("table.claims a.claim-link").first.click()
        expect(page.locator(".keys-hint")).to_be_hidden()
        page.get_by_label("Status", exact=True).select_option("disputed")
        page.get_by_label("Rationale").fill("Contested without script.")
        page.get_by_role("button", name="Save and review next").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Claim #")
        expect(page.locator(".flash")).to_contain_text("marked disputed")
    finally:
        context.close()


def test_fix_a_content_span_by_selecting_words(
    desk: Desk, fresh_sample: FreshSource, new_context: Contexts
) -> None:
    with desk.session() as session:
        claim = next(
            c for c in (claim_service.get_claim(session, i) for i in fresh_sample.claim_ids)
            if c.speaker is not None and len(c.sentence.text.split()) > 8
        )  # fmt: skip
        claim_id, sentence, start = claim.id, claim.sentence.text, claim.sentence.char_start
    # The sentence's last five words (without the full stop) as the new content.
    words = " ".join(sentence.rstrip(" .").split()[-5:])
    page = log_in(new_context(), desk.url, "eddie")
    page.goto(f"{desk.url}/claims/{claim_id}")
    current = page.locator("section.context p.current")
    # Drag the mouse from the first letter of the words to their last, as an editor would.
    box = current.evaluate(
        """(p, words) => {
            const text = p.textContent, at = text.lastIndexOf(words);
            const walker = document.createTreeWalker(p, NodeFilter.SHOW_TEXT);
            const spots = [];
            let seen = 0, node;
            while ((node = walker.nextNode())) {
                for (const [want, side] of [[at, "left"], [at + words.length - 1, "right"]]) {
                    if (want >= seen && want < seen + node.length) {
                        const r = document.createRange();
                        r.setStart(node, want - seen); r.setEnd(node, want - seen + 1);
                        const rect = r.getBoundingClientRect();
                        const x = side === "left" ? rect.left + 1 : rect.right - 1;
                        spots.push({x: x, y: rect.top + rect.height / 2});
                    }
                }
                seen += node.length;
            }
            return spots;
        }""",
        words,
    )
    page.mouse.move(box[0]["x"], box[0]["y"])
    page.mouse.down()
    page.mouse.move(box[1]["x"], box[1]["y"], steps=8)
    page.mouse.up()
    tools = page.locator(".span-tools")
    expect(tools).to_be_visible()
    expect(tools).to_contain_text(words)
    screenshot(page, "claim-select-words")
    tools.get_by_role("button", name="Use as the claim's content").click()
    offset = sentence.index(words, len(sentence) - len(words) - 2)
    expect(page.get_by_label("Content starts at")).to_have_value(str(start + offset))
    expect(page.get_by_label("Content ends at")).to_have_value(str(start + offset + len(words)))
    page.get_by_role("button", name="Save attribution").click()
    expect(page.locator(".flash")).to_contain_text("Attribution of claim")
    expect(page.locator("section.context mark")).to_have_text(words)
    with desk.session() as session:
        assert claim_service.get_claim(session, claim_id).content == words
