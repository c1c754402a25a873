"""The claims list's pages: keyset paging both ways yields every matching claim once, in order, with
its speaker and source as the list shows them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus
from factdb.models import Claim, Editor
from factdb.services import claims as claim_service
from factdb.services.ingest import IngestResult
from factdb.services.queries import ClaimFilter, claims_page, claims_query

SIZE = 4


def _sample_ids(session: Session, sample: IngestResult) -> list[int]:
    """The sample's claim ids in id order: an unordered read comes back in storage order, which on
    PostgreSQL depends on what earlier (rolled-back) tests left in the table, and so would the claims
    a test picks from it."""
    return list(
        session.scalars(select(Claim.id).where(Claim.source_id == sample.source.id).order_by(Claim.id))
    )


def _walk(session: Session, claim_filter: ClaimFilter) -> None:
    truth = list(session.scalars(claims_query(claim_filter)))
    assert len(truth) > 2 * SIZE
    seen: list[int] = []
    pages = []
    page = claims_page(session, claim_filter, after=None, before=None, size=SIZE)
    assert not page.has_newer
    while True:
        pages.append([c.id for c in page.claims])
        seen += pages[-1]
        if not page.has_older:
            break
        page = claims_page(session, claim_filter, after=page.claims[-1].id, before=None, size=SIZE)
        assert page.has_newer
    assert seen == [c.id for c in truth]
    # And back again, newer from the last page: the same pages in reverse.
    back = [pages[-1]]
    while True:
        page = claims_page(session, claim_filter, after=None, before=back[-1][0], size=SIZE)
        back.append([c.id for c in page.claims])
        assert page.has_older
        if not page.has_newer:
            break
    assert back[::-1] == pages
    by_id = {c.id: c for c in truth}
    for listed in claims_page(session, claim_filter, after=None, before=None, size=len(truth)).claims:
        claim = by_id[listed.id]
        assert (listed.content, listed.cue, listed.stance, listed.status, listed.mention_text) == (
            claim.content, claim.cue, claim.stance, claim.status, claim.mention_text,
        )  # fmt: skip
        assert (listed.speaker and (listed.speaker.id, listed.speaker.name)) == (
            claim.speaker and (claim.speaker.id, claim.speaker.name)
        )
        assert (listed.source.id, listed.source.title) == (claim.source.id, claim.source.title)


def test_pages_cover_every_claim_once_both_ways(
    db_session: Session, editor: Editor, sample_source: IngestResult
) -> None:
    ids = _sample_ids(db_session, sample_source)
    claim_service.change_status_many(db_session, editor, ids[::2], ClaimStatus.DISPUTED, rationale="r")
    db_session.flush()
    db_session.expire_all()
    _walk(db_session, ClaimFilter())
    _walk(db_session, ClaimFilter(statuses=(ClaimStatus.DISPUTED,)))


def test_search_pages_cover_every_hit_once_both_ways(
    db_session: Session, editor: Editor, sample_source: IngestResult
) -> None:
    # On SQLite a search's pages take their ids from the search index, in id order, not from claims:
    # the same claims, in the same pages, as the filter itself gives.
    ids = _sample_ids(db_session, sample_source)
    claim_service.change_status_many(db_session, editor, ids[::2], ClaimStatus.DISPUTED, rationale="r")
    claim_service.change_status_many(db_session, editor, ids[1::4], ClaimStatus.FALSE, rationale="r")
    db_session.flush()
    db_session.expire_all()
    _walk(db_session, ClaimFilter(text="the"))
    _walk(db_session, ClaimFilter(text="THE", statuses=(ClaimStatus.DISPUTED,)))
    _walk(db_session, ClaimFilter(text="the", statuses=(ClaimStatus.DISPUTED, ClaimStatus.FALSE)))
