"""The command line shows and exports what found a claim and the outlet that carried its words."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from factdb.cli import main
from tests.test_cli import cli  # noqa: F401  (the fixture)

ARTICLE = "TASS quoted Ana Ruiz as saying that the ferry talks had stalled.\nThe harbour was quiet.\n"


def test_extract_json_names_the_rule_and_the_channel(tmp_path: Path) -> None:
    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    shown = CliRunner().invoke(main, ["extract", "--json", str(article)])
    assert shown.exit_code == 0, shown.output
    claims = json.loads(shown.output)["claims"]
    assert [(c["speaker"], c["rule"], c["channel"]) for c in claims] == [
        ("Ana Ruiz", "quoted-as-saying", "TASS"),
        (None, None, None),
    ]


def test_export_filters_by_channel(cli: Callable[..., Result], tmp_path: Path) -> None:  # noqa: F811
    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    assert cli("db", "upgrade").exit_code == 0
    assert cli("ingest", str(article), "--outlet", "Harbour Wire").exit_code == 0
    exported = cli("export", "claims", "--status", "any", "--channel", "TASS")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(r["content"], r["channel"], r["found_by"]) for r in rows] == [
        ("the ferry talks had stalled", "TASS", "quoted-as-saying")
    ]
    refused = cli("export", "claims", "--status", "any", "--channel", "TA\x07SS")
    assert refused.exit_code == 1 and "--channel contains control characters" in refused.stderr
