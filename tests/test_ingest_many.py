"""Storing many articles at once (issue 16, item 5): the same rows, events and record as one by one."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.errors import DuplicateSourceError, InputError
from factdb.models import AuditEvent, Claim, Editor, Sentence, Source, Speaker
from factdb.services.ingest import CLAIM_ORIGINS, Article, ingest_many, ingest_text
from factdb.services.verify import verify

TEXTS = [
    "Harbour master Ilse Varro said that the northern pier would reopen on Friday. The ferry was late.",
    "The council said that the budget was balanced. Ilse Varro denied that the pier was closed.",
    "Mayor Tomas Helde said that the new tram line would open in spring. Nobody else commented.",
]


def _rows(session: Session, source_id: int) -> list[tuple[object, ...]]:
    """A source's claims as stored, without ids: what the engine found and whom it was given to."""
    return [
        tuple(row)
        for row in session.execute(
            select(Claim.content, Claim.mention_text, Claim.cue, Speaker.name, Sentence.position)
            .join(Sentence, Sentence.id == Claim.sentence_id)
            .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
            .where(Claim.source_id == source_id)
            .order_by(Claim.id)
        )
    ]


def test_a_batch_stores_what_one_by_one_stores(db_session: Session, editor: Editor) -> None:
    events_before = db_session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    batch = ingest_many(
        db_session, editor, [Article(t, f"Batch {n}", "Harbour Post") for n, t in enumerate(TEXTS)]
    )
    singles = [
        ingest_text(db_session, editor, t + " ", title=f"Single {n}", outlet="Harbour Post")
        for n, t in enumerate(TEXTS)
    ]
    assert [r.claim_count for r in batch] == [r.claim_count for r in singles]
    assert sum(r.claim_count for r in batch) >= 3
    for many, one in zip(batch, singles, strict=True):
        assert _rows(db_session, many.source.id) == _rows(db_session, one.source.id)
        assert many.sentence_count == one.sentence_count
        event = db_session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "source.ingest", AuditEvent.entity_id == many.source.id
            )
        ).one()
        assert [o[0] for o in event.after[CLAIM_ORIGINS]] == many.claim_ids
        assert event.after["claims"] == many.claim_count and event.after["sentences"] == many.sentence_count
    # New speakers are created once, by the first article that names them, with their own events.
    created = [s.id for r in batch for s in r.new_speakers]
    assert created and len(created) == len(set(created))
    assert not any(r.new_speakers for r in singles), "the batch made them; the singles found them"
    events = db_session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    assert events > events_before + 2 * len(TEXTS)
    db_session.flush()
    assert verify(db_session).ok


def test_a_batch_with_a_known_text_stores_nothing(db_session: Session, editor: Editor) -> None:
    first = ingest_text(db_session, editor, TEXTS[0], title="First")
    sources = db_session.scalar(select(func.count()).select_from(Source))
    with pytest.raises(DuplicateSourceError) as refused, db_session.begin_nested():
        ingest_many(db_session, editor, [Article(TEXTS[1], "New"), Article(TEXTS[0], "Again")])
    assert refused.value.source_id == first.source.id
    assert db_session.scalar(select(func.count()).select_from(Source)) == sources


def test_a_batch_holding_one_text_twice_is_refused(db_session: Session, editor: Editor) -> None:
    with pytest.raises(InputError, match="articles 1 and 3 of the batch have the same text"):
        ingest_many(
            db_session, editor, [Article(TEXTS[0], "A"), Article(TEXTS[1], "B"), Article(TEXTS[0], "C")]
        )
    with pytest.raises(InputError, match="title"):
        ingest_many(db_session, editor, [Article(TEXTS[0], "A"), Article(TEXTS[1], " ")])
    assert ingest_many(db_session, editor, []) == []
