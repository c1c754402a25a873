"""The editor's desk: queues of claims (assignments) and the hint that someone else has a claim open.

Assigning is a change to the record (audited); opening a page is presence (kept, not audited).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from factdb.db import utcnow
from factdb.enums import EditorRole
from factdb.errors import InputError
from factdb.models import Assignment, Claim, ClaimOpening, Editor
from factdb.services.audit import Actor, EventSpec, lock_audit_chain, record_events, require_role
from factdb.services.editors import is_reviewer

#: How long an opened claim page counts as "open" for the hint shown to other editors.
OPENED_WINDOW = dt.timedelta(minutes=10)
#: An editor's opening of a claim is written at most this often: reopening the page (a reload, a save,
#: coming back from the next claim) within it rewrites nothing, so most views stay reads. The hint may
#: then count an opening up to this much older than it was, against a window of ten minutes.
OPENING_NOTE_INTERVAL = dt.timedelta(seconds=60)

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
    if not is_reviewer(editor):
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


def record_opening(connection: Connection, editor_id: int, claim_id: int, *, seen_before: bool) -> None:
    """Remember that the editor opened the claim's page now (one row per editor and claim).

    ``seen_before``: the editor has a row for the claim already (see :attr:`ClaimDesk.my_opening`),
    so one UPDATE does it. Presence, not a change to the record: not audited, and written on
    ``connection`` as bookkeeping (see ``factdb.web.request.note_use``).
    """
    now = utcnow()
    if seen_before:
        connection.execute(
            update(ClaimOpening)
            .where(ClaimOpening.claim_id == claim_id, ClaimOpening.editor_id == editor_id)
            .values(opened_at=now)
        )
    else:
        connection.execute(insert(ClaimOpening).values(claim_id=claim_id, editor_id=editor_id, opened_at=now))


@dataclass(frozen=True)
class Opening:
    """Someone else who opened the claim lately."""

    name: str
    at: dt.datetime
    minutes_ago: int


@dataclass(frozen=True)
class ClaimDesk:
    """The desk around one claim, as its page shows it to one editor."""

    #: The editor whose queue holds the claim, if any.
    assignee: Editor | None
    #: Whom the claim can be assigned to (:func:`factdb.services.editors.is_reviewer`), by username.
    reviewers: list[Editor]
    #: Other editors who opened the claim within :data:`OPENED_WINDOW`, most recent first.
    openings: list[Opening]
    #: When this editor last opened the claim (None: never).
    my_opening: dt.datetime | None

    def opening_is_stale(self, now: dt.datetime | None = None) -> bool:
        """Whether this opening should be written down (see :data:`OPENING_NOTE_INTERVAL`)."""
        return self.my_opening is None or (now or utcnow()) - self.my_opening >= OPENING_NOTE_INTERVAL


#: Every account with its assignment and its opening of the claim ``claim_id``: built once (the claim
#: page reads it on every request, and building it cost more than running it).
_DESK = (
    select(Editor, Assignment.claim_id.is_not(None), ClaimOpening.opened_at)
    .outerjoin(
        Assignment, (Assignment.editor_id == Editor.id) & (Assignment.claim_id == bindparam("claim_id"))
    )
    .outerjoin(
        ClaimOpening, (ClaimOpening.editor_id == Editor.id) & (ClaimOpening.claim_id == bindparam("claim_id"))
    )
    .order_by(Editor.username)
)


def claim_desk(
    session: Session, claim_id: int, editor: Editor, *, within: dt.timedelta = OPENED_WINDOW
) -> ClaimDesk:
    """The claim's assignee, the editors it can be assigned to and who else opened it lately, in one
    query: every account (a newsroom has dozens), each with its assignment and opening of the claim."""
    now = utcnow()
    since = now - within
    rows = session.execute(_DESK, {"claim_id": claim_id}).all()
    openings = sorted(
        (
            Opening(other.display_name, at, max(0, int((now - at).total_seconds() // 60)))
            for other, _assigned, at in rows
            if at is not None and at >= since and other.id != editor.id
        ),
        key=lambda o: o.at,
        reverse=True,
    )
    return ClaimDesk(
        assignee=next((e for e, assigned, _at in rows if assigned), None),
        reviewers=[e for e, _assigned, _at in rows if is_reviewer(e)],
        openings=openings,
        my_opening=next((at for e, _assigned, at in rows if e.id == editor.id), None),
    )
