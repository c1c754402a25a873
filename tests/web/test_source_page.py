"""The page of an article: every claim marked once, long articles a page at a time."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.models import Claim, Editor
from factdb.services.ingest import ingest_text
from factdb.web import sources
from factdb.web.sources import highlight, page_bounds

LINE = "Official {n} said that the bridge at Example Ford would open to traffic on Friday.\n"


@dataclass
class Span:
    """Enough of a claim for :func:`highlight`."""

    content_start: int
    content_end: int
    mention_text: str | None = "someone"


def _quadratic_highlight(text: str, claims: list[Span]) -> list[tuple[str, Span | None]]:
    """The first implementation, which compared each claim with every kept one."""
    ordered = sorted(claims, key=lambda c: (c.mention_text is None, c.content_start))
    taken: list[Span] = []
    for claim in ordered:
        if all(claim.content_end <= t.content_start or claim.content_start >= t.content_end for t in taken):
            taken.append(claim)
    taken.sort(key=lambda c: c.content_start)
    pieces: list[tuple[str, Span | None]] = []
    at = 0
    for claim in taken:
        if claim.content_start > at:
            pieces.append((text[at : claim.content_start], None))
        pieces.append((text[claim.content_start : claim.content_end], claim))
        at = claim.content_end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


@pytest.mark.parametrize("seed", range(20))
def test_highlight_keeps_what_the_quadratic_version_kept(seed: int) -> None:
    rng = random.Random(seed)
    text = "x" * 500
    claims = []
    for _ in range(rng.randint(0, 60)):
        start = rng.randrange(0, 499)
        claims.append(Span(start, rng.randint(start + 1, min(500, start + 40)), rng.choice(["a", None])))
    got = [(p.text, p.claim) for p in highlight(text, claims)]  # type: ignore[arg-type]
    assert got == _quadratic_highlight(text, claims)


def test_pages_cut_at_line_ends_and_cover_the_text() -> None:
    text = "".join(LINE.format(n=n) for n in range(5_000))
    bounds = page_bounds(text, page_chars=10_000)
    assert bounds[0] == 0 and bounds[-1] == len(text)
    assert all(0 < b - a <= 10_000 for a, b in zip(bounds, bounds[1:], strict=False))
    assert all(text[b - 1] == "\n" for b in bounds[1:])
    assert page_bounds("one line", page_chars=10_000) == [0, len("one line")]
    # A single line longer than a page is cut where it must be.
    assert page_bounds("x" * 25_000, page_chars=10_000) == [0, 10_000, 20_000, 25_000]


def _marks(body: str) -> list[int]:
    return [int(n) for n in re.findall(r'class="claim-mark[^"]*" href="/claims/(\d+)"', body)]


def test_a_long_article_is_shown_a_page_at_a_time(
    db_session: Session, editor: Editor, as_role: dict[str, FlaskClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pages of 5,000 characters here, so that a short article makes three of them.
    monkeypatch.setattr(sources, "PAGE_CHARS", 5_000)
    text = "".join(LINE.format(n=n) for n in range(5_000 * 5 // 2 // len(LINE)))
    source = ingest_text(db_session, editor, text, title="Long report").source
    claims = db_session.scalars(select(Claim).where(Claim.source_id == source.id)).all()
    client = as_role("viewer")  # type: ignore[operator]
    bounds = page_bounds(text, 5_000)
    assert len(bounds) == 4  # three pages
    seen: list[int] = []
    for number in (1, 2, 3):
        response = client.get(f"/sources/{source.id}?page={number}")
        body = response.get_data(as_text=True)
        assert response.status_code == 200
        assert f"Page {number} of 3" in body and f"{len(claims)} claims" in body
        marks = _marks(body)
        start, end = bounds[number - 1], bounds[number]
        assert sorted(marks) == sorted(c.id for c in claims if start <= c.content_start < end)
        seen += marks
    # Every claim is marked on exactly one page.
    assert sorted(seen) == sorted(c.id for c in claims)
    assert client.get(f"/sources/{source.id}").get_data(as_text=True).count("Page 1 of 3") == 2
    assert client.get(f"/sources/{source.id}?page=4").status_code == 404
    assert client.get(f"/sources/{source.id}?page=x").status_code == 400


def test_a_short_article_has_one_page_and_no_pager(
    db_session: Session, editor: Editor, as_role: dict[str, FlaskClient]
) -> None:
    text = "".join(LINE.format(n=n) for n in range(20))
    source = ingest_text(db_session, editor, text, title="Short note").source
    body = as_role("viewer").get(f"/sources/{source.id}").get_data(as_text=True)  # type: ignore[operator]
    assert "Page 1 of" not in body and "Claims in this article" in body
    assert len(_marks(body)) == 20
