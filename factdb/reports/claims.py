"""Claim reports in every format: CSV, JSON, JSON Lines, Markdown, printable HTML and ClaimReview.

``claim_report(session, claim_filter, fmt, options)`` returns a :class:`ClaimReport` whose
``chunks()`` yield the output as text; callers write the chunks to a file or an HTTP response.
"""

from __future__ import annotations

import datetime as dt
import itertools
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, String, case, func, literal, null, select, type_coerce
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from factdb.enums import BEST_RATING, WORST_RATING, ClaimStatus, SpeakerKind
from factdb.models import Claim, Editor, Source, Speaker
from factdb.reports.records import (
    CHUNK,
    AppearanceRecord,
    ClaimRecord,
    Order,
    claim_rows_query,
    count_claims,
    iter_claim_records,
    linked_chunks,
)
from factdb.reports.templates import render_stream
from factdb.reports.text import FORMULA_STARTS, csv_chunks, dumps, json_array_chunks, jsonl_chunks, neutralise
from factdb.services.audit import json_value
from factdb.services.queries import ClaimFilter, status_column

T = TypeVar("T")

#: Google asks for claimReviewed under 75 characters so it does not wrap on phones.
CLAIM_REVIEWED_MAX = 74

CSV_HEADER = (
    "claim_id", "content", "sentence", "speaker", "speaker_kind", "mention", "cue", "stance",
    "source_title", "outlet", "url", "published_at", "status", "last_review_at", "last_review_editor",
    "rationale", "evidence_urls", "related_claims", "claim_url", "channel", "found_by", "appearances",
)  # fmt: skip


@dataclass(frozen=True)
class ReportOptions:
    """What a report needs besides the data: where claim pages live, who publishes the reviews."""

    base_url: str = "http://127.0.0.1:5000"
    org_name: str = "factdb"
    org_url: str = "http://127.0.0.1:5000/"
    bom: bool = False
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def claim_url(self, claim_id: int) -> str:
        """The claim's page in the web UI."""
        return f"{self.base_url.rstrip('/')}/claims/{claim_id}"


def describe_filter(session: Session, claim_filter: ClaimFilter) -> str:
    """The filter in words, for the head of a report ("status disputed; speaker Dmitry Peskov")."""
    parts: list[str] = []
    if claim_filter.statuses:
        parts.append("status " + " or ".join(s.value for s in claim_filter.statuses))
    if claim_filter.speaker_id is not None:
        speaker = session.get(Speaker, claim_filter.speaker_id)
        name = speaker.name if speaker else f"#{claim_filter.speaker_id}"
        parts.append(
            f"speaker {name}" + (" and those who speak for them" if claim_filter.include_affiliated else "")
        )
    if claim_filter.source_id is not None:
        source = session.get(Source, claim_filter.source_id)
        parts.append(f"source {source.title if source else '#' + str(claim_filter.source_id)}")
    if claim_filter.outlet:
        parts.append(f"outlet {claim_filter.outlet}")
    if claim_filter.channel:
        parts.append(f"channel {claim_filter.channel}")
    if claim_filter.stance is not None:
        parts.append(f"stance {claim_filter.stance.value}")
    if claim_filter.published_from or claim_filter.published_to:
        parts.append(f"published {claim_filter.published_from or '…'} to {claim_filter.published_to or '…'}")
    if claim_filter.reviewed_from or claim_filter.reviewed_to:
        parts.append(
            f"last reviewed {claim_filter.reviewed_from or '…'} to {claim_filter.reviewed_to or '…'}"
        )
    if claim_filter.editor_id is not None:
        editor = session.get(Editor, claim_filter.editor_id)
        parts.append(f"last reviewed by {editor.username if editor else '#' + str(claim_filter.editor_id)}")
    if claim_filter.text:
        parts.append(f"text contains {claim_filter.text!r}")
    if claim_filter.as_of is not None:
        parts.append(f"as of {claim_filter.as_of:%Y-%m-%d %H:%M} UTC")
    if claim_filter.sources_over is not None:
        parts.append(f"reported by more than {claim_filter.sources_over} sources")
    if claim_filter.collapse:
        parts.append(
            "one row per statement (the first of its copies the filter matched, every appearance listed)"
        )
    return "; ".join(parts) or "all claims"


