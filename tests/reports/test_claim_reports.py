"""Claim reports against a real database: round trips, filters, empty results, ClaimReview, escaping."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.enums import ClaimStatus, EvidenceStance, RelationKind, SpeakerKind, Stance
from factdb.models import Claim, Editor, Source
from factdb.reports.claims import CLAIM_FORMATS, ReportOptions, claim_report, short_claim
from factdb.reports.text import FORMULA_STARTS
from factdb.services import claims as claim_service
from factdb.services import speakers as speaker_service
from factdb.services.claims import EvidenceInput
from factdb.services.ingest import ingest_text
from factdb.services.queries import ClaimFilter
from tests.handmade import Said, handmade, ingest_sample

TRICKY = [
    'The ministry said that prices rose by 5%, "sharply", in March.',
    "The mayor said that the bridge,\nwhich had closed, reopened.",
    "Представитель Кремля Дмитрий Песков заявил, что переговоры продолжаются.",
    "الوزير قال إن المحادثات مستمرة.",
    '=HYPERLINK("http://evil.example","click")',
    "+1 said the bot that the poll was rigged.",
    "-2 degrees, the forecaster said, is normal.",
    "@channel The spokesman said that all is well.",
]
RATIONALES = ["=1+1", 'Quote: "no", comma, and\nnewline', "Кириллица и 中文", "-minus start", "@at", "\tTab"]


def _read(fmt: str, session: Session, claim_filter: ClaimFilter, **options: object) -> str:
    report = claim_report(session, claim_filter, fmt, ReportOptions(**options))  # type: ignore[arg-type]
    return "".join(report.chunks())


def _unneutralise(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


@pytest.fixture
def tricky(db_session: Session, editor: Editor) -> list[Claim]:
    """One claim per tricky sentence, each reviewed with a tricky rationale and evidence."""
    claims: list[Claim] = []
    for n, text in enumerate(TRICKY):
        result = ingest_text(
            db_session, editor, text, title=f"Tricky {n}, \"quoted\"", outlet="Test, Post",
            url=f"https://example.org/{n}", published_at=dt.datetime(2025, 3, 1 + n, tzinfo=dt.UTC),
        )  # fmt: skip
        claims += db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)).all()
    for n, claim in enumerate(claims):
        claim_service.change_status(
            db_session, editor, claim, ClaimStatus.DISPUTED, rationale=RATIONALES[n % len(RATIONALES)],
            evidence=[EvidenceInput(f"https://example.org/e/{n}?a=1,b=2", EvidenceStance.REFUTES, title="t")],
        )  # fmt: skip
    claim_service.relate_claims(db_session, editor, claims[0], claims[1], RelationKind.CONTRADICTS)
    db_session.flush()
    return claims


def test_csv_round_trip_equals_the_database(db_session: Session, tricky: list[Claim]) -> None:
    text = _read("csv", db_session, ClaimFilter(statuses=(ClaimStatus.DISPUTED,)))
    assert text.count("\r\n") >= len(tricky) + 1, "RFC 4180 line ends"
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [int(r["claim_id"]) for r in rows] == [c.id for c in tricky]
    for row, claim in zip(rows, tricky, strict=True):
        for key, value in row.items():
            assert not value.startswith(FORMULA_STARTS), f"{key} would run as a formula: {value!r}"
        assert _unneutralise(row["content"]) == claim.content
        assert _unneutralise(row["sentence"]) == claim.sentence.text
        assert row["speaker"] == (claim.speaker.name if claim.speaker else "")
        assert row["status"] == "disputed" and row["stance"] == claim.stance.value
        assert _unneutralise(row["rationale"]) == claim.reviews[-1].rationale
        assert row["last_review_editor"] == "eddie"
        assert row["evidence_urls"] == " ".join(e.url for e in claim.evidence)
        assert row["source_title"] == claim.source.title and row["outlet"] == "Test, Post"
        assert row["published_at"].startswith(claim.source.published_at.date().isoformat())  # type: ignore[union-attr]
        assert _unneutralise(row["mention"]) == (claim.mention_text or "")
        assert _unneutralise(row["cue"]) == (claim.cue or "") and row["url"] == claim.source.url
        assert row["speaker_kind"] == (claim.speaker.kind.value if claim.speaker else "")
        assert row["claim_url"].endswith(f"/claims/{claim.id}") and row["last_review_at"]
        assert row["channel"] == (claim.channel or "") and row["found_by"] == (claim.rule or "")
    assert rows[0]["related_claims"] == f"contradicts #{tricky[1].id}"
    assert rows[1]["related_claims"] == f"#{tricky[0].id} contradicts this"


def test_csv_bom_for_spreadsheets(db_session: Session, tricky: list[Claim]) -> None:
    assert _read("csv", db_session, ClaimFilter(), bom=True).startswith("\ufeffclaim_id,")
    assert _read("csv", db_session, ClaimFilter()).startswith("claim_id,")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_round_trip_equals_the_database(db_session: Session, tricky: list[Claim], fmt: str) -> None:
    text = _read(fmt, db_session, ClaimFilter(statuses=(ClaimStatus.DISPUTED,)))
    items = json.loads(text) if fmt == "json" else [json.loads(line) for line in text.splitlines()]
    assert [i["claim_id"] for i in items] == [c.id for c in tricky]
    for item, claim in zip(items, tricky, strict=True):
        assert item["content"] == claim.content and item["sentence"] == claim.sentence.text
        assert item["status"] == "disputed" and item["source"]["outlet"] == "Test, Post"
        assert item["last_review"]["rationale"] == claim.reviews[-1].rationale
        assert [e["url"] for e in item["evidence"]] == [e.url for e in claim.evidence]
        assert [(h["from"], h["to"], h["editor"]) for h in item["history"]] == [
            (r.from_status.value, r.to_status.value, "eddie") for r in claim.reviews
        ]
        assert item["url"].endswith(f"/claims/{claim.id}")


def test_filters_are_honoured(db_session: Session, editor: Editor, admin: Editor) -> None:
    result = ingest_sample(
        db_session, editor, title="Kursk", outlet="Wire", published_at=dt.datetime(2025, 3, 15, tzinfo=dt.UTC)
    )
    claims = list(db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)))
    peskov = speaker_service.find_by_alias(db_session, "Dmitry Peskov")
    assert peskov is not None
    # The spokesman speaks for his office: stated here, as an editor would.
    kremlin = speaker_service.create_speaker(db_session, admin, name="Kremlin", kind=SpeakerKind.ORGANIZATION)
    speaker_service.update_speaker(db_session, admin, peskov, affiliation=kremlin)
    for claim in claims:
        reviewer = admin if claim.speaker_id == peskov.id else editor
        claim_service.change_status(db_session, reviewer, claim, ClaimStatus.DISPUTED, rationale="r")

    def ids(claim_filter: ClaimFilter) -> set[int]:
        return {i["claim_id"] for i in json.loads(_read("json", db_session, claim_filter))}

    disputed = ClaimFilter(statuses=(ClaimStatus.DISPUTED,))
    peskovs = {c.id for c in claims if c.speaker_id == peskov.id}
    assert peskovs and len(peskovs) < len(claims)
    assert ids(ClaimFilter(statuses=(ClaimStatus.DISPUTED,), speaker_id=kremlin.id)) == set()
    assert (
        ids(ClaimFilter(statuses=(ClaimStatus.DISPUTED,), speaker_id=kremlin.id, include_affiliated=True))
        == peskovs
    )
    assert ids(ClaimFilter(statuses=(ClaimStatus.DISPUTED,), editor_id=admin.id)) == peskovs
    assert ids(ClaimFilter(statuses=(ClaimStatus.DISPUTED,), stance=Stance.DENIES)) == {
        c.id for c in claims if c.stance is Stance.DENIES
    }
    assert ids(ClaimFilter(statuses=(ClaimStatus.CONFIRMED,))) == set()
    assert ids(ClaimFilter(outlet="Nobody")) == set()
    assert len(ids(disputed)) == len(claims)
    assert ids(ClaimFilter(published_from=dt.date(2025, 3, 16))) == set()
    assert len(
        ids(ClaimFilter(published_from=dt.date(2025, 3, 15), published_to=dt.date(2025, 3, 15)))
    ) == len(claims)
    today = dt.datetime.now(dt.UTC).date()
    assert ids(ClaimFilter(reviewed_to=today - dt.timedelta(days=1))) == set()
    assert len(ids(ClaimFilter(reviewed_from=today, reviewed_to=today))) == len(claims)


@pytest.mark.parametrize("fmt", list(CLAIM_FORMATS))
def test_empty_result_is_a_valid_empty_file(db_session: Session, fmt: str) -> None:
    text = _read(fmt, db_session, ClaimFilter(outlet="no such outlet"))
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows == [list(rows[0])] and rows[0][0] == "claim_id"
    elif fmt in ("json", "claimreview"):
        assert json.loads(text) == []
    elif fmt == "jsonl":
        assert text == ""
    else:
        assert "outlet no such outlet" in text


def test_grouped_reports_have_summary_rationale_and_evidence(
    db_session: Session, tricky: list[Claim]
) -> None:
    for fmt in ("md", "html"):
        text = _read(fmt, db_session, ClaimFilter(statuses=(ClaimStatus.DISPUTED,)))
        assert "Disputed claims" in text and "status disputed" in text and "Generated" in text
        assert "https://example.org/e/0?a=1,b=2" in text
        assert text.count("Claim report") == 0


def test_markdown_and_html_escape_user_text(db_session: Session, editor: Editor, admin: Editor) -> None:
    payload = "<script>alert(1)</script> [x](javascript:alert(1)) | pipe"
    text = f"The ministry said that {payload} happened."
    said = Said("The ministry", "said", f"{payload} happened", "ministry", SpeakerKind.ORGANIZATION)
    result = ingest_text(db_session, editor, text, title=payload, extraction=handmade(text, said))
    claim = db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)).one()
    speaker = speaker_service.create_speaker(db_session, admin, name=payload[:40], kind=SpeakerKind.PERSON)
    claim_service.edit_attribution(db_session, editor, claim, speaker=speaker)
    claim_service.change_status(db_session, editor, claim, ClaimStatus.FALSE, rationale=payload)
    html = _read("html", db_session, ClaimFilter())
    assert "<script>" not in html and "&lt;script&gt;" in html
    markdown = _read("md", db_session, ClaimFilter())
    assert "<script>" not in markdown and "](javascript" not in markdown


def test_claimreview_has_every_google_field(db_session: Session, tricky: list[Claim], editor: Editor) -> None:
    claim_service.change_status(db_session, editor, tricky[2], ClaimStatus.UNVERIFIED)
    options = {
        "base_url": "https://checks.example",
        "org_name": "Example Checks",
        "org_url": "https://checks.example/",
    }
    reviews = json.loads(_read("claimreview", db_session, ClaimFilter(), **options))
    assert len(reviews) == len(tricky) - 1, "unverified claims are not emitted"
    by_url = {r["url"]: r for r in reviews}
    assert f"https://checks.example/claims/{tricky[2].id}" not in by_url
    for claim in tricky:
        if claim.id == tricky[2].id:
            continue
        review = by_url[f"https://checks.example/claims/{claim.id}"]
        # Required by Google: claimReviewed, reviewRating (with alternateName), url.
        assert review["@context"] == "https://schema.org" and review["@type"] == "ClaimReview"
        assert 0 < len(review["claimReviewed"]) < 75 and "disputed" not in review["claimReviewed"].lower()
        rating = review["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"] == "Disputed"
        # Recommended: author, datePublished, itemReviewed (Claim: author, datePublished, appearance,
        # firstAppearance); rating bestRating, worstRating, ratingValue, name.
        assert review["author"] == {
            "@type": "Organization",
            "name": "Example Checks",
            "url": "https://checks.example/",
        }
        assert dt.date.fromisoformat(review["datePublished"]) == claim.reviews[-1].created_at.date()
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"] and rating["name"]
        item = review["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["datePublished"] == claim.source.published_at.date().isoformat()  # type: ignore[union-attr]
        assert (
            item["appearance"]["url"] == claim.source.url
            and item["firstAppearance"]["url"] == claim.source.url
        )
        if claim.speaker is not None:
            kind = "Person" if claim.speaker.kind is SpeakerKind.PERSON else "Organization"
            assert item["author"] == {"@type": kind, "name": claim.speaker.name}
        else:
            assert item["author"]["name"] in (claim.mention_text, claim.source.outlet), "always an author"


def test_claimreview_author_is_the_mention_when_the_speaker_is_unresolved(
    db_session: Session, tricky: list[Claim]
) -> None:
    claim = tricky[0]
    claim.speaker_id = None
    claim.mention_text = "a  senior official"
    db_session.flush()
    (review,) = [
        r for r in json.loads(_read("claimreview", db_session, ClaimFilter()))
        if r["url"].endswith(f"/claims/{claim.id}")
    ]  # fmt: skip
    assert review["itemReviewed"]["author"] == {"@type": "Person", "name": "a senior official"}


@pytest.mark.parametrize("fmt", [f for f in CLAIM_FORMATS if f != "claimreview"])
def test_reports_show_only_the_current_verdicts_evidence(
    db_session: Session, editor: Editor, admin: Editor, fmt: str
) -> None:
    text = "The port authority said that the ferry sailed on time."
    said = Said(
        "The port authority", "said", "the ferry sailed on time", "port authority", SpeakerKind.ORGANIZATION
    )
    result = ingest_text(db_session, editor, text, title="Ferry", extraction=handmade(text, said))
    (claim,) = db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)).all()
    claim_service.change_status(
        db_session, editor, claim, ClaimStatus.CONFIRMED, rationale="The timetable agrees.",
        evidence=[EvidenceInput("https://example.org/old-timetable", EvidenceStance.SUPPORTS, "Timetable")],
    )  # fmt: skip
    claim_service.change_status(
        db_session, admin, claim, ClaimStatus.DISPUTED, rationale="Passengers report a delay.",
        evidence=[EvidenceInput("https://example.org/passengers", EvidenceStance.REFUTES, "Passengers")],
    )  # fmt: skip
    claim_service.add_evidence(
        db_session, editor, claim, EvidenceInput("https://example.org/tracker", EvidenceStance.REFUTES)
    )
    db_session.flush()
    text = _read(fmt, db_session, ClaimFilter(source_id=result.source.id))
    assert "https://example.org/passengers" in text and "https://example.org/tracker" in text
    assert "old-timetable" not in text, "a superseded verdict's link is never shown as current"
    assert "Passengers report a delay" in text
    # As of a moment before the second verdict, the first verdict's link is the current one.
    then = claim.reviews[0].created_at
    earlier = _read(fmt, db_session, ClaimFilter(source_id=result.source.id, as_of=then))
    if fmt not in ("md", "html"):  # grouped reports may leave out what was unverified then
        assert "old-timetable" in earlier and "passengers" not in earlier


def test_short_claim_cuts_at_a_word() -> None:
    long = "Ukrainian forces continue to resist both Russian and North Korean fighters in the region"
    short = short_claim(long)
    assert len(short) < 75 and short.endswith("…") and long.startswith(short[:-1].rstrip())
    assert short_claim("Short claim.") == "Short claim."


def test_reports_stream_in_chunks(db_session: Session, editor: Editor) -> None:
    text = " ".join(f"The ministry said that convoy {i} arrived." for i in range(1200))
    said = [
        Said("The ministry", "said", f"convoy {i} arrived", "ministry", SpeakerKind.ORGANIZATION)
        for i in range(1200)
    ]
    ingest_text(db_session, editor, text, title="Convoys", extraction=handmade(text, *said))
    report = claim_report(db_session, ClaimFilter(), "csv")
    chunks: Iterator[str] = report.chunks()
    first = next(chunks)
    assert first.startswith("claim_id,") and first.count("\r\n") < 1200
    assert sum(c.count("\r\n") for c in chunks) + first.count("\r\n") == 1201
    assert report.count() == 1200
    assert db_session.scalar(select(Source.id).where(Source.title == "Convoys")) is not None
