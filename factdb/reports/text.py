"""Small helpers shared by the writers: CSV rows that stream, formula neutralising, JSON values."""

from __future__ import annotations

import csv
import datetime as dt
import enum
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from factdb.services.audit import json_value

# OWASP's CSV-injection advice: a cell a spreadsheet would run as a formula starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: Rows written per chunk handed to the caller (a file or an HTTP response).
ROWS_PER_CHUNK = 500


def neutralise(value: str) -> str:
    """Prefix a cell that a spreadsheet would evaluate with a single quote, so it is shown as text."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def cell(value: Any) -> Any:
    """A value as a safe CSV cell: text neutralised, dates in ISO 8601, enums by value, None empty."""
    kind = type(value)
    if kind is str:  # the common case first: exports are mostly text
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if value is None:
        return ""
    if kind is int or kind is bool:
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, str):
        return neutralise(value)
    return value


def csv_dict_chunks(
    header: Sequence[str], rows: Iterable[Mapping[str, Any]], *, bom: bool = False
) -> Iterator[str]:
    """Like :func:`csv_chunks` with each row a mapping from column name to value, so a row cannot
    put a value under the wrong column. A row must name exactly the header's columns."""
    columns = set(header)

    def ordered(row: Mapping[str, Any]) -> list[Any]:
        if row.keys() != columns:
            raise ValueError(f"CSV row columns {sorted(row)} are not the header's {sorted(columns)}")
        return [cell(row[name]) for name in header]

    return csv_chunks(header, (ordered(row) for row in rows), bom=bom, prepared=True)


def csv_chunks(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False, prepared: bool = False
) -> Iterator[str]:
    """RFC 4180 CSV (CRLF line ends, quotes doubled) as text chunks.

    Cells pass through :func:`cell`, unless ``prepared`` says the caller already made every cell
    safe (text neutralised, None left to the csv module, which writes it as an empty cell).
    Prefer :func:`csv_dict_chunks`; this positional form is for the one hot path that builds its
    cells by column name itself (the claims CSV).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(header)
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row if prepared else [cell(v) for v in row])
        if len(batch) == ROWS_PER_CHUNK:
            writer.writerows(batch)
            batch.clear()
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    writer.writerows(batch)
    yield buffer.getvalue()


def dumps(obj: Any) -> str:
    """Compact JSON keeping non-Latin text readable."""
    return json.dumps(obj, ensure_ascii=False, default=json_value)


def json_array_chunks(items: Iterable[Any], *, indent: bool = False) -> Iterator[str]:
    """A JSON array written item by item (valid JSON, never held whole in memory)."""
    separator = ",\n" if indent else ","
    first = True
    yield "["
    for item in items:
        yield ("\n" if first else separator) + dumps(item)
        first = False
    yield "\n]\n" if not first else "]\n"


def jsonl_chunks(items: Iterable[Any]) -> Iterator[str]:
    """JSON Lines: one object per line."""
    for item in items:
        yield dumps(item) + "\n"
