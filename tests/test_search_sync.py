"""The search structures follow every kind of write: after each one, what they hold equals the truth.

On PostgreSQL, ``claims_search`` (a claim's words and status lexeme) and ``claims_search_counts`` (claims
per word and status), kept by the triggers of migration 0005, are compared with the same figures computed
from ``claims`` and ``sentences``. On both databases the facet counts of searches are compared with the
claims the search itself returns.
"""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SpeakerKind, Stance
from factdb.models import Claim, Editor
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.ingest import ingest_text
from factdb.services.queries import ClaimFilter, claims_query, status_counts
from tests.handmade import Said, handmade, ingest_sample

# Searches whose facets are checked: one word (PostgreSQL reads its counts table), several words,
# a word in no claim, and "words" the search box keeps but the parser splits or drops.
SEARCHES = ("forces", "Sudzha", "Ukrainian forces", "zzzunknownword", "snake_case", "x")

SECOND_ARTICLE = (
    "The port authority said that snake_case cranes had been repaired. "
    "Officials denied that the cranes were damaged. "
    "The mayor said the forces near the port had left on Monday.\n"
)
#: Who said what in :data:`SECOND_ARTICLE`, stated by hand (the engine's findings decide nothing here).
SECOND_SAID = (
    Said("The port authority", "said", "snake_case cranes had been repaired", "port authority",
         SpeakerKind.ORGANIZATION),
    Said("Officials", "denied", "the cranes were damaged", "officials", SpeakerKind.GROUP, Stance.DENIES),
    Said("The mayor", "said", "the forces near the port had left on Monday", "mayor", SpeakerKind.GROUP),
)  # fmt: skip


def _facets_match_search(session: Session) -> None:
    dialect = session.get_bind().dialect.name
    session.flush()
    session.expire_all()
    for words in SEARCHES:
        hits = Counter(c.status for c in session.scalars(claims_query(ClaimFilter(text=words))))
        facets = {
            s: n for s, n in session.execute(status_counts(ClaimFilter(text=words), dialect=dialect)) if n
        }
        assert facets == dict(hits), words


def _pg_tables_match_truth(session: Session) -> None:
    if session.get_bind().dialect.name != "postgresql":
        return
    session.flush()
    kept_rows = session.execute(
        text("SELECT claim_id, words::text FROM claims_search ORDER BY claim_id")
    ).all()
    true_rows = session.execute(
        text(
            "SELECT c.id, (strip(to_tsvector('simple', s.text)) "
            "|| array_to_tsvector(ARRAY['status ' || c.status]))::text "
            "FROM claims c JOIN sentences s ON s.id = c.sentence_id ORDER BY c.id"
        )
    ).all()
    assert kept_rows == true_rows
    kept_counts = dict(
        session.execute(
            text("SELECT lexeme || '/' || status, n FROM claims_search_counts WHERE n <> 0")
        ).all()
    )
    true_counts = dict(
        session.execute(
            text(
                "SELECT w.lexeme || '/' || c.status, count(*) FROM claims c "
                "JOIN sentences s ON s.id = c.sentence_id, "
                "unnest(tsvector_to_array(to_tsvector('simple', s.text))) AS w(lexeme) "
                "GROUP BY w.lexeme, c.status"
            )
        ).all()
    )
    assert kept_counts == true_counts


def _check(session: Session) -> None:
    _pg_tables_match_truth(session)
    _facets_match_search(session)


def test_search_structures_follow_every_write(db_session: Session, editor: Editor, admin: Editor) -> None:
    first = ingest_sample(db_session, editor, title="Kursk", outlet="Wire")
    second = ingest_text(
        db_session, editor, SECOND_ARTICLE, title="Port", outlet="Ledger",
        extraction=handmade(SECOND_ARTICLE, *SECOND_SAID),
    )  # fmt: skip
    _check(db_session)  # ingest

    claims = list(
        db_session.scalars(select(Claim).where(Claim.source_id == first.source.id).order_by(Claim.id))
    )
    assert len(claims) >= 10
    claim_service.change_status(db_session, editor, claims[0], ClaimStatus.DISPUTED, rationale="r")
    _check(db_session)  # one review
    claim_service.change_status_many(
        db_session, editor, [c.id for c in claims[1:6]], ClaimStatus.FALSE, rationale="r"
    )
    claim_service.change_status_many(
        db_session, editor, [c.id for c in claims[2:4]], ClaimStatus.CONFIRMED, rationale="r"
    )
    _check(db_session)  # bulk reviews, some claims changed twice

    other = speaker_service.create_speaker(db_session, admin, name="Someone Else", kind=SpeakerKind.PERSON)
    claim_service.edit_attribution(
        db_session, editor, claims[7], speaker=other, content_end=claims[7].content_start + 3
    )
    target = claims[6].speaker
    assert target is not None
    speaker_service.merge_speakers(db_session, admin, source=other, target=target)
    _check(db_session)  # attribution and speaker changes (no status change: the rows stay)

    # Writes no service makes today, which the triggers must follow all the same.
    later = db_session.scalars(select(Claim.sentence_id).where(Claim.source_id == second.source.id)).first()
    db_session.execute(
        text("UPDATE claims SET sentence_id = :s WHERE id = :c"), {"s": later, "c": claims[0].id}
    )
    _check(db_session)  # a claim moved to another sentence
    db_session.execute(
        text("DELETE FROM claims WHERE id IN (:a, :b)"),
        {"a": claims[8].id, "b": claims[9].id},  # never reviewed (reviews are append-only)
    )
    _check(db_session)  # deleted claims
    db_session.execute(text("DELETE FROM claims WHERE source_id = :s"), {"s": second.source.id})
    _check(db_session)  # a whole article's claims


@pytest.mark.parametrize("status", [ClaimStatus.DISPUTED, ClaimStatus.UNVERIFIED])
def test_a_word_that_looks_like_a_status_is_only_a_word(
    db_session: Session, editor: Editor, status: ClaimStatus
) -> None:
    for title, content in (
        ("T", f"status {status.value} was the word of the day"),
        ("U", "the ferry was late"),
    ):
        text = f"The mayor said that {content}.\n"
        said = handmade(text, Said("The mayor", "said", content, "mayor", SpeakerKind.GROUP))
        ingest_text(db_session, editor, text, title=title, extraction=said)
    db_session.flush()
    other = ClaimStatus.CONFIRMED
    found = list(db_session.scalars(claims_query(ClaimFilter(statuses=(other,), text="mayor"))))
    assert found == []
    found = list(db_session.scalars(claims_query(ClaimFilter(text=f"status {status.value}"))))
    assert [c.content for c in found] == [f"status {status.value} was the word of the day"]
