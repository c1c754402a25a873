"""Full-text search over claim content and sentence text, one expression for every database.

``claim_text_matches(words)`` is a boolean SQL expression over ``claims``: FTS5 ``MATCH`` on SQLite,
``to_tsvector('simple', ...) @@ plainto_tsquery('simple', ...)`` on PostgreSQL (both indexed by
migration 0003); factdb supports no other database. Every word must appear (in the claim or in
its sentence); words match whole, ignoring case (and accents on SQLite).
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


@compiles(ClaimTextMatch, "sqlite")
def _sqlite(element: ClaimTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    q = compiler.process(element.fts5, **kw)  # a bound parameter's placeholder, never the text itself
    return (
        f"(claims.id IN (SELECT rowid FROM claims_fts WHERE claims_fts MATCH {q}) OR claims.sentence_id IN "
        f"(SELECT rowid FROM sentences_fts WHERE sentences_fts MATCH {q}))"
    )


@compiles(ClaimTextMatch, "postgresql")
def _postgresql(element: ClaimTextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    q = f"plainto_tsquery('simple', {compiler.process(element.plain, **kw)})"  # a bound parameter
    return (
        f"(to_tsvector('simple', claims.content) @@ {q} OR claims.sentence_id IN "
        f"(SELECT sentences.id FROM sentences WHERE to_tsvector('simple', sentences.text) @@ {q}))"
    )
