"""The claims list's table rows, written in Python.

A list page shows 50 rows of a dozen escaped values and links each. Drawn by Jinja, the rows cost
most of the page's time (every value passes through the template runtime's attribute lookup, escape
and output machinery one at a time, with a helper call or two per row); the same markup built here
costs a fraction of that. What each row shows is the template's business still: this module writes
exactly the markup ``claims/list.html`` describes for a row, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from factdb.enums import ClaimStatus, Stance
from factdb.services.queries import ListedClaim
from factdb.web.access import id_url_prefix, speaker_of, status_badge

# What a row draws for each status and stance, escaped once per process rather than once per row.
_ROW_START = {status: f'<tr class="row-{escape(status.value)}">' for status in ClaimStatus}
_STATUS_CELL = {status: f"      <td>{status_badge(status.value)}</td>\n    </tr>\n" for status in ClaimStatus}
_STANCE_BADGE = {
    stance: "" if stance is Stance.ASSERTS else f' <span class="stance">{escape(stance.value)}</span>'
    for stance in Stance
}


def claim_rows(
    claims: Sequence[ListedClaim], *, editing: bool, source_headers: bool, list_query: str
) -> Markup:
    """The ``<tr>`` rows of ``claims``: a header row where the source changes (``source_headers``),
    a checkbox per row for editors (``editing``), each claim's link keeping the list's query."""
    # Escaped once per page, not once per row.
    claim_prefix = escape(id_url_prefix("claims.show", "claim_id"))
    source_prefix = escape(id_url_prefix("sources.show", "source_id"))
    cluster_prefix = escape(id_url_prefix("clusters.show", "cluster_id"))
    speaker_prefix = escape(id_url_prefix("speakers.show", "speaker_id"))
    query = escape(f"?{list_query}") if list_query else ""
    columns = 5 if editing else 4
    parts: list[str] = []
    previous_source: int | None = None
    for claim in claims:
        source = claim.source
        if source_headers and source.id != previous_source:
            outlet = f'<span class="muted">· {escape(source.outlet)}</span>' if source.outlet else ""
            published = (
                f'<span class="muted">· {source.published_at.strftime("%Y-%m-%d")}</span>'
                if source.published_at
                else ""
            )
            parts.append(
                f'<tr class="source-row"><th colspan="{columns}" scope="rowgroup">'
                f'<a href="{source_prefix}{source.id}">{escape(source.title)}</a>'
                f"\n      {outlet}\n      {published}</th></tr>\n"
            )
        previous_source = source.id
        href = f"{claim_prefix}{claim.id}{query}"
        check = (
            f'<td><input type="checkbox" name="claim_ids" value="{claim.id}" '
            f'aria-label="Select claim {claim.id}"></td>'
            if editing
            else ""
        )
        speaker = speaker_of(claim, prefix=speaker_prefix)
        cue = f' <span class="cue">· {escape(claim.cue)}</span>' if claim.cue else ""
        spread = ""
        if claim.cluster is not None:
            cluster_id, sources = claim.cluster
            spread = (
                f' <a class="sources-badge" href="{cluster_prefix}{cluster_id}" '
                f'title="the same statement in {sources} sources">{sources} sources</a>'
            )
        parts.append(
            f"{_ROW_START[claim.status]}\n      {check}\n"
            f'      <td><a href="{href}">#{claim.id}</a></td>\n'
            f"      <td>{speaker}{cue}{_STANCE_BADGE[claim.stance]}</td>\n"
            f'      <td><a class="claim-link" href="{href}">{escape(claim.content)}</a>{spread}</td>\n'
            f"{_STATUS_CELL[claim.status]}"
        )
    return Markup("".join(parts))  # noqa: S704 (every value above went through escape)


def page_id_fields(claims: Sequence[ListedClaim]) -> Markup:
    """The hidden ``page_ids`` inputs of the bulk form's "this page" scope, one per claim (an id is a
    number: nothing to escape)."""
    return Markup("".join(f'<input type="hidden" name="page_ids" value="{claim.id:d}">' for claim in claims))  # noqa: S704
