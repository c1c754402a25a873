"""The learned tagger: labels, training on the project's own gold, and the hybrid's settling."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdb.errors import InputError
from factdb.extract import extract
from factdb.extract.model import Tagger, fingerprint, gold_examples, hybrid_extract, train_crf
from factdb.extract.model.features import tokenize
from factdb.extract.model.training import LabelledSpan, label_tokens
from factdb.extract.scoring import evaluate, load_gold
from tests.conftest import REPO

GOLD = sorted((REPO / "tests" / "gold").glob("*.gold.json"))
NEWSWIRE = sorted((REPO / "tests" / "gold" / "newswire").glob("*.gold.json"))
# Few iterations: the tests check the mechanics, not the accuracy of a full training.
ITERATIONS = 60


@pytest.fixture(scope="module")
def small_model() -> bytes:
    """A tagger trained on our small gold documents and half the newswire articles."""
    docs = [doc for path in [*GOLD, *NEWSWIRE[::2]] for doc in load_gold(path)]
    return train_crf(list(gold_examples(docs)), max_iterations=ITERATIONS)


def test_labels_are_bio_with_cue_and_source_over_content() -> None:
    text = "Ana Lind said the plan, she said, was dead."
    tokens = tokenize(text, 0, len(text))
    spans = [LabelledSpan("S", 0, 8), LabelledSpan("Q", 9, 13), LabelledSpan("C", 14, 42)]
    spans.append(LabelledSpan("S", 24, 27))  # an inner "she said" inside the content
    labels = label_tokens(tokens, spans)
    assert labels[:5] == ["B-S", "I-S", "B-Q", "B-C", "I-C"]
    assert labels[tokens.index(next(t for t in tokens if t.text == "she"))] == "B-S"
    assert labels[-2:] == ["I-C", "O"]


def test_training_refuses_data_without_attributions() -> None:
    text = "The weather was cold. Trains ran late."
    docs = [{"id": "x", "text": text, "attributions": []}]
    with pytest.raises(InputError, match="no attribution to learn from"):
        train_crf(list(gold_examples(docs)))


def test_fingerprint_follows_the_data() -> None:
    docs = [doc for path in GOLD[:3] for doc in load_gold(path)]
    first, again = list(gold_examples(docs)), list(gold_examples(docs))
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(first[:-1])


def test_hybrid_keeps_the_rules_claims_and_marks_the_model_s(small_model: bytes) -> None:
    tagger = Tagger("small", small_model)
    text = (
        "The port reopened on Monday. Harbour master Ivan Kask said the ferries would run again on Friday. "
        '"We lost two weeks of trade," the council leader, Mia Saar, told reporters.'
    )
    rules, hybrid = extract(text), hybrid_extract(text, tagger)
    assert hybrid.sentences == rules.sentences
    ruled = {(c.content_start, c.content_end, c.speaker) for c in rules.claims if not c.is_publication}
    assert ruled <= {(c.content_start, c.content_end, c.speaker) for c in hybrid.claims}
    kept = [c for c in rules.claims if not c.is_publication]
    for claim in hybrid.claims:
        assert text[claim.content_start : claim.content_end] == claim.content
        if claim not in kept and not claim.is_publication:
            assert claim.rule == "model:small"  # the proposer is remembered


def test_hybrid_adds_claims_and_scores_no_worse_on_unseen_articles(small_model: bytes) -> None:
    tagger = Tagger("small", small_model)
    unseen = NEWSWIRE[1::2]
    rules = evaluate(unseen, unit="sentence")[0]
    hybrid = evaluate(unseen, unit="sentence", extractor=lambda t: hybrid_extract(t, tagger))[0]
    assert hybrid.claims >= rules.claims
    assert (hybrid.scores()["content_f1"] or 0) >= (rules.scores()["content_f1"] or 0) - 0.02


def test_model_bytes_load_again(small_model: bytes, tmp_path: Path) -> None:
    path = tmp_path / "m.crfsuite"
    path.write_bytes(small_model)
    text = "Engineer Paul Dahl said the cracks were old."
    assert hybrid_extract(text, Tagger("a", path.read_bytes())) == hybrid_extract(
        text, Tagger("a", small_model)
    )
