"""The API's request and response shapes (marshmallow), from which the OpenAPI document is generated.

Query parameters are checked here for type and range first (a malformed value is a 422 naming it);
what they mean is then read by the same code as the web UI's (``factdb.web.filters``), so a filter
has one meaning wherever it is typed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from factdb.enums import ClaimStatus, EvidenceStance, SpeakerKind, Stance, TokenScope
from factdb.services.validation import MAX_INT, control_character
from factdb.web.filters import SOURCES_OVER_MAX

#: The largest id any table can hold on every supported database (PostgreSQL ``integer``).
MAX_ID = MAX_INT
#: Claims per API page: the default, and the most one request may ask for.
DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def _no_control_characters(multiline: bool) -> Callable[[str], None]:
    # The validation layer's rule (NUL cannot be stored or compared on PostgreSQL; the others mean a
    # broken client), reported as a field error so the client learns which parameter it was.
    def check(value: str) -> None:
        if control_character(value, multiline=multiline) is not None:
            raise ValidationError("contains control characters")

    return check


def plain_text(
    max_length: int, min_length: int | None = None, *, multiline: bool = False, **kwargs: Any
) -> fields.String:
    """A string of at most ``max_length`` characters, without control characters (line breaks and
    tabs allowed when ``multiline``)."""
    checks: list[Any] = [validate.Length(min=min_length, max=max_length), _no_control_characters(multiline)]
    return fields.String(validate=checks, **kwargs)


def an_id(**kwargs: Any) -> fields.Integer:
    """An id parameter: a positive integer any database can hold."""
    return fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID), **kwargs)


class ClaimsQuery(Schema):
    """The claims list's filter (the web UI's names), a cursor and what to return."""

    status = fields.List(
        fields.Enum(ClaimStatus, by_value=True),
        metadata={"description": "Claims in any of these statuses (repeat the parameter)."},
    )
    speaker = plain_text(300, metadata={"description": "A speaker id, or a name or alias."})
    affiliated = fields.Boolean(metadata={"description": "With speaker: also those who speak for them."})
    source = an_id(metadata={"description": "A source id."})
    outlet = plain_text(200, metadata={"description": "The publishing outlet."})
    channel = plain_text(200, metadata={"description": "The outlet that carried the speaker's words."})
    stance = fields.Enum(Stance, by_value=True)
    from_ = fields.Date(data_key="from", metadata={"description": "Published on or after this day."})
    to = fields.Date(metadata={"description": "Published on or before this day."})
    reviewed_from = fields.Date(metadata={"description": "Last reviewed on or after this day."})
    reviewed_to = fields.Date(metadata={"description": "Last reviewed on or before this day."})
    editor = plain_text(80, metadata={"description": "Last reviewed by this editor (username)."})
    assignee = plain_text(80, metadata={"description": "In this editor's queue (username)."})
    q = plain_text(200, metadata={"description": "Words in the claim or its sentence."})
    sources_over = fields.Integer(
        validate=validate.Range(min=0, max=SOURCES_OVER_MAX),
        metadata={"description": "Claims whose cluster spans more than this many sources."},
    )
    collapse = fields.Boolean(
        metadata={
            "description": "One claim per statement: a cluster as the first of its claims the filter matched."
        }
    )
    cursor = an_id(metadata={"description": "Where the page starts (opaque: follow the `next` link)."})
    limit = fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=validate.Range(min=1, max=MAX_LIMIT),
        metadata={"description": "Claims per page."},
    )
    fields_ = plain_text(
        300,
        data_key="fields",
        metadata={"description": "Comma-separated claim fields to return (default all), e.g. `id,status`."},
    )


class PageQuery(Schema):
    """A cursor and a page size."""

    cursor = an_id(metadata={"description": "Where the page starts (opaque: follow the `next` link)."})
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))


class AuditQuery(PageQuery):
    """The audit page's filter (the web UI's names)."""

    editor = plain_text(80)
    action = plain_text(50)
    entity = fields.String(validate=validate.OneOf(["claim", "speaker", "source", "editor"]))
    entity_id = an_id()
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class SpeakersQuery(Schema):
    """How to order the scorecards."""

    sort = fields.String(
        load_default="claims", validate=validate.OneOf(["name", "claims", "disputed", "reviewed"])
    )


class SpeakerRef(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class SourceRef(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    outlet = fields.String(allow_none=True, required=True)
    published_at = fields.DateTime(allow_none=True, required=True)


class ListedClaimSchema(Schema):
    """A claim as the list gives it."""

    id = fields.Integer()
    content = fields.String()
    cue = fields.String(allow_none=True)
    stance = fields.Enum(Stance, by_value=True)
    status = fields.Enum(ClaimStatus, by_value=True)
    mention = fields.String(allow_none=True)
    speaker = fields.Nested(SpeakerRef, allow_none=True)
    source = fields.Nested(SourceRef)
    url = fields.String(metadata={"description": "This claim in the API."})


#: The fields ``fields=`` may name.
CLAIM_FIELDS = tuple(ListedClaimSchema().fields)


class ClaimPageSchema(Schema):
    items = fields.List(fields.Nested(ListedClaimSchema), required=True)
    next = fields.String(allow_none=True, required=True, metadata={"description": "The next page, or null."})


class EvidenceSchema(Schema):
    url = fields.String(required=True)
    title = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    stance = fields.Enum(EvidenceStance, by_value=True, required=True)


class HistorySchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    editor = fields.String(allow_none=True, required=True)
    from_status = fields.Enum(ClaimStatus, by_value=True, required=True)
    to_status = fields.Enum(ClaimStatus, by_value=True, required=True)
    rationale = fields.String(required=True)
    status_change = fields.Boolean(
        required=True, metadata={"description": "False: evidence or rationale added."}
    )
    current = fields.Boolean(required=True, metadata={"description": "Part of the current verdict."})
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)


class RelationSchema(Schema):
    kind = fields.String(required=True)
    direction = fields.String(required=True, validate=validate.OneOf(["to", "from"]))
    claim_id = fields.Integer(required=True)


class AppearanceSchema(Schema):
    """One claim of a cluster: where the statement appeared."""

    claim_id = fields.Integer(required=True)
    status = fields.Enum(ClaimStatus, by_value=True, required=True)
    content = fields.String(required=True)
    source = fields.Nested(SourceRef, required=True)
    url = fields.String(required=True)


class ClusterSchema(Schema):
    """Claims in different sources that state the same thing, first appearance first."""

    id = fields.Integer(required=True)
    source_count = fields.Integer(required=True)
    conflict = fields.Boolean(
        required=True, metadata={"description": "One copy confirmed, another disputed or false."}
    )
    claims = fields.List(fields.Nested(AppearanceSchema), required=True)


class ClaimSchema(Schema):
    """One claim with its context, history, current evidence and relations."""

    id = fields.Integer(required=True)
    version = fields.Integer(required=True, metadata={"description": "Send it back with a change."})
    content = fields.String(required=True)
    content_start = fields.Integer(required=True)
    content_end = fields.Integer(required=True)
    sentence = fields.String(required=True)
    cue = fields.String(allow_none=True, required=True)
    stance = fields.Enum(Stance, by_value=True, required=True)
    status = fields.Enum(ClaimStatus, by_value=True, required=True)
    mention = fields.String(allow_none=True, required=True)
    channel = fields.String(allow_none=True, required=True)
    speaker = fields.Nested(SpeakerRef, allow_none=True, required=True)
    source = fields.Nested(SourceRef, required=True)
    created_at = fields.DateTime(required=True)
    rationale = fields.String(required=True, metadata={"description": "The current verdict's rationale."})
    evidence = fields.List(fields.Nested(EvidenceSchema), required=True)
    history = fields.List(fields.Nested(HistorySchema), required=True)
    relations = fields.List(fields.Nested(RelationSchema), required=True)
    cluster = fields.Nested(ClusterSchema, allow_none=True, required=True)
    claim_review = fields.String(
        allow_none=True, required=True, metadata={"description": "ClaimReview link, if reviewed."}
    )


class ScorecardSchema(Schema):
    """A speaker's record: claims per status."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    kind = fields.Enum(SpeakerKind, by_value=True, required=True)
    needs_review = fields.Boolean(required=True)
    claims = fields.Integer(required=True)
    reviewed = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    disputed_or_false_share = fields.Float(allow_none=True, required=True)
    first_claim_at = fields.DateTime(allow_none=True, required=True)
    last_claim_at = fields.DateTime(allow_none=True, required=True)
    url = fields.String(required=True)


