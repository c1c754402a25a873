"""A search's per-status counts (the list's facets) equal a plain count, by every counting path.

On SQLite a search's counts come from one statement that either reads each hit's status from
``claims`` (few hits) or counts the hits in the index status by status (many): ``lookup_limit``
forces each path here. On PostgreSQL they come from ``claims_search`` and its counts table. Either
way, for random claims (random words, random statuses) and random searches, the counts must be what
counting the matching claims one by one gives.
"""

from __future__ import annotations

from collections import Counter
from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, insert
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SentenceKind
from factdb.models import Claim, Sentence, Source
from factdb.services.queries import ClaimFilter, status_counts

#: The made-up words the random sentences and searches draw from (few, so searches find claims).
WORDS = ("amber", "basalt", "cobalt", "dune")
#: Lookup limits: the archive-size default, "always count in the index", "look up one hit at most"
#: and "always look up".
LIMITS = (None, 0, 1, 10**6)

_sources = count(1)


def _add_claims(connection: Connection, claims: list[tuple[frozenset[str], ClaimStatus]]) -> None:
    """One source with a sentence per claim: the sentence holds the claim's words, the claim its status."""
    n = next(_sources)
    source_id = connection.execute(
        insert(Source).values(title=f"Counts {n}", text="-", sha256=f"{n:064x}").returning(Source.id)
    ).scalar_one()
    for position, (words, status) in enumerate(claims):
        body = " ".join(sorted(words)) + " said nothing more."
        sentence_id = connection.execute(
            insert(Sentence)
            .values(source_id=source_id, position=position, char_start=0, char_end=len(body),
                    kind=SentenceKind.STATEMENT, text=body)
            .returning(Sentence.id)
        ).scalar_one()  # fmt: skip
        connection.execute(
            insert(Claim).values(source_id=source_id, sentence_id=sentence_id, content=body, content_start=0,
                                 content_end=len(body), status=status)
        )  # fmt: skip


def _counts(session: Session, words: str, lookup_limit: int | None) -> dict[ClaimStatus, int]:
    dialect = session.get_bind().dialect.name
    statement = status_counts(ClaimFilter(text=words), dialect=dialect, lookup_limit=lookup_limit)
    return {status: n for status, n in session.execute(statement) if n}


claims_strategy = st.lists(
    st.tuples(st.frozensets(st.sampled_from(WORDS)), st.sampled_from(list(ClaimStatus))), max_size=30
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=claims_strategy, searched=st.frozensets(st.sampled_from(WORDS), min_size=1))
def test_search_counts_per_status_equal_a_plain_count(
    db_session: Session, claims: list[tuple[frozenset[str], ClaimStatus]], searched: frozenset[str]
) -> None:
    with db_session.begin_nested() as example:
        connection = db_session.connection()
        _add_claims(connection, claims)
        truth = Counter(status for words, status in claims if searched <= words)
        text = " ".join(sorted(searched)).upper()  # words match whatever their case
        for limit in LIMITS:
            assert _counts(db_session, text, limit) == dict(truth), (limit, searched)
        example.rollback()


def test_both_counting_paths_agree_on_an_ingested_article(db_session: Session) -> None:
    # Many hits in every status: the index path counts four statuses and derives the fifth, the
    # lookup path groups the hits it read; both must give the same figures.
    statuses = list(ClaimStatus)
    claims = [(frozenset(WORDS[: 1 + i % 4]), statuses[i % 5]) for i in range(60)]
    _add_claims(db_session.connection(), claims)
    for words in ("amber", "amber basalt", "cobalt dune", "dune", "amber nowhere"):
        figures = [_counts(db_session, words, limit) for limit in LIMITS]
        assert all(f == figures[0] for f in figures), (words, figures)
    assert _counts(db_session, "amber", None) == {s: 12 for s in statuses}
