"""``next=`` after login: wherever it points, the browser stays on the site."""

from __future__ import annotations

import re
from urllib.parse import quote, urljoin, urlsplit

from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from factdb.models import Editor
from factdb.web.redirects import clean_redirect_target
from tests.conftest import TEST_PASSWORD

SITE = "http://factdb.test"
_C0_OR_SPACE = "".join(map(chr, range(0x21)))


def browser_resolves(location: str) -> str:
    """Where a browser goes for ``Location: location`` on a page of SITE (the WHATWG URL parser's
    clean-up: ends trimmed of C0 controls and spaces, tabs and newlines dropped, ``\\`` read as ``/``)."""
    cleaned = re.sub(r"[\t\n\r]", "", location.strip(_C0_OR_SPACE)).replace("\\", "/")
    return urljoin(f"{SITE}/login", cleaned)


# Pieces attackers put together: slashes both ways, controls, schemes, hosts, encodings.
PIECES = st.sampled_from(
    ["/", "//", "\\", "\t", "\n", "\r", "\x00", "\x0b", "\x7f", "\x85", "\u200b", "\u202e", " ",
     "evil.example", "@", ":", "http:", "https:", "javascript:", "%09", "%2f", "%5c", "?", "#",
     "..", ".", "claims", "\u3000", "\uff0f"]
)  # fmt: skip
TARGETS = st.one_of(st.lists(PIECES, max_size=8).map("".join), st.text(max_size=40))


@settings(max_examples=1000, deadline=None)
@given(target=TARGETS)
def test_cleaned_targets_stay_on_the_site(target: str) -> None:
    cleaned = clean_redirect_target(target)
    if cleaned is not None:
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in cleaned), repr(cleaned)
        landed = urlsplit(browser_resolves(cleaned))
        assert (landed.scheme, landed.netloc) == ("http", "factdb.test"), (target, cleaned)


# Through the real login (each example hashes a password, so fewer of them).
@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(target=TARGETS)
@example(target="/\t/evil.example/path")
@example(target="/%09/evil.example/path")
@example(target="/\\evil.example")
@example(target="\x00//evil.example")
@example(target="https://evil.example/")
def test_next_never_leaves_the_site(app: Flask, editor: Editor, target: str) -> None:
    client = app.test_client()
    response = client.post(
        f"/login?next={quote(target, safe='')}", data={"username": editor.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert not any(ord(c) < 0x20 or ord(c) == 0x7F for c in location), repr(location)
    landed = urlsplit(browser_resolves(location))
    assert (landed.scheme, landed.netloc) == ("http", "factdb.test"), (target, location)


def test_same_site_targets_are_kept() -> None:
    assert clean_redirect_target("/claims/12?status=disputed#top") == "/claims/12?status=disputed#top"
    assert clean_redirect_target("/sources\t/3") == "/sources/3"
    for bad in (None, "", "//evil.example", "/\t/evil.example", "/\\evil.example", "http://x/", "claims"):
        assert clean_redirect_target(bad) is None, bad