class ScorecardListSchema(Schema):
    items = fields.List(fields.Nested(ScorecardSchema), required=True)


class SpeakerSchema(ScorecardSchema):
    """A speaker with their aliases, affiliation and scorecard."""

    role = fields.String(allow_none=True, required=True)
    aliases = fields.List(fields.String(), required=True)
    speaks_for = fields.Nested(SpeakerRef, allow_none=True, required=True)
    claims_url = fields.String(required=True)


class SourceListItem(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    outlet = fields.String(allow_none=True, required=True)
    url = fields.String(allow_none=True, required=True)
    published_at = fields.DateTime(allow_none=True, required=True)
    ingested_at = fields.DateTime(required=True)
    claims = fields.Integer(required=True)


class SourcePageSchema(Schema):
    items = fields.List(fields.Nested(SourceListItem), required=True)
    next = fields.String(allow_none=True, required=True)


class SourceSchema(SourceListItem):
    """A source, its text and its claims."""

    text = fields.String(required=True)
    claim_items = fields.List(fields.Nested(ListedClaimSchema), required=True, data_key="claim_list")
    claims_url = fields.String(required=True, metadata={"description": "Its claims in the claims endpoint."})


class AuditEventSchema(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_id = fields.Integer(allow_none=True, required=True)
    before = fields.Dict(allow_none=True, required=True)
    after = fields.Dict(allow_none=True, required=True)
    summary = fields.String(required=True, metadata={"description": "The event in words."})


class AuditPageSchema(Schema):
    items = fields.List(fields.Nested(AuditEventSchema), required=True)
    next = fields.String(allow_none=True, required=True)


class ClaimReviewSchema(Schema):
    """schema.org ClaimReview (JSON-LD), as the ClaimReview export gives it."""

    class Meta:
        unknown = "include"

    context = fields.String(data_key="@context", required=True)
    type_ = fields.String(data_key="@type", required=True)
    url = fields.String(required=True)
    claimReviewed = fields.String(required=True)  # noqa: N815 (schema.org's name)
    datePublished = fields.String(required=True)  # noqa: N815
    author = fields.Dict(required=True)
    reviewRating = fields.Dict(required=True)  # noqa: N815
    itemReviewed = fields.Dict(required=True)  # noqa: N815


class EvidenceInputSchema(Schema):
    url = plain_text(2000, required=True, metadata={"description": "An absolute http(s) address."})
    stance = fields.Enum(EvidenceStance, by_value=True, load_default=EvidenceStance.REFUTES)
    title = plain_text(500, load_default=None, allow_none=True)
    note = plain_text(5000, multiline=True, load_default=None, allow_none=True)


class StatusInput(Schema):
    """A verdict: the status, why, and the links that show it."""

    status = fields.Enum(ClaimStatus, by_value=True, required=True)
    rationale = plain_text(10_000, multiline=True, load_default="")
    evidence = fields.List(
        fields.Nested(EvidenceInputSchema), load_default=list, validate=validate.Length(max=50)
    )
    version = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "The version you read; a stale one gets 409 with what changed."},
    )


