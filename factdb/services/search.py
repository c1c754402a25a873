"""Full-text search over claims and their sentences, one expression for every database.

``claim_text_matches(words)`` is a boolean SQL expression over ``claims``: FTS5 ``MATCH`` on SQLite,
``to_tsvector('simple', ...) @@ plainto_tsquery('simple', ...)`` on PostgreSQL (both indexed by
migration 0003); factdb supports no other database. Every word must appear in the claim's sentence;
words match whole, ignoring case (and accents on SQLite). A claim's content is always a span of its
sentence, so searching sentences finds claims by their content as well, with one index instead of two.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Boolean, bindparam
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

_WORD = re.compile(r"\w+", re.UNICODE)


def search_words(text: str) -> list[str]:
    """The words of a search box entry (punctuation and operators dropped)."""
    return _WORD.findall(text)


def fts5_query(text: str) -> str:
    """An FTS5 query requiring every word, each quoted so no word acts as an operator."""
    return " ".join(f'"{word}"' for word in search_words(text))


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
    ]

    def __init__(self, text: str) -> None:
        self.fts5: BindParameter[str] = bindparam("fts5_query", fts5_query(text), unique=True)
        self.plain: BindParameter[str] = bindparam("search_text", " ".join(search_words(text)), unique=True)


def claim_text_matches(text: str) -> ClaimTextMatch:
    """The search condition for ``text`` (see the module docstring)."""
    return ClaimTextMatch(text)


# An IN over the search hits: the planners drive the query from the hits (index lookups of
# claims by sentence) instead of scanning claims in id order.


@compiles(ClaimTextMatch, "sqlite")
def _sqlite(element: ClaimTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    q = compiler.process(element.fts5, **kw)  # a bound parameter's placeholder, never the text itself
    return f"claims.sentence_id IN (SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH {q})"


@compiles(ClaimTextMatch, "postgresql")
def _postgresql(element: ClaimTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    q = f"plainto_tsquery('simple', {compiler.process(element.plain, **kw)})"  # a bound parameter
    # = ANY(ARRAY(...)) makes PostgreSQL read the hits from the GIN index first; as a semi-join it
    # may instead walk claims backwards and compute to_tsvector for every row it passes.
    return (
        "claims.sentence_id = ANY (ARRAY(SELECT sentences.id FROM sentences "
        f"WHERE to_tsvector('simple', sentences.text) @@ {q}))"
    )