@dataclass(frozen=True)
class SpeakerSummary:
    """One row of a report's summary table."""

    speaker: str
    counts: dict[ClaimStatus, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def speaker_summary(session: Session, claim_filter: ClaimFilter) -> list[SpeakerSummary]:
    """Counts per speaker and status of the claims the filter matches."""
    # Grouped outside a subquery: PostgreSQL cannot group by an as-of status (a subquery correlated
    # with each claim) in the same SELECT.
    each = claim_filter.apply(
        select(Speaker.name.label("name"), status_column(claim_filter.as_of).label("status"))
        .select_from(Claim)
        .outerjoin(Speaker, Speaker.id == Claim.speaker_id)
    ).subquery("each_claim")
    stmt = select(each.c.name, each.c.status, func.count()).group_by(each.c.name, each.c.status)
    table: dict[str, dict[ClaimStatus, int]] = {}
    for name, status, count in session.execute(stmt):
        table.setdefault(name or "(unresolved speaker)", dict.fromkeys(ClaimStatus, 0))[status] = count
    return [
        SpeakerSummary(name, counts) for name, counts in sorted(table.items(), key=lambda kv: kv[0].lower())
    ]


# --- one function per format: records in, text chunks out -------------------------------------


# The CSV's cells are made by the database where it can make them: on a long export the driver's rows
# then go to csv.writer as they come, and Python touches only the few claims with evidence,
# relations or copies (issue 16, item 4: per-row Python was two thirds of the export's time).

# Columns a spreadsheet could take for a formula (neutralised), by CSV_HEADER name.
_NEUTRALISED = {
    "content", "sentence", "speaker", "mention", "cue", "source_title", "outlet", "url",
    "last_review_editor", "rationale", "channel",
}  # fmt: skip
# The columns filled per claim from the chunk's links (NULL in the query: written as empty cells).
_LINKED = ("evidence_urls", "related_claims", "appearances")
_TIMESTAMPS = {"published_at", "last_review_at"}
# CSV_HEADER names whose query column has another name.
_QUERY_NAME = {"found_by": "rule"}
#: Claims read per chunk by the CSV export: each chunk costs three link queries whose building and
#: planning (~15 ms) weighs on a path that otherwise only copies rows; a few thousand rows stay small.
CSV_CHUNK = 5 * CHUNK
#: Appearances a CSV cell lists before "and N more": spreadsheets hold at most 32,767 characters in
#: a cell (Excel), about 500 appearances; and a statement repeated in thousands of articles would
#: otherwise write each of its claims' rows with every copy (n x n cells). JSON exports list them all.
MAX_APPEARANCES_IN_CELL = 100


def appearances_cell(appearances: Sequence[AppearanceRecord]) -> str:
    """The CSV's ``appearances`` cell: the first MAX_APPEARANCES_IN_CELL, then how many more."""
    listed = "; ".join(a.describe() for a in appearances[:MAX_APPEARANCES_IN_CELL])
    more = len(appearances) - MAX_APPEARANCES_IN_CELL
    return neutralise(f"{listed}; and {more:,} more" if more > 0 else listed)


def _neutralised_sql(column: Any) -> Any:
    """``neutralise`` in SQL: a text starting like a formula gets a leading single quote."""
    return case((func.substr(column, 1, 1).in_(FORMULA_STARTS), literal("'", String) + column), else_=column)


def _timestamp_sql(column: Any, dialect: str) -> Any:
    """A timestamp as ISO 8601 UTC text, as ``datetime.isoformat`` writes it (microseconds only
    when there are any). SQLite stores ``YYYY-MM-DD HH:MM:SS.ffffff`` in UTC."""
    if dialect == "postgresql":
        utc = func.timezone("UTC", column)
        fraction = case((func.date_trunc("second", column) == column, ""), else_=func.to_char(utc, ".US"))
        return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS') + fraction + literal("+00:00", String)
    text = type_coerce(column, String)
    return func.replace(text, " ", "T") + case((func.instr(text, "+") > 0, ""), else_="+00:00")


def csv_rows_query(claim_filter: ClaimFilter, options: ReportOptions, dialect: str) -> Select[Any]:
    """The claims CSV's rows, cell for cell in CSV_HEADER's order, with the linked columns NULL."""
    stmt = claim_rows_query(claim_filter, "id", plain=True)
    columns = stmt.selected_columns
    base = options.claim_url(0)[:-1]
    cells: list[Any] = []
    for name in CSV_HEADER:
        if name in _LINKED:
            cells.append(null().label(name))
        elif name == "claim_url":
            cells.append((literal(base, String) + sql_cast(columns.claim_id, String)).label(name))
        elif name in _TIMESTAMPS:
            cells.append(_timestamp_sql(columns[name], dialect).label(name))
        elif name in _NEUTRALISED:
            cells.append(_neutralised_sql(columns[name]).label(name))
        else:
            cells.append(columns[_QUERY_NAME.get(name, name)].label(name))
    return stmt.with_only_columns(*cells)


def iter_csv_rows(
    session: Session, claim_filter: ClaimFilter, options: ReportOptions, limit: int | None = None
) -> Iterator[Sequence[Any]]:
    """Every claim the filter matches as its CSV row, in id order, a chunk at a time."""
    stmt = csv_rows_query(claim_filter, options, session.get_bind().dialect.name)
    ev_at, rel_at, app_at = (CSV_HEADER.index(name) for name in _LINKED)
    chunks = linked_chunks(session, stmt, CSV_CHUNK, limit, claim_filter.as_of, core=True)
    for rows, _, evidence, related, seen in chunks:
        if not (evidence or related or seen):
            yield from rows
            continue
        # The claims of one cluster share one list of appearances (and so one cell).
        cells_of_cluster: dict[int, str] = {}
        for row in rows:
            claim_id = row[0]
            if claim_id not in evidence and claim_id not in related and claim_id not in seen:
                yield row
                continue
            cells = list(row)
            cells[ev_at] = neutralise(" ".join(e.url for e in evidence.get(claim_id, ())))
            cells[rel_at] = "; ".join(rel.describe() for rel in related.get(claim_id, ()))
            if (appearances := seen.get(claim_id)) is not None:
                # The lists in ``seen`` live as long as the chunk, so their ids stay theirs.
                if (cell := cells_of_cluster.get(id(appearances))) is None:
                    cell = cells_of_cluster[id(appearances)] = appearances_cell(appearances)
                cells[app_at] = cell
            yield cells


def _csv(rows: Iterator[Sequence[Any]], options: ReportOptions, **_: Any) -> Iterator[str]:
    return csv_chunks(CSV_HEADER, rows, bom=options.bom, prepared=True)


def claim_json(record: ClaimRecord, options: ReportOptions) -> dict[str, Any]:
    """A claim as the JSON exports give it (nested speaker, source, last review, evidence, history)."""
    r = record
    return {
        "claim_id": r.claim_id,
        "content": r.content,
        "sentence": r.sentence,
        "speaker": None if r.speaker_id is None else {
            "id": r.speaker_id, "name": r.speaker, "kind": r.speaker_kind},
        "mention": r.mention,
        "cue": r.cue,
        "channel": r.channel,
        "found_by": r.rule,
        "stance": r.stance,
        "status": r.status,
        "source": {"id": r.source_id, "title": r.source_title, "outlet": r.outlet, "url": r.url,
                   "published_at": json_value(r.published_at)},
        "created_at": r.created_at,
        "last_review": None if r.last_review_at is None else {
            "at": r.last_review_at, "editor": r.last_review_editor, "rationale": r.rationale},
        "evidence": [{"url": e.url, "title": e.title, "stance": e.stance, "note": e.note}
                     for e in r.evidence],
        "related": [{"kind": x.kind, "claim_id": x.claim_id, "direction": x.direction} for x in r.related],
        "history": [{"at": h.at, "editor": h.editor, "from": h.from_status, "to": h.to_status,
                     "rationale": h.rationale} for h in r.history],
        "url": options.claim_url(r.claim_id),
        "appearances": [{"claim_id": a.claim_id, "source_title": a.source_title, "outlet": a.outlet,
                         "url": a.url, "published_at": json_value(a.published_at)} for a in r.appearances],
    }  # fmt: skip


def _json(records: Iterator[ClaimRecord], options: ReportOptions, **_: Any) -> Iterator[str]:
    return json_array_chunks((claim_json(r, options) for r in records), indent=True)


def _jsonl(records: Iterator[ClaimRecord], options: ReportOptions, **_: Any) -> Iterator[str]:
    return jsonl_chunks(claim_json(r, options) for r in records)


def short_claim(text: str, limit: int = CLAIM_REVIEWED_MAX) -> str:
    """The claim cut at a word boundary to at most ``limit`` characters, with an ellipsis if cut."""
    text = " ".join(text.split())
    return textwrap.shorten(text, width=limit, placeholder="…") if len(text) > limit else text


def claim_author(record: ClaimRecord) -> dict[str, str]:
    """Who made the claim, for ClaimReview's ``itemReviewed.author``: the speaker when resolved, else
    the mention's own words (an unresolved "a senior official" is still someone), else the
    publication that stated it."""
    if record.speaker:
        kind = "Person" if record.speaker_kind is SpeakerKind.PERSON else "Organization"
        return {"@type": kind, "name": record.speaker}
    if record.mention:
        return {"@type": "Person", "name": " ".join(record.mention.split())}
    return {"@type": "Organization", "name": record.outlet or record.source_title}


def _creative_work(a: AppearanceRecord) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": "CreativeWork", "name": a.source_title}
    if a.url:
        work["url"] = a.url
    if a.outlet:
        work["publisher"] = {"@type": "Organization", "name": a.outlet}
    if a.published_at is not None:
        work["datePublished"] = a.published_at.date().isoformat()
    return work


def claim_review(record: ClaimRecord, options: ReportOptions) -> dict[str, Any] | None:
    """The schema.org ClaimReview of a reviewed claim; None for an unverified one."""
    r = record
    if r.status.rating is None or r.last_review_at is None:
        return None
    item: dict[str, Any] = {"@type": "Claim", "author": claim_author(r)}
    if r.published_at is not None:
        item["datePublished"] = r.published_at.date().isoformat()
    own = AppearanceRecord(r.claim_id, r.source_title, r.outlet, r.url, r.published_at)
    # Every appearance of the statement (its cluster, first appearance first), or the claim's own.
    appearances = [_creative_work(a) for a in r.appearances or [own]]
    item["appearance"] = appearances[0] if len(appearances) == 1 else appearances
    item["firstAppearance"] = appearances[0]
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": options.claim_url(r.claim_id),
        "claimReviewed": short_claim(r.content),
        "datePublished": r.last_review_at.date().isoformat(),
        "author": {"@type": "Organization", "name": options.org_name, "url": options.org_url},
        "reviewRating": {
            "@type": "Rating", "ratingValue": r.status.rating, "bestRating": BEST_RATING,
            "worstRating": WORST_RATING, "alternateName": r.status.label, "name": r.status.label,
        },
        "itemReviewed": item,
    }  # fmt: skip


