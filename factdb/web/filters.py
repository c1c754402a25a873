"""Reading a :class:`ClaimFilter` from a URL's query string (the claims list and its exports share it).

Parameters: ``status`` (repeatable), ``speaker`` (id, or a name or alias), ``affiliated`` (1 to
include those who speak for the speaker), ``source`` (id), ``outlet``, ``channel`` (the outlet that
carried the words), ``stance``, ``from``/``to`` (source publication dates), ``reviewed_from``/
``reviewed_to``, ``editor`` (username), ``assignee`` (username: their queue), ``q`` (free
text), ``sources_over`` (claims whose cluster spans more than that many sources) and ``collapse``
(1: one row per statement, a cluster as its first claim). A malformed value raises InputError
naming the parameter, which the app turns into a 400 page. The audit page's filter is read here
too (:func:`audit_filter_from_args`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from factdb.enums import ClaimStatus, Stance
from factdb.errors import InputError
from factdb.models import Editor
from factdb.services.queries import AuditFilter, ClaimFilter, channel_value
from factdb.services.speakers import find_by_alias
from factdb.services.validation import parse_day, parse_id

E = TypeVar("E", bound=enum.Enum)
T = TypeVar("T")

#: The query parameters a claim filter is read from, in the order they are written back.
FILTER_PARAMS = (
    "status", "speaker", "affiliated", "source", "outlet", "channel", "stance", "from", "to",
    "reviewed_from", "reviewed_to", "editor", "q", "assignee", "sources_over", "collapse",
)  # fmt: skip

#: The most sources a "more than N sources" filter may ask for (beyond it no cluster can match).
SOURCES_OVER_MAX = 100_000


def day_param(args: MultiDict[str, str], name: str) -> dt.date | None:
    """Query parameter ``name`` as a date, None when absent; InputError naming it when malformed."""
    return parse_day(args.get(name), name)


def id_param(args: MultiDict[str, str], name: str, what: str = "an id") -> int | None:
    """Query parameter ``name`` as a positive id within the database's range, None when absent;
    InputError naming it when malformed or out of range."""
    return parse_id(args.get(name), name, what)


def _enum(enum_cls: type[E], name: str, raw: str) -> E:
    try:
        return enum_cls(raw)
    except ValueError:
        choices = ", ".join(str(m.value) for m in enum_cls)
        raise InputError(f"{name}={raw!r} is not one of: {choices}") from None


def _speaker_param(args: MultiDict[str, str], session: Session) -> int | None:
    """``speaker``: an id, or a name or alias as typed in the list's speaker field."""
    raw = " ".join((args.get("speaker") or "").split())
    if not raw or raw.isdigit():
        return id_param(args, "speaker", "a speaker id")
    speaker = find_by_alias(session, raw)
    if speaker is None:
        raise InputError(f"speaker={raw!r}: no speaker is known by that name; pick one from the suggestions")
    return speaker.id


def claim_filter_from_args(args: MultiDict[str, str], session: Session) -> ClaimFilter:
    """The filter a query string describes; InputError for any malformed parameter."""
    statuses = tuple(
        dict.fromkeys(
            _enum(ClaimStatus, "status", raw.strip()) for raw in args.getlist("status") if raw.strip()
        )
    )
    stance_raw = (args.get("stance") or "").strip()
    editor_id = None
    username = (args.get("editor") or "").strip()
    if username:
        editor_id = session.scalar(select(Editor.id).where(Editor.username == username.lower()))
        if editor_id is None:
            raise InputError(f"editor={username!r} is not a known editor")
    assignee_id = None
    assignee = (args.get("assignee") or "").strip()
    if assignee:
        assignee_id = session.scalar(select(Editor.id).where(Editor.username == assignee.lower()))
        if assignee_id is None:
            raise InputError(f"assignee={assignee!r} is not a known editor")
    text = (args.get("q") or "").strip()
    if len(text) > 200:
        raise InputError("q is longer than 200 characters")
    return ClaimFilter(
        statuses=statuses,
        speaker_id=_speaker_param(args, session),
        include_affiliated=(args.get("affiliated") or "") in ("1", "on", "true", "yes"),
        source_id=id_param(args, "source", "a source id"),
        outlet=(args.get("outlet") or "").strip() or None,
        channel=channel_value(args.get("channel")),
        stance=_enum(Stance, "stance", stance_raw) if stance_raw else None,
        published_from=day_param(args, "from"),
        published_to=day_param(args, "to"),
        reviewed_from=day_param(args, "reviewed_from"),
        reviewed_to=day_param(args, "reviewed_to"),
        editor_id=editor_id,
        text=text or None,
        assignee_id=assignee_id,
        sources_over=_sources_over(args),
        collapse=(args.get("collapse") or "") in ("1", "on", "true", "yes"),
    )


def _sources_over(args: MultiDict[str, str]) -> int | None:
    raw = (args.get("sources_over") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) > SOURCES_OVER_MAX:
        raise InputError(f"sources_over={raw[:20]!r} must be a whole number from 0 to {SOURCES_OVER_MAX}")
    return int(raw)


def filter_to_args(claim_filter: ClaimFilter, session: Session) -> list[tuple[str, str]]:
    """The query parameters that describe ``claim_filter`` (for links that keep the filter)."""
    pairs: list[tuple[str, str]] = [("status", s.value) for s in claim_filter.statuses]
    if claim_filter.speaker_id is not None:
        pairs.append(("speaker", str(claim_filter.speaker_id)))
        if claim_filter.include_affiliated:
            pairs.append(("affiliated", "1"))
    if claim_filter.source_id is not None:
        pairs.append(("source", str(claim_filter.source_id)))
    if claim_filter.outlet:
        pairs.append(("outlet", claim_filter.outlet))
    if claim_filter.channel:
        pairs.append(("channel", claim_filter.channel))
    if claim_filter.stance is not None:
        pairs.append(("stance", claim_filter.stance.value))
    for name, day in (
        ("from", claim_filter.published_from),
        ("to", claim_filter.published_to),
        ("reviewed_from", claim_filter.reviewed_from),
        ("reviewed_to", claim_filter.reviewed_to),
    ):
        if day is not None:
            pairs.append((name, day.isoformat()))
    if claim_filter.editor_id is not None:
        editor = session.get(Editor, claim_filter.editor_id)
        if editor is not None:
            pairs.append(("editor", editor.username))
    if claim_filter.assignee_id is not None:
        assignee = session.get(Editor, claim_filter.assignee_id)
        if assignee is not None:
            pairs.append(("assignee", assignee.username))
    if claim_filter.text:
        pairs.append(("q", claim_filter.text))
    if claim_filter.sources_over is not None:
        pairs.append(("sources_over", str(claim_filter.sources_over)))
    if claim_filter.collapse:
        pairs.append(("collapse", "1"))
    return pairs


#: The query parameters of the audit page's filter.
AUDIT_PARAMS = ("editor", "action", "entity", "entity_id", "from", "to")


def audit_filter_from_args(args: MultiDict[str, str]) -> AuditFilter:
    """The audit filter a query string describes (``editor``, ``action``, ``entity``, ``entity_id``,
    ``from``, ``to``): the audit page and its export read it here."""
    return AuditFilter(
        date_from=day_param(args, "from"),
        date_to=day_param(args, "to"),
        actor=(args.get("editor") or "").strip().lower() or None,
        action=(args.get("action") or "").strip() or None,
        entity_type=(args.get("entity") or "").strip() or None,
        entity_id=id_param(args, "entity_id"),
    )
