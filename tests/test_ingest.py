"""Ingesting articles: what is stored, what is refused, and that a refusal stores nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SentenceKind, SpeakerKind
from factdb.errors import DuplicateSourceError, InputError, PermissionDeniedError
from factdb.models import AuditEvent, Claim, Editor, Sentence, Source, Speaker
from factdb.services.ingest import decode_article, ingest_text, read_article
from factdb.services.speakers import create_speaker


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_sample_article_sentences_and_speakers(db_session: Session, editor: Editor, sample_text: str) -> None:
    result = ingest_text(db_session, editor, sample_text, title="Kursk", outlet="Sample Wire")
    sentences = db_session.scalars(
        select(Sentence).where(Sentence.source_id == result.source.id).order_by(Sentence.position)
    ).all()
    assert len(sentences) == 26
    assert [s.position for s in sentences if s.kind is SentenceKind.HEADING] == [0, 10, 19]
    for sentence in sentences:
        assert sample_text[sentence.char_start : sentence.char_end] == sentence.text
    names = set(db_session.scalars(select(Speaker.name).join(Claim, Claim.speaker_id == Speaker.id)).all())
    assert {"Russian Defense Ministry", "Dmitry Peskov", "Volodymyr Zelensky"} <= names
    peskov = db_session.scalars(select(Speaker).where(Speaker.name == "Dmitry Peskov")).one()
    assert peskov.needs_review
    assert peskov.affiliation is not None and peskov.affiliation.name == "Kremlin"
    # Every statement yields at least one claim; headings none.
    claimed = set(db_session.scalars(select(Claim.sentence_id)).all())
    assert claimed == {s.id for s in sentences if s.kind is SentenceKind.STATEMENT}
    for claim in db_session.scalars(select(Claim)):
        assert claim.status is ClaimStatus.UNVERIFIED and claim.version == 1
        assert sample_text[claim.content_start : claim.content_end] == claim.content
    publication = db_session.scalars(select(Speaker).where(Speaker.name == "Sample Wire")).one()
    assert publication.kind is SpeakerKind.PUBLICATION
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "source.ingest")).one()
    assert event.actor == "eddie" and event.entity_id == result.source.id
    assert event.after is not None and event.after["sentences"] == 26


def test_known_alias_resolves_to_existing_speaker(
    db_session: Session, editor: Editor, sample_text: str
) -> None:
    zelenskyy = create_speaker(
        db_session,
        editor,
        name="Volodymyr Zelenskyy",
        kind=SpeakerKind.PERSON,
        aliases=("Volodymyr Zelensky",),
    )
    ingest_text(db_session, editor, sample_text, title="Kursk")
    his = db_session.scalars(select(Claim).where(Claim.speaker_id == zelenskyy.id)).all()
    assert len(his) >= 3
    assert not db_session.scalars(select(Speaker).where(Speaker.name == "Volodymyr Zelensky")).all()


def test_same_text_twice_is_refused_naming_the_source(
    db_session: Session, editor: Editor, sample_text: str
) -> None:
    first = ingest_text(db_session, editor, sample_text, title="Kursk")
    before = (_count(db_session, Source), _count(db_session, Claim), _count(db_session, AuditEvent))
    with pytest.raises(DuplicateSourceError, match=f"#{first.source.id}.*Kursk"):
        ingest_text(db_session, editor, sample_text, title="Again")
    assert (_count(db_session, Source), _count(db_session, Claim), _count(db_session, AuditEvent)) == before


def test_viewer_cannot_ingest(db_session: Session, viewer: Editor) -> None:
    with pytest.raises(PermissionDeniedError, match="viewer"):
        ingest_text(db_session, viewer, "Officials said it rained.", title="Rain")
    assert _count(db_session, Source) == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"  \n\t \n", "is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Café".encode("latin-1"), "not valid UTF-8"),
        (b"x" * 101, "over the limit of 100 bytes"),
    ],
)
def test_bad_bytes_are_refused_with_the_reason(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message) as info:
        decode_article(data, "upload.txt", max_bytes=100)
    assert str(info.value).startswith("upload.txt: ")


def test_windows_line_endings_and_bom_are_normalised() -> None:
    assert decode_article(b"\xef\xbb\xbfHeadline\r\nA sentence.\r\n", "a.txt", max_bytes=100) == (
        "Headline\nA sentence.\n"
    )


def test_read_article_names_missing_files_and_directories(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_article(tmp_path / "missing.txt", max_bytes=100)
    with pytest.raises(InputError, match="is a directory"):
        read_article(tmp_path, max_bytes=100)
    big = tmp_path / "big.txt"
    big.write_text("a" * 200)
    with pytest.raises(InputError, match="over the limit"):
        read_article(big, max_bytes=100)