def _claimreview(records: Iterator[ClaimRecord], options: ReportOptions, **_: Any) -> Iterator[str]:
    reviews = (review for r in records if (review := claim_review(r, options)) is not None)
    return json_array_chunks(reviews, indent=True)


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|>~"} | {"<": "&lt;", "\n": " "})


def md(text: object) -> str:
    """Text safe to put inside Markdown: markup characters escaped, no raw HTML, one line."""
    return str(text).translate(_MD_SPECIAL)


def _grouped(records: Iterator[ClaimRecord]) -> Iterator[tuple[str, Iterator[ClaimRecord]]]:
    for (_, name), group in itertools.groupby(records, key=lambda r: (r.speaker_id, r.speaker)):
        yield name or "(unresolved speaker)", group


def _markdown(records: Iterator[ClaimRecord], options: ReportOptions, *, title: str, filter_text: str,
              summary: list[SpeakerSummary]) -> Iterator[str]:  # fmt: skip
    statuses = list(ClaimStatus)
    yield f"# {md(title)}\n\nFilter: {md(filter_text)}  \n"
    yield f"Generated: {options.generated_at:%Y-%m-%d %H:%M} UTC\n\n"
    yield "| Speaker | Claims | " + " | ".join(s.value for s in statuses) + " |\n"
    yield "|---|---:|" + "---:|" * len(statuses) + "\n"
    for row in summary:
        yield (
            f"| {md(row.speaker)} | {row.total} | "
            + " | ".join(str(row.counts[s]) for s in statuses)
            + " |\n"
        )
    for name, group in _grouped(records):
        yield f"\n## {md(name)}\n"
        for r in group:
            yield f"\n### Claim {r.claim_id}: {r.status.label}\n\n> {md(r.content)}\n\n"
            yield f"Sentence: {md(r.sentence)}  \n"
            yield f"Source: {md(r.source_title)}" + (f" ({md(r.outlet)})" if r.outlet else "")
            yield (f", <{r.url}>" if r.url else "") + (
                f", {r.published_at:%Y-%m-%d}" if r.published_at else ""
            )
            yield f"  \nPage: <{options.claim_url(r.claim_id)}>\n"
            if r.last_review_at is not None:
                who = md(r.last_review_editor or "system")
                yield f"\nReviewed {r.last_review_at:%Y-%m-%d %H:%M} UTC by {who}: "
                yield f"{md(r.rationale or '')}\n"
            if r.evidence:
                yield "\nEvidence for this verdict:\n\n" + "".join(
                    f"- {e.stance.value}: [{md(e.title or e.url)}](<{e.url}>)\n" for e in r.evidence
                )
            if r.related:
                yield "\nRelated: " + "; ".join(md(x.describe()) for x in r.related) + "\n"
            if r.appearances:
                listed = "; ".join(md(a.describe()) for a in r.appearances)
                yield f"\nEvery appearance of this statement ({len(r.appearances)}): {listed}\n"


