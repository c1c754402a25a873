"""Audit events in words: who did what, each changed field as ``old → new`` in the UI's own terms.

The audit page, the conflict box of a refused save and the command line all describe events
through :func:`describe_events`, so a change reads the same everywhere: editors by their display
name, speakers by name, statuses and stances by their words, evidence by its link and stance, and
no internal keys (versions, row ids).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.models import AuditEvent, Editor, Speaker
from factdb.services.audit import SYSTEM_ACTOR

#: What each action did, as a phrase that follows the editor's name.
ACTION_WORDS = {
    "claim.status": "changed the status",
    "claim.amend": "amended the verdict",
    "claim.evidence": "added evidence",
    "claim.attribution": "edited the attribution",
    "claim.relate": "linked another claim",
    "claim.assign": "assigned the claim",
    "claim.unassign": "took the claim out of a queue",
    "source.ingest": "ingested the source",
    "claims.match": "matched claims into clusters",
    "cluster.split": "split a claim off the cluster",
    "cluster.merge": "merged claims into one cluster",
    "cluster.not_same": "marked two claims as not the same",
    "speaker.create": "added the speaker",
    "speaker.update": "edited the speaker",
    "speaker.alias_add": "added an alias",
    "speaker.alias_remove": "removed an alias",
    "speaker.merge": "merged the speaker",
    "editor.create": "created the account",
    "editor.update": "changed the account",
    "editor.password": "changed their password",
    "editor.password_reset": "reset the password",
    "editor.login": "logged in",
    "editor.login_failed": "failed to log in",
    "editor.logout": "logged out",
    "editor.sessions_end": "ended sessions",
}

#: How each recorded field is called in the UI.
FIELD_LABELS = {
    "status": "status",
    "speaker_id": "speaker",
    "mention_text": "mention",
    "cue": "cue",
    "content": "content",
    "stance": "stance",
    "rationale": "rationale",
    "evidence": "evidence",
    "url": "evidence",
    "related_claim_id": "related claim",
    "kind": "kind",
    "name": "name",
    "role": "role",
    "active": "active",
    "username": "username",
    "display_name": "display name",
    "address": "address",
    "reason": "reason",
    "sessions": "sessions",
    "session": "session",
    "alias": "alias",
    "affiliation_id": "speaks for",
    "needs_review": "needs review",
    "assignee": "assigned to",
    "title": "title",
    "outlet": "outlet",
    "via": "via",
}

#: Bookkeeping the UI never shows: versions, row ids and offsets that the content field already says.
HIDDEN_FIELDS = frozenset(
    {
        "version",
        "review_id",
        "review",
        "evidence_id",
        "relation_id",
        "content_start",
        "content_end",
        "assignment_id",
    }
)

#: Fields whose values are speaker ids, shown by the speaker's name.
_SPEAKER_FIELDS = frozenset({"speaker_id", "affiliation_id", "into_speaker_id", "target_id"})

NOTHING = "—"


@dataclass(frozen=True)
class FieldChange:
    """One field of an event: its UI label and the value before and after, as text."""

    label: str
    old: str
    new: str

    def words(self) -> str:
        """``status: confirmed → false`` (or just the new value when there was none before)."""
        if self.old == NOTHING:
            return f"{self.label}: {self.new}"
        return f"{self.label}: {self.old} → {self.new}"


@dataclass(frozen=True)
class EventInWords:
    """An audit event as people read it."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    entity_type: str
    entity_id: int | None
    changes: tuple[FieldChange, ...]

    def sentence(self) -> str:
        """One line: ``Ada changed the status (2026-12-02 10:14 UTC): status: unverified → confirmed``."""
        when = self.at.strftime("%Y-%m-%d %H:%M UTC")
        detail = "; ".join(change.words() for change in self.changes)
        return f"{self.actor} {self.action} ({when})" + (f": {detail}" if detail else "")


def editor_names(session: Session, usernames: Iterable[str]) -> dict[str, str]:
    """Display names by username (the audit trail records usernames); ``system`` stays ``system``."""
    wanted = {u for u in usernames if u and u != SYSTEM_ACTOR}
    names = {SYSTEM_ACTOR: SYSTEM_ACTOR}
    if wanted:
        rows = session.execute(
            select(Editor.username, Editor.display_name).where(Editor.username.in_(sorted(wanted)))
        )
        names.update({username: display or username for username, display in rows})
    return names


def _text(value: Any, key: str, speakers: dict[int, str]) -> str:
    if value is None or value == "" or value == []:
        return NOTHING
    if key in _SPEAKER_FIELDS and isinstance(value, int):
        return speakers.get(value, f"speaker #{value} (removed)")
    if key == "related_claim_id":
        return f"claim #{value}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_text(item, key, speakers) for item in value)
    if isinstance(value, dict):
        if "url" in value:
            stance = f" ({value['stance']})" if value.get("stance") else ""
            title = f" “{value['title']}”" if value.get("title") else ""
            return f"{value['url']}{title}{stance}"
        return ", ".join(f"{k}: {_text(v, k, speakers)}" for k, v in value.items())
    return str(value)


def _field_changes(
    before: dict[str, Any], after: dict[str, Any], speakers: dict[int, str]
) -> tuple[FieldChange, ...]:
    changes = []
    for key in dict.fromkeys([*before, *after]):
        if key in HIDDEN_FIELDS or before.get(key) == after.get(key):
            continue
        if key == "stance" and "url" in after:
            continue  # an evidence row's stance is shown with its link
        label = FIELD_LABELS.get(key, key.replace("_", " "))
        old = _text(before.get(key), key, speakers)
        new = _text(after.get(key), key, speakers) if key in after else NOTHING
        if key == "url":
            new = _text(after, key, speakers)
        if old != new:  # an empty list where there was nothing is no change
            changes.append(FieldChange(label, old, new))
    return tuple(changes)


def describe_events(session: Session, events: Sequence[AuditEvent]) -> list[EventInWords]:
    """Each event in words, resolving editors and speakers with one query each."""
    speaker_ids: set[int] = set()
    for event in events:
        for state in (event.before or {}, event.after or {}):
            speaker_ids.update(v for k, v in state.items() if k in _SPEAKER_FIELDS and isinstance(v, int))
    speakers: dict[int, str] = {}
    if speaker_ids:
        rows = session.execute(select(Speaker.id, Speaker.name).where(Speaker.id.in_(sorted(speaker_ids))))
        speakers = {speaker_id: name for speaker_id, name in rows}
    names = editor_names(session, (e.actor for e in events))
    return [
        EventInWords(
            id=event.id,
            at=event.created_at,
            actor=names.get(event.actor, event.actor),
            action=ACTION_WORDS.get(event.action, event.action.replace(".", " ").replace("_", " ")),
            entity_type=event.entity_type,
            entity_id=event.entity_id,
            changes=_field_changes(event.before or {}, event.after or {}, speakers),
        )
        for event in events
    ]


def claim_changes_since(session: Session, claim_id: int, version: int) -> list[EventInWords]:
    """Every recorded change to the claim that produced a version after ``version``, in words."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity_type == "claim", AuditEvent.entity_id == claim_id)
        .order_by(AuditEvent.id)
    ).all()
    newer = [e for e in events if int((e.after or {}).get("version", 0) or 0) > version]
    return describe_events(session, newer)
