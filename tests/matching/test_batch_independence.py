"""How many claims one matching pass takes never changes the clusters (issue 17).

The same hand-made articles are matched one article at a time (as ``ingest_text`` does), all in
one pass (an ingest that matches once per transaction) and by the backfill in small batches; the
clusters must come out the same. The articles are built so that a bound counted per batch, or
before the speaker veto, loses a real match: one statement of Oleg Varin's, worded three ways,
with a dozen other people saying the same words in between and after (vetoed by speaker, but
sharing every LSH key with it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.enums import Stance
from factdb.matching import lsh_keys, prepare
from factdb.models import Claim, ClaimClusterMember, ClaimMatchKey, Editor, Source
from factdb.models.cluster import UNRESOLVED_SPEAKER
from factdb.services import claims as claim_service
from factdb.services import clusters
from factdb.services import speakers as speaker_service
from factdb.services.ingest import ingest_text
from tests.handmade import Said, handmade

STATEMENT = "forces recaptured two villages near Marinovka overnight"
#: Invented people who say Oleg Varin's words in their own name: a different speaker each.
OTHERS = ["Ana Lupei", "Bora Kestin", "Cira Dolmen", "Dario Funte", "Elko Vassar", "Fenna Grobb",
          "Goran Hilt", "Hanne Ostrow", "Ivo Jarnik", "Jutta Kemmel", "Kasimir Lund", "Lotte Mauk",
          "Milo Norrik", "Nadia Osterl"]  # fmt: skip
ARTICLES = (
    [
        (f"Oleg Varin said {STATEMENT}.", Said("Oleg Varin", "said", STATEMENT)),
        (
            "According to Oleg Varin, Russian forces recaptured 2 villages near Marinovka overnight.",
            Said(
                "Oleg Varin", "According to", "Russian forces recaptured 2 villages near Marinovka overnight"
            ),
        ),
    ]  # fmt: skip
    + [(f"{name} said {STATEMENT}.", Said(name, "said", STATEMENT)) for name in OTHERS]
    + [
        (
            '"Our forces recaptured two villages near Marinovka overnight," Oleg Varin told reporters.',
            Said("Oleg Varin", "told", "Our forces recaptured two villages near Marinovka overnight"),
        ),
    ]  # fmt: skip
)
#: Oleg Varin's three wordings (articles 0, 1 and the last) are one statement; nobody else's
#: words join it or each other (each is another speaker).
EXPECTED = [{0, 1, len(ARTICLES) - 1}]


def _ingest(session: Session, editor: Editor, *, match: bool) -> list[int]:
    sources = []
    for number, (body, said) in enumerate(ARTICLES):
        result = ingest_text(
            session, editor, body, title=f"Report {number}", outlet=f"Outlet {number}",
            extraction=handmade(body, said), match=match,
        )  # fmt: skip
        sources.append(result.source.id)
    return sources


def _clusters_by_article(session: Session, sources: list[int]) -> list[set[int]]:
    article = {source_id: number for number, source_id in enumerate(sources)}
    groups: dict[int, set[int]] = {}
    for cluster_id, source_id in session.execute(
        select(ClaimClusterMember.cluster_id, Source.id)
        .join(Claim, Claim.id == ClaimClusterMember.claim_id)
        .join(Source, Source.id == Claim.source_id)
    ):
        groups.setdefault(cluster_id, set()).add(article[source_id])
    return sorted(groups.values(), key=min)


@pytest.mark.parametrize("how", ["per_article", "one_pass", "backfill"])
def test_the_clusters_do_not_depend_on_how_many_claims_a_pass_matches(
    db_session: Session, editor: Editor, how: str
) -> None:
    sources = _ingest(db_session, editor, match=how == "per_article")
    if how == "one_pass":
        ids = db_session.scalars(select(Claim.id).where(Claim.source_id.in_(sources)).order_by(Claim.id))
        clusters.match_claims(db_session, editor, list(ids))
    elif how == "backfill":
        last = 0
        while ids := clusters.unmatched_claim_ids(db_session, last, 4):
            clusters.match_claims(db_session, None, ids)
            last = ids[-1]
    assert clusters.count_unmatched(db_session) == 0
    assert _clusters_by_article(db_session, sources) == EXPECTED


def test_match_keys_follow_a_change_of_speaker(db_session: Session, editor: Editor, admin: Editor) -> None:
    sources = _ingest(db_session, editor, match=True)
    claims = {c.source_id: c for c in db_session.scalars(select(Claim).where(Claim.source_id.in_(sources)))}
    first, other = claims[sources[0]], claims[sources[2]]
    # An editor gives Oleg Varin's words to another person, then merges that person into a third.
    moved_to = other.speaker
    assert moved_to is not None and first.speaker is not None
    claim_service.edit_attribution(db_session, editor, first, speaker=moved_to)
    target = claims[sources[3]].speaker
    assert target is not None
    speaker_service.merge_speakers(db_session, admin, source=moved_to, target=target)
    db_session.flush()
    stale = db_session.execute(
        select(ClaimMatchKey.claim_id)
        .join(Claim, Claim.id == ClaimMatchKey.claim_id)
        .where(ClaimMatchKey.speaker_key != func.coalesce(Claim.speaker_id, UNRESOLVED_SPEAKER))
    ).all()
    assert stale == []
    moved = db_session.scalars(
        select(ClaimMatchKey.claim_id).where(ClaimMatchKey.speaker_key == target.id).distinct()
    )
    assert set(moved) == {first.id, other.id, claims[sources[3]].id}


def _keys_of(session: Session, claim_id: int) -> set[int]:
    return set(session.scalars(select(ClaimMatchKey.key).where(ClaimMatchKey.claim_id == claim_id)))


def test_match_keys_follow_a_corrected_content_or_stance(db_session: Session, editor: Editor) -> None:
    sources = _ingest(db_session, editor, match=True)
    first = db_session.scalars(select(Claim).where(Claim.source_id == sources[0])).one()
    before = _keys_of(db_session, first.id)
    assert before == set(lsh_keys(prepare(first.content, first.speaker_id, first.stance)))
    # The editor narrows the content to "forces recaptured two villages" and says it was denied.
    start = first.content_start
    claim_service.edit_attribution(
        db_session, editor, first, content_end=start + len("forces recaptured two villages"),
        stance=Stance.DENIES,
    )  # fmt: skip
    db_session.flush()
    after = _keys_of(db_session, first.id)
    assert after == set(lsh_keys(prepare(first.content, first.speaker_id, first.stance)))
    assert not after & before
    # A claim never matched gets no keys from an edit (the backfill gives them).
    unmatched = _ingest_one(db_session, editor, "Una Brask said the ferry to Ostrava resumed service.")
    claim_service.edit_attribution(db_session, editor, unmatched, stance=Stance.DENIES)
    db_session.flush()
    assert _keys_of(db_session, unmatched.id) == set()


def _ingest_one(session: Session, editor: Editor, body: str) -> Claim:
    said = Said("Una Brask", "said", "the ferry to Ostrava resumed service")
    result = ingest_text(
        session, editor, body, title="Ferry", outlet="Outlet F", extraction=handmade(body, said), match=False
    )
    return session.scalars(select(Claim).where(Claim.source_id == result.source.id)).one()
