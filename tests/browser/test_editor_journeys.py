"""What an editor does in a real browser against the real server, with no test-side shortcuts."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import log_in, screenshot

PETER_CLAIM = "its forces had recaptured two villages near Sudzha"


def _open_claim(page: Page, server_url: str, text: str) -> str:
    """Search the claims list for ``text`` and open the first match; return the claim page URL."""
    page.goto(f"{server_url}/")
    page.get_by_label("Search").fill(text)
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name=re.compile(re.escape(text))).first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Claim #")
    return page.url


def test_review_a_claim_and_find_it_in_history_and_audit(
    server_url: str, new_context: Callable[[], BrowserContext]
) -> None:
    page = log_in(new_context(), server_url, "eddie")
    screenshot(page, "claims-list")

    # Nothing is disputed yet.
    page.get_by_role("checkbox", name=re.compile("^disputed")).check()
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("0 claims match")).to_be_visible()
    assert "status=disputed" in page.url

    claim_url = _open_claim(page, server_url, PETER_CLAIM)
    expect(page.locator("section.context mark")).to_contain_text(PETER_CLAIM)
    expect(page.locator("dl.facts")).to_contain_text("Russian Defense Ministry")
    screenshot(page, "claim-page")

    page.get_by_label("Status", exact=True).select_option("disputed")
    page.get_by_label("Rationale").fill("Geolocated footage shows Ukrainian units still in both villages.")
    page.locator("[name='evidence-0-url']").fill("https://example.org/geolocation")
    page.locator("[name='evidence-0-title']").fill("Geolocation thread")
    page.get_by_role("button", name="Save review").click()

    expect(page.locator(".flash")).to_contain_text("marked disputed")
    assert page.url == claim_url
    history = page.locator("ol.history")
    expect(history).to_contain_text("Geolocated footage shows Ukrainian units")
    expect(history.get_by_role("link", name="Geolocation thread")).to_have_attribute(
        "href", "https://example.org/geolocation"
    )
    expect(history).to_contain_text("unverified → disputed")

    page.get_by_role("link", name="history of this claim").click()
    expect(page.locator("table.audit")).to_contain_text("changed the status")
    expect(page.locator("table.audit")).to_contain_text("eddie")
    screenshot(page, "audit")

    page.goto(f"{server_url}/?status=disputed")
    expect(page.get_by_text("1 claims match")).to_be_visible()
    expect(page.locator("table.claims")).to_contain_text(PETER_CLAIM)


def test_two_editors_save_the_same_claim(server_url: str, new_context: Callable[[], BrowserContext]) -> None:
    first = log_in(new_context(), server_url, "ada")
    second = log_in(new_context(), server_url, "eddie")
    claim_url = _open_claim(first, server_url, "time is running out")
    second.goto(claim_url)

    first.get_by_label("Status", exact=True).select_option("confirmed")
    first.get_by_label("Rationale").fill("Peskov said this on the record.")
    first.get_by_role("button", name="Save review").click()
    expect(first.locator(".flash")).to_contain_text("marked confirmed")

    second.get_by_label("Status", exact=True).select_option("false")
    second.get_by_label("Rationale").fill("Misquoted.")
    second.get_by_role("button", name="Save review").click()
    conflict = second.locator("section.conflict")
    expect(conflict).to_contain_text("someone else changed this claim")
    expect(conflict).to_contain_text("ada")
    expect(conflict.locator("ins")).to_contain_text(["confirmed"])
    expect(conflict).to_contain_text("Peskov said this on the record.")
    expect(conflict).not_to_contain_text("review_id")
    expect(second.get_by_label("Rationale")).to_have_value("Misquoted.")
    expect(second.locator("h1 .status")).to_have_text("confirmed")
    screenshot(second, "conflict")

    # Saving again, having seen the other verdict, goes through: nothing of either editor is lost.
    second.get_by_role("button", name="Save review").click()
    expect(second.locator(".flash")).to_contain_text("marked false")
    assert second.url == claim_url
    expect(second.locator("h1 .status")).to_have_text("false")
    history = second.locator("ol.history")
    expect(history).to_contain_text("Peskov said this on the record.")
    expect(history).to_contain_text("Misquoted.")


def test_zelensky_speaker_page_lists_his_claims(
    server_url: str, new_context: Callable[[], BrowserContext]
) -> None:
    page = log_in(new_context(), server_url, "eddie")
    page.get_by_role("link", name="Speakers", exact=True).click()
    expect(page.locator("svg.bar").first).to_be_visible()
    screenshot(page, "speakers")
    page.get_by_role("link", name="Volodymyr Zelensky").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Volodymyr Zelensky")
    claims = page.locator("table.claims tbody tr")
    expect(claims.first).to_be_visible()
    text = page.locator("table.claims").inner_text()
    for content in (
        "his troops were encircled",
        "Ukrainian forces continue to resist",
        "planning a new assault",
    ):
        assert content in text
    screenshot(page, "speaker-page")


def test_source_page_and_ingest(server_url: str, new_context: Callable[[], BrowserContext]) -> None:
    page = log_in(new_context(), server_url, "eddie")
    page.get_by_role("link", name="Sources", exact=True).click()
    page.get_by_role("link", name="Russia Intensifies Offensive").click()
    expect(page.locator("article.article .claim-mark").first).to_be_visible()
    screenshot(page, "source-page")

    page.get_by_role("link", name="Ingest", exact=True).click()
    page.get_by_label("Title").fill("Bridge report")
    page.get_by_label("Article text").fill(
        "Bridge Repairs\nThe army said that the bridge was rebuilt. "
        "Officials denied that it had been shelled."
    )
    screenshot(page, "ingest")
    page.get_by_role("button", name="Ingest").click()
    expect(page.locator(".flash")).to_contain_text("Ingested")
    # However many claims the engine found (tests/extract's business), the page marks each one it stored.
    stored = page.locator("article.article ~ table tbody tr")
    expect(stored.first).to_be_visible()
    expect(page.locator("article.article .claim-mark")).to_have_count(stored.count())


def test_keyboard_only_login(server_url: str, new_context: Callable[[], BrowserContext]) -> None:
    page = new_context().new_page()
    page.goto(f"{server_url}/login")
    for _ in range(6):  # skip link, brand, then the username field
        if page.evaluate("document.activeElement.name") == "username":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("eddie")
    page.keyboard.press("Tab")
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server_url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims")
