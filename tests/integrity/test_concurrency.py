"""Nothing lost under concurrency: optimistic locking across threads, several writer processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, EditorRole
from factdb.errors import ConflictError
from factdb.migrate import upgrade
from factdb.models import Claim, Editor, Review
from factdb.services import claims as claim_service
from factdb.services.audit import verify_chain
from factdb.services.editors import create_editor
from tests.conftest import TEST_PASSWORD
from tests.handmade import ingest_sample
from tests.integrity.workers import review_many

THREADS, ATTEMPTS = 8, 200
PROCESSES, REVIEWS = 4, 200


@pytest.fixture
def live_engine(new_database_url: Callable[[], str]) -> Iterator[Engine]:
    """A database of its own with committed data, so other connections and processes see it."""
    engine = make_engine(new_database_url())
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        for n in range(max(THREADS, PROCESSES)):
            create_editor(session, None, username=f"ed{n}", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        ingest_sample(session, None, title="Kursk", outlet="Wire")
    yield engine
    engine.dispose()


def _first_claim_ids(engine: Engine, n: int) -> list[int]:
    with make_session_factory(engine)() as session:
        return list(session.scalars(select(Claim.id).order_by(Claim.id).limit(n)))


def test_threads_racing_on_one_claim(live_engine: Engine, dialect_name: str) -> None:
    if dialect_name != "postgresql":
        pytest.skip("threads share one SQLite file badly by design; the process test covers SQLite")
    (claim_id,) = _first_claim_ids(live_engine, 1)
    factory = make_session_factory(live_engine, write=True)
    accepted: list[str] = []
    conflicts: list[str] = []
    unexpected: list[BaseException] = []
    lock = threading.Lock()

    def editor_at_work(n: int) -> None:
        statuses = [ClaimStatus.DISPUTED, ClaimStatus.CONFIRMED, ClaimStatus.FALSE]
        for i in range(ATTEMPTS):
            tag = f"ed{n}-{i}"
            session: Session = factory()
            try:
                editor = session.scalars(select(Editor).where(Editor.username == f"ed{n}")).one()
                claim = session.get(Claim, claim_id)
                assert claim is not None
                seen = claim.version
                target = next(s for s in statuses[(n + i) % 3 :] + statuses if s is not claim.status)
                time.sleep(0.0005)  # the editor reads the page before saving: others may save meanwhile
                claim_service.change_status(
                    session, editor, claim, target, rationale=tag, expected_version=seen
                )
                session.commit()
                with lock:
                    accepted.append(tag)
            except ConflictError:
                session.rollback()
                with lock:
                    conflicts.append(tag)
            except BaseException as error:  # noqa: BLE001 (anything else is the finding)
                session.rollback()
                with lock:
                    unexpected.append(error)
            finally:
                session.close()

    threads = [threading.Thread(target=editor_at_work, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not unexpected, unexpected[:3]
    assert len(accepted) + len(conflicts) == THREADS * ATTEMPTS
    assert conflicts, "with eight editors on one claim some saves must collide"
    with make_session_factory(live_engine)() as session:
        claim = session.get(Claim, claim_id)
        assert claim is not None
        rationales = list(session.scalars(select(Review.rationale).where(Review.claim_id == claim_id)))
        assert sorted(rationales) == sorted(accepted), "every accepted change is in the history exactly once"
        assert claim.version == 1 + len(accepted)
        assert verify_chain(session).ok
    print(f"\nthreads: {THREADS * ATTEMPTS} attempted, {len(accepted)} accepted, {len(conflicts)} conflicts")


def test_writer_processes_lose_nothing(live_engine: Engine) -> None:
    url = live_engine.url.render_as_string(hide_password=False)
    claim_ids = _first_claim_ids(live_engine, PROCESSES * 3)
    context = multiprocessing.get_context("spawn")
    with context.Pool(PROCESSES) as pool:
        results = pool.starmap(
            review_many,
            [(url, f"ed{n}", claim_ids[n * 3 : n * 3 + 3], REVIEWS) for n in range(PROCESSES)],
        )
    errors = [e for _, errs in results for e in errs]
    assert not errors, errors[:2]
    assert sum(done for done, _ in results) == PROCESSES * REVIEWS
    with make_session_factory(live_engine)() as session:
        assert session.scalar(select(func.count()).select_from(Review)) == PROCESSES * REVIEWS
        assert verify_chain(session).ok, "concurrent writers never fork the audit chain"
