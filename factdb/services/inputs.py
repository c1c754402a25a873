"""Reading dates and moments typed by people, once for the web and the command line.

Both faces name the parameter or option in the message (``from``, ``--as-of``), so the same
mistake reads the same wherever it was made.
"""

from __future__ import annotations

import datetime as dt

from factdb.errors import InputError

#: The years factdb accepts: news archives reach back to 1800; nothing is dated after 2200.
#: Outside these, arithmetic such as "the day after" could leave the range a database can hold.
FIRST_YEAR = 1800
LAST_YEAR = 2200

DATE_HINT = "a date like 2025-03-15"
MOMENT_HINT = "a date like 2025-03-15 or 2025-03-15T09:30"


def _given(name: str, raw: str) -> str:
    """How the value was typed: ``--to '2025'`` for an option, ``to='2025'`` for a URL parameter."""
    return f"{name} {raw!r}" if name.startswith("-") else f"{name}={raw!r}"


def _in_range(value: dt.date, name: str, raw: str) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(f"{_given(name, raw)} is outside the years {FIRST_YEAR}-{LAST_YEAR}")


def parse_day(raw: str | None, name: str) -> dt.date | None:
    """``raw`` as a calendar day (None when empty); InputError naming ``name`` when malformed."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{_given(name, raw)} is not {DATE_HINT}") from None
    _in_range(day, name, raw)
    return day


def parse_moment(raw: str | None, name: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """``raw`` as a UTC moment (None when empty). A bare day is its start, or with ``end_of_day``
    its last microsecond ("as of 2025-03-15" includes that day); a time without zone is UTC."""
    raw = (raw or "").strip()
    if not raw:
        return None
    day = parse_day(raw, name) if len(raw) == len("2025-03-15") else None
    if day is not None:
        return dt.datetime.combine(day, dt.time.max if end_of_day else dt.time.min, tzinfo=dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{_given(name, raw)} is not {MOMENT_HINT}") from None
    _in_range(moment.date(), name, raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def start_of(day: dt.date | None) -> dt.datetime | None:
    """The first moment (UTC) of ``day``."""
    return None if day is None else dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
