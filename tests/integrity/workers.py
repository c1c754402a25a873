"""Code run in other processes by the concurrency and crash tests (importable by spawned children)."""

from __future__ import annotations

import traceback

from sqlalchemy import select

from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus
from factdb.models import Claim, Editor
from factdb.services import claims as claim_service


def review_many(url: str, username: str, claim_ids: list[int], count: int) -> tuple[int, list[str]]:
    """Make ``count`` status changes on ``claim_ids`` in turn, each in its own short transaction."""
    engine = make_engine(url)
    factory = make_session_factory(engine, write=True)
    done = 0
    errors: list[str] = []
    try:
        for i in range(count):
            try:
                with factory.begin() as session:
                    editor = session.scalars(select(Editor).where(Editor.username == username)).one()
                    claim = session.get(Claim, claim_ids[i % len(claim_ids)])
                    assert claim is not None
                    target = (
                        ClaimStatus.DISPUTED
                        if claim.status is not ClaimStatus.DISPUTED
                        else ClaimStatus.CONFIRMED
                    )
                    claim_service.change_status(session, editor, claim, target, rationale=f"{username}-{i}")
                done += 1
            except Exception:  # noqa: BLE001 (every failure is the test's finding)
                errors.append(traceback.format_exc(limit=3))
    finally:
        engine.dispose()
    return done, errors
