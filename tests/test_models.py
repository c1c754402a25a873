"""Learned models in the database: training from gold and from editors, versions, activation, ingest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from factdb.cli import main
from factdb.db import make_engine, make_session_factory
from factdb.enums import ClaimStatus, EditorRole, SpeakerKind
from factdb.errors import InputError, PermissionDeniedError
from factdb.models import AuditEvent, Claim, Editor, ExtractionModel, Source
from factdb.services import models as model_service
from factdb.services.claims import change_status, edit_attribution
from factdb.services.editors import create_editor
from factdb.services.ingest import ingest_text
from factdb.services.speakers import create_speaker
from tests.conftest import REPO

GOLD = sorted((REPO / "tests" / "gold").glob("*.gold.json"))
# Reports with verbs the rules do not know: what editors teach the model below.
TAUGHT = [
    ("Mayor Lena Holm", "reckoned", "the bridge would reopen in May"),
    ("Engineer Paul Dahl", "surmised", "the cracks in the pillars were decades old"),
    ("Council member Sara Lind", "reckoned", "the repair budget was far too small"),
    ("Police chief Omar Berg", "surmised", "the fire at the depot had been set on purpose"),
    ("Professor Eva Roos", "reckoned", "the river would flood again next spring"),
    ("Union leader Karl Mets", "surmised", "the yard would lose half of its jobs"),
    ("Doctor Anna Vask", "reckoned", "the clinic could treat twice as many patients"),
    ("Builder Jaan Tamm", "surmised", "the new road would cost more than planned"),
]
FILLER = "The weather was cold all week. Trains ran late on Tuesday. The market opened at nine."


def _article(reports: list[tuple[str, str, str]]) -> str:
    return " ".join([FILLER, *(f"{who} {verb} {what}." for who, verb, what in reports)])


def test_train_list_activate_deactivate(db_session: Session, admin: Editor) -> None:
    first = model_service.train_model(db_session, admin, name="small", gold=GOLD, max_iterations=30)
    second = model_service.train_model(
        db_session, admin, name="small", gold=GOLD[:4], dev=GOLD[4:6], max_iterations=30
    )
    assert (first.version, second.version) == (1, 2) and first.fingerprint != second.fingerprint
    assert first.training["gold_documents"] == len(GOLD) and first.dev_scores is None
    assert second.dev_scores is not None and set(second.dev_scores) == {"gold", "rules", "hybrid"}
    assert model_service.extractor(db_session) is model_service.extract  # none active: the rules
    model_service.activate_model(db_session, admin, "small@1")
    assert model_service.get_model(db_session, "small@1").active
    model_service.activate_model(db_session, admin, "small")  # the latest version
    active = db_session.scalars(select(ExtractionModel).where(ExtractionModel.active)).all()
    assert [m.label for m in active] == ["small@2"]
    assert model_service.deactivate_models(db_session, admin) is not None
    with pytest.raises(InputError, match="no model is active"):
        model_service.deactivate_models(db_session, admin)
    actions = db_session.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "extraction_model").order_by(AuditEvent.id)
    ).all()
    assert actions == ["model.train", "model.train", "model.activate", "model.activate", "model.deactivate"]


def test_bad_requests_are_refused(db_session: Session, admin: Editor, editor: Editor) -> None:
    with pytest.raises(PermissionDeniedError):
        model_service.train_model(db_session, editor, gold=GOLD)
    with pytest.raises(InputError, match="nothing to train from"):
        model_service.train_model(db_session, admin)
    with pytest.raises(InputError, match="must start with a letter or digit"):
        model_service.train_model(db_session, admin, name="../etc", gold=GOLD)
    with pytest.raises(InputError, match="no editor has reviewed"):
        model_service.train_model(db_session, admin, from_db=True)
    with pytest.raises(InputError, match="no model 'nothing'"):
        model_service.activate_model(db_session, admin, "nothing")
    with pytest.raises(InputError, match="positive whole number"):
        model_service.get_model(db_session, "small@x")
    with pytest.raises(InputError, match="no such file"):
        model_service.train_model(db_session, admin, gold=[Path("/nonexistent.gold.json")])


def test_editor_reviews_are_labelled_examples(db_session: Session, admin: Editor, editor: Editor) -> None:
    result = ingest_text(db_session, editor, _article(TAUGHT[:2]), title="Town")
    claims = db_session.scalars(select(Claim).where(Claim.source_id == result.source.id)).all()
    assert list(model_service.database_examples(db_session)) == []
    change_status(db_session, editor, claims[0], ClaimStatus.CONFIRMED, rationale="checked")
    examples = list(model_service.database_examples(db_session))
    assert len(examples) == 1 and set(examples[0].labels) == {"O"}  # the outlet's own words, confirmed
    target = next(c for c in claims if "reckoned" in c.content)
    speaker = create_speaker(db_session, editor, name="Lena Holm", kind=SpeakerKind.PERSON)
    start = result.source.text.index("the bridge")
    edit_attribution(
        db_session,
        editor,
        target,
        speaker=speaker,
        content_start=start,
        content_end=start + 30,
        cue="reckoned",
    )
    labels = {label for example in model_service.database_examples(db_session) for label in example.labels}
    assert {"B-S", "I-S", "B-Q", "B-C", "I-C"} <= labels


def test_a_model_trained_from_editors_changes_what_ingest_finds(
    new_database_url: Callable[[], str], tmp_path: Path
) -> None:
    url = new_database_url()

    def cli(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env={"FACTDB_DATABASE_URL": url}, catch_exceptions=False)

    def ingest(text: str, name: str) -> list[Claim]:
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        done = cli("ingest", str(path), "--title", name)
        assert done.exit_code == 0, done.output
        with factory() as session:
            source_id = session.scalars(select(Source.id).where(Source.title == name)).one()
            return list(
                session.scalars(
                    select(Claim).where(Claim.source_id == source_id).order_by(Claim.content_start)
                )
            )

    assert cli("db", "upgrade").exit_code == 0
    engine = make_engine(url)
    factory = make_session_factory(engine, write=True)
    try:
        taught = ingest(_article(TAUGHT), "taught")
        # Editors correct every report the rules took for the outlet's own words.
        with factory() as session, session.begin():
            editor = create_editor(
                session, None, username="eddie", password="a long password 1", role=EditorRole.EDITOR
            )
            for (who, verb, what), claim in zip(
                TAUGHT, [c for c in taught if c.cue is None][3:], strict=True
            ):
                claim = session.get(Claim, claim.id)
                name = " ".join(who.split()[-2:])
                speaker = create_speaker(session, editor, name=name, kind=SpeakerKind.PERSON)
                start = claim.source.text.index(what)
                edit_attribution(
                    session,
                    editor,
                    claim,
                    speaker=speaker,
                    content_start=start,
                    content_end=start + len(what),
                    cue=verb,
                )
        new = "Harbour master Ivan Kask reckoned the ferries would run again on Friday."
        before = ingest(f"{FILLER} {new}", "before")
        assert not any(c.content.startswith("the ferries") and c.mention_text for c in before)

        trained = cli("model", "train", "--from-db", "--activate", "--name", "editors")
        assert trained.exit_code == 0, trained.output
        assert "stored editors@1 (active)" in trained.output and "8 from the database" in trained.output
        assert "* editors@1" in cli("model", "list").output

        after = ingest(f"{FILLER} {new} The port was busy.", "after")
        found = [c for c in after if c.content.startswith("the ferries")]
        assert len(found) == 1 and found[0].mention_text == "Ivan Kask"  # as the editors named them
        assert found[0].cue == "reckoned" and found[0].speaker_id is not None
        assert found[0].rule == "model:editors"  # the claim remembers its proposer
        with factory() as session:
            assert session.get(Claim, found[0].id).speaker.name == "Ivan Kask"  # type: ignore[union-attr]

        extracted = cli("extract", "--json", "--model", "active", str(tmp_path / "after.txt"))
        assert extracted.exit_code == 0 and '"mention": "Ivan Kask"' in extracted.output
        assert cli("model", "deactivate").exit_code == 0
        again = ingest(f"{FILLER} {new} The port was quiet.", "again")
        assert not any(c.content.startswith("the ferries") and c.mention_text for c in again)
    finally:
        engine.dispose()


def test_model_commands_report_bad_input(new_database_url: Callable[[], str]) -> None:
    url = new_database_url()

    def cli(*args: str) -> Result:
        return CliRunner().invoke(main, list(args), env={"FACTDB_DATABASE_URL": url}, catch_exceptions=False)

    assert cli("db", "upgrade").exit_code == 0
    assert "no models stored" in cli("model", "list").output
    for args, message in [
        (("model", "train"), "nothing to train from"),
        (("model", "activate", "ghost@2"), "no model 'ghost@2'"),
        (("model", "deactivate"), "no model is active"),
        (("model", "train", "--gold", "/nonexistent.json"), "no such file"),
        (("eval", str(GOLD[0]), "--model", "ghost"), "no model 'ghost'"),
    ]:
        result = cli(*args)
        assert result.exit_code == 1 and message in result.stderr, (args, result.output)
        assert "Traceback" not in result.output


@given(st.text(max_size=120))
@example("crf@\u00b2")  # a digit to str.isdigit, not to int()
@example("crf@" + "9" * 5000)  # past int()'s digit limit
@example("crf@2147483648")
def test_any_model_label_is_accepted_or_refused_with_a_message(label: str) -> None:
    try:
        name, version = model_service.parse_label(label)
    except InputError as error:
        assert str(error)
    else:
        assert 0 < len(name) <= model_service.MAX_NAME and (version is None or version > 0)
