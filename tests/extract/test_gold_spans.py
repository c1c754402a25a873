"""Every gold file's offsets spell what its fields say (factdb.extract.goldcheck)."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdb.extract.goldcheck import gold_problems, main
from factdb.extract.scoring import load_gold
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
