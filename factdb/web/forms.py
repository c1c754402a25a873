"""WTForms classes: each validates input and is mapped by its view onto one service call."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass

from flask import current_app
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    FormField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms import Form as PlainForm
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional

from factdb.enums import ClaimStatus, EditorRole, EvidenceStance, RelationKind, SpeakerKind, Stance
from factdb.services.editors import MIN_PASSWORD_LENGTH
from factdb.services.validation import MAX_INT
from factdb.web.widgets import HiddenInput, NumberInput, Select, TextInput


def _choices(enum_cls: type[enum.Enum]) -> list[SelectChoice]:
    return [SelectChoice(member.value) for member in enum_cls]


class EvidenceEntry(PlainForm):
    """One evidence link given with a review; blank rows are ignored."""

    url = StringField(
        "Evidence URL",
        validators=[Optional(), Length(max=2000), URL(message="must be an http:// or https:// address")],
        widget=TextInput(),
    )
    stance = SelectField(
        "Supports or refutes",
        choices=_choices(EvidenceStance),
        default=EvidenceStance.REFUTES.value,
        widget=Select(),
    )
    title = StringField("Link title", validators=[Optional(), Length(max=500)], widget=TextInput())


# The claim page's forms (ReviewForm, EvidenceEntry, AttributionForm, RelationForm) draw with
# factdb.web.widgets: the same HTML, written faster (that page is drawn most often).


class ReviewForm(FlaskForm):
    """Change a claim's status; ``version`` is the claim version the editor saw."""

    status = SelectField(
        "Status", choices=_choices(ClaimStatus), validators=[InputRequired()], widget=Select()
    )
    rationale = TextAreaField("Rationale", validators=[Length(max=5000)])
    evidence = FieldList(FormField(EvidenceEntry), min_entries=2, max_entries=10)
    version = HiddenField(validators=[InputRequired()], widget=HiddenInput())


class AttributionForm(FlaskForm):
    """Correct the speaker, content span, cue or stance of a claim."""

    speaker = StringField("Speaker", validators=[Optional(), Length(max=300)], widget=TextInput())
    content_start = IntegerField(
        "Content starts at",
        validators=[InputRequired(), NumberRange(min=0, max=MAX_INT)],
        widget=NumberInput(),
    )
    content_end = IntegerField(
        "Content ends at",
        validators=[InputRequired(), NumberRange(min=0, max=MAX_INT)],
        widget=NumberInput(),
    )
    cue = StringField("Cue", validators=[Optional(), Length(max=100)], widget=TextInput())
    stance = SelectField("The speaker's stance", choices=_choices(Stance), widget=Select())
    version = HiddenField(validators=[InputRequired()], widget=HiddenInput())


class RelationForm(FlaskForm):
    """Link this claim to another."""

    related_claim = IntegerField(
        "Other claim #", validators=[InputRequired(), NumberRange(min=1, max=MAX_INT)], widget=NumberInput()
    )
    kind = SelectField("Relation", choices=_choices(RelationKind), widget=Select())


class BulkScope:
    """Which claims a bulk change applies to."""

    SELECTED = "selected"
    PAGE = "page"
    FILTER = "filter"


class BulkStatusForm(FlaskForm):
    """Set the status of the selected claims (or of every claim matching the filter)."""

    # Not "status": that name belongs to the claim filter carried along in hidden fields.
    new_status = SelectField("Set status", choices=_choices(ClaimStatus))
    rationale = TextAreaField("Rationale", validators=[Length(max=5000)])
    scope = RadioField(
        "Apply to",
        choices=[
            SelectChoice(BulkScope.SELECTED, "the claims ticked in the list"),
            SelectChoice(BulkScope.PAGE, "every claim on this page"),
            SelectChoice(BulkScope.FILTER, "every claim matching the filter"),
        ],
        default=BulkScope.SELECTED,
    )
    include_reviewed = BooleanField("Also change the claims listed above, overriding their verdicts")
    # Set by the preview page: the editor has seen what the change does.
    confirm = HiddenField()


