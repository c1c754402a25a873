"""A long article's ingest never makes a concurrent review save or login fail (issue 13).

``factdb ingest`` stores a long article in another process while this one logs in and saves reviews
through the real Flask app on the same database, one after the other until the ingest has
finished. Every save and login must succeed, and the ingest must store and match all its claims.

Before the ingest's transaction was made short, a 5 MB article held SQLite's write lock for longer
than the busy timeout (15 s), mostly matching its claims inside the transaction: a save waiting for
the lock failed with "database is locked". ``python -m bench.pathological --only article`` prints
the lock the store holds and the peak memory.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from itertools import cycle
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from bench.pathological import article_text
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, EditorRole
from factdb.migrate import upgrade
from factdb.models import AuditEvent, Claim, Review, Source
from factdb.services import clusters
from factdb.services.audit import verify_chain
from factdb.services.editors import create_editor
from tests.conftest import REPO, TEST_PASSWORD
from tests.handmade import ingest_sample

#: The default article size limit (FACTDB_MAX_INGEST_BYTES, 5 MB): the longest ingest there can be.
ARTICLE_BYTES = 5 * 1024 * 1024
#: How long the ingest may take at most (a loaded machine; it is a hang, not a slow run, that fails).
INGEST_LIMIT_S = 600


def _log_in(client: FlaskClient, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[-500:]


def test_saves_and_logins_succeed_while_a_long_article_is_ingested(
    new_database_url: Callable[[], str], app_on: Callable[[str], Flask], tmp_path: Path
) -> None:
    url = new_database_url()
    engine = make_engine(url)
    upgrade(engine)
    with make_session_factory(engine, write=True).begin() as session:
        create_editor(session, None, username="ingester", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        create_editor(session, None, username="reviewer", password=TEST_PASSWORD, role=EditorRole.EDITOR)
        sample = ingest_sample(session, None, title="Sample")
        claim_id = session.scalars(select(Claim.id).where(Claim.source_id == sample.source.id)).first()
    path = tmp_path / "long-article.txt"
    path.write_text("Long article\n" + article_text(ARTICLE_BYTES, seed=13), encoding="utf-8")
    app = app_on(url)
    env = {**os.environ, "FACTDB_DATABASE_URL": url, "FACTDB_EDITOR": "ingester"}
    ingest = subprocess.Popen(
        [sys.executable, "-m", "factdb", "ingest", str(path), "--title", "Long article"],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    statuses = cycle([ClaimStatus.DISPUTED, ClaimStatus.CONFIRMED])
    saves = 0
    try:
        # Save after save, each through a fresh login, for as long as the ingest runs: its
        # extraction, its store and its matching.
        while ingest.poll() is None:
            client = app.test_client()
            _log_in(client, "reviewer")
            with make_session_factory(engine)() as session:
                version = session.scalars(select(Claim.version).where(Claim.id == claim_id)).one()
            response = client.post(
                f"/claims/{claim_id}/review",
                data={"status": next(statuses).value, "rationale": f"Check {saves}.", "version": version},
            )
            assert response.status_code == 302, response.get_data(as_text=True)[-500:]
            saves += 1
        out, err = ingest.communicate(timeout=INGEST_LIMIT_S)
    finally:
        if ingest.poll() is None:
            ingest.kill()
            ingest.communicate()
    assert ingest.returncode == 0, err
    printed = re.search(r"(\d+) claims", out)
    assert printed is not None, out
    with make_session_factory(engine)() as session:
        source_id = session.scalars(select(Source.id).where(Source.title == "Long article")).one()
        stored = session.scalar(select(func.count()).select_from(Claim).where(Claim.source_id == source_id))
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "source.ingest", AuditEvent.entity_id == source_id)
        ).one()
        assert stored == int(printed.group(1)) == event.after["claims"]
        assert stored > 0, "the article's statements gave claims, so the lock was really taken"
        assert clusters.count_unmatched(session) == 0, "every claim of the article was matched"
        reviews = session.scalar(select(func.count()).select_from(Review).where(Review.claim_id == claim_id))
        assert reviews == saves >= 1
        assert verify_chain(session).ok
    engine.dispose()
