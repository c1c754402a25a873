"""WTForms' widgets for the forms of the claim page, with their attributes written faster.

WTForms writes every attribute through ``Markup.format``, which runs Python's pure-Python
``string.Formatter``: the claim page's three forms (about thirty attributes and options) spent about
a millisecond and a half there, a tenth of the page. These widgets are WTForms' own; only the
attribute writing differs, and its output is the same (``tests/web/test_widgets.py`` compares them).
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape
from wtforms import widgets
from wtforms.fields.choices import SelectChoice
from wtforms.widgets.core import clean_key


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``: the same attributes, in the same order, built with ``str.join``."""
    params = []
    for key, value in sorted(kwargs.items()):
        if value is True:
            params.append(clean_key(key))
        elif value is not False:
            params.append(f'{clean_key(key)}="{str(escape(value)).replace(chr(34), "&quot;")}"')
    return Markup(" ".join(params))  # noqa: S704 (every value above went through escape)


class TextInput(widgets.TextInput):
    """A text input (WTForms' ``TextInput``)."""

    html_params = staticmethod(html_params)


class NumberInput(widgets.NumberInput):
    """A number input (WTForms' ``NumberInput``)."""

    html_params = staticmethod(html_params)


class HiddenInput(widgets.HiddenInput):
    """A hidden input (WTForms' ``HiddenInput``)."""

    html_params = staticmethod(html_params)


class Select(widgets.Select):
    """A select (WTForms' ``Select``) whose options, most of its attributes, are written faster."""

    @classmethod
    def render_option(cls, choice: SelectChoice, **kwargs: Any) -> Markup:
        value = str(choice.value) if isinstance(choice.value, bool) else choice.value
        options = {"value": value, **(choice.render_kw or {}), **kwargs}
        if choice.selected:
            options["selected"] = True
        label = escape(choice.label or choice.value)
        return Markup(f"<option {html_params(**options)}>{label}</option>")  # noqa: S704 (escaped)