@dataclass(frozen=True)
class BlankBulkForm:
    """The fields of a blank :class:`BulkStatusForm` as the claims list draws them (not its CSRF token)."""

    new_status_label: str
    new_status: Markup
    rationale_label: str
    rationale: Markup
    #: Each scope choice: its value, its radio input, its label's text.
    scope: tuple[tuple[str, Markup, str], ...]


@functools.cache
def blank_bulk_form() -> BlankBulkForm:
    """The list's bulk form fields, drawn once per process (needs an app context the first time).

    The list draws them for an editor on every page, always blank, and WTForms took about 1 ms a
    page to draw the same markup again."""
    form = BulkStatusForm(formdata=None, meta={"csrf": False})
    return BlankBulkForm(
        form.new_status.label.text,
        form.new_status(),
        form.rationale.label.text,
        form.rationale(rows=1, cols=40),
        tuple((str(choice.data), choice(), choice.label.text) for choice in form.scope),
    )


def csrf_token_field() -> Markup:
    """For templates: the hidden CSRF field a :class:`FlaskForm` draws (``{{ form.csrf_token }}``), the
    same markup, without building a form to draw it (a form's fields cost the claims list ~0.2 ms a
    page). Nothing when CSRF protection is off, as a form then has no such field."""
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return Markup("")
    token = escape(generate_csrf())
    return Markup(f'<input id="csrf_token" name="csrf_token" type="hidden" value="{token}">')  # noqa: S704


class IngestForm(FlaskForm):
    """Paste an article or upload a .txt file."""

    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    outlet = StringField("Outlet", validators=[Optional(), Length(max=200)])
    url = StringField(
        "URL",
        validators=[Optional(), Length(max=2000), URL(message="must be an http:// or https:// address")],
    )
    published = DateField("Published", validators=[Optional()])
    text = TextAreaField("Article text", validators=[Optional()])
    # Judged by content, not by name: binary, HTML and non-UTF-8 files are refused with a message.
    upload = FileField("…or a plain-text file", validators=[Optional()])


class SpeakerForm(FlaskForm):
    """Edit a speaker's details."""

    name = StringField("Name", validators=[DataRequired(), Length(max=300)])
    kind = SelectField("Kind", choices=_choices(SpeakerKind))
    role = StringField("Role", validators=[Optional(), Length(max=300)])
    affiliation = StringField("Speaks for", validators=[Optional(), Length(max=300)])
    needs_review = BooleanField("Needs review")


class AliasForm(FlaskForm):
    """Add an alias."""

    alias = StringField("New alias", validators=[DataRequired(), Length(max=300)])


class MergeForm(FlaskForm):
    """Merge this speaker into another (admins)."""

    target = StringField("Merge into", validators=[DataRequired(), Length(max=300)])


class SuggestionForm(FlaskForm):
    """Accept a suggested merge, keeping one of the two speakers; or (with no field) reject it."""

    keep = IntegerField("Keep", validators=[Optional(), NumberRange(min=1, max=MAX_INT)])


class EditorCreateForm(FlaskForm):
    """Create an editor account (admins)."""

    username = StringField("Username", validators=[DataRequired(), Length(max=80)])
    display_name = StringField("Display name", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=_choices(EditorRole), default=EditorRole.EDITOR.value)
    password = PasswordField(
        "Password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )


class EditorUpdateForm(FlaskForm):
    """Change an editor's role or active flag (admins)."""

    role = SelectField("Role", choices=_choices(EditorRole))
    active = BooleanField("Active")


class PasswordForm(FlaskForm):
    """Change your own password."""

    current = PasswordField("Current password", validators=[DataRequired()])
    new = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)])
    confirm = PasswordField(
        "Repeat new password", validators=[EqualTo("new", message="the passwords differ")]
    )


class PasswordResetForm(FlaskForm):
    """Give another editor a new password (admins)."""

    new = PasswordField("New password", validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)])
