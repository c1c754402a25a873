"""The command line shows and exports what found a claim and the outlet that carried its words."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner, Result

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.extract import extract
from factdb.services.ingest import ingest_text
from tests.handmade import Said, handmade
from tests.test_cli import cli  # noqa: F401  (the fixture)

ARTICLE = "TASS quoted Ana Ruiz as saying that the ferry talks had stalled.\nThe harbour was quiet.\n"


def test_extract_json_names_the_rule_and_the_channel(tmp_path: Path) -> None:
    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    shown = CliRunner().invoke(main, ["extract", "--json", str(article)])
    assert shown.exit_code == 0, shown.output
    # What the engine finds is tests/extract's business; the command prints it, rule and channel too.
    claims = json.loads(shown.output)["claims"]
    assert [(c["speaker"], c["rule"], c["channel"]) for c in claims] == [
        (c.speaker and c.speaker.name, c.rule, c.channel) for c in extract(ARTICLE).claims
    ]


def test_export_filters_by_channel(cli: Callable[..., Result]) -> None:  # noqa: F811
    assert cli("db", "upgrade").exit_code == 0
    extraction = handmade(
        ARTICLE,
        Said("Ana Ruiz", "quoted", "the ferry talks had stalled", channel="TASS", rule="quoted-as-saying"),
    )
    engine = make_engine(cli.url)  # type: ignore[attr-defined]
    with make_session_factory(engine, write=True).begin() as session:
        ingest_text(session, None, ARTICLE, title="Ferry", outlet="Harbour Wire", extraction=extraction)
    engine.dispose()
    exported = cli("export", "claims", "--status", "any", "--channel", "TASS")
    assert exported.exit_code == 0, exported.output
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert [(r["content"], r["channel"], r["found_by"]) for r in rows] == [
        ("the ferry talks had stalled", "TASS", "quoted-as-saying")
    ]
    refused = cli("export", "claims", "--status", "any", "--channel", "TA\x07SS")
    assert refused.exit_code == 1 and "--channel contains the control character" in refused.stderr
