"""Full-text search over claims and their sentences, one expression for every database.

``claim_text_matches(words, statuses)`` is a boolean SQL expression over ``claims``: on SQLite an FTS5
``MATCH`` on ``claims_search`` (one row per claim: its sentence's words and a status token, so a search
within a status is answered by the index alone); on PostgreSQL ``to_tsvector('simple', ...) @@
plainto_tsquery('simple', ...)`` over sentences (GIN-indexed). Both are made by migration 0003; factdb
supports no other database. Every word must appear in the claim's sentence; words match whole,
ignoring case (and accents on SQLite). A claim's content is always a span of its sentence, so
searching sentence words finds claims by their content as well.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Boolean, Integer, bindparam, column, literal_column, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from factdb.enums import ClaimStatus

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    """The words of a search box entry (punctuation and operators dropped)."""
    return _WORD.findall(text)


def fts5_query(text: str, statuses: Sequence[ClaimStatus] = ()) -> str:
    """An FTS5 query on ``claims_search``: every word in the body, each quoted so no word acts as an
    operator, and, if ``statuses`` are given, one of their status tokens."""
    query = " AND ".join(f'body:"{word}"' for word in search_words(text))
    if statuses:
        query += " AND (" + " OR ".join(f"status:st{status.value}" for status in statuses) + ")"
    return query


def status_lexeme(status: ClaimStatus) -> str:
    """The lexeme PostgreSQL's ``claims_search.words`` holds for a claim's status (migration 0005).

    It has a space, which the text-search parser never leaves in a lexeme: no word can pass for it."""
    return f"status {status.value}"


def tsquery_of_statuses(statuses: Sequence[ClaimStatus]) -> str:
    """A tsquery (in tsquery syntax) matching claims in any of ``statuses``."""
    return " | ".join(f"'{status_lexeme(status)}'" for status in statuses)


class ClaimTextMatch(ColumnElement[bool]):
    """True for claims whose content or sentence contains every word searched for."""

    inherit_cache = True
    type = Boolean()
    # It is a predicate (an IN test): without this SQLAlchemy writes "(...) = 1" on SQLite, which
    # hides the IN from the planner and turns the search into a scan of every claim.
    _is_implicitly_boolean = True
    _traverse_internals = [
        ("fts5", InternalTraversal.dp_clauseelement),
        ("plain", InternalTraversal.dp_clauseelement),
        ("status_query", InternalTraversal.dp_clauseelement),
        ("narrowed", InternalTraversal.dp_boolean),  # the SQL differs, not only its values
    ]

    def __init__(self, text: str, statuses: Sequence[ClaimStatus] = ()) -> None:
        self.narrowed = bool(statuses)
        self.fts5: BindParameter[str] = bindparam("fts5_query", fts5_query(text, statuses), unique=True)
        self.plain: BindParameter[str] = bindparam("search_text", " ".join(search_words(text)), unique=True)
        self.status_query: BindParameter[str] = bindparam(
            "status_query", tsquery_of_statuses(statuses), unique=True
        )


def claim_text_matches(text: str, statuses: Sequence[ClaimStatus] = ()) -> ClaimTextMatch:
    """The search condition for ``text``, optionally narrowed to claims now in one of ``statuses``
    (callers keep their own status condition too; on SQLite this lets the index do the narrowing)."""
    return ClaimTextMatch(text, statuses)


# An IN over the search hits: the planners drive the query from the hits instead of scanning
# claims in id order.


@compiles(ClaimTextMatch, "sqlite")
def _sqlite(element: ClaimTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    q = compiler.process(element.fts5, **kw)  # a bound parameter's placeholder, never the text itself
    return f"claims.id IN (SELECT rowid FROM claims_search WHERE claims_search MATCH {q})"


@compiles(ClaimTextMatch, "postgresql")
def _postgresql(element: ClaimTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    q = f"plainto_tsquery('simple', {compiler.process(element.plain, **kw)})"  # a bound parameter
    condition = f"claims_search.words @@ {q}"
    if element.narrowed:
        # A second condition on the same GIN index: PostgreSQL intersects the two in one index scan.
        condition += (
            f" AND claims_search.words @@ CAST({compiler.process(element.status_query, **kw)} AS tsquery)"
        )
    return f"claims.id IN (SELECT claims_search.claim_id FROM claims_search WHERE {condition})"


#: SQLite's search index (migration 0003) as a table to select from: its rowid is the claim's id.
SQLITE_SEARCH_INDEX = table("claims_search", column("rowid", Integer()))


def sqlite_index_match(text: str, statuses: Sequence[ClaimStatus] = ()) -> ColumnElement[bool]:
    """SQLite: the search condition on :data:`SQLITE_SEARCH_INDEX` itself, for a select of its rows
    (which FTS5 gives in rowid order, either way, and stops reading at a LIMIT)."""
    query: BindParameter[str] = bindparam("fts5_query", fts5_query(text, statuses), unique=True)
    return literal_column("claims_search").op("MATCH", is_comparison=True)(query)
