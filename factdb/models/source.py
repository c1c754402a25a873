"""Ingested documents and their sentences."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime, utcnow
from factdb.enums import SentenceKind
from factdb.models._types import enum_column

if TYPE_CHECKING:
    from factdb.models.editor import Editor


class Source(Base):
    """A document that was ingested (an article); ``outlet`` is who published it.

    ``sha256`` is over the stored text, so the same article cannot be ingested twice.
    """

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    outlet: Mapped[str | None] = mapped_column(String(200), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    ingested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    ingested_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))

    ingested_by: Mapped[Editor | None] = relationship()
    sentences: Mapped[list[Sentence]] = relationship(
        back_populates="source", order_by="Sentence.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Source {self.id} {self.title!r}>"


class Sentence(Base):
    """A span of a source (``text[char_start:char_end]``), in reading order."""

    __tablename__ = "sentences"
    __table_args__ = (
        UniqueConstraint("source_id", "position"),
        CheckConstraint("char_start >= 0 AND char_end > char_start", name="span"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    position: Mapped[int]
    char_start: Mapped[int]
    char_end: Mapped[int]
    kind: Mapped[SentenceKind] = mapped_column(enum_column(SentenceKind, "sentence_kind"))
    # A copy of the span, so lists and search need not load whole articles.
    text: Mapped[str] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="sentences")


Index("ix_sentences_source_id", Sentence.source_id)
