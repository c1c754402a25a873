"""Reviewing claims: status changes, attribution edits, evidence and relations.

Every change bumps the claim's ``version``; a caller passing the version the editor
saw gets a ConflictError naming what changed if someone else saved in between.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, or_, select, update
from sqlalchemy.orm import Session, joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from factdb.db import utcnow
from factdb.enums import ClaimStatus, EditorRole, EvidenceStance, RelationKind, Stance
from factdb.errors import ConflictError, InputError, NotFoundError
from factdb.models import Claim, ClaimRelation, Evidence, Review, ReviewFollow, Source, Speaker
from factdb.services import clusters
from factdb.services.audit import (
    Actor,
    EventSpec,
    canonical_time,
    json_value,
    lock_audit_chain,
    record_event,
    record_events,
    require_role,
    snapshot,
)
from factdb.services.history import claim_changes_since
from factdb.services.validation import check_url, require_id

_ATTRIBUTION_FIELDS = (
    "speaker_id",
    "mention_text",
    "cue",
    "content",
    "content_start",
    "content_end",
    "stance",
    "version",
)

#: What a claim's match keys are made of (see :func:`factdb.services.clusters.refresh_keys`).
_MATCHED_FIELDS = ("content", "stance")

#: Every column of a review and of a piece of evidence: their audit event carries all of them, and
#: ``factdb audit verify`` checks each stored row against it.
REVIEW_FIELDS = (
    "id", "claim_id", "editor_id", "from_status", "to_status", "rationale", "claim_version", "created_at",
)  # fmt: skip
EVIDENCE_FIELDS = (
    "id", "claim_id", "review_id", "url", "title", "note", "stance", "added_by_id", "created_at",
)  # fmt: skip


@dataclass(frozen=True)
class EvidenceInput:
    """A piece of evidence given with a review or on its own."""

    url: str
    stance: EvidenceStance
    title: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ReviewInput:
    """A review to record: the status before and after (equal for an amendment) and why."""

    from_status: ClaimStatus
    to_status: ClaimStatus
    rationale: str


def row_snapshot(row: Any, fields: Sequence[str]) -> dict[str, Any]:
    """A review or evidence row (object or result row) as its audit event records it."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(row, name)
        values[name] = canonical_time(value) if isinstance(value, dt.datetime) else json_value(value)
    return values


