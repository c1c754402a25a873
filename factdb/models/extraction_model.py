"""Learned attribution models, stored versioned so every web worker and command sees the active one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column

from factdb.db import Base, UTCDateTime, utcnow


class ExtractionModel(Base):
    """One trained version of a named tagger: its weights, what it learned from, how it scored.

    ``fingerprint`` is a digest of the training sentences and labels (the same data gives the same
    fingerprint); ``training`` says where they came from; ``dev_scores`` are its scores on the
    development gold given at training, rules alone beside hybrid. At most one version is
    ``active``: ingest and extraction use it, or the rules alone when none is.
    """

    __tablename__ = "extraction_models"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20), server_default="crf")
    weights: Mapped[bytes] = mapped_column(LargeBinary)
    fingerprint: Mapped[str] = mapped_column(String(64))
    training: Mapped[dict[str, Any]] = mapped_column(JSON)
    dev_scores: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    active: Mapped[bool] = mapped_column(server_default=false(), default=False, index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))

    @property
    def label(self) -> str:
        """``name@version``, how commands name one version."""
        return f"{self.name}@{self.version}"
