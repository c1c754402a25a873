"""Sessions in a real browser: a cookie copied before logging out opens nothing afterwards."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect

from tests.browser.conftest import log_in


def test_cookie_copied_before_logout_is_refused_after_it(
    server_url: str, new_context: Callable[[], BrowserContext]
) -> None:
    context = new_context()
    page = log_in(context, server_url, "eddie")
    stolen = context.cookies()
    assert any(c["name"] == "session" for c in stolen)
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/login"))

    thief = new_context()
    thief.add_cookies(stolen)  # type: ignore[arg-type]
    replay = thief.new_page()
    replay.goto(f"{server_url}/")
    expect(replay).to_have_url(re.compile(r"/login\?next="))
    expect(replay.get_by_role("button", name="Log in")).to_be_visible()


def test_sign_out_everywhere_ends_the_other_browser(
    server_url: str, new_context: Callable[[], BrowserContext]
) -> None:
    laptop = log_in(new_context(), server_url, "ada")
    phone = log_in(new_context(), server_url, "ada")
    laptop.get_by_role("link", name=re.compile("ada", re.I)).first.click()
    expect(laptop.get_by_role("heading", name="Your sessions")).to_be_visible()
    laptop.get_by_role("button", name="Sign out everywhere").click()
    expect(laptop.locator(".flash")).to_contain_text("Signed out everywhere (2 sessions ended)")
    phone.reload()
    expect(phone).to_have_url(re.compile(r"/login"))
