"""Two people ingesting the same text at the same moment: one source, and the other is told so."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from factdb.db import make_engine, make_session_factory
from factdb.errors import DuplicateSourceError
from factdb.extract import extract
from factdb.migrate import upgrade
from factdb.models import Source
from factdb.services.ingest import ingest_text, prepare_ingest

ARTICLE = "Bridge opens\nThe transport ministry said that the new bridge would open to traffic on Friday.\n"
#: How long the second ingest may take to reach the point where it waits for the first.
WAIT_LIMIT_S = 30


@pytest.fixture
def live_engine(new_database_url: Callable[[], str]) -> Iterator[Engine]:
    """A database of its own, so that two connections see each other's commits."""
    engine = make_engine(new_database_url())
    upgrade(engine)
    yield engine
    engine.dispose()


def _waiting_on_a_lock(engine: Engine) -> bool:
    """PostgreSQL: whether some other backend of this database waits for a lock."""
    with engine.connect() as connection:
        waiting = connection.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
        )
    return bool(waiting)


def test_the_second_of_two_simultaneous_ingests_is_told_already_ingested(
    live_engine: Engine, dialect_name: str
) -> None:
    factory = make_session_factory(live_engine, write=True)
    extraction = extract(ARTICLE)
    # Both check for a duplicate before either has stored anything.
    with make_session_factory(live_engine)() as reader:
        prepare_ingest(reader, ARTICLE)
    first: Session = factory()
    ingest_text(first, None, ARTICLE, title="first", extraction=extraction)  # flushed, not committed
    outcome: list[BaseException | str] = []

    def second() -> None:
        with factory() as session:
            try:
                ingest_text(session, None, ARTICLE, title="second", extraction=extraction)
                session.commit()
                outcome.append("stored")
            except BaseException as error:  # noqa: BLE001 (what it raised is the finding)
                outcome.append(error)

    thread = threading.Thread(target=second)
    thread.start()
    # The second now waits: on PostgreSQL at the unique fingerprint (its own check saw nothing), on
    # SQLite for the write lock. Commit the first only once it does, so the race really happens.
    deadline = time.monotonic() + WAIT_LIMIT_S
    if dialect_name == "postgresql":
        while not _waiting_on_a_lock(live_engine) and time.monotonic() < deadline:
            time.sleep(0.05)
    else:
        time.sleep(0.5)
    assert thread.is_alive(), outcome
    first.commit()
    first.close()
    thread.join(WAIT_LIMIT_S)
    assert len(outcome) == 1
    assert isinstance(outcome[0], DuplicateSourceError), outcome[0]
    assert "already ingested" in str(outcome[0]) and "'first'" in str(outcome[0])
    with make_session_factory(live_engine)() as session:
        assert session.scalar(select(func.count()).select_from(Source)) == 1
