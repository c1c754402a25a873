"""``factdb claims match`` (the backfill) and ``factdb eval-matching`` on a real database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select, text

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.models import Claim, ClaimClusterMember, ClaimMatchKey, Source
from factdb.services import clusters
from factdb.services.ingest import ingest_text
from tests.conftest import REPO
from tests.matching.reports import REPORTS, varin_claim


@pytest.fixture
def archive(new_database_url: Callable[[], str]) -> tuple[str, list[int]]:
    """A database holding the five reports ingested with matching off (an archive from before)."""
    url = new_database_url()
    assert CliRunner().invoke(main, ["db", "upgrade"], env={"FACTDB_DATABASE_URL": url}).exit_code == 0
    engine = make_engine(url)
    ids = []
    with make_session_factory(engine)() as session:
        for report in REPORTS:
            result = ingest_text(
                session, None, report.text, title=report.outlet, outlet=report.outlet,
                published_at=report.published_at, extraction=report.extraction(), match=False,
            )  # fmt: skip
            ids.append(varin_claim(session, result.source.id).id)
        session.commit()
    engine.dispose()
    return url, ids


def _run(url: str, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env={"FACTDB_DATABASE_URL": url}, catch_exceptions=False)


def _clusters(url: str) -> dict[int, int]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = dict(
            session.execute(select(ClaimClusterMember.claim_id, ClaimClusterMember.cluster_id)).all()
        )
    engine.dispose()
    return {int(k): int(v) for k, v in found.items()}


def test_backfill_clusters_an_archive_and_resumes(archive: tuple[str, list[int]]) -> None:
    url, ids = archive
    assert _clusters(url) == {}
    # A first run that stopped after the first two claims (the claims it matched have keys).
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        clusters.match_claims(session, None, sorted(session.scalars(select(Claim.id)))[:2])
        session.commit()
        total = session.scalar(select(func.count()).select_from(Claim))
    engine.dispose()
    result = _run(url, "claims", "match", "--batch", "2")
    assert result.exit_code == 0, result.output
    assert f"matched {(total or 0) - 2} claims" in result.output
    assert "matching claims" in result.stderr  # the progress bar
    found = _clusters(url)
    assert {found.get(i) for i in ids} == {found[ids[0]]}
    # Nothing left: a second run matches nothing.
    assert "matched 0 claims" in _run(url, "claims", "match").output


def test_not_the_same_survives_claims_match_again(archive: tuple[str, list[int]]) -> None:
    url, ids = archive
    assert _run(url, "claims", "match").exit_code == 0
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        first, last = session.get(Claim, ids[0]), session.get(Claim, ids[4])
        assert first is not None and last is not None
        clusters.mark_not_same(session, None, first, last)
        session.commit()
    engine.dispose()
    assert ids[4] not in _clusters(url)
    result = _run(url, "claims", "match", "--again")
    assert result.exit_code == 0 and "matched" in result.output
    found = _clusters(url)
    assert ids[4] not in found and {found[i] for i in ids[:4]} == {found[ids[0]]}
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        assert session.scalar(
            select(func.count()).select_from(ClaimMatchKey).where(ClaimMatchKey.claim_id == ids[4])
        )
    engine.dispose()


def test_eval_matching_prints_precision_and_recall() -> None:
    result = CliRunner().invoke(
        main, ["eval-matching", "--gold", str(REPO / "tests/matching/gold_pairs.txt")]
    )
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("precision"))
    precision, recall = float(line.split()[1]), float(line.split()[5])
    assert precision >= 0.95 and recall >= 0.85
    assert int(result.output.split()[1]) >= 300


def test_eval_matching_names_a_missing_gold_file(tmp_path: object) -> None:
    result = CliRunner().invoke(main, ["eval-matching", "--gold", "/nonexistent/gold.txt"])
    assert result.exit_code == 1 and "cannot be read" in result.stderr and "Traceback" not in result.output


def _match_events(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM audit_events WHERE action = 'claims.match'")
        ).scalar_one()
    engine.dispose()
    return int(found)


def _partition(url: str) -> set[frozenset[str]]:
    """The clusters as sets of (outlet title, content): comparable across two databases."""
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        rows = session.execute(
            select(ClaimClusterMember.cluster_id, Source.title, Claim.content)
            .join(Claim, Claim.id == ClaimClusterMember.claim_id)
            .join(Source, Source.id == Claim.source_id)
        ).all()
    engine.dispose()
    groups: dict[int, set[str]] = {}
    for cluster_id, title, content in rows:
        groups.setdefault(cluster_id, set()).add(f"{title}: {content}")
    return {frozenset(group) for group in groups.values()}


def test_ingest_of_many_files_matches_them_together(
    new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    """`factdb ingest` of several files matches their claims in one pass (not a pass per file), and
    the clusters are those of ingesting the files one at a time."""
    files = []
    for number, report in enumerate(REPORTS):
        path = tmp_path / f"report-{number}.txt"
        path.write_text(f"{report.outlet} report {number}\n{report.text}\n", encoding="utf-8")
        files.append(str(path))
    together, one_by_one = new_database_url(), new_database_url()
    for url in (together, one_by_one):
        assert _run(url, "db", "upgrade").exit_code == 0
    result = _run(together, "ingest", *files)
    assert result.exit_code == 0, result.output
    assert f"{len(files)} stored, 0 failed" in result.output
    for path in files:
        assert _run(one_by_one, "ingest", path).exit_code == 0
    # An event per pass that joined claims: one for the run, one per later file one at a time.
    assert _match_events(together) == 1 and _match_events(one_by_one) == len(files) - 1
    assert _partition(together) == _partition(one_by_one) != set()
    for url in (together, one_by_one):
        assert "matched 0 claims" in _run(url, "claims", "match").output  # nothing left unmatched
