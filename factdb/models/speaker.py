"""Speakers and the alias registry that maps names in text to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime, utcnow
from factdb.enums import SpeakerKind
from factdb.models._types import enum_column


class Speaker(Base):
    """A person, organization, group, country or publication that makes claims.

    ``affiliation`` is the speaker this one speaks for (Peskov for the Kremlin).
    ``needs_review`` marks speakers the extractor created, until an editor checks them.
    """

    __tablename__ = "speakers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[SpeakerKind] = mapped_column(enum_column(SpeakerKind, "speaker_kind"))
    role: Mapped[str | None] = mapped_column(String(300))
    affiliation_id: Mapped[int | None] = mapped_column(
        ForeignKey("speakers.id", ondelete="SET NULL"), index=True
    )
    needs_review: Mapped[bool] = mapped_column(server_default=false(), default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())

    affiliation: Mapped[Speaker | None] = relationship(remote_side=[id])
    aliases: Mapped[list[SpeakerAlias]] = relationship(
        back_populates="speaker", cascade="all, delete-orphan", order_by="SpeakerAlias.alias"
    )

    def __repr__(self) -> str:
        return f"<Speaker {self.id} {self.name!r}>"


class SpeakerAlias(Base):
    """A name that denotes a speaker; ``normalized`` (see ``normalize_alias``) is unique."""

    __tablename__ = "speaker_aliases"

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(300))
    normalized: Mapped[str] = mapped_column(String(300), unique=True)

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")