class AttributionInput(Schema):
    """Who said it, the exact words (a span of the sentence), the cue and the stance; omit what stays."""

    version = fields.Integer(required=True, validate=validate.Range(min=1, max=MAX_ID))
    speaker = plain_text(300, metadata={"description": "A speaker id, or a name or alias."})
    content_start = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))
    content_end = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))
    cue = plain_text(100)
    stance = fields.Enum(Stance, by_value=True)


class IngestInput(Schema):
    """An article: its text and what is known of it."""

    text = fields.String(required=True, validate=validate.Length(min=1))
    title = plain_text(500, min_length=1, required=True)
    outlet = plain_text(200, load_default=None, allow_none=True)
    url = plain_text(2000, load_default=None, allow_none=True)
    published = fields.Date(load_default=None, allow_none=True, metadata={"description": "Publication day."})


class IngestResultSchema(Schema):
    source = fields.Nested(SourceListItem, required=True)
    sentences = fields.Integer(required=True)
    claims = fields.Integer(required=True)
    new_speakers = fields.List(fields.Nested(SpeakerRef), required=True)
    claims_url = fields.String(required=True)


class TokenSchema(Schema):
    """An API token as lists show it (never its secret)."""

    id = fields.Integer(required=True)
    name = fields.String(required=True)
    scope = fields.Enum(TokenScope, by_value=True, required=True)
    prefix = fields.String(required=True)
    editor = fields.String(required=True)
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True, required=True)
    revoked_at = fields.DateTime(allow_none=True, required=True)