def _html(records: Iterator[ClaimRecord], options: ReportOptions, *, title: str, filter_text: str,
          summary: list[SpeakerSummary]) -> Iterator[str]:  # fmt: skip
    return render_stream(
        "reports/claims.html", title=title, filter_text=filter_text, summary=summary,
        groups=_grouped(records),
        statuses=list(ClaimStatus), options=options,
    )  # fmt: skip


@dataclass(frozen=True)
class ClaimFormat:
    """One output format: how to write it, its media type and file extension, how to read claims."""

    write: Callable[..., Iterator[str]]
    media_type: str
    extension: str
    order: Order = "id"
    with_history: bool = False
    grouped: bool = False
    flat: bool = False  # fed ready CSV rows (iter_csv_rows) rather than ClaimRecord


CLAIM_FORMATS: dict[str, ClaimFormat] = {
    "csv": ClaimFormat(_csv, "text/csv", "csv", flat=True),
    "json": ClaimFormat(_json, "application/json", "json", with_history=True),
    "jsonl": ClaimFormat(_jsonl, "application/x-ndjson", "jsonl", with_history=True),
    "md": ClaimFormat(_markdown, "text/markdown", "md", order="speaker", grouped=True),
    "html": ClaimFormat(_html, "text/html", "html", order="speaker", grouped=True),
    "claimreview": ClaimFormat(_claimreview, "application/ld+json", "jsonld"),
}


