"""The web face of the validation layer (:mod:`factdb.services.validation`): what every request passes.

- Ids in paths (``/claims/<int:claim_id>``) are read by :class:`IdConverter`: an id no database row
  can have is a 404 naming it, before any view or query runs.
- Every query parameter and form field, known to a form or not, is refused with a 400 naming it when
  it holds a NUL or another control character (:func:`refuse_control_characters`); only the
  multi-line fields (an article, a rationale) may hold tabs and line breaks, and ``next`` is cleaned
  by :mod:`factdb.web.redirects` instead.

Views still read each value through the services' checks (ids, dates, links); this is the floor
under all of them, so no field a view forgets can carry a NUL into PostgreSQL.
"""

from __future__ import annotations

from flask import request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from factdb.errors import InputError
from factdb.services.validation import MAX_INT, check_text, id_in_range

#: Form fields whose text may run over several lines (textareas).
MULTILINE_FIELDS = frozenset({"text", "rationale", "note"})
#: Parameters cleaned rather than refused: ``next`` after login loses its control characters
#: (factdb.web.redirects), so a mangled link still lets the editor log in.
CLEANED_PARAMS = frozenset({"next"})
#: The longest field name any factdb form uses is far shorter; a longer one is not a field of ours.
MAX_FIELD_NAME = 200


class IdConverter(IntegerConverter):
    """``<int:...>`` in routes: a row id from 1 to :data:`MAX_INT`, otherwise 404 with a message."""

    def to_python(self, value: str) -> int:
        # Checked before int(): Python refuses to convert strings of more than 4,300 digits.
        if len(value) > len(str(MAX_INT)) or not id_in_range(number := int(value)):
            shown = value if len(value) <= 40 else f"{value[:40]}… ({len(value):,} digits)"
            raise NotFound(f"nothing has the id {shown}: ids run from 1 to {MAX_INT:,}")
        return number


def refuse_control_characters() -> None:
    """Before every request: InputError (400) naming the first parameter or field that holds a
    character no text may hold (see :func:`factdb.services.validation.check_text`)."""
    sources = [("parameter", request.args)]
    if request.method not in ("GET", "HEAD"):
        sources.append(("field", request.form))
    for kind, values in sources:
        for name, value in values.items(multi=True):
            if len(name) > MAX_FIELD_NAME:
                raise InputError(f"a {kind} name is longer than {MAX_FIELD_NAME} characters")
            check_text(name, f"the {kind} name {name!r}")
            if name in CLEANED_PARAMS:
                continue
            check_text(value, f"the {kind} {name}", multiline=name in MULTILINE_FIELDS)
