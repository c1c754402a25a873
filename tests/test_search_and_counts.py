"""The structures migration 0003 adds, kept in sync by the write paths: counts and full-text search."""

from __future__ import annotations

import pytest
from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SpeakerKind
from factdb.models import Claim, Editor, SpeakerStatusCount
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.ingest import IngestResult, ingest_text
from factdb.services.queries import ClaimFilter, claims_query
from tests.handmade import Said, handmade


def _truth(session: Session) -> dict[tuple[int, str], int]:
    key = func.coalesce(Claim.speaker_id, literal_column("0"))
    rows = session.execute(select(key, Claim.status, func.count()).group_by(key, Claim.status))
    return {(key, status.value): n for key, status, n in rows}


def _kept(session: Session) -> dict[tuple[int, str], int]:
    rows = session.execute(
        select(SpeakerStatusCount.speaker_key, SpeakerStatusCount.status, SpeakerStatusCount.n)
    )
    return {(key, status.value): n for key, status, n in rows if n}


def test_counts_follow_every_write(
    db_session: Session, editor: Editor, admin: Editor, sample_source: IngestResult
) -> None:
    result = sample_source
    db_session.flush()
    assert _kept(db_session) == _truth(db_session)
    claims = list(
        db_session.scalars(select(Claim).where(Claim.source_id == result.source.id).order_by(Claim.id))
    )
    claim_service.change_status(db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="r")
    claim_service.change_status_many(
        db_session, editor, [c.id for c in claims[1:6]], ClaimStatus.FALSE, rationale="r"
    )
    other = speaker_service.create_speaker(db_session, admin, name="Someone Else", kind=SpeakerKind.PERSON)
    claim_service.edit_attribution(db_session, editor, claims[7], speaker=other)
    target = claims[8].speaker
    assert target is not None and target.id != other.id
    speaker_service.merge_speakers(db_session, admin, source=other, target=target)
    db_session.flush()
    assert _kept(db_session) == _truth(db_session)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("villages Sudzha", "its forces had recaptured two villages near Sudzha"),  # words of the content
        ("Saturday", "its forces had recaptured two villages near Sudzha"),  # a word only in the sentence
        ("SUDZHA", "its forces had recaptured two villages near Sudzha"),  # any case
        ('troops "encircled*', "his troops were encircled"),  # quotes and stars are not syntax
    ],
)
def test_search_finds_claims_by_content_and_sentence(
    db_session: Session, editor: Editor, sample_source: IngestResult, query: str, expected: str
) -> None:
    db_session.flush()
    found = [c.content for c in db_session.scalars(claims_query(ClaimFilter(text=query)))]
    assert any(content.startswith(expected) for content in found), found


def test_search_needs_every_word_and_follows_edits(
    db_session: Session, editor: Editor, sample_source: IngestResult
) -> None:
    result = sample_source
    assert not list(db_session.scalars(claims_query(ClaimFilter(text="Sudzha encircled"))))
    assert not list(db_session.scalars(claims_query(ClaimFilter(text="Sudzh"))))  # whole words only
    claim = db_session.scalars(
        select(Claim).where(Claim.source_id == result.source.id, Claim.content.contains("Sudzha"))
    ).one()
    # Narrow the content to its first words: the content index follows, the sentence still matches.
    claim_service.edit_attribution(
        db_session, editor, claim, content_end=claim.content_start + len("its forces")
    )
    db_session.flush()
    hits = list(db_session.scalars(claims_query(ClaimFilter(text="forces Saturday"))))
    assert claim in hits
    assert claim in list(db_session.scalars(claims_query(ClaimFilter(text="Sudzha"))))  # via its sentence
    assert list(db_session.scalars(claims_query(ClaimFilter(text="!!! ***")))) != [], "no words: no filter"


def test_outlets_lists_each_outlet_once(db_session: Session, editor: Editor) -> None:
    from factdb.services.queries import outlets

    for n, outlet in enumerate(["Wire", None, "Daily", "Wire", "Ärzte Zeitung"]):
        text = f"The ministry said that item {n} arrived."
        said = Said("The ministry", "said", f"item {n} arrived", "ministry", SpeakerKind.ORGANIZATION)
        ingest_text(db_session, editor, text, title=f"T{n}", outlet=outlet, extraction=handmade(text, said))
    db_session.flush()
    found = outlets(db_session)
    assert sorted(found) == ["Daily", "Wire", "Ärzte Zeitung"] and len(found) == 3


def test_search_within_statuses_and_its_facets_follow_reviews(
    db_session: Session, editor: Editor, sample_source: IngestResult
) -> None:
    from factdb.services.queries import status_counts

    result = sample_source
    claims = list(
        db_session.scalars(select(Claim).where(Claim.source_id == result.source.id).order_by(Claim.id))
    )
    claim_service.change_status_many(
        db_session, editor, [c.id for c in claims[:10]], ClaimStatus.DISPUTED, rationale="r"
    )
    claim_service.change_status(db_session, editor, claims[3], ClaimStatus.FALSE, rationale="r")
    claim_service.change_status(db_session, editor, claims[4], ClaimStatus.UNVERIFIED)
    db_session.flush()
    db_session.expire_all()
    for words in ("Russian", "Ukrainian forces", "Kursk region"):
        everything = [c for c in db_session.scalars(claims_query(ClaimFilter(text=words)))]
        assert everything, words
        truth: dict[ClaimStatus, int] = {}
        for claim in everything:
            truth[claim.status] = truth.get(claim.status, 0) + 1
        dialect = db_session.get_bind().dialect.name
        facets = {
            status: n
            for status, n in db_session.execute(status_counts(ClaimFilter(text=words), dialect=dialect))
            if n
        }
        assert facets == truth, words
        for status in (ClaimStatus.DISPUTED, ClaimStatus.FALSE, ClaimStatus.UNVERIFIED):
            narrowed = list(db_session.scalars(claims_query(ClaimFilter(statuses=(status,), text=words))))
            assert narrowed == [c for c in everything if c.status is status], (words, status)
