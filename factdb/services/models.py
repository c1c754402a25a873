"""Learned attribution models: training from gold and editors' reviews, versions, the active one.

A model is trained by a command, stored with a fingerprint of what it learned from and its scores
on development gold, and used by ingest only once activated. At most one version is active; every
process looks up which one on each use (a cheap query) and keeps loaded weights by row id, so
all web workers switch together and none loads the same weights twice.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import exists, func, or_, select, update
from sqlalchemy.orm import Session, joinedload

from factdb.enums import EditorRole, SpeakerKind
from factdb.errors import InputError
from factdb.extract import Extraction, Sentence, extract
from factdb.extract.model import Example, Tagger, fingerprint, gold_examples, hybrid_extract, train_crf
from factdb.extract.model.training import LabelledSpan, sentence_examples
from factdb.extract.scoring import evaluate, load_gold
from factdb.models import AuditEvent, Claim, ExtractionModel, Review, Source
from factdb.services.audit import Actor, record_event, require_role
from factdb.services.validation import parse_id

DEFAULT_NAME = "tagger"
# Short enough that "model:<name>" fits the claims' rule column (60 characters).
MAX_NAME = 50
_NAME = re.compile(rf"^[A-Za-z0-9][A-Za-z0-9._-]{{0,{MAX_NAME - 1}}}$")
# The audit action of an editor's correction of who said what (services.claims.edit_attribution).
ATTRIBUTION_EDIT = "claim.attribution"

_loaded: dict[int, Tagger] = {}
_loaded_lock = threading.Lock()


def check_name(name: str) -> str:
    """A model name: letters, digits, dot, dash, underscore; at most MAX_NAME characters."""
    if not _NAME.match(name or ""):
        raise InputError(
            f"model name {name!r} must start with a letter or digit and hold only letters, digits, "
            f"'.', '-' and '_' (at most {MAX_NAME} characters)"
        )
    return name


def parse_label(label: str) -> tuple[str, int | None]:
    """``name`` or ``name@version`` -> (name, version or None for the latest)."""
    name, _, version = label.partition("@")
    check_name(name)
    if not version:
        return name, None
    # The shared id check (ASCII digits only, 1 to MAX_INT, long strings refused before int()); spaces
    # around the number are not part of a label.
    try:
        number = parse_id(version, "model version") if version.strip() == version else None
    except InputError:
        number = None
    if number is None:
        raise InputError(f"model version {version!r} must be a positive whole number")
    return name, number


def get_model(session: Session, label: str) -> ExtractionModel:
    """The model ``name@version`` (or the latest version of ``name``), or InputError."""
    name, version = parse_label(label)
    query = select(ExtractionModel).where(ExtractionModel.name == name)
    if version is not None:
        query = query.where(ExtractionModel.version == version)
    model = session.scalars(query.order_by(ExtractionModel.version.desc()).limit(1)).first()
    if model is None:
        raise InputError(f"no model {label!r}; `factdb model list` shows the stored ones")
    return model


def list_models(session: Session) -> list[ExtractionModel]:
    """Every stored model version, newest first."""
    return list(session.scalars(select(ExtractionModel).order_by(ExtractionModel.id.desc())))


# --- labelled examples from the database -------------------------------------------------


def reviewed_claims(session: Session) -> list[Claim]:
    """Claims whose attribution an editor corrected, or reviewed without correcting (confirmed)."""
    corrected = exists().where(
        AuditEvent.action == ATTRIBUTION_EDIT,
        AuditEvent.entity_type == "claim",
        AuditEvent.entity_id == Claim.id,
    )
    reviewed = exists().where(Review.claim_id == Claim.id, Review.editor_id.is_not(None))
    return list(
        session.scalars(
            select(Claim)
            .where(or_(corrected, reviewed))
            .options(joinedload(Claim.speaker), joinedload(Claim.sentence))
            .order_by(Claim.source_id, Claim.content_start)
        )
    )


def _find(text: str, words: str | None, start: int, end: int) -> tuple[int, int] | None:
    if not words:
        return None
    at = text.find(words, start, end)
    return None if at < 0 else (at, at + len(words))


def _claim_spans(text: str, claim: Claim) -> list[LabelledSpan]:
    """The attribution parts a stored claim labels (none for the outlet's own statement)."""
    sentence = claim.sentence
    speaker = claim.speaker
    if claim.mention_text is None and (speaker is None or speaker.kind is SpeakerKind.PUBLICATION):
        return []
    spans = [LabelledSpan("C", claim.content_start, claim.content_end)]
    cue = _find(text, claim.cue, sentence.char_start, sentence.char_end)
    if cue is not None:
        spans.append(LabelledSpan("Q", *cue))
    if claim.mention_start is not None and claim.mention_end is not None:
        spans.append(LabelledSpan("S", claim.mention_start, claim.mention_end))
    elif speaker is not None:
        # An editor gave a speaker to what the engine took for the outlet's words: label the name
        # where the sentence spells it.
        named = _find(text, speaker.name, sentence.char_start, sentence.char_end)
        if named is not None:
            spans.append(LabelledSpan("S", *named))
    return spans


def _within(spans: set[tuple[int, int]]) -> Callable[[Sentence], bool]:
    return lambda sentence: (sentence.start, sentence.end) in spans


def database_examples(session: Session) -> Iterator[Example]:
    """One example per sentence holding an editor-reviewed claim, labelled by its stored claims.

    Every claim of such a sentence labels it: the reviewed ones as the editor left them, the others
    as the editor saw them beside it and let stand.
    """
    reviewed = reviewed_claims(session)
    by_source: dict[int, set[tuple[int, int]]] = {}
    for claim in reviewed:
        by_source.setdefault(claim.source_id, set()).add((claim.sentence.char_start, claim.sentence.char_end))
    for source_id, sentence_spans in by_source.items():
        source = session.get(Source, source_id)
        if source is None:
            continue
        text = source.text
        claims = session.scalars(
            select(Claim)
            .where(Claim.source_id == source_id)
            .options(joinedload(Claim.speaker), joinedload(Claim.sentence))
        ).all()
        spans = [
            span
            for claim in claims
            if (claim.sentence.char_start, claim.sentence.char_end) in sentence_spans
            for span in _claim_spans(text, claim)
        ]
        yield from sentence_examples(text, spans, keep=_within(sentence_spans))


# --- training, activation, use -----------------------------------------------------------


def _scores(paths: list[Path], extractor: Callable[[str], Extraction]) -> dict[str, float | None]:
    span = evaluate(paths, extractor=extractor)[0].scores()
    speech = evaluate(paths, extractor=extractor, unit="sentence", speech_only=True)[0].scores()
    every = evaluate(paths, extractor=extractor, unit="sentence")[0].scores()
    return {
        "span_attribution_f1": span["attribution_f1"],
        "span_content_f1": span["content_f1"],
        "sentence_attribution_f1": every["attribution_f1"],
        "sentence_speech_attribution_f1": speech["attribution_f1"],
        "speaker_accuracy": span["speaker_accuracy"],
    }


def train_model(
    session: Session,
    actor: Actor,
    *,
    name: str = DEFAULT_NAME,
    gold: Iterable[Path] = (),
    from_db: bool = False,
    dev: Iterable[Path] = (),
    activate: bool = False,
    max_iterations: int | None = None,
) -> ExtractionModel:
    """Train a new version of ``name`` from gold files and/or editor-reviewed claims and store it."""
    require_role(actor, EditorRole.ADMIN)
    check_name(name)
    gold_paths, dev_paths = list(gold), list(dev)
    if not gold_paths and not from_db:
        raise InputError("nothing to train from: give gold files (--gold) and/or --from-db")
    examples: list[Example] = []
    documents = 0
    for path in gold_paths:
        docs = list(load_gold(path))
        documents += len(docs)
        examples.extend(gold_examples(docs))
    db_count = 0
    if from_db:
        db_examples = list(database_examples(session))
        db_count = len(db_examples)
        examples.extend(db_examples)
    if not examples:
        raise InputError("no labelled sentences: the gold files are empty and no editor has reviewed a claim")
    weights = (
        train_crf(examples) if max_iterations is None else train_crf(examples, max_iterations=max_iterations)
    )
    version = (
        session.scalar(select(func.max(ExtractionModel.version)).where(ExtractionModel.name == name)) or 0
    ) + 1
    dev_scores: dict[str, Any] | None = None
    if dev_paths:
        tagger = Tagger(name, weights)
        dev_scores = {
            "gold": [p.name for p in dev_paths],
            "rules": _scores(dev_paths, extract),
            "hybrid": _scores(dev_paths, lambda text: hybrid_extract(text, tagger)),
        }
    model = ExtractionModel(
        name=name,
        version=version,
        kind="crf",
        weights=weights,
        fingerprint=fingerprint(examples),
        training={
            "gold": [p.name for p in gold_paths],
            "gold_documents": documents,
            "database_sentences": db_count,
            "sentences": len(examples),
        },
        dev_scores=dev_scores,
        active=False,
        created_by_id=None if actor is None else actor.id,
    )
    session.add(model)
    session.flush()
    record_event(
        session,
        actor,
        "model.train",
        "extraction_model",
        model.id,
        after={"model": model.label, "fingerprint": model.fingerprint, "training": model.training},
    )
    if activate:
        activate_model(session, actor, model.label)
    return model


def activate_model(session: Session, actor: Actor, label: str) -> ExtractionModel:
    """Make ``name[@version]`` (the latest version if none given) the one model ingest uses."""
    require_role(actor, EditorRole.ADMIN)
    model = get_model(session, label)
    before = session.scalars(select(ExtractionModel).where(ExtractionModel.active)).first()
    session.execute(update(ExtractionModel).where(ExtractionModel.id != model.id).values(active=False))
    model.active = True
    session.flush()
    session.expire_all()
    record_event(
        session,
        actor,
        "model.activate",
        "extraction_model",
        model.id,
        before={"active": before.label if before else None},
        after={"active": model.label},
    )
    return model


def deactivate_models(session: Session, actor: Actor) -> ExtractionModel | None:
    """Go back to the rules alone; returns the model that was active, if any."""
    require_role(actor, EditorRole.ADMIN)
    model = session.scalars(select(ExtractionModel).where(ExtractionModel.active)).first()
    if model is None:
        raise InputError("no model is active: ingest already uses the rules alone")
    model.active = False
    session.flush()
    record_event(
        session,
        actor,
        "model.deactivate",
        "extraction_model",
        model.id,
        before={"active": model.label},
        after={"active": None},
    )
    return model


def tagger_for(session: Session, model_id: int) -> Tagger:
    """The loaded tagger of a stored model, loading its weights once per process."""
    with _loaded_lock:
        tagger = _loaded.get(model_id)
    if tagger is None:
        row = session.get(ExtractionModel, model_id)
        if row is None:
            raise InputError(f"no model #{model_id}")
        tagger = Tagger(row.name, row.weights)
        with _loaded_lock:
            _loaded[model_id] = tagger
    return tagger


def extractor(session: Session, label: str | None = None) -> Callable[[str], Extraction]:
    """What turns text into claims now: ``label``'s model, else the active model, else the rules."""
    if label is not None:
        model_id: int | None = get_model(session, label).id
    else:
        model_id = session.scalar(select(ExtractionModel.id).where(ExtractionModel.active).limit(1))
    if model_id is None:
        return extract
    tagger = tagger_for(session, model_id)
    return lambda text: hybrid_extract(text, tagger)
