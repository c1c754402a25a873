"""Every file of the bad-input corpus through ``factdb ingest``: a clear message (exit status 1, the
path named, nothing stored) or a correct store, on the database under test."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.extract.engine import MAX_CLAIMS_PER_SENTENCE
from factdb.extract.segment import MAX_SENTENCE_CHARS
from factdb.models import Claim, Sentence, Source, Speaker
from tests.integrity.cases import CASES, Case, materialise


def _upgraded(url: str) -> str:
    assert CliRunner().invoke(main, ["db", "upgrade"], env={"FACTDB_DATABASE_URL": url}).exit_code == 0
    return url


@pytest.fixture(scope="module")
def database(new_database_url: Callable[[], str]) -> str:
    """A database the ingest tests add to, one case each (in any order)."""
    return _upgraded(new_database_url())


@pytest.fixture(scope="module")
def stored(new_database_url: Callable[[], str], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database holding every case that is stored rather than refused, ingested here."""
    url = _upgraded(new_database_url())
    folder = tmp_path_factory.mktemp("cases")
    for case in CASES:
        if case.message is None:
            result = _ingest(url, materialise(case, folder))
            assert result.exit_code == 0, result.output
    return url


def _ingest(url: str, path: Path) -> Result:
    return CliRunner().invoke(main, ["ingest", str(path)], env={"FACTDB_DATABASE_URL": url})


def _counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return tuple(  # type: ignore[return-value]
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (Source, Sentence, Claim)
            )
    finally:
        engine.dispose()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_cli_ingest(database: str, case: Case, tmp_path: Path) -> None:
    path = materialise(case, tmp_path)
    before = _counts(database)
    result = _ingest(database, path)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    if case.message is not None:
        assert result.exit_code == 1
        assert case.message in result.stderr and str(path) in result.stderr
        assert _counts(database) == before, "nothing partial is stored"
    else:
        assert result.exit_code == 0, result.output
        after = _counts(database)
        assert after[0] == before[0] + 1 and after[1] > before[1]
        stored_text = _last_text(database)
        if case.stored_holds is not None:
            assert case.stored_holds in stored_text
        if case.stored_lacks is not None:
            assert case.stored_lacks not in stored_text


def _last_text(url: str) -> str:
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            return session.scalars(select(Source.text).order_by(Source.id.desc()).limit(1)).one()
    finally:
        engine.dispose()


def test_stored_texts_are_clean(stored: str) -> None:
    """What the stored cases look like: no CR, offsets that match, invisible characters not in names."""
    engine = make_engine(stored)
    try:
        with make_session_factory(engine)() as session:
            for source in session.scalars(select(Source)):
                assert "\r" not in source.text
                for sentence in source.sentences:
                    assert source.text[sentence.char_start : sentence.char_end] == sentence.text
            names = list(session.scalars(select(Speaker.name)))
            assert not any("\u200b" in n or "\u200d" in n for n in names)
            # A sentence of 2,000 nested quotations is no flood of claims.
            per_sentence = session.execute(
                select(func.count()).select_from(Claim).group_by(Claim.sentence_id)
            ).scalars()
            assert max(per_sentence) <= MAX_CLAIMS_PER_SENTENCE
            assert all(len(s) <= MAX_SENTENCE_CHARS for s in session.scalars(select(Sentence.text)))
            long_line = session.scalars(select(Source).where(Source.title.startswith("word word"))).first()
            assert long_line is not None and len(long_line.sentences) >= 1
    finally:
        engine.dispose()


def test_same_article_twice_names_the_first(stored: str) -> None:
    path = materialise(next(c for c in CASES if c.name == "windows-crlf.txt"), Path("."))
    again = _ingest(stored, path)
    assert again.exit_code == 1
    assert "already" in again.stderr and "source #" in again.stderr
