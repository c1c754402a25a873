"""Jinja templates for reports, rendered outside Flask (the CLI) as well as inside it."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape


@functools.cache
def _environment() -> Environment:
    folder = files("factdb.templates")
    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_stream(name: str, **context: Any) -> Iterator[str]:
    """Render template ``name`` piece by piece (Jinja's ``generate``), so large reports stream."""
    return _environment().get_template(name).generate(**context)