def record_verdict(
    session: Session,
    actor: Actor,
    claim: Claim,
    action: str,
    *,
    review: ReviewInput | None = None,
    evidence: Sequence[EvidenceInput] = (),
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> tuple[Review | None, list[Evidence]]:
    """The one way reviews and evidence are written: the rows, and one audit event carrying their content.

    Writes ``review`` (if given; its ``claim_version`` is the claim's current version) and each piece
    of ``evidence`` (linked to the review if there is one), then records the event ``action`` on the
    claim with ``before`` and ``after`` plus ``review_id``, ``rationale``, ``review`` (every column)
    and ``evidence`` (every column of each row). The caller checks permissions and changes the claim
    first. Evidence URLs are checked before anything is written.
    """
    for item in evidence:
        check_evidence_url(item.url)
    now = utcnow()
    row: Review | None = None
    if review is not None:
        row = Review(
            claim=claim,
            editor_id=None if actor is None else actor.id,
            from_status=review.from_status,
            to_status=review.to_status,
            rationale=review.rationale,
            claim_version=claim.version,
            created_at=now,
        )
        session.add(row)
    rows = _add_evidence_rows(session, actor, claim, evidence, row, now)
    session.flush()
    payload = dict(after or {})
    if row is not None:
        payload.update(review_id=row.id, rationale=row.rationale, review=row_snapshot(row, REVIEW_FIELDS))
    payload["evidence"] = [row_snapshot(e, EVIDENCE_FIELDS) for e in rows]
    record_event(session, actor, action, "claim", claim.id, before=before, after=payload)
    return row, rows


def get_claim(session: Session, claim_id: int) -> Claim:
    """The claim with ``claim_id``, or NotFoundError."""
    claim = session.get(Claim, require_id(claim_id, "claim"))
    if claim is None:
        raise NotFoundError(f"no claim with id {claim_id}")
    return claim


#: The claim page's statements, built once (building them and their cache keys per request cost the
#: page more than running them): the claim with its sentence, speaker and source (without the
#: source's text: an article may run to megabytes); its reviews with their editors; its evidence.
_CLAIM_FOR_PAGE = (
    select(Claim)
    .where(Claim.id == bindparam("claim_id"))
    .options(
        joinedload(Claim.sentence), joinedload(Claim.speaker), joinedload(Claim.source).defer(Source.text)
    )
    .execution_options(populate_existing=True)
)
_REVIEWS_OF_CLAIM = (
    select(Review)
    .where(Review.claim_id == bindparam("claim_id"))
    .options(joinedload(Review.editor))
    .order_by(Review.id)
    .execution_options(populate_existing=True)
)
_EVIDENCE_OF_CLAIM = (
    select(Evidence)
    .where(Evidence.claim_id == bindparam("claim_id"))
    .order_by(Evidence.id)
    .execution_options(populate_existing=True)
)


def claim_for_page(session: Session, claim_id: int) -> Claim:
    """The claim with what its page draws, or NotFoundError, in three statements: the claim with its
    sentence, speaker and source; its reviews with their editors; its evidence (each review's among
    it). The two lists are read by plain statements and handed to the claim (a ``selectinload`` of
    each cost twice as much Python time for the same rows)."""
    ids = {"claim_id": require_id(claim_id, "claim")}
    claim = session.scalars(_CLAIM_FOR_PAGE, ids).one_or_none()
    if claim is None:
        raise NotFoundError(f"no claim with id {claim_id}")
    reviews = list(session.scalars(_REVIEWS_OF_CLAIM, ids))
    evidence = list(session.scalars(_EVIDENCE_OF_CLAIM, ids))
    set_committed_value(claim, "reviews", reviews)
    set_committed_value(claim, "evidence", evidence)
    # A review's evidence is the claim's evidence given with it: handed out from the claim's, not read again.
    given: dict[int, list[Evidence]] = {}
    for item in evidence:
        if item.review_id is not None:
            given.setdefault(item.review_id, []).append(item)
    for review in reviews:
        set_committed_value(review, "evidence", given.get(review.id, []))
    return claim


def changes_since(session: Session, claim_id: int, version: int) -> list[str]:
    """One line in words for every change to the claim that produced a version after ``version``."""
    return [event.sentence() for event in claim_changes_since(session, claim_id, version)]


def _check_version(session: Session, claim: Claim, expected_version: int | None) -> None:
    """Refuse the change if the claim moved on since the editor saw ``expected_version``.

    Writers queue on the audit lock first, so the version read after it is the latest committed
    one and the refusal can say exactly what changed.
    """
    lock_audit_chain(session)
    if claim in session and not session.is_modified(claim):
        session.refresh(claim, attribute_names=["version", "status"])
    if expected_version is None or claim.version == expected_version:
        return
    details = claim_changes_since(session, claim.id, expected_version)
    raise ConflictError(
        f"claim {claim.id} was changed by someone else after you opened it "
        f"(you had version {expected_version}, it is now at version {claim.version}); nothing was saved",
        [event.sentence() for event in details],
        details,
    )


def _flush_versioned(session: Session, claim: Claim, expected_version: int | None) -> None:
    claim_id = claim.id  # read now: after a failed flush the session can load nothing
    try:
        session.flush()
    except StaleDataError:
        # A writer that bypassed the audit lock committed between our read and our UPDATE ... WHERE version.
        raise ConflictError(
            f"claim {claim_id} was changed by someone else while you were saving; nothing was saved"
        ) from None


def check_evidence_url(url: str) -> str:
    """The URL trimmed, if it is an absolute http(s) address; InputError otherwise."""
    checked = check_url(url, "evidence URL")
    if checked is None:
        raise InputError("an evidence URL is empty; give an http:// or https:// address")
    return checked


def _add_evidence_rows(
    session: Session,
    actor: Actor,
    claim: Claim,
    items: Sequence[EvidenceInput],
    review: Review | None,
    now: dt.datetime,
) -> list[Evidence]:
    rows = [
        Evidence(
            claim=claim,
            review=review,
            url=check_evidence_url(item.url),
            stance=item.stance,
            title=(item.title or "").strip() or None,
            note=(item.note or "").strip() or None,
            added_by_id=None if actor is None else actor.id,
            created_at=now,
        )
        for item in items
    ]
    session.add_all(rows)
    return rows


def change_status(
    session: Session,
    actor: Actor,
    claim: Claim,
    status: ClaimStatus,
    *,
    rationale: str = "",
    expected_version: int | None = None,
    evidence: Sequence[EvidenceInput] = (),
    follows: Review | None = None,
) -> Review:
    """Set a claim's status, recording a review (and any evidence) and an audit event.

    A rationale is required for every verdict (all statuses but unverified). ``follows`` is the
    review of another claim of its cluster whose verdict this one applies: the new review points
    to it (``review_follows``, and ``followed_review_id`` in the audit event).
    """
    require_role(actor, EditorRole.EDITOR)
    rationale = check_rationale(status, rationale)
    _check_version(session, claim, expected_version)
    if claim.status is status:
        raise InputError(
            f"claim {claim.id} is already {status.value}; to add evidence or amend the rationale, "
            "save it with the same status (web) or use 'factdb claims add-evidence'"
        )
    for item in evidence:
        check_evidence_url(item.url)
    before = snapshot(claim, ("status", "version"))
    previous = claim.status
    claim.status = status
    _flush_versioned(session, claim, expected_version)
    after: dict[str, Any] = {"status": status, "version": claim.version}
    if follows is not None:
        after["followed_review_id"] = follows.id
    review, _rows = record_verdict(
        session,
        actor,
        claim,
        "claim.status",
        review=ReviewInput(previous, status, rationale),
        evidence=evidence,
        before=before,
        after=after,
    )
    assert review is not None  # noqa: S101 (a review was asked for)
    if follows is not None:
        session.add(ReviewFollow(review_id=review.id, followed_review_id=follows.id))
        session.flush()
    return review


@dataclass(frozen=True)
class BulkPlan:
    """What a bulk status change would do: the preview an editor confirms.

    ``reviewed`` are the claims that already carry a verdict (any status but unverified) and would
    change: they are left alone unless the editor lists them as overrides.
    """

    status: ClaimStatus
    changing: list[int]
    reviewed: list[Claim]
    already: int

    @property
    def total(self) -> int:
        return len(self.changing) + len(self.reviewed) + self.already


def check_rationale(status: ClaimStatus, rationale: str) -> str:
    """The rationale trimmed; InputError if ``status`` is a verdict and there is none."""
    rationale = rationale.strip()
    if status.needs_rationale and not rationale:
        raise InputError(f"marking a claim {status.value} needs a rationale")
    return rationale


def plan_status_many(
    session: Session, claim_ids: Sequence[int], status: ClaimStatus, *, chunk: int = 500
) -> BulkPlan:
    """The preview of :func:`change_status_many`: which claims would change, which carry a verdict."""
    changing: list[int] = []
    reviewed_ids: list[int] = []
    already = 0
    for start in range(0, len(claim_ids), chunk):
        rows = session.execute(
            select(Claim.id, Claim.status).where(Claim.id.in_(list(claim_ids[start : start + chunk])))
        ).all()
        for claim_id, current in rows:
            if current is status:
                already += 1
            elif current is ClaimStatus.UNVERIFIED:
                changing.append(claim_id)
            else:
                reviewed_ids.append(claim_id)
    reviewed: list[Claim] = []
    for start in range(0, len(reviewed_ids), chunk):
        reviewed.extend(
            session.scalars(
                select(Claim)
                .where(Claim.id.in_(reviewed_ids[start : start + chunk]))
                .options(selectinload(Claim.speaker))
                .order_by(Claim.id)
            )
        )
    return BulkPlan(status, sorted(changing), reviewed, already)


def change_status_many(
    session: Session,
    actor: Actor,
    claim_ids: Sequence[int],
    status: ClaimStatus,
    *,
    rationale: str,
    override: Mapping[int, int] | None = None,
    chunk: int = 500,
) -> int:
    """Give many claims the same status and rationale in set-based statements; returns how many changed.

    Claims already in that status are skipped, and so are claims that carry a verdict (any status
    but unverified): a bulk change never overrides an editor's verdict by accident. ``override``
    maps the ids of such claims the editor chose to change anyway to the version they saw in the
    preview; one that changed since is left alone too. Each change still gets its review, its
    version bump and its audit event (in one chained batch), exactly as :func:`change_status`
    records them.
    """
    require_role(actor, EditorRole.EDITOR)
    rationale = check_rationale(status, rationale)
    override = override or {}
    lock_audit_chain(session)
    changed_ids: set[int] = set()
    for start in range(0, len(claim_ids), chunk):
        ids = list(claim_ids[start : start + chunk])
        rows = [
            r
            for r in session.execute(
                select(Claim.id, Claim.status, Claim.version).where(Claim.id.in_(ids), Claim.status != status)
            ).all()
            if r.status is ClaimStatus.UNVERIFIED or override.get(r.id) == r.version
        ]
        if not rows:
            continue
        now = utcnow()
        session.execute(
            update(Claim)
            .where(Claim.id.in_([r.id for r in rows]))
            .values(status=status, version=Claim.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        reviews = [
            {"claim_id": r.id, "editor_id": None if actor is None else actor.id,
             "from_status": r.status, "to_status": status, "rationale": rationale,
             "claim_version": r.version + 1, "created_at": now}
            for r in rows
        ]  # fmt: skip
        review_ids = session.scalars(
            insert(Review).returning(Review.id, sort_by_parameter_order=True), reviews
        ).all()
        # The same event record_verdict writes, built from the inserted values.
        record_events(
            session,
            actor,
            (
                EventSpec("claim.status", "claim", r.id, before={"status": r.status, "version": r.version},
                          after={"status": status, "version": r.version + 1, "review_id": review_id,
                                 "rationale": rationale,
                                 "review": row_snapshot(_Row({**values, "id": review_id}), REVIEW_FIELDS),
                                 "evidence": []})
                for r, review_id, values in zip(rows, review_ids, reviews, strict=True)
            ),
        )  # fmt: skip
        changed_ids.update(r.id for r in rows)
    # Claims loaded in this session must not show their old status.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Claim) and obj.id in changed_ids:
            session.expire(obj)
    return len(changed_ids)


class _Row:
    """Attribute access over a dict of column values (for :func:`row_snapshot` on bulk rows)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def edit_attribution(
    session: Session,
    actor: Actor,
    claim: Claim,
    *,
    expected_version: int | None = None,
    speaker: Speaker | None = None,
    content_start: int | None = None,
    content_end: int | None = None,
    cue: str | None = None,
    stance: Stance | None = None,
) -> Claim:
    """Correct who said it, what exactly was said (a span of the sentence), the cue or the stance."""
    require_role(actor, EditorRole.EDITOR)
    _check_version(session, claim, expected_version)
    before = snapshot(claim, _ATTRIBUTION_FIELDS)
    # One UPDATE, one version bump: loading the sentence must not flush half the edit.
    with session.no_autoflush:
        if speaker is not None:
            # Set the key too, so the no-change check below sees the new speaker before the flush.
            claim.speaker = speaker
            claim.speaker_id = speaker.id
        if content_start is not None or content_end is not None:
            start = claim.content_start if content_start is None else content_start
            end = claim.content_end if content_end is None else content_end
            sentence = claim.sentence
            if not sentence.char_start <= start < end <= sentence.char_end:
                raise InputError(
                    f"the content span {start}-{end} must lie inside its sentence "
                    f"({sentence.char_start}-{sentence.char_end}) and not be empty"
                )
            claim.content_start, claim.content_end = start, end
            claim.content = claim.source.text[start:end]
        if cue is not None:
            claim.cue = " ".join(cue.split()) or None
        if stance is not None:
            claim.stance = stance
    if snapshot(claim, _ATTRIBUTION_FIELDS) == before:
        raise InputError("nothing to change: the attribution is already like that")
    _flush_versioned(session, claim, expected_version)
    after = snapshot(claim, _ATTRIBUTION_FIELDS)
    if any(after[name] != before[name] for name in _MATCHED_FIELDS):
        clusters.refresh_keys(session, claim)
    record_event(session, actor, "claim.attribution", "claim", claim.id, before=before, after=after)
    return claim


def current_rationale(claim: Claim) -> str:
    """The rationale of the claim's current verdict ('' when it was never reviewed)."""
    return claim.reviews[-1].rationale if claim.reviews else ""


@dataclass(frozen=True)
class HistoryEntry:
    """One review of a claim as its history shows it."""

    review: Review
    #: The entry set a status (``False``: it added evidence or amended the rationale of one).
    status_change: bool
    #: Its rationale differs from the entry before (an amendment that only adds evidence keeps it).
    rationale_changed: bool
    #: It belongs to the current verdict (the last status change and the amendments after it).
    current: bool


def _verdict_start(reviews: Sequence[Review]) -> int:
    """Index of the review that set the current status (0 when none did: all entries are current)."""
    for index in range(len(reviews) - 1, -1, -1):
        if reviews[index].from_status is not reviews[index].to_status:
            return index
    return 0


def review_history(claim: Claim) -> list[HistoryEntry]:
    """The claim's reviews in order, each marked as a status change or an amendment, current or superseded."""
    reviews = claim.reviews
    start = _verdict_start(reviews)
    entries = []
    previous = ""
    for index, review in enumerate(reviews):
        entries.append(
            HistoryEntry(
                review=review,
                status_change=review.from_status is not review.to_status,
                rationale_changed=review.rationale != previous,
                current=index >= start,
            )
        )
        previous = review.rationale
    return entries


def current_evidence(claim: Claim) -> list[Evidence]:
    """The evidence of the claim's current verdict: given with its last status change or added since.

    Links given with a superseded verdict are history, never the current verdict's evidence.
    """
    reviews = claim.reviews
    if not reviews:
        return list(claim.evidence)
    start = reviews[_verdict_start(reviews)]
    return [
        e
        for e in claim.evidence
        if (e.review_id is not None and e.review_id >= start.id)
        or (e.review_id is None and e.created_at >= start.created_at)
    ]


def amend_verdict(
    session: Session,
    actor: Actor,
    claim: Claim,
    *,
    rationale: str = "",
    evidence: Sequence[EvidenceInput] = (),
    expected_version: int | None = None,
) -> Review:
    """Add evidence to the claim's current status, or amend its rationale, as a new review entry.

    The status stays; the entry records who added what and when, so the history shows the verdict
    growing. An empty ``rationale`` keeps the current one (the entry carries it forward, so the
    latest entry always holds the verdict's rationale). The claim's version moves on, so an editor
    who opened the claim before sees the amendment as a change.
    """
    require_role(actor, EditorRole.EDITOR)
    rationale = rationale.strip()
    _check_version(session, claim, expected_version)
    for item in evidence:
        check_evidence_url(item.url)
    previous = current_rationale(claim)
    new_rationale = rationale or previous
    if not evidence and new_rationale == previous:
        raise InputError(
            f"claim {claim.id} is already {claim.status.value}: give evidence or a new rationale to add "
            "to this verdict, or choose another status"
        )
    if claim.status.needs_rationale and not new_rationale:
        raise InputError(f"a claim marked {claim.status.value} needs a rationale")
    before = {"version": claim.version, "rationale": previous}
    claim.updated_at = utcnow()  # a new version: the amendment is a change an open form must see
    _flush_versioned(session, claim, expected_version)
    review, _rows = record_verdict(
        session,
        actor,
        claim,
        "claim.amend",
        review=ReviewInput(claim.status, claim.status, new_rationale),
        evidence=evidence,
        before=before,
        after={"version": claim.version},
    )
    assert review is not None  # noqa: S101 (a review was asked for)
    return review


def add_evidence(
    session: Session,
    actor: Actor,
    claim: Claim,
    item: EvidenceInput,
    *,
    rationale: str = "",
    expected_version: int | None = None,
) -> Evidence:
    """Attach evidence to the claim's current verdict (a new review entry; see :func:`amend_verdict`)."""
    review = amend_verdict(
        session, actor, claim, rationale=rationale, evidence=[item], expected_version=expected_version
    )
    return review.evidence[-1]


def relate_claims(
    session: Session, actor: Actor, claim: Claim, related: Claim, kind: RelationKind
) -> ClaimRelation:
    """Link two claims (shown on both pages); the same link twice is refused."""
    require_role(actor, EditorRole.EDITOR)
    if claim.id == related.id:
        raise InputError("a claim cannot be related to itself")
    duplicate = session.scalar(
        select(ClaimRelation.id).where(
            ClaimRelation.kind == kind,
            or_(
                (ClaimRelation.claim_id == claim.id) & (ClaimRelation.related_claim_id == related.id),
                (ClaimRelation.claim_id == related.id) & (ClaimRelation.related_claim_id == claim.id),
            ),
        )
    )
    if duplicate is not None:
        raise InputError(f"claims {claim.id} and {related.id} are already linked as {kind.value}")
    relation = ClaimRelation(
        claim_id=claim.id,
        related_claim_id=related.id,
        kind=kind,
        created_by_id=None if actor is None else actor.id,
    )
    session.add(relation)
    session.flush()
    record_event(
        session,
        actor,
        "claim.relate",
        "claim",
        claim.id,
        after={"related_claim_id": related.id, "kind": kind, "relation_id": relation.id},
    )
    return relation


#: A claim's links both ways with the claims at their ends, built once (the claim page reads it).
_RELATED = or_(
    ClaimRelation.claim_id == bindparam("claim_id"), ClaimRelation.related_claim_id == bindparam("claim_id")
)
_RELATIONS_OF_CLAIM = (
    select(ClaimRelation)
    .where(_RELATED)
    .options(joinedload(ClaimRelation.claim), joinedload(ClaimRelation.related_claim))
    .order_by(ClaimRelation.id)
)
#: Whether the claim has a link at all. Most claims have none, and the ORM's set-up of the select above
#: (two joined claims) costs a claim page about half a millisecond even when it finds no row.
_HAS_RELATIONS = select(ClaimRelation.id).where(_RELATED).limit(1)


def claim_relations(session: Session, claim: Claim) -> list[tuple[str, ClaimRelation, Claim]]:
    """The claim's links both ways, oldest first: ``("to", link, other)`` for links it makes,
    ``("from", link, other)`` for links others make to it (the claim page and the API show them)."""
    values = {"claim_id": claim.id}
    if session.execute(_HAS_RELATIONS, values).first() is None:
        return []
    rows = session.scalars(_RELATIONS_OF_CLAIM, values)
    return [("to", r, r.related_claim) if r.claim_id == claim.id else ("from", r, r.claim) for r in rows]