def _counted(items: Iterator[T], progress: Callable[[int], None]) -> Iterator[T]:
    for item in items:
        progress(1)
        yield item


@dataclass
class ClaimReport:
    """A claim report ready to stream: call :meth:`chunks` once."""

    session: Session
    claim_filter: ClaimFilter
    fmt: ClaimFormat
    options: ReportOptions
    title: str = "Claim report"
    limit: int | None = None

    def count(self) -> int:
        """How many claims the report covers (for progress bars)."""
        total = count_claims(self.session, self.claim_filter)
        return total if self.limit is None else min(total, self.limit)

    def chunks(self, progress: Callable[[int], None] | None = None) -> Iterator[str]:
        """The report as text chunks, read from the database as it goes.

        ``progress`` is called with 1 for every claim read (a progress bar's ``update``).
        """
        if self.fmt.flat:
            rows = iter_csv_rows(self.session, self.claim_filter, self.options, self.limit)
            return self.fmt.write(rows if progress is None else _counted(rows, progress), self.options)
        records = iter_claim_records(
            self.session, self.claim_filter, order=self.fmt.order, with_history=self.fmt.with_history,
            limit=self.limit,
        )  # fmt: skip
        if progress is not None:
            records = _counted(records, progress)
        if not self.fmt.grouped:
            return self.fmt.write(records, self.options)
        return self.fmt.write(
            records, self.options, title=self.title,
            filter_text=describe_filter(self.session, self.claim_filter),
            summary=speaker_summary(self.session, self.claim_filter),
        )  # fmt: skip


def claim_report(
    session: Session, claim_filter: ClaimFilter, fmt: str, options: ReportOptions | None = None
) -> ClaimReport:
    """A report of the claims matching ``claim_filter`` in format ``fmt`` (one of :data:`CLAIM_FORMATS`)."""
    if fmt not in CLAIM_FORMATS:
        from factdb.errors import InputError

        raise InputError(f"format {fmt!r} is not one of: {', '.join(CLAIM_FORMATS)}")
    title = "Disputed claims" if claim_filter.statuses == (ClaimStatus.DISPUTED,) else "Claim report"
    return ClaimReport(session, claim_filter, CLAIM_FORMATS[fmt], options or ReportOptions(), title)


__all__ = ["CLAIM_FORMATS", "ClaimReport", "ReportOptions", "claim_report", "dumps"]
