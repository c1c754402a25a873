"""Sources: the list, an article with its claims highlighted, and the ingest page."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.wrappers import Response

from factdb.enums import EditorRole
from factdb.errors import DuplicateSourceError, InputError, NotFoundError
from factdb.models import Claim, Source
from factdb.services.ingest import decode_article, ingest_text
from factdb.services.queries import sources_page
from factdb.services.validation import check_day, start_of
from factdb.web.access import current_editor, form_error_text, requires
from factdb.web.filters import id_param
from factdb.web.forms import IngestForm
from factdb.web.request import db_session, settings

bp = Blueprint("sources", __name__)

#: Sources per page of the list.
PAGE_SIZE = 100


@dataclass(frozen=True)
class Piece:
    """A run of article text, highlighted when it is a claim's content."""

    text: str
    claim: Claim | None = None


def highlight(text: str, claims: list[Claim]) -> list[Piece]:
    """Cut the article into plain runs and claim contents (the first claim wins where two overlap).

    Attributed claims are placed before publication claims, which cover whole sentences.
    """
    ordered = sorted(claims, key=lambda c: (c.mention_text is None, c.content_start))
    taken: list[Claim] = []
    for claim in ordered:
        if all(claim.content_end <= t.content_start or claim.content_start >= t.content_end for t in taken):
            taken.append(claim)
    taken.sort(key=lambda c: c.content_start)
    pieces: list[Piece] = []
    at = 0
    for claim in taken:
        if claim.content_start > at:
            pieces.append(Piece(text[at : claim.content_start]))
        pieces.append(Piece(text[claim.content_start : claim.content_end], claim))
        at = claim.content_end
    if at < len(text):
        pieces.append(Piece(text[at:]))
    return pieces


@bp.route("/sources")
@login_required
def index() -> str:
    """Every source, newest first, with its claim count, a page at a time."""
    rows, more = sources_page(db_session(), before_id=id_param(request.args, "after"), size=PAGE_SIZE)
    return render_template("sources/list.html", rows=rows, more=more)


@bp.route("/sources/<int:source_id>")
@login_required
def show(source_id: int) -> str:
    """The whole article with every claim highlighted and coloured by status."""
    session = db_session()
    source = session.get(Source, source_id)
    if source is None:
        raise NotFoundError(f"no source with id {source_id}")
    claims = list(session.scalars(select(Claim).where(Claim.source_id == source.id).order_by(Claim.id)))
    return render_template(
        "sources/show.html", source=source, pieces=highlight(source.text, claims), claims=claims
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
        result = ingest_text(
            db_session(),
            current_editor(),
            text,
            title=form.title.data or "",
            outlet=form.outlet.data or None,
            url=form.url.data or None,
            published_at=published,
        )
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
