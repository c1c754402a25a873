"""Checks that a gold file's offsets say what its words say (``python -m factdb.extract.goldcheck FILES``).

Gold is typed by hand; a span off by one silently turns a right answer into a miss. For every
document this checks that sentences are ordered, inside the text and trimmed; that each
attribution's sentence exists and its content span lies inside that sentence; that each span's
text equals the field it stands for (``content``, ``mention``, ``cue``) when there is one span;
that speakers are in the registry and stances are known. Exit status 1 lists every problem.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from factdb.enums import Stance
from factdb.errors import InputError
from factdb.extract.scoring import load_gold

# Which field of an attribution each kind of span must spell out.
_SPAN_FIELDS = (("content_spans", "content"), ("source_spans", "mention"), ("cue_spans", "cue"))
_STANCES = frozenset(s.value for s in Stance)


def _spans(value: Any) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in value or []]


def gold_problems(doc: dict[str, Any]) -> Iterator[str]:
    """Every inconsistency between one gold document's offsets, fields and registry."""
    text: str = doc["text"]
    doc_id = doc.get("id", "?")
    sentences = doc.get("sentences") or []
    previous_end = 0
    for i, s in enumerate(sentences):
        start, end = int(s["start"]), int(s["end"])
        if not 0 <= previous_end <= start < end <= len(text):
            yield f"{doc_id}: sentence {i} [{start}, {end}) is out of order or outside the text"
            continue
        if text[start].isspace() or text[end - 1].isspace():
            yield f"{doc_id}: sentence {i} starts or ends with white space"
        previous_end = end
    registry = doc.get("speakers")
    names = {sp["name"] for sp in registry or []}
    for n, a in enumerate(doc.get("attributions") or []):
        where = f"{doc_id}: attribution {n}"
        if registry is not None and a.get("speaker") not in names:
            yield f"{where}: speaker {a.get('speaker')!r} is not in the speakers registry"
        if a.get("stance") is not None and a["stance"] not in _STANCES:
            yield f"{where}: unknown stance {a['stance']!r}"
        for key, field in _SPAN_FIELDS:
            spans = _spans(a.get(key))
            for start, end in spans:
                if not 0 <= start < end <= len(text):
                    yield f"{where}: {key} [{start}, {end}) is outside the text"
            if len(spans) == 1 and a.get(field) is not None:
                start, end = spans[0]
                if text[start:end] != a[field]:
                    yield f"{where}: {key} spell {text[start:end]!r}, not {field} {a[field]!r}"
        index = a.get("sentence")
        if index is None or not sentences:
            continue
        if not 0 <= int(index) < len(sentences):
            yield f"{where}: sentence {index} does not exist"
            continue
        s = sentences[int(index)]
        for start, end in _spans(a.get("content_spans")):
            if not (int(s["start"]) <= start and end <= int(s["end"])):
                yield f"{where}: content lies outside its sentence {index}"


def main(argv: list[str] | None = None) -> int:
    """Check the gold files named on the command line; print problems; 1 if there were any."""
    problems = 0
    for name in argv if argv is not None else sys.argv[1:]:
        try:
            for doc in load_gold(Path(name)):
                for problem in gold_problems(doc):
                    print(problem)
                    problems += 1
        except InputError as exc:
            print(exc)
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
