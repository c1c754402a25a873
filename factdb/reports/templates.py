"""Jinja templates for reports, rendered outside Flask (the CLI) as well as inside it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from jinja2 import Environment, select_autoescape

from factdb.resources import template_loader
from factdb.services.validation import is_http_url


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=template_loader(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # Only http(s) links are drawn clickable: a stored javascript: URL (from before links were
    # checked, or typed into another tool) must not run when a report's reader clicks it.
    environment.tests["http_url"] = is_http_url
    return environment


def render_stream(name: str, **context: Any) -> Iterator[str]:
    """Render template ``name`` piece by piece (Jinja's ``generate``), so large reports stream."""
    return _environment().get_template(name).generate(**context)
