"""The ``factdb`` command line against a real database file (or PostgreSQL schema)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.extract import extract
from factdb.extract.output import to_document, to_text
from factdb.extract.scoring import evaluate
from factdb.models import AuditEvent, Claim, Review, Sentence, Source
from tests.conftest import REPO, SAMPLE_TEXT


@pytest.fixture
def cli(new_database_url: Callable[[], str]) -> Callable[..., Result]:
    url = new_database_url()

    def run(*args: str, input: str | None = None) -> Result:
        return CliRunner().invoke(
            main, list(args), input=input, env={"FACTDB_DATABASE_URL": url}, catch_exceptions=False
        )

    run.url = url  # type: ignore[attr-defined]
    return run


def _count(url: str, model: type) -> int:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_commands_stop_until_the_schema_is_current(cli: Callable[..., Result]) -> None:
    result = cli("claims", "list")
    assert result.exit_code == 1
    assert "run `factdb db upgrade`" in result.stderr
    assert "Traceback" not in result.output


def test_upgrade_ingest_list_review(cli: Callable[..., Result]) -> None:
    assert cli("db", "upgrade").exit_code == 0
    assert "up to date" in cli("db", "current").output
    result = cli("ingest", str(SAMPLE_TEXT), "--outlet", "Sample Wire", "--published", "2025-03-15")
    assert result.exit_code == 0, result.output
    sentences = _count(cli.url, Sentence)  # type: ignore[attr-defined]
    assert f"{sentences} sentences" in result.output and "1 stored, 0 failed" in result.output
    listing = cli("claims", "list", "--limit", "100").output.splitlines()
    assert len(listing) == _count(cli.url, Claim)  # type: ignore[attr-defined]
    claim_id = listing[0].split("\t")[0].lstrip("#")
    refused = cli("claims", "set-status", claim_id, "disputed")
    assert refused.exit_code == 1 and "needs a rationale" in refused.stderr
    done = cli(
        "claims", "set-status", claim_id, "disputed", "--rationale", "Contradicted by satellite images"
    )
    assert done.exit_code == 0 and "unverified → disputed" in done.output
    assert "disputed" in cli("claims", "list", "--status", "disputed").output
    shown = cli("claims", "show", claim_id).output
    assert "Contradicted by satellite images" in shown and "system" in shown
    assert _count(cli.url, Review) == 1  # type: ignore[attr-defined]
    added = cli("claims", "add-evidence", claim_id, "https://example.org/images", "--stance", "refutes",
                "--title", "Satellite images")  # fmt: skip
    assert added.exit_code == 0 and "refutes https://example.org/images added" in added.output
    assert _count(cli.url, Review) == 2, "the evidence is a new review entry"  # type: ignore[attr-defined]
    shown = cli("claims", "show", claim_id).output
    assert (
        "added to disputed" in shown
        and "evidence for this verdict: refutes https://example.org/images" in shown
    )
    bad = cli("claims", "add-evidence", claim_id, "javascript:alert(1)")
    assert bad.exit_code == 1 and "http" in bad.stderr and "Traceback" not in bad.output


def test_ingest_reports_each_bad_file_and_keeps_the_good_ones(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    cli("db", "upgrade")
    good = tmp_path / "good.txt"
    good.write_text("Storm Report\nOfficials said the storm passed overnight.\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le ministre a déclaré que tout va bien.".encode("latin-1"))
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\x00\x00\x00")
    result = cli(
        "ingest", str(good), str(empty), str(latin), str(binary), str(tmp_path / "missing.txt"), str(tmp_path)
    )
    assert result.exit_code == 1
    assert "1 stored, 5 failed" in result.output
    for path, problem in [
        (empty, "is empty"),
        (latin, "not valid UTF-8"),
        (binary, "binary"),
        (tmp_path / "missing.txt", "no such file"),
        (tmp_path, "is a directory"),
    ]:
        assert f"error: {path}: " in result.stderr and problem in result.stderr
    assert "Traceback" not in result.output
    assert _count(cli.url, Source) == 1  # type: ignore[attr-defined]
    again = cli("ingest", str(good))
    assert again.exit_code == 1 and "already ingested as source #1" in again.stderr


def test_size_limit_is_configurable(new_database_url: Callable[[], str], tmp_path: Path) -> None:
    url = new_database_url()
    runner = CliRunner()
    runner.invoke(main, ["db", "upgrade"], env={"FACTDB_DATABASE_URL": url})
    article = tmp_path / "long.txt"
    article.write_text("Officials said it rained. " * 10, encoding="utf-8")
    result = runner.invoke(
        main, ["ingest", str(article)], env={"FACTDB_DATABASE_URL": url, "FACTDB_MAX_INGEST_BYTES": "100"}
    )
    assert result.exit_code == 1 and "over the limit of 100 bytes" in result.stderr
    assert _count(url, Sentence) == 0


def test_editors_create_reads_password_from_stdin_only(cli: Callable[..., Result]) -> None:
    cli("db", "upgrade")
    result = cli(
        "editors", "create", "maria", "--role", "admin", "--password-stdin", input="a long password\n"
    )
    assert result.exit_code == 0 and "maria (admin)" in result.output
    short = cli("editors", "create", "ivan", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 8" in short.stderr
    acted = cli("--editor", "maria", "ingest", str(SAMPLE_TEXT))
    assert acted.exit_code == 0
    engine = make_engine(cli.url)  # type: ignore[attr-defined]
    with make_session_factory(engine)() as session:
        actors = set(session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "source.ingest")))
    engine.dispose()
    assert actors == {"maria"}
    unknown = cli("--editor", "nobody", "claims", "list")
    assert unknown.exit_code == 1 and "no editor named 'nobody'" in unknown.stderr


def test_editors_list_reset_password_set_role_deactivate(cli: Callable[..., Result]) -> None:
    from factdb.services.editors import authenticate

    cli("db", "upgrade")
    cli("editors", "create", "maria", "--role", "editor", "--password-stdin", input="a long password\n")
    cli("editors", "create", "boss", "--role", "admin", "--password-stdin", input="a long password\n")
    assert cli("editors", "list").output.splitlines() == [
        "boss\tboss\tadmin\tactive",
        "maria\tmaria\teditor\tactive",
    ]
    short = cli("editors", "reset-password", "maria", "--password-stdin", input="short\n")
    assert short.exit_code == 1 and "at least 8" in short.stderr
    reset = cli("--editor", "boss", "editors", "reset-password", "maria", "--password-stdin",
                input="a fresh password\n")  # fmt: skip
    assert reset.exit_code == 0 and "password of maria reset" in reset.output
    engine = make_engine(cli.url)  # type: ignore[attr-defined]
    with make_session_factory(engine)() as session:
        assert authenticate(session, "maria", "a fresh password") is not None
        assert authenticate(session, "maria", "a long password") is None
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "editor.password_reset")))
    assert [e.actor for e in events] == ["boss"] and "fresh" not in str(events[0].after)
    assert cli("editors", "set-role", "maria", "viewer").output.strip() == "maria is now viewer"
    bad_role = cli("editors", "set-role", "maria", "owner")
    assert bad_role.exit_code == 2 and "owner" in bad_role.stderr
    assert cli("editors", "deactivate", "maria").exit_code == 0
    assert "maria\tmaria\tviewer\tdeactivated" in cli("editors", "list").output
    with make_session_factory(engine)() as session:
        assert authenticate(session, "maria", "a fresh password") is None
    engine.dispose()
    assert "reactivated" in cli("editors", "deactivate", "maria", "--reactivate").output
    unknown = cli("editors", "reset-password", "nobody", "--password-stdin", input="a long password\n")
    assert unknown.exit_code == 1 and "no editor named 'nobody'" in unknown.stderr


def test_speakers_add_alias_merge(cli: Callable[..., Result]) -> None:
    cli("db", "upgrade")
    assert cli("speakers", "add", "Kremlin", "--kind", "organization").exit_code == 0
    assert (
        cli(
            "speakers", "add", "Dmitry Peskov", "--role", "Kremlin spokesman", "--affiliation", "the Kremlin"
        ).exit_code
        == 0
    )
    assert cli("speakers", "add", "D. Peskov").exit_code == 0
    assert cli("speakers", "alias", "Dmitry Peskov", "Peskov").exit_code == 0
    clash = cli("speakers", "alias", "Kremlin", "peskov")
    assert clash.exit_code == 1 and "already an alias" in clash.stderr
    assert "merge them instead" in clash.stderr and "factdb speakers merge 1 2" in clash.stderr
    assert cli("speakers", "add", "Anna Ivanova").exit_code == 0
    surname = cli("speakers", "alias", "Anna Ivanova", "Peskov")
    assert surname.exit_code == 1 and "'Peskov' is already an alias of speaker #2" in surname.stderr
    merged = cli("speakers", "merge", "D. Peskov", "Dmitry Peskov")
    assert merged.exit_code == 0, merged.output
    listing = cli("speakers", "list").output
    assert "Dmitry Peskov, Kremlin spokesman" in listing and "D. Peskov" not in listing
    # The merged speaker's own name now finds the surviving speaker.
    assert "names speaker #2 Dmitry Peskov" in cli("speakers", "alias", "d. peskov", "Dima Peskov").output


def test_demo_sets_up_a_fresh_database(tmp_path: Path) -> None:
    database = tmp_path / "demo.sqlite3"
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--database", str(database), "--no-serve"])
    assert first.exit_code == 0, first.output
    sentences = _count(f"sqlite:///{database}", Sentence)
    assert "log in as  demo / " in first.output and f"{sentences} sentences" in first.output
    second = runner.invoke(main, ["demo", "--database", str(database), "--no-serve"])
    assert second.exit_code == 0, "the demo starts afresh each time"
    assert _count(f"sqlite:///{database}", Source) == 1


def test_extract_prints_the_format_and_eval_scores(tmp_path: Path) -> None:
    import json

    runner = CliRunner()
    shown = runner.invoke(main, ["extract", "--json", str(SAMPLE_TEXT)])
    assert shown.exit_code == 0, shown.output
    document = json.loads(shown.output)
    # What the engine finds is tests/extract's business; the command prints exactly that.
    text = SAMPLE_TEXT.read_text(encoding="utf-8")
    extraction = extract(text)
    assert document == json.loads(json.dumps(to_document(extraction)))
    for claim in document["claims"]:
        assert text[claim["content_start"] : claim["content_end"]] == claim["content"]
    listing = runner.invoke(main, ["extract", str(SAMPLE_TEXT)])
    assert listing.output.strip() == to_text(text, extraction).strip()
    gold = REPO / "tests" / "gold" / "kursk-offensive.gold.json"
    scored = runner.invoke(main, ["eval", "--verbose", str(gold)])
    assert scored.exit_code == 0
    # The scores themselves are tests/extract's business; the command prints the scorer's figures.
    scores = evaluate([gold])[0].scores()
    assert f"segmentation F1: {scores['segmentation_f1']:.3f}" in scored.output
    p, r, f = (scores[f"attribution_{m}"] or 0.0 for m in ("precision", "recall", "f1"))
    assert f"attribution  P {p:.3f}  R {r:.3f}  F1 {f:.3f}" in scored.output
    by_sentence = runner.invoke(main, ["eval", "--unit", "sentence", "--speech-only", str(gold)])
    assert by_sentence.exit_code == 0, by_sentence.output
    assert "unit: sentence (speech cues only)" in by_sentence.output
    accuracy = evaluate([gold], unit="sentence", speech_only=True)[0].scores()["speaker_accuracy"] or 0.0
    assert f"speaker accuracy on found content: {accuracy:.3f}" in by_sentence.output
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n")
    failed = runner.invoke(main, ["eval", str(bad)])
    assert failed.exit_code == 1 and f"error: {bad}: is not valid JSON" in failed.stderr
    missing = runner.invoke(main, ["extract", str(tmp_path / "none.txt")])
    assert missing.exit_code == 1 and "no such file" in missing.stderr
