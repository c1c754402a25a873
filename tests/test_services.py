"""Domain services against a real database: reviews, locking, evidence, relations, speakers, editors."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, EditorRole, EvidenceStance, RelationKind, SpeakerKind, Stance
from factdb.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError
from factdb.models import AuditEvent, Claim, ClaimRelation, Editor, Evidence, Review, Speaker, SpeakerAlias
from factdb.services import claims as claim_service
from factdb.services import editors as editor_service
from factdb.services import speakers as speaker_service
from factdb.services.claims import EvidenceInput
from factdb.services.ingest import ingest_text
from tests.handmade import Said, handmade

ARTICLE = (
    "Ceasefire Talks\n"
    "The Foreign Ministry said on Monday that talks would resume next week. "
    "Officials denied that any prisoners had been exchanged. "
    "Heavy rain fell across the region."
)


#: ARTICLE's claims, stated here (what the engine finds is tests/extract's business).
EXTRACTION = handmade(
    ARTICLE,
    Said(
        "The Foreign Ministry",
        "said",
        "talks would resume next week",
        "Foreign Ministry",
        SpeakerKind.ORGANIZATION,
    ),
    Said(
        "Officials",
        "denied",
        "any prisoners had been exchanged",
        kind=SpeakerKind.GROUP,
        stance=Stance.DENIES,
    ),
)


@pytest.fixture
def claims(db_session: Session, editor: Editor) -> list[Claim]:
    result = ingest_text(
        db_session, editor, ARTICLE, title="Talks", outlet="Daily Test", extraction=EXTRACTION
    )
    return list(
        db_session.scalars(select(Claim).where(Claim.source_id == result.source.id).order_by(Claim.id))
    )


def _events(session: Session, action: str) -> list[AuditEvent]:
    return list(
        session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id))
    )


def test_change_status_records_review_evidence_and_audit(
    db_session: Session, editor: Editor, claims: list[Claim]
) -> None:
    claim = claims[0]
    review = claim_service.change_status(
        db_session,
        editor,
        claim,
        ClaimStatus.DISPUTED,
        rationale="The ministry's own calendar shows no talks.",
        expected_version=1,
        evidence=[EvidenceInput("https://example.org/calendar", EvidenceStance.REFUTES, title="Calendar")],
    )
    assert claim.status is ClaimStatus.DISPUTED and claim.version == 2
    assert (review.from_status, review.to_status, review.claim_version) == (
        ClaimStatus.UNVERIFIED,
        ClaimStatus.DISPUTED,
        2,
    )
    evidence = db_session.scalars(select(Evidence)).one()
    assert evidence.review_id == review.id and evidence.claim_id == claim.id
    (event,) = _events(db_session, "claim.status")
    assert event.actor == "eddie"
    assert event.before == {"status": "unverified", "version": 1}
    assert event.after is not None and event.after["status"] == "disputed" and event.after["version"] == 2


@pytest.mark.parametrize("status", [s for s in ClaimStatus if s.needs_rationale])
def test_verdicts_need_a_rationale(
    db_session: Session, editor: Editor, claims: list[Claim], status: ClaimStatus
) -> None:
    with pytest.raises(InputError, match="needs a rationale"):
        claim_service.change_status(db_session, editor, claims[0], status, rationale="   ")
    assert claims[0].status is ClaimStatus.UNVERIFIED
    assert not db_session.scalars(select(Review)).all()


def test_stale_version_is_refused_and_names_the_change(
    db_session: Session, editor: Editor, admin: Editor, claims: list[Claim]
) -> None:
    claim = claims[1]
    claim_service.change_status(
        db_session, admin, claim, ClaimStatus.CONFIRMED, rationale="Seen it", expected_version=1
    )
    with pytest.raises(ConflictError, match="version 1.*version 2") as info:
        claim_service.change_status(
            db_session, editor, claim, ClaimStatus.DISPUTED, rationale="Not so", expected_version=1
        )
    assert any("ada" in line and "confirmed" in line for line in info.value.changes)
    assert claim.status is ClaimStatus.CONFIRMED
    assert len(db_session.scalars(select(Review).where(Review.claim_id == claim.id)).all()) == 1


def test_bad_evidence_url_saves_nothing(db_session: Session, editor: Editor, claims: list[Claim]) -> None:
    with pytest.raises(InputError, match="http"):
        claim_service.change_status(
            db_session,
            editor,
            claims[0],
            ClaimStatus.FALSE,
            rationale="x",
            evidence=[EvidenceInput("javascript:alert(1)", EvidenceStance.REFUTES)],
        )
    db_session.refresh(claims[0])
    assert claims[0].status is ClaimStatus.UNVERIFIED and claims[0].version == 1


def test_viewer_cannot_review(db_session: Session, viewer: Editor, claims: list[Claim]) -> None:
    with pytest.raises(PermissionDeniedError):
        claim_service.change_status(db_session, viewer, claims[0], ClaimStatus.CONFIRMED, rationale="ok")


def test_edit_attribution_moves_speaker_and_span(
    db_session: Session, editor: Editor, claims: list[Claim]
) -> None:
    claim = claims[0]
    other = speaker_service.create_speaker(db_session, editor, name="Anna Petrova", kind=SpeakerKind.PERSON)
    sentence = claim.sentence
    start = sentence.char_start + sentence.text.index("talks")
    claim_service.edit_attribution(
        db_session,
        editor,
        claim,
        expected_version=1,
        speaker=other,
        content_start=start,
        content_end=start + len("talks would resume"),
        cue="announced",
        stance=Stance.ASSERTS,
    )
    assert (claim.speaker_id, claim.content, claim.cue, claim.version) == (
        other.id,
        "talks would resume",
        "announced",
        2,
    )
    (event,) = _events(db_session, "claim.attribution")
    assert event.before is not None and event.after is not None
    assert event.after["speaker_id"] == other.id and event.before["speaker_id"] != other.id
    with pytest.raises(InputError, match="inside its sentence"):
        claim_service.edit_attribution(db_session, editor, claim, content_start=0, content_end=3)


def test_relations_and_evidence(db_session: Session, editor: Editor, claims: list[Claim]) -> None:
    relation = claim_service.relate_claims(db_session, editor, claims[0], claims[1], RelationKind.CONTRADICTS)
    assert db_session.get(ClaimRelation, relation.id) is not None
    with pytest.raises(InputError, match="already linked"):
        claim_service.relate_claims(db_session, editor, claims[1], claims[0], RelationKind.CONTRADICTS)
    with pytest.raises(InputError, match="itself"):
        claim_service.relate_claims(db_session, editor, claims[0], claims[0], RelationKind.SUPPORTS)
    item = claim_service.add_evidence(
        db_session, editor, claims[2], EvidenceInput("http://weather.example/today", EvidenceStance.SUPPORTS)
    )
    assert item.review_id is not None, "evidence is added as a review entry of the current status"
    assert [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))][-2:] == [
        "claim.relate",
        "claim.amend",
    ]


def test_evidence_and_rationale_over_time(db_session: Session, editor: Editor, claims: list[Claim]) -> None:
    claim = claims[0]
    claim_service.change_status(
        db_session, editor, claim, ClaimStatus.CONFIRMED, rationale="first look",
        evidence=[EvidenceInput("https://example.org/old", EvidenceStance.SUPPORTS)],
    )  # fmt: skip
    claim_service.change_status(db_session, editor, claim, ClaimStatus.DISPUTED, rationale="new facts")
    with pytest.raises(InputError, match="already disputed"):
        claim_service.change_status(db_session, editor, claim, ClaimStatus.DISPUTED, rationale="again")
    with pytest.raises(InputError, match="give evidence or a new rationale"):
        claim_service.amend_verdict(db_session, editor, claim)
    claim_service.add_evidence(
        db_session, editor, claim, EvidenceInput("https://example.org/new", EvidenceStance.REFUTES, "New")
    )
    claim_service.amend_verdict(db_session, editor, claim, rationale="new facts, and a second source")
    assert claim.status is ClaimStatus.DISPUTED
    assert [(r.from_status, r.to_status) for r in claim.reviews][-2:] == [(ClaimStatus.DISPUTED,) * 2] * 2
    assert claim.reviews[-2].rationale == "new facts", "adding evidence keeps the rationale"
    assert claim_service.current_rationale(claim) == "new facts, and a second source"
    assert [e.url for e in claim_service.current_evidence(claim)] == ["https://example.org/new"]
    entries = claim_service.review_history(claim)
    assert [e.current for e in entries] == [False, True, True, True]
    assert [e.rationale_changed for e in entries] == [True, True, False, True]


def test_unknown_claim_is_not_found(db_session: Session) -> None:
    with pytest.raises(NotFoundError, match="no claim with id 999999"):
        claim_service.get_claim(db_session, 999999)


def test_alias_registry_normalises_and_refuses_clashes(db_session: Session, editor: Editor) -> None:
    kremlin = speaker_service.create_speaker(
        db_session, editor, name="Kremlin", kind=SpeakerKind.ORGANIZATION
    )
    assert speaker_service.find_by_alias(db_session, "the kremlin") is kremlin
    zelensky = speaker_service.create_speaker(
        db_session, editor, name="Volodymyr Zelensky", kind=SpeakerKind.PERSON
    )
    speaker_service.add_alias(db_session, editor, zelensky, "Zelenskyy")
    assert speaker_service.find_by_alias(db_session, "ZELENSKYY") is zelensky
    with pytest.raises(InputError, match="already an alias of speaker"):
        speaker_service.add_alias(db_session, editor, kremlin, "Zelenskyy")


def test_affiliation_cannot_loop(db_session: Session, editor: Editor) -> None:
    kremlin = speaker_service.create_speaker(
        db_session, editor, name="Kremlin", kind=SpeakerKind.ORGANIZATION
    )
    peskov = speaker_service.create_speaker(
        db_session, editor, name="Dmitry Peskov", kind=SpeakerKind.PERSON, affiliation=kremlin
    )
    with pytest.raises(InputError, match="loop"):
        speaker_service.update_speaker(db_session, editor, kremlin, affiliation=peskov)


def test_merge_keeps_claims_and_aliases(
    db_session: Session, admin: Editor, editor: Editor, claims: list[Claim]
) -> None:
    ministry = db_session.scalars(select(Speaker).where(Speaker.name == "Foreign Ministry")).one()
    target = speaker_service.create_speaker(
        db_session, editor, name="Ministry of Foreign Affairs", kind=SpeakerKind.ORGANIZATION
    )
    moved = {c.id for c in db_session.scalars(select(Claim).where(Claim.speaker_id == ministry.id))}
    old_aliases = {a.alias for a in ministry.aliases}
    with pytest.raises(PermissionDeniedError, match="admin"):
        speaker_service.merge_speakers(db_session, editor, source=ministry, target=target)
    old_id = ministry.id
    speaker_service.merge_speakers(db_session, admin, source=ministry, target=target)
    assert db_session.get(Speaker, old_id) is None
    assert (
        moved
        and {c.id for c in db_session.scalars(select(Claim).where(Claim.speaker_id == target.id))} == moved
    )
    aliases = set(db_session.scalars(select(SpeakerAlias.alias).where(SpeakerAlias.speaker_id == target.id)))
    assert old_aliases <= aliases
    (event,) = _events(db_session, "speaker.merge")
    assert event.before is not None and event.before["id"] == old_id


def test_editors_passwords_roles(db_session: Session, admin: Editor, editor: Editor) -> None:
    assert editor_service.authenticate(db_session, "eddie", "correct horse battery") is editor
    assert editor_service.authenticate(db_session, "eddie", "wrong password") is None
    assert editor_service.authenticate(db_session, "nobody", "correct horse battery") is None
    assert editor.password_hash != "correct horse battery"
    with pytest.raises(InputError, match="at least 8"):
        editor_service.create_editor(db_session, admin, username="shorty", password="short")
    with pytest.raises(PermissionDeniedError):
        editor_service.create_editor(db_session, editor, username="newbie", password="long enough pw")
    with pytest.raises(InputError, match="already exists"):
        editor_service.create_editor(db_session, admin, username="EDDIE", password="long enough pw")
    editor_service.update_editor(db_session, admin, editor, role=EditorRole.VIEWER, active=False)
    assert editor_service.authenticate(db_session, "eddie", "correct horse battery") is None
    editor_service.change_password(
        db_session, admin, current="correct horse battery", new="a new long password"
    )
    assert editor_service.authenticate(db_session, "ada", "a new long password") is admin
    actions = [e.action for e in db_session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions.count("editor.create") == 2 and "editor.update" in actions and "editor.password" in actions


def test_change_status_many_leaves_verdicts_alone_unless_overridden(
    db_session: Session, editor: Editor, admin: Editor, claims: list[Claim]
) -> None:
    confirmed = claims[0]
    claim_service.change_status(db_session, admin, confirmed, ClaimStatus.CONFIRMED, rationale="seen")
    ids = [c.id for c in claims[:3]]
    plan = claim_service.plan_status_many(db_session, ids, ClaimStatus.DISPUTED)
    assert plan.changing == sorted(ids[1:]) and [c.id for c in plan.reviewed] == [confirmed.id]
    assert claim_service.change_status_many(db_session, editor, ids, ClaimStatus.DISPUTED, rationale="r") == 2
    db_session.refresh(confirmed)
    assert confirmed.status is ClaimStatus.CONFIRMED
    stale = {confirmed.id: confirmed.version - 1}
    assert claim_service.change_status_many(
        db_session, editor, ids, ClaimStatus.FALSE, rationale="r", override=stale
    ) == 0  # fmt: skip
    seen = {confirmed.id: confirmed.version}
    assert claim_service.change_status_many(
        db_session, editor, ids, ClaimStatus.FALSE, rationale="r", override=seen
    ) == 1  # fmt: skip
    db_session.refresh(confirmed)
    assert confirmed.status is ClaimStatus.FALSE


def test_change_status_many_records_each_change(
    db_session: Session, editor: Editor, claims: list[Claim]
) -> None:
    from factdb.services.audit import verify_chain

    claim_service.change_status(db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="first")
    changed = claim_service.change_status_many(
        db_session, editor, [c.id for c in claims], ClaimStatus.DISPUTED, rationale="all of them"
    )
    assert changed == len(claims) - 1, "a claim already disputed is skipped"
    for claim in claims:
        db_session.refresh(claim)
        assert claim.status is ClaimStatus.DISPUTED
        assert claim.version == 2 and len(claim.reviews) == 1
    assert len(_events(db_session, "claim.status")) == len(claims)
    assert verify_chain(db_session).ok
    with pytest.raises(InputError, match="needs a rationale"):
        claim_service.change_status_many(db_session, editor, [claims[0].id], ClaimStatus.FALSE, rationale=" ")


def test_alias_naming_another_speaker_points_to_merge(db_session: Session, editor: Editor) -> None:
    zelensky = speaker_service.create_speaker(
        db_session, editor, name="Volodymyr Zelensky", kind=SpeakerKind.PERSON
    )
    putin = speaker_service.create_speaker(db_session, editor, name="Vladimir Putin", kind=SpeakerKind.PERSON)
    before = db_session.scalar(select(func.count()).select_from(SpeakerAlias))
    for alias in ("Zelensky", " zelensky. ", "Volodymyr  Zelensky"):
        with pytest.raises(InputError) as refused:
            speaker_service.add_alias(db_session, editor, putin, alias)
        message = str(refused.value)
        assert f"of speaker #{zelensky.id} ('Volodymyr Zelensky')" in message
        assert (
            "merge them instead" in message and f"factdb speakers merge {putin.id} {zelensky.id}" in message
        )
    with pytest.raises(InputError, match="'Zelensky' is already the surname of speaker"):
        speaker_service.add_alias(db_session, editor, putin, "Zelensky")
    with pytest.raises(InputError, match="the surname of speaker"):
        speaker_service.create_speaker(
            db_session, editor, name="V. Z.", kind=SpeakerKind.PERSON, aliases=("Zelensky",)
        )
    assert db_session.scalar(select(func.count()).select_from(SpeakerAlias)) == before
    # A person's own surname, and a surname that names no person, are fine.
    speaker_service.add_alias(db_session, editor, zelensky, "Zelensky")
    kremlin = speaker_service.create_speaker(
        db_session, editor, name="Kremlin", kind=SpeakerKind.ORGANIZATION
    )
    speaker_service.add_alias(db_session, editor, putin, "Putin")
    speaker_service.add_alias(db_session, editor, kremlin, "Moscow")
    assert speaker_service.speakers_named_by(db_session, "zelensky") == [zelensky]
