"""The editor's desk: queues of claims (assignments) and the hint that someone else has a claim open.

Assigning is a change to the record (audited); opening a page is presence (kept, not audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from factdb.db import utcnow
from factdb.enums import EditorRole
from factdb.errors import InputError
from factdb.models import Assignment, Claim, ClaimOpening, Editor
from factdb.services.audit import Actor, EventSpec, lock_audit_chain, record_events, require_role

#: How long an opened claim page counts as "open" for the hint shown to other editors.
OPENED_WINDOW = dt.timedelta(minutes=10)

#: How many claims one assignment takes at most (a whole filter is assigned in one go).
ASSIGN_LIMIT = 5000


@dataclass(frozen=True)
class AssignResult:
    """What an assignment did."""

    assigned: int
    moved: int
    unchanged: int


def assign_claims(session: Session, actor: Actor, claim_ids: Sequence[int], editor: Editor) -> AssignResult:
    """Put the claims in ``editor``'s queue (moving them from another's); each move is audited."""
    require_role(actor, EditorRole.EDITOR)
    if not editor.active or not editor.role.allows(EditorRole.EDITOR):
        raise InputError(f"{editor.username} cannot review claims (an inactive account or a viewer)")
    ids = sorted(set(claim_ids))
    if len(ids) > ASSIGN_LIMIT:
        raise InputError(f"an assignment takes at most {ASSIGN_LIMIT} claims; narrow the filter")
    lock_audit_chain(session)
    known = set(session.scalars(select(Claim.id).where(Claim.id.in_(ids)))) if ids else set()
    current = dict(
        session.execute(
            select(Assignment.claim_id, Editor.username)
            .join(Editor, Editor.id == Assignment.editor_id)
            .where(Assignment.claim_id.in_(ids))
        ).all()
    ) if ids else {}  # fmt: skip
    new = [i for i in ids if i in known and i not in current]
    moved = [i for i in ids if i in current and current[i] != editor.username]
    now = utcnow()
    by = None if actor is None else actor.id
    if new:
        session.add_all(
            Assignment(claim_id=i, editor_id=editor.id, assigned_by_id=by, assigned_at=now) for i in new
        )
    if moved:
        session.execute(
            update(Assignment)
            .where(Assignment.claim_id.in_(moved))
            .values(editor_id=editor.id, assigned_by_id=by, assigned_at=now)
            .execution_options(synchronize_session=False)
        )
    session.flush()
    record_events(
        session,
        actor,
        [
            EventSpec("claim.assign", "claim", i, before={"assignee": current.get(i)},
                      after={"assignee": editor.username})
            for i in sorted([*new, *moved])
        ],
    )  # fmt: skip
    return AssignResult(len(new), len(moved), len(ids) - len(new) - len(moved))


def unassign_claim(session: Session, actor: Actor, claim: Claim) -> None:
    """Take the claim out of whichever queue holds it."""
    require_role(actor, EditorRole.EDITOR)
    holder = assignee_of(session, claim.id)
    if holder is None:
        raise InputError(f"claim {claim.id} is in nobody's queue")
    session.execute(delete(Assignment).where(Assignment.claim_id == claim.id))
    record_events(
        session,
        actor,
        [EventSpec("claim.unassign", "claim", claim.id, before={"assignee": holder.username}, after={})],
    )


def assignee_of(session: Session, claim_id: int) -> Editor | None:
    """The editor whose queue holds the claim, if any."""
    return session.scalar(select(Editor).join(Assignment, Assignment.editor_id == Editor.id).where(
        Assignment.claim_id == claim_id
    ))  # fmt: skip


def record_opening(session: Session, editor: Editor, claim_id: int) -> None:
    """Remember that ``editor`` opened the claim's page now (one row per editor and claim)."""
    now = utcnow()
    updated = session.execute(
        update(ClaimOpening)
        .where(ClaimOpening.claim_id == claim_id, ClaimOpening.editor_id == editor.id)
        .values(opened_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(updated, "rowcount", 0):
        session.add(ClaimOpening(claim_id=claim_id, editor_id=editor.id, opened_at=now))
    session.flush()


@dataclass(frozen=True)
class Opening:
    """Someone else who opened the claim lately."""

    name: str
    at: dt.datetime
    minutes_ago: int


def recent_openings(
    session: Session, claim_id: int, editor: Editor, *, within: dt.timedelta = OPENED_WINDOW
) -> list[Opening]:
    """Other editors who opened the claim in the last ``within``, most recent first."""
    now = utcnow()
    since = now - within
    rows = session.execute(
        select(Editor.display_name, ClaimOpening.opened_at)
        .join(Editor, Editor.id == ClaimOpening.editor_id)
        .where(
            ClaimOpening.claim_id == claim_id,
            ClaimOpening.editor_id != editor.id,
            ClaimOpening.opened_at >= since,
        )
        .order_by(ClaimOpening.opened_at.desc())
    ).all()
    return [Opening(name, at, max(0, int((now - at).total_seconds() // 60))) for name, at in rows]
