"""One speaker, many names, on a real database: name keys at ingest and the queue of suggested merges."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from factdb.enums import SpeakerKind, SuggestionStatus
from factdb.errors import InputError, PermissionDeniedError
from factdb.models import (
    AuditEvent,
    Claim,
    Editor,
    Speaker,
    SpeakerAlias,
    SpeakerAliasGram,
    SpeakerMergeSuggestion,
)
from factdb.services import speaker_suggestions as suggestions
from factdb.services.scorecards import scorecards
from factdb.services.speakers import create_speaker, merge_speakers
from tests.handmade import Said
from tests.speaker_texts import MINISTRY, PRESIDENT, ingest_report


def _ingest(session: Session, actor: Editor, reports: tuple[tuple[str, Said], ...]) -> None:
    for report in reports:
        ingest_report(session, actor, report, title=f"Report {secrets.token_hex(4)}")


def _actions(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def _zelensky_suggestion(session: Session, editor: Editor) -> SpeakerMergeSuggestion:
    _ingest(session, editor, PRESIDENT[:3])
    found = list(session.scalars(select(SpeakerMergeSuggestion)))
    assert len(found) == 1
    return found[0]


def test_five_wire_versions_of_one_statement_make_one_speaker(db_session: Session, editor: Editor) -> None:
    for outlet, report in zip(
        ("Northline", "Eastwire", "Coastal Post", "Daily Ledger", "Field Report"), MINISTRY, strict=True
    ):
        ingest_report(db_session, editor, report, title=f"{outlet} report", outlet=outlet)
    claims = list(db_session.scalars(select(Claim).where(Claim.content.contains("Nordvale"))))
    assert len(claims) == 5
    speakers = {c.speaker_id for c in claims}
    assert len(speakers) == 1
    ministry = db_session.get(Speaker, speakers.pop())
    assert ministry is not None and ministry.kind is SpeakerKind.ORGANIZATION
    assert {a.alias for a in ministry.aliases} == {
        "Russian Defense Ministry", "Russia's Defence Ministry", "Russian Ministry of Defense",
        "Russian Ministry of Defence", "Russia's Ministry of Defense",
    }  # fmt: skip
    # Each variant joined by its name key is audited as an alias of the one speaker.
    added = [e for e in _actions(db_session, "speaker.alias_add") if e.entity_id == ministry.id]
    assert len(added) == 4 and all(e.after and e.after["by"] == "name key" for e in added)
    assert db_session.scalars(select(SpeakerMergeSuggestion)).first() is None
    # The scorecard counts the ministry once, with all five claims.
    cards = [c for c in scorecards(db_session, "claims") if c.kind is SpeakerKind.ORGANIZATION]
    assert [(c.name, c.claims) for c in cards] == [("Russian Defense Ministry", 5)]


def test_unsure_names_become_a_suggestion_not_a_merge(db_session: Session, editor: Editor) -> None:
    suggestion = _zelensky_suggestion(db_session, editor)
    names = {suggestion.speaker.name, suggestion.other.name}
    assert names == {"Volodymyr Zelenskyy", "Zelenskiy"}
    assert suggestion.status is SuggestionStatus.PENDING
    # "Zelensky" shares "Zelenskiy"'s key: no third speaker.
    surname = suggestion.speaker if suggestion.speaker.name == "Zelenskiy" else suggestion.other
    assert {a.alias for a in surname.aliases} == {"Zelenskiy", "Zelensky"}
    proposed = _actions(db_session, "speaker.suggest_merge")
    assert [e.after["suggestion"] for e in proposed if e.after] == [suggestion.id]


def test_accepting_merges_the_pair_audited_and_the_scorecard_counts_one(
    db_session: Session, editor: Editor, admin: Editor
) -> None:
    suggestion = _zelensky_suggestion(db_session, editor)
    with pytest.raises(PermissionDeniedError):
        suggestions.accept_suggestion(db_session, editor, suggestion)
    full = suggestion.speaker if suggestion.speaker.name == "Volodymyr Zelenskyy" else suggestion.other
    kept = suggestions.accept_suggestion(db_session, admin, suggestion, keep=full.id)
    assert kept.id == full.id
    assert db_session.scalars(select(SpeakerMergeSuggestion)).first() is None
    people = [c for c in scorecards(db_session, "claims") if c.kind is SpeakerKind.PERSON]
    assert [(c.name, c.claims) for c in people] == [("Volodymyr Zelenskyy", 3)]
    accepted = _actions(db_session, "speaker.suggestion_accept")
    merged = _actions(db_session, "speaker.merge")
    assert len(accepted) == 1 and len(merged) == 1 and accepted[0].id + 1 == merged[0].id
    assert accepted[0].actor == admin.username and accepted[0].after and accepted[0].after["kept"] == full.id


def test_a_rejected_pair_is_never_proposed_again(db_session: Session, editor: Editor) -> None:
    suggestion = _zelensky_suggestion(db_session, editor)
    suggestions.reject_suggestion(db_session, editor, suggestion)
    assert suggestion.status is SuggestionStatus.REJECTED and suggestion.decided_by_id == editor.id
    events = _actions(db_session, "speaker.suggestion_reject")
    assert len(events) == 1 and events[0].actor == editor.username
    with pytest.raises(InputError, match="already judged"):
        suggestions.reject_suggestion(db_session, editor, suggestion)
    # Neither a full recompute nor more reports bring the pair back.
    result = suggestions.compute_suggestions(db_session, editor)
    assert result.suggested == 0
    _ingest(db_session, editor, PRESIDENT[3:])
    rows = list(db_session.scalars(select(SpeakerMergeSuggestion)))
    assert [(r.id, r.status) for r in rows] == [(suggestion.id, SuggestionStatus.REJECTED)]


def test_a_rejection_outlives_a_merge_of_one_of_its_speakers(db_session: Session, admin: Editor) -> None:
    a, b, c = (
        create_speaker(db_session, admin, name=n, kind=SpeakerKind.PERSON)
        for n in ("Ada Brook", "A. Brook", "Ada Broek")
    )
    for other, status in ((b, SuggestionStatus.REJECTED), (c, SuggestionStatus.PENDING)):
        db_session.add(
            SpeakerMergeSuggestion(
                speaker_id=a.id, other_id=other.id, score=0.9, reason="test", status=status
            )
        )
    db_session.flush()
    merge_speakers(
        db_session, admin, source=c, target=b
    )  # the pending a-c becomes a-b: already "not the same"
    rows = list(db_session.scalars(select(SpeakerMergeSuggestion)))
    assert [(r.speaker_id, r.other_id, r.status) for r in rows] == [(a.id, b.id, SuggestionStatus.REJECTED)]


def test_compute_over_an_existing_archive(db_session: Session, admin: Editor) -> None:
    # Two speakers made before name keys (created by hand, keys blanked as the migration found them).
    first = create_speaker(db_session, admin, name="Russian Defense Ministry", kind=SpeakerKind.ORGANIZATION)
    second = create_speaker(
        db_session, admin, name="Russia's Defence Ministry", kind=SpeakerKind.ORGANIZATION
    )
    other = create_speaker(db_session, admin, name="Russian Foreign Ministry", kind=SpeakerKind.ORGANIZATION)
    db_session.execute(update(SpeakerAlias).values(name_key=""))
    db_session.execute(delete(SpeakerAliasGram))
    db_session.expire_all()
    done: list[int] = []
    result = suggestions.compute_suggestions(db_session, admin, progress=done.append)
    assert result.keys_refreshed == 3 and result.suggested == 1 and done[-1] == result.speakers
    grams = set(
        db_session.scalars(
            select(SpeakerAliasGram.gram).join(SpeakerAlias).where(SpeakerAlias.speaker_id == second.id)
        )
    )
    assert grams == {"defe", "ense"}  # "ministry" and the country identify no one alone
    [suggestion] = db_session.scalars(select(SpeakerMergeSuggestion))
    assert (suggestion.speaker_id, suggestion.other_id) == (first.id, second.id)
    assert suggestion.score == 1.0 and suggestion.reason == "same name key"
    assert other.id not in (suggestion.speaker_id, suggestion.other_id)
    # Both speakers are judged in one round and find each other: one suggestion, audited once.
    [event] = _actions(db_session, "speaker.suggest_merge")
    assert event.after and event.after["suggestion"] == suggestion.id
    assert event.after["speakers"] == [first.id, second.id]
    assert suggestions.compute_suggestions(db_session, admin).suggested == 0  # idempotent


def test_keep_must_be_one_of_the_pair(db_session: Session, editor: Editor, admin: Editor) -> None:
    suggestion = _zelensky_suggestion(db_session, editor)
    with pytest.raises(InputError, match="not one of"):
        suggestions.accept_suggestion(db_session, admin, suggestion, keep=10**6)
