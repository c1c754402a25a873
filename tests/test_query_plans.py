"""The archive-scale queries keep using indexes: EXPLAIN on a 50,000-claim archive, both databases.

Fails if the claims list (first and keyset-deep pages, by status and by status + speaker), the
search, the facets, a speaker's page or the scorecards turn into a full scan of claims or sentences.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, Select, select, text

from bench.archive import build_archive
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus
from factdb.migrate import upgrade
from factdb.models import Claim
from factdb.services.queries import ClaimFilter, claims_page_query, claims_query, status_counts
from factdb.services.scorecards import scorecard_query

BIG_TABLES = ("claims", "sentences")


@pytest.fixture(scope="module")
def archive(new_database_url: Callable[[], str]) -> Iterator[Engine]:
    engine = make_engine(new_database_url())
    upgrade(engine)
    build_archive(engine, 50_000, progress=False)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    yield engine
    engine.dispose()


def _plan(engine: Engine, stmt: Select[Any]) -> list[str]:
    """The plan's steps: SQLite's EXPLAIN QUERY PLAN details, or PostgreSQL's node descriptions."""
    compiled = stmt.compile(dialect=engine.dialect, compile_kwargs={"render_postcompile": True})
    values = {k: getattr(v, "value", v) for k, v in compiled.params.items()}
    positions = compiled.positiontup
    params: Any = [values[name] for name in positions] if positions else values
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", tuple(params)).all()
            return [row[-1] for row in rows]
        (document,) = connection.exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", params).one()
    steps: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        steps.append(
            f"{node['Node Type']} {node.get('Relation Name', '')} {node.get('Index Name', '')}".strip()
        )
        for child in node.get("Plans", []):
            walk(child)

    walk((json.loads(document) if isinstance(document, str) else document)[0]["Plan"])
    return steps


def _full_scans(steps: list[str]) -> list[str]:
    tables = "|".join(BIG_TABLES)
    sqlite_scan = re.compile(rf"^SCAN ({tables})$")
    return [s for s in steps if sqlite_scan.match(s) or re.match(rf"^Seq Scan ({tables})$", s)]


def _queries(engine: Engine) -> dict[str, Select[Any]]:
    disputed = ClaimFilter(statuses=(ClaimStatus.DISPUTED,))
    with make_session_factory(engine)() as session:
        deep = session.scalar(
            select(Claim.id)
            .where(Claim.status == ClaimStatus.DISPUTED)
            .order_by(Claim.id.desc())
            .offset(4000)
            .limit(1)
        )
        speaker = session.scalar(
            select(Claim.speaker_id)
            .where(Claim.status == ClaimStatus.DISPUTED, Claim.speaker_id.is_not(None))
            .limit(1)
        )
    assert deep is not None and speaker is not None
    by_speaker = ClaimFilter(statuses=(ClaimStatus.DISPUTED,), speaker_id=speaker)
    return {
        "list disputed, first page": claims_query(disputed).limit(50),
        "list disputed, deep page": claims_query(disputed).where(Claim.id < deep).limit(50),
        "list disputed + speaker": claims_query(by_speaker).limit(50),
        "list page rows, disputed, deep": claims_page_query(disputed, after=deep, before=None, size=50),
        "list page rows, disputed, newer": claims_page_query(disputed, after=None, before=deep, size=50),
        "list page rows, one word + disputed": claims_page_query(
            ClaimFilter(statuses=(ClaimStatus.DISPUTED,), text="pipeline"), after=None, before=None, size=50
        ),
        # As claims_page runs them: on SQLite a search's page ids come from the search index.
        "list page rows, one word + disputed, deep": claims_page_query(
            ClaimFilter(statuses=(ClaimStatus.DISPUTED,), text="pipeline"),
            after=deep,
            before=None,
            size=50,
            dialect=engine.dialect.name,
        ),
        "list page rows, two words": claims_page_query(
            ClaimFilter(text="bridge Helmsk"), after=None, before=None, size=50, dialect=engine.dialect.name
        ),
        "list disputed + speaker, deep": claims_query(by_speaker).where(Claim.id < deep).limit(50),
        "search": claims_query(ClaimFilter(text="bridge Helmsk")).limit(50),
        "search + disputed": claims_query(
            ClaimFilter(statuses=(ClaimStatus.DISPUTED,), text="pipeline")
        ).limit(50),
        "facets": status_counts(disputed, dialect=engine.dialect.name),
        "facets for a speaker": status_counts(by_speaker, dialect=engine.dialect.name),
        "facets for a search": status_counts(ClaimFilter(text="pipeline"), dialect=engine.dialect.name),
        "speaker page": select(Claim).where(Claim.speaker_id == speaker).order_by(Claim.id.desc()).limit(200),
        "scorecards": scorecard_query("disputed"),
    }


def test_no_full_scans_at_50k_claims(archive: Engine) -> None:
    found = {}
    for name, stmt in _queries(archive).items():
        steps = _plan(archive, stmt)
        assert steps, name
        if scans := _full_scans(steps):
            found[name] = (scans, steps)
    assert not found, json.dumps(found, indent=1)
