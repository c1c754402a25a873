"""Suggested speaker merges in a real browser: an admin accepts one and the two speakers become one."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, expect
from sqlalchemy import select

from factdb.models import AuditEvent, Claim, Speaker, SpeakerMergeSuggestion
from tests.browser.conftest import Desk, log_in, screenshot
from tests.handmade import Said
from tests.speaker_texts import ingest_report

# Invented names and text, so the sample article's speakers are not involved.
REPORTS = (
    ("Regional governor Taras Vovkodav said the ferry to Ostriv would run again from Monday.",
     Said("Regional governor Taras Vovkodav", "said", "the ferry to Ostriv would run again from Monday",
          "Taras Vovkodav", role="Regional governor")),
    ("Vovkodav said on Friday that the ferry had been repaired.",
     Said("Vovkodav", "said", "the ferry had been repaired")),
)  # fmt: skip


def test_an_admin_accepts_a_suggested_merge(desk: Desk, new_context: Callable[[], BrowserContext]) -> None:
    with desk.session() as session:
        for i, report in enumerate(REPORTS):
            ingest_report(session, None, report, title=f"Ferry report {i}")
    with desk.session() as session:
        suggestion = session.scalars(
            select(SpeakerMergeSuggestion).join(Speaker, Speaker.id == SpeakerMergeSuggestion.other_id)
            .where(Speaker.name.contains("Vovkodav"))
        ).one()  # fmt: skip
        suggestion_id = suggestion.id
        full = next(s for s in (suggestion.speaker, suggestion.other) if s.name == "Taras Vovkodav")
        full_id = full.id

    page = log_in(new_context(), desk.url, "ada")
    page.get_by_role("link", name="Speakers").first.click()
    page.get_by_role("link", name="Suggested merges").click()
    row = page.locator(f"#suggestion-{suggestion_id}")
    expect(row).to_contain_text("Taras Vovkodav")
    expect(row).to_contain_text("one name adds 'taras'")
    row.get_by_label(f"Speaker to keep for suggestion {suggestion_id}").select_option(str(full_id))
    screenshot(page, "speaker-suggestions")
    row.get_by_role("button", name="Same speaker: merge").click()
    expect(page.get_by_text("merged into 'Taras Vovkodav'")).to_be_visible()
    expect(page.locator(f"#suggestion-{suggestion_id}")).to_have_count(0)

    with desk.session() as session:
        speakers = list(session.scalars(select(Speaker.id).where(Speaker.name.contains("Vovkodav"))))
        assert speakers == [full_id]
        claims = session.scalars(select(Claim.speaker_id).where(Claim.content.contains("ferry"))).all()
        assert claims and set(claims) == {full_id}
        accepted = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "speaker.suggestion_accept")
        ).all()
        assert [(e.actor, e.after["suggestion"]) for e in accepted if e.after] == [("ada", suggestion_id)]
