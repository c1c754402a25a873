"""Every gold file's offsets spell what its fields say (factdb.extract.goldcheck)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from factdb.errors import InputError
from factdb.extract.goldcheck import gold_problems, main
from factdb.extract.model import gold_examples
from factdb.extract.scoring import evaluate, load_gold
from tests.conftest import REPO

GOLD_FILES = sorted((REPO / "tests" / "gold").rglob("*.gold.json"))


@pytest.mark.parametrize("path", GOLD_FILES, ids=lambda p: p.stem)
def test_gold_spans_match_their_text(path: Path) -> None:
    assert [p for doc in load_gold(path) for p in gold_problems(doc)] == []


def test_there_are_at_least_twenty_newswire_articles() -> None:
    assert len([p for p in GOLD_FILES if p.parent.name == "newswire"]) >= 20


def test_checker_reports_a_shifted_span(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = (
        '{"id": "x", "text": "Officials said the bridge was safe.", '
        '"sentences": [{"start": 0, "end": 35, "kind": "statement"}], '
        '"attributions": [{"sentence": 0, "content": "the bridge was safe", "content_spans": [[16, 35]]}]}'
    )
    path = tmp_path / "x.gold.json"
    path.write_text(doc)
    assert main([str(path)]) == 1
    assert "content_spans spell 'he bridge was safe.'" in capsys.readouterr().out


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 60) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
_ATTRIBUTION = st.dictionaries(
    st.sampled_from(["sentence", "speaker", "content", "cue", "content_spans", "cue_spans", "source_spans"]),
    _JSON,
    max_size=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attributions=st.lists(_ATTRIBUTION, max_size=3) | _JSON,
    sentences=st.just([{"start": 0, "end": 35, "kind": "statement"}]) | _JSON,
)
def test_any_gold_structure_is_read_or_refused_with_a_message(
    tmp_path: Path, attributions: object, sentences: object
) -> None:
    doc = {
        "id": "x",
        "text": "Officials said the bridge was safe.",
        "sentences": sentences,
        "attributions": attributions,
    }
    path = tmp_path / "x.gold.json"
    path.write_text(json.dumps(doc))
    try:
        docs = list(load_gold(path))
    except InputError as error:
        assert "x.gold.json" in str(error)
        return
    list(gold_examples(docs))  # the trainer reads what the loader accepted
    evaluate([path], unit="sentence")
    evaluate([path])
    assert all(isinstance(p, str) for doc in docs for p in gold_problems(doc))
