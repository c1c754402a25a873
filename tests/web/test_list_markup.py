"""The claims list's markup drawn in Python (factdb.web.forms.csrf_token_field, factdb.web.rows) is
exactly what the form and the template loop it replaced drew."""

from __future__ import annotations

from flask import Flask, render_template_string
from markupsafe import Markup

from factdb.enums import ClaimStatus, Stance
from factdb.services.queries import ListedClaim, SourceTitle
from factdb.web.forms import BulkStatusForm, csrf_token_field
from factdb.web.rows import page_id_fields
from tests.web.conftest import MakeApp


def test_csrf_field_is_the_forms(make_app: MakeApp) -> None:
    app: Flask = make_app()  # CSRF on
    with app.test_request_context("/"):
        drawn = csrf_token_field()
        assert str(drawn) == str(BulkStatusForm().csrf_token)
        assert 'name="csrf_token"' in drawn


def test_no_csrf_field_when_csrf_is_off(app: Flask) -> None:
    with app.test_request_context("/"):
        assert csrf_token_field() == Markup("")
        # What the template drew from a form without the field: nothing.
        assert render_template_string("{{ form.csrf_token }}", form=BulkStatusForm()) == ""


def test_page_id_fields_are_the_template_loop(app: Flask) -> None:
    source = SourceTitle(1, "t", None)
    claims = [
        ListedClaim(claim_id, None, "c", Stance.ASSERTS, ClaimStatus.UNVERIFIED, None, None, source)
        for claim_id in (7, 1_000_042, 3)
    ]
    loop = '{% for claim in claims %}<input type="hidden" name="page_ids" value="{{ claim.id }}">{% endfor %}'
    with app.test_request_context("/"):
        assert page_id_fields(claims) == render_template_string(loop, claims=claims)
        assert page_id_fields([]) == ""
