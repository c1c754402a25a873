"""The claim page's widgets (factdb.web.widgets) write exactly what WTForms' own write."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import widgets as wtforms_widgets
from wtforms.fields import Field

from factdb.web import widgets
from factdb.web.forms import AttributionForm, RelationForm, ReviewForm

#: What each of factdb's widgets stands in for.
ORIGINALS = {
    widgets.TextInput: wtforms_widgets.TextInput,
    widgets.NumberInput: wtforms_widgets.NumberInput,
    widgets.HiddenInput: wtforms_widgets.HiddenInput,
    widgets.Select: wtforms_widgets.Select,
}
HOSTILE = "\"><script>x</script>&amp; 'quoted'"
#: The keyword arguments claim page templates pass, and some hostile ones.
RENDER_KW: list[dict[str, Any]] = [
    {},
    {"type": "url", "placeholder": "https://"},
    {"list": "speaker-names", "autocomplete": "off", "data-suggest": "/speakers/suggest"},
    {"min": 3, "max": 900, "aria-describedby": "status-hint"},
    {"class_": HOSTILE, "data_x": Markup('a "b"'), "disabled": True, "readonly": False},
]


def _fields(form: Any) -> list[Field]:
    out = []
    for field in form:
        if hasattr(field, "entries"):  # the evidence rows
            for entry in field.entries:
                out.extend(entry.form)
        else:
            out.append(field)
    return out


def _forms(data: MultiDict[str, str] | None) -> list[Any]:
    return [
        ReviewForm(formdata=data, version=3, status="disputed"),
        AttributionForm(
            formdata=data,
            speaker=HOSTILE,
            content_start=10,
            content_end=50,
            cue="said",
            stance="denies",
            version=3,
        ),
        RelationForm(formdata=data),
    ]


def test_the_claim_page_fields_render_as_with_wtforms_widgets(app: Flask) -> None:
    hostile = MultiDict(
        {"status": HOSTILE, "rationale": HOSTILE, "evidence-0-url": HOSTILE, "evidence-0-stance": "supports",
         "evidence-1-title": HOSTILE, "speaker": HOSTILE, "content_start": "x", "cue": HOSTILE,
         "stance": "urges", "kind": HOSTILE, "related_claim": "7", "version": HOSTILE}
    )  # fmt: skip
    compared = 0
    with app.test_request_context("/", method="POST", data=hostile):
        for data in (None, hostile):
            for form in _forms(data):
                for field in _fields(form):
                    ours = type(field.widget)
                    if ours not in ORIGINALS:
                        continue
                    for kwargs in RENDER_KW:
                        expected = ORIGINALS[ours]()(field, **kwargs)
                        assert field(**kwargs) == expected, (field.name, kwargs)
                        compared += 1
    assert compared >= 2 * 5 * 16, (
        "every field of the claim page's forms but the CSRF tokens and the rationale"
    )


@given(
    st.dictionaries(
        st.sampled_from(["id", "name", "class_", "data_suggest", "aria_label", "for_", "value", "min"]),
        st.one_of(st.booleans(), st.integers(), st.text(), st.text().map(Markup)),
    )
)
def test_html_params_writes_what_wtforms_writes(kwargs: dict[str, Any]) -> None:
    assert widgets.html_params(**kwargs) == wtforms_widgets.html_params(**kwargs)
