"""Ingesting articles: what is stored, what is refused, and that a refusal stores nothing."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, SpeakerKind
from factdb.errors import DuplicateSourceError, InputError, PermissionDeniedError
from factdb.extract import Extraction
from factdb.models import AuditEvent, Claim, Editor, Sentence, Source, Speaker
from factdb.services.articles import decode_article, read_article
from factdb.services.ingest import MENTION_MAX, ingest_text
from factdb.services.speakers import create_speaker
from factdb.services.validation import check_row
from tests.handmade import Said, handmade, ingest_sample


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_sample_article_sentences_and_speakers(
    db_session: Session, editor: Editor, sample_text: str, sample_extraction: Extraction
) -> None:
    # Ingest stores exactly the extraction it is given, faithfully (what the engine finds is
    # tests/extract's business). The gold claims, with an affiliation stated here for one speaker.
    peskov = next(c for c in sample_extraction.claims if c.speaker and c.speaker.name == "Dmitry Peskov")
    assert peskov.speaker is not None
    kremlin = replace(peskov.speaker, affiliation="Kremlin", affiliation_kind=SpeakerKind.ORGANIZATION)
    extraction = replace(
        sample_extraction,
        claims=[
            replace(c, speaker=kremlin) if c.speaker == peskov.speaker else c
            for c in sample_extraction.claims
        ],
    )
    result = ingest_text(
        db_session, editor, sample_text, title="Kursk", outlet="Sample Wire", extraction=extraction
    )
    sentences = db_session.scalars(
        select(Sentence).where(Sentence.source_id == result.source.id).order_by(Sentence.position)
    ).all()
    assert [(s.char_start, s.char_end, s.kind) for s in sentences] == [
        (s.start, s.end, s.kind) for s in extraction.sentences
    ]
    for sentence in sentences:
        assert sample_text[sentence.char_start : sentence.char_end] == sentence.text
    stored_claims = db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)).all()
    assert sorted(
        (c.content_start, c.content_end, c.mention_text, c.cue, c.stance) for c in stored_claims
    ) == sorted((c.content_start, c.content_end, c.mention, c.cue, c.stance) for c in extraction.claims)
    names = set(db_session.scalars(select(Speaker.name).join(Claim, Claim.speaker_id == Speaker.id)).all())
    # The article's own statements (no speaker named) are the outlet's.
    assert names == {c.speaker.name if c.speaker else "Sample Wire" for c in extraction.claims}
    # A speaker with an affiliation is stored with it, and new speakers wait for an editor's review.
    stored = db_session.scalars(select(Speaker).where(Speaker.name == "Dmitry Peskov")).one()
    assert stored.needs_review and stored.role == "Kremlin spokesman"
    assert stored.affiliation is not None and stored.affiliation.name == "Kremlin"
    assert stored.affiliation.kind is SpeakerKind.ORGANIZATION
    for claim in db_session.scalars(select(Claim)):
        assert claim.status is ClaimStatus.UNVERIFIED and claim.version == 1
        assert sample_text[claim.content_start : claim.content_end] == claim.content
    publication = db_session.scalars(select(Speaker).where(Speaker.name == "Sample Wire")).one()
    assert publication.kind is SpeakerKind.PUBLICATION
    event = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "source.ingest")).one()
    assert event.actor == "eddie" and event.entity_id == result.source.id
    assert event.after is not None and event.after["sentences"] == len(extraction.sentences)
    assert event.after["claims"] == len(extraction.claims)


def test_known_alias_resolves_to_existing_speaker(
    db_session: Session, editor: Editor, sample_extraction: Extraction
) -> None:
    # A person the article names, known beforehand under another spelling.
    found = [
        c.speaker.name for c in sample_extraction.claims if c.speaker and c.speaker.kind is SpeakerKind.PERSON
    ]
    name = max(set(found), key=found.count)
    known = create_speaker(
        db_session, editor, name=f"{name} (known)", kind=SpeakerKind.PERSON, aliases=(name,)
    )
    ingest_sample(db_session, editor, title="Kursk")
    his = db_session.scalars(select(Claim).where(Claim.speaker_id == known.id)).all()
    assert len(his) == found.count(name) > 1
    assert not db_session.scalars(select(Speaker).where(Speaker.name == name)).all()


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


def test_reads_stop_at_the_limit_whatever_size_the_file_claims() -> None:
    # Files under /proc claim a size of 0 and hold more.
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0
    with pytest.raises(InputError, match="over the limit of 64 bytes"):
        read_article(status, max_bytes=64)


def test_stray_tags_in_plain_text_are_kept_and_web_pages_become_text() -> None:
    plain = "Vote counted\nThe council said the vote passed. <tweet id=1>It passed.</tweet>\n"
    assert decode_article(plain.encode(), "a.txt", max_bytes=10_000) == plain
    page = "<p>The council said on Monday that the vote had passed by seven votes to two.</p>" * 12
    text = decode_article(page.encode(), "page.html", max_bytes=10_000)
    assert "<" not in text and "The council said on Monday" in text


def test_a_mention_longer_than_its_column_is_cut_and_its_span_kept(
    db_session: Session, editor: Editor
) -> None:
    # Stored by a bulk insert that no flush sees: cut to the column, never an error of the database.
    mention = "The spokeswoman of " + "the joint harbour and ferry committee " * 10
    text = f"Harbour news\n{mention}said that the ferry would sail on Monday.\n"
    extraction = handmade(
        text,
        Said(
            mention=mention.strip(),
            cue="said",
            content="the ferry would sail on Monday",
            speaker="Ann Example",
        ),
    )
    result = ingest_text(db_session, editor, text, title="Harbour", extraction=extraction)
    claim = db_session.scalars(
        select(Claim).where(Claim.source_id == result.source.id, Claim.cue == "said")
    ).one()
    assert claim.mention_text == mention.strip()[:MENTION_MAX]
    assert claim.mention_start is not None and claim.mention_end is not None
    assert text[claim.mention_start : claim.mention_end] == mention.strip()


def test_bulk_rows_get_the_check_of_flushed_rows() -> None:
    claims = cast(Table, Claim.__table__)
    check_row(claims, {"cue": "said", "content": "fine"}, "a claim")
    with pytest.raises(InputError, match="a claim's cue is longer than 100"):
        check_row(claims, {"cue": "x" * 101}, "a claim")
    with pytest.raises(InputError, match="a claim's content contains a NUL"):
        check_row(claims, {"content": "bad\x00"}, "a claim")
