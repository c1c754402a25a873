"""Sources: the list, an article with its claims highlighted, and the ingest page."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from factdb.enums import EditorRole
from factdb.errors import DuplicateSourceError, InputError, NotFoundError
from factdb.models import Claim, Source
from factdb.services.articles import decode_article
from factdb.services.ingest import derive_after_ingest, ingest_text, prepare_ingest
from factdb.services.queries import sources_page
from factdb.services.validation import check_day, require_id, start_of
from factdb.web.access import current_editor, form_error_text, requires
from factdb.web.filters import id_param
from factdb.web.forms import IngestForm
from factdb.web.request import db_session, end_transaction, settings

bp = Blueprint("sources", __name__)

#: Sources per page of the list.
PAGE_SIZE = 100
#: Characters of an article per page of its page: a long report (about 15,000 words) fits on one;
#: a 1.2 MB file's page, shown whole with its claims, took tens of seconds to render and send.
PAGE_CHARS = 100_000


@dataclass(frozen=True)
class Piece:
    """A run of article text, highlighted when it is a claim's content."""

    text: str
    claim: Claim | None = None


def highlight(text: str, claims: list[Claim], start: int = 0, end: int | None = None) -> list[Piece]:
    """Cut ``text[start:end]`` into plain runs and claim contents (the first claim wins where two
    overlap; a claim running past either end is cut there).

    Attributed claims are placed before publication claims, which cover whole sentences. Linear
    after sorting: the kept contents are disjoint, so a new one can only overlap its neighbours.
    """
    end = len(text) if end is None else end
    ordered = sorted(claims, key=lambda c: (c.mention_text is None, c.content_start))
    starts: list[int] = []  # of the kept contents, in text order
    kept: list[Claim] = []
    for claim in ordered:
        if claim.content_end <= claim.content_start:
            continue  # nothing to mark (a line such as "He said:" that introduces a quotation)
        at = bisect.bisect_right(starts, claim.content_start)
        if at > 0 and kept[at - 1].content_end > claim.content_start:
            continue
        if at < len(kept) and kept[at].content_start < claim.content_end:
            continue
        starts.insert(at, claim.content_start)
        kept.insert(at, claim)
    pieces: list[Piece] = []
    position = start
    for claim in kept:
        claim_start, claim_end = max(claim.content_start, start), min(claim.content_end, end)
        if claim_end <= claim_start:
            continue
        if claim_start > position:
            pieces.append(Piece(text[position:claim_start]))
        pieces.append(Piece(text[claim_start:claim_end], claim))
        position = claim_end
    if position < end:
        pieces.append(Piece(text[position:end]))
    return pieces


def page_bounds(text: str, page_chars: int) -> list[int]:
    """Where the pages of an article start and end: ``[0, ..., len(text)]``, each page at most
    about ``page_chars`` long, cut at the end of a line where one is near."""
    bounds = [0]
    while len(text) - bounds[-1] > page_chars:
        nominal = bounds[-1] + page_chars
        line_end = text.rfind("\n", bounds[-1] + page_chars // 2, nominal)
        bounds.append(nominal if line_end < 0 else line_end + 1)
    bounds.append(len(text))
    return bounds


@bp.route("/sources")
@login_required
def index() -> str:
    """Every source, newest first, with its claim count, a page at a time."""
    rows, more = sources_page(db_session(), before_id=id_param(request.args, "after"), size=PAGE_SIZE)
    return render_template("sources/list.html", rows=rows, more=more)


@bp.route("/sources/<int:source_id>")
@login_required
def show(source_id: int) -> str:
    """The article with every claim highlighted and coloured by status, a page of
    :data:`PAGE_CHARS` characters at a time (most articles fit on one)."""
    session = db_session()
    source = session.get(Source, require_id(source_id, "source"))
    if source is None:
        raise NotFoundError(f"no source with id {source_id}")
    bounds = page_bounds(source.text, PAGE_CHARS)
    pages = len(bounds) - 1
    number = id_param(request.args, "page", "a page number") or 1
    if number > pages:
        raise NotFoundError(f"source #{source.id} has {pages} page{'s' if pages > 1 else ''}, not {number}")
    start, end = bounds[number - 1], bounds[number]
    # The claims whose content starts on this page, with their speakers in one more query.
    claims = list(
        session.scalars(
            select(Claim)
            .options(selectinload(Claim.speaker))
            .where(Claim.source_id == source.id, Claim.content_start >= start, Claim.content_start < end)
            .order_by(Claim.id)
        )
    )
    if pages > 1:
        # A claim that starts on an earlier page and runs onto this one is marked here too.
        claims += session.scalars(
            select(Claim)
            .options(selectinload(Claim.speaker))
            .where(Claim.source_id == source.id, Claim.content_start < start, Claim.content_end > start)
        )
    total = session.scalar(select(func.count()).select_from(Claim).where(Claim.source_id == source.id))
    return render_template(
        "sources/show.html",
        source=source,
        pieces=highlight(source.text, claims, start, end),
        claims=[c for c in claims if c.content_start >= start],
        total=total or 0,
        page=number,
        pages=pages,
    )


@bp.route("/sources/new", methods=["GET", "POST"])
@requires(EditorRole.EDITOR)
def ingest() -> str | Response | tuple[str, int]:
    """Paste or upload an article; on success show the source with its extracted claims."""
    form = IngestForm()
    if not form.is_submitted():
        return render_template("sources/ingest.html", form=form, limit=settings().max_ingest_bytes)
    limit = settings().max_ingest_bytes
    try:
        if not form.validate():
            raise InputError(form_error_text(form.errors) or "the form is incomplete")
        upload = form.upload.data
        if isinstance(upload, FileStorage) and upload.filename:
            text = decode_article(upload.read(limit + 1), upload.filename, max_bytes=limit)
        elif (form.text.data or "").strip():
            text = decode_article(form.text.data.encode("utf-8"), "the pasted text", max_bytes=limit)
        else:
            raise InputError("paste the article text or choose a .txt file")
        published = start_of(check_day(form.published.data, "published"))
        run = prepare_ingest(db_session(), text)
        end_transaction()  # no lock is held while the engine works
        extraction = run(text)
        result = ingest_text(
            db_session(),
            current_editor(),
            text,
            title=form.title.data or "",
            outlet=form.outlet.data or None,
            url=form.url.data or None,
            published_at=published,
            extraction=extraction,
            match=False,
        )
        end_transaction()  # the article is stored; what is derived from it follows in short transactions
        derive_after_ingest(db_session(), current_editor(), result, commit=end_transaction)
    except (InputError, DuplicateSourceError) as error:
        db_session().rollback()
        page = render_template("sources/ingest.html", form=form, error=str(error), limit=limit)
        return page, error.http_status
    flash(
        f"Ingested {result.sentence_count} sentences and {result.claim_count} claims "
        f"({len(result.new_speakers)} new speakers to review).",
        "info",
    )
    return redirect(url_for("sources.show", source_id=result.source.id))
