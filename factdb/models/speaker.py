"""Speakers and the alias registry that maps names in text to them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Float, ForeignKey, String, UniqueConstraint, false, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from factdb.db import Base, UTCDateTime, utcnow
from factdb.enums import SpeakerKind, SuggestionStatus
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
    #: Where variants of one name meet ("Russia's Defence Ministry" = "Russian Ministry of Defense"),
    #: see ``factdb.services.speaker_names.name_key``; not unique, an editor may keep two apart.
    name_key: Mapped[str] = mapped_column(String(300), index=True, server_default="", default="")

    speaker: Mapped[Speaker] = relationship(back_populates="aliases")
    grams: Mapped[list[SpeakerAliasGram]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class SpeakerAliasGram(Base):
    """A search gram of an alias's name key (see ``factdb.services.speaker_names.name_grams``):
    the speakers a new name may be are found by these, through the primary key's index."""

    __tablename__ = "speaker_alias_grams"

    gram: Mapped[str] = mapped_column(String(40), primary_key=True)
    alias_id: Mapped[int] = mapped_column(
        ForeignKey("speaker_aliases.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class SpeakerMergeSuggestion(Base):
    """Two speakers factdb thinks may be one, for an editor to merge or to mark "not the same".

    The pair is stored once, lower id first. A rejected pair stays, so it is never proposed again.
    """

    __tablename__ = "speaker_merge_suggestions"
    __table_args__ = (
        UniqueConstraint("speaker_id", "other_id"),
        CheckConstraint("speaker_id < other_id", name="ordered_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    speaker_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"))
    other_id: Mapped[int] = mapped_column(ForeignKey("speakers.id", ondelete="CASCADE"), index=True)
    score: Mapped[float] = mapped_column(Float)
    reason: Mapped[str] = mapped_column(String(300))
    status: Mapped[SuggestionStatus] = mapped_column(
        enum_column(SuggestionStatus, "suggestion_status"),
        server_default=SuggestionStatus.PENDING.value,
        default=SuggestionStatus.PENDING,
        index=True,
    )
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, server_default=func.now())
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("editors.id", ondelete="SET NULL"))

    speaker: Mapped[Speaker] = relationship(foreign_keys=[speaker_id])
    other: Mapped[Speaker] = relationship(foreign_keys=[other_id])
