"""The one validation layer: every value a person or client types passes here before it meets a database.

Web forms and URL parameters, the command line and the JSON API call the same checks, so the same
mistake reads the same wherever it was made, and a bad value is an :class:`InputError` (or a
:class:`NotFoundError` for an id that cannot exist) with a message, never a database exception:

- integers (ids, offsets, versions, page numbers) within the range every supported database holds;
- dates and moments within the years factdb accepts (:data:`FIRST_YEAR`-:data:`LAST_YEAR`);
- text without NUL or other control characters (PostgreSQL refuses NUL; the others mislead and
  corrupt exports), and without lone surrogates (which no database can store as UTF-8);
- links that are http(s) addresses only (a ``javascript:`` link would run when clicked).

Messages name the parameter or option as it was typed (``from``, ``--as-of``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import String, Table, Text
from sqlalchemy import inspect as inspect_row
from sqlalchemy.orm import Session

from factdb.errors import InputError, NotFoundError

# --- integers -------------------------------------------------------------------------------

#: The largest integer factdb stores or looks up: PostgreSQL's INTEGER (ids, offsets, versions) is
#: 32-bit. SQLite holds 64 bits, but one limit on both databases gives the same answer on both.
MAX_INT = 2**31 - 1

# --- dates ----------------------------------------------------------------------------------

#: The years factdb accepts: news archives reach back to 1800; nothing is dated after 2200.
#: Outside these, arithmetic such as "the day after" could leave the range a database can hold.
FIRST_YEAR = 1800
LAST_YEAR = 2200

DATE_HINT = "a date like 2025-03-15"
MOMENT_HINT = "a date like 2025-03-15 or 2025-03-15T09:30"

# --- text -----------------------------------------------------------------------------------

#: Characters no text field holds: C0 and C1 controls, DEL, and lone surrogates (what Python makes
#: of undecodable bytes in command-line arguments). Multi-line text (an article, a rationale) may
#: also hold tab, line feed and carriage return.
_FORBIDDEN_SINGLE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_FORBIDDEN_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: What no database column can hold at all: PostgreSQL refuses NUL, and lone surrogates have no UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

# --- links ----------------------------------------------------------------------------------

#: The schemes a stored link may have: anything else (javascript:, data:, file:) is refused.
URL_SCHEMES = ("http", "https")
#: The longest link kept (browsers and proxies handle 2,000 characters everywhere).
MAX_URL_LENGTH = 2000
URL_HINT = "an http:// or https:// address"


def _given(name: str, raw: object) -> str:
    """How the value was typed: ``--to '2025'`` for an option (or a name in words, ``evidence URL
    'x'``), ``to='2025'`` for a parameter or field."""
    return f"{name} {raw!r}" if name.startswith("-") or " " in name else f"{name}={raw!r}"


def _shown(raw: str, limit: int = 40) -> str:
    """A typed value for a message, cut short: a megabyte of digits is named, not repeated."""
    return raw if len(raw) <= limit else f"{raw[:limit]}… ({len(raw):,} characters)"


# --- integers -------------------------------------------------------------------------------


def id_in_range(value: int) -> bool:
    """Whether ``value`` can be the id of a row (1 to :data:`MAX_INT`)."""
    return 1 <= value <= MAX_INT


def require_id(value: int, what: str) -> int:
    """``value`` if it can be an id; otherwise NotFoundError "no <what> with id <value>".

    For lookups by an id that already is an integer (a URL path, a CLI argument): an id the database
    cannot hold names no row, and must not reach the database, which would fail on it.
    """
    if not id_in_range(value):
        raise NotFoundError(f"no {what} with id {_shown(str(value))}")
    return value


def parse_int(
    raw: str | int | None, name: str, *, minimum: int = 0, maximum: int = MAX_INT, what: str = "a number"
) -> int | None:
    """``raw`` as a whole number from ``minimum`` to ``maximum`` (None when empty); InputError naming
    ``name`` otherwise. Digits only (no sign, spaces inside, underscores or other numerals)."""
    if raw is None:
        return None
    if isinstance(raw, int):
        value = raw
        text = str(raw)
    else:
        text = raw.strip()
        if not text:
            return None
        # str.isdigit accepts other scripts' digits and int() accepts "1_000": neither is an id.
        if not (text.isascii() and text.isdigit()):
            raise InputError(f"{_given(name, _shown(text))} is not {what}")
        if len(text) > len(str(maximum)):
            raise InputError(f"{_given(name, _shown(text))} is out of range ({minimum} to {maximum:,})")
        value = int(text)
    if not minimum <= value <= maximum:
        shown: object = raw if isinstance(raw, int) and len(text) <= len(str(maximum)) else _shown(text)
        raise InputError(f"{_given(name, shown)} is out of range ({minimum} to {maximum:,})")
    return value


def parse_id(raw: str | int | None, name: str, what: str = "an id") -> int | None:
    """``raw`` as a row id (1 to :data:`MAX_INT`), None when empty; InputError naming ``name`` otherwise."""
    return parse_int(raw, name, minimum=1, what=what)


# --- dates ----------------------------------------------------------------------------------


def _in_range(value: dt.date, name: str, raw: object) -> None:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise InputError(f"{_given(name, raw)} is outside the years {FIRST_YEAR}-{LAST_YEAR}")


def check_day(value: dt.date | None, name: str) -> dt.date | None:
    """``value`` if within the accepted years (a date given as a date, e.g. by a form or the API)."""
    if value is not None:
        _in_range(value, name, value.isoformat())
    return value


def check_moment(value: dt.datetime | None, name: str) -> dt.datetime | None:
    """``value`` if within the accepted years and timezone-aware; InputError otherwise."""
    if value is None:
        return None
    _in_range(value.date(), name, value.isoformat())
    if value.tzinfo is None:
        raise InputError(f"{_given(name, value.isoformat())} has no time zone")
    return value


def parse_day(raw: str | None, name: str) -> dt.date | None:
    """``raw`` as a calendar day (None when empty); InputError naming ``name`` when malformed."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise InputError(f"{_given(name, _shown(raw))} is not {DATE_HINT}") from None
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
        raise InputError(f"{_given(name, _shown(raw))} is not {MOMENT_HINT}") from None
    _in_range(moment.date(), name, raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def start_of(day: dt.date | None) -> dt.datetime | None:
    """The first moment (UTC) of ``day``."""
    return None if day is None else dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


# --- text -----------------------------------------------------------------------------------


def control_character(value: str, *, multiline: bool = False) -> tuple[int, str] | None:
    """The position and character of the first character ``value`` may not hold, or None."""
    found = (_FORBIDDEN_MULTILINE if multiline else _FORBIDDEN_SINGLE_LINE).search(value)
    return None if found is None else (found.start(), found.group())


def check_text(
    value: str | None, name: str, *, multiline: bool = False, max_length: int | None = None
) -> str | None:
    """``value`` unchanged if it holds no control character (tab and line breaks allowed when
    ``multiline``) and is at most ``max_length`` characters; InputError naming ``name`` otherwise."""
    if value is None:
        return None
    found = control_character(value, multiline=multiline)
    if found is not None:
        at, char = found
        what = "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"
        if "\ud800" <= char <= "\udfff":
            what = "bytes that are not UTF-8"
        raise InputError(f"{name} contains {what} (at position {at + 1}); remove it and try again")
    if max_length is not None and len(value) > max_length:
        raise InputError(f"{name} is longer than {max_length:,} characters ({len(value):,})")
    return value


def refuse_unstorable_text(session: Session, _flush: Any, _instances: Any) -> None:
    """Before every flush: InputError naming the row and field when a text value a change brings
    could not be stored (a NUL, a lone surrogate, a control character other than tab and line breaks
    in a short field, or more characters than the column holds).

    The floor under every entry point's own checks: whatever path a value took (a form, the CLI, the
    API, a service deriving it), the database never sees it and answers with an error of its own.
    Long text columns (an article, a rationale) are only checked for what no database can hold.
    """
    for row in (*session.new, *session.dirty):
        state = inspect_row(row)
        # New rows: every value given; changed rows: only the fields that changed.
        keys = state.dict.keys() if row in session.new else state.committed_state.keys()
        for column_attr in state.mapper.column_attrs:
            if column_attr.key not in keys:
                continue
            name = f"the {state.mapper.class_.__name__.lower()}'s {column_attr.key.replace('_', ' ')}"
            _check_stored(column_attr.columns[0].type, state.dict.get(column_attr.key), name)


def check_row(table: Table, values: Mapping[str, object], what: str) -> None:
    """The check :func:`refuse_unstorable_text` makes before a flush, for a row that goes in by a
    Core insert of ``table`` (an ingest's sentences and claims, which no flush sees): InputError
    naming ``what`` and the field when a text value could not be stored."""
    # This runs for every sentence and claim an ingest stores: one pass over the text columns the
    # row has, a regular expression each, and the full check (with its message) only on a hit.
    for key, length, pattern in _text_columns(table):
        value = values.get(key)
        if type(value) is str and (
            pattern.search(value) is not None or (length is not None and len(value) > length)
        ):
            _check_stored(table.c[key].type, value, f"{what}'s {key.replace('_', ' ')}")


_TEXT_COLUMNS: dict[Table, list[tuple[str, int | None, re.Pattern[str]]]] = {}


def _text_columns(table: Table) -> list[tuple[str, int | None, re.Pattern[str]]]:
    """``table``'s text columns as (name, length or None, what may not be in it), as
    :func:`_check_stored` checks them."""
    found = _TEXT_COLUMNS.get(table)
    if found is None:
        found = []
        for column in table.c:
            kind = column.type
            if not isinstance(kind, String):
                continue
            if isinstance(kind, Text) or kind.length is None:
                found.append((column.key, None, _UNSTORABLE))
            else:
                found.append((column.key, kind.length, _FORBIDDEN_MULTILINE))
        _TEXT_COLUMNS[table] = found
    return found


def _check_stored(column_type: object, value: object, name: str) -> None:
    if not isinstance(value, str) or not isinstance(column_type, String):
        return
    if isinstance(column_type, Text) or column_type.length is None:
        found = _UNSTORABLE.search(value)
        if found is not None:
            check_text(found.group(), name)  # raises, naming the character
    else:
        check_text(value, name, multiline=True, max_length=column_type.length)


# --- links ----------------------------------------------------------------------------------


def is_http_url(value: object) -> bool:
    """Whether ``value`` is an absolute http(s) address: the only links factdb renders clickable."""
    if not isinstance(value, str) or control_character(value) is not None or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return False
    return parts.scheme.lower() in URL_SCHEMES and bool(parts.netloc)


def check_url(value: str | None, name: str) -> str | None:
    """``value`` trimmed (None when empty) if it is an http(s) address of at most
    :data:`MAX_URL_LENGTH` characters; InputError naming ``name`` otherwise."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    check_text(value, name)
    if len(value) > MAX_URL_LENGTH:
        raise InputError(f"{name} is longer than {MAX_URL_LENGTH:,} characters")
    if not is_http_url(value):
        raise InputError(f"{_given(name, _shown(value, 80))} must be {URL_HINT}")
    return value
