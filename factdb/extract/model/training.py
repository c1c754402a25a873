"""Labelled sentences from gold documents, and training a CRF tagger on them.

Labels are BIO tags over three parts of an attribution: ``C`` content, ``Q`` cue, ``S`` source
(the speaker's mention). Where attributions nest, the inner cue and source win over the outer
content, so the tagger learns the attribution nearest the words. Every sentence of a document is
an example, with or without attributions: what is not attributed is as much a lesson.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import pycrfsuite

from factdb.errors import InputError
from factdb.extract.engine import extract
from factdb.extract.model.features import Token, claim_signals, quote_states, sentence_features, tokenize
from factdb.extract.types import Claim, Extraction, Sentence

# CRFsuite's L-BFGS settings. The L1 weight keeps the model small (most word features get a zero
# weight); the L2 weight steadies it on small training sets such as the project's own gold. Tuned
# on PolNeAR train (630 articles to train, 210 held out; hybrid speech-cue sentence F1): c2 0.1
# 0.8253 against 0.8208 at 0.01 and 0.8239 at 0.3; c1 0.2 / 0.5 (c2 0.02) 0.8244 / 0.8239.
C1 = 0.05
C2 = 0.1
MAX_ITERATIONS = 150
# Attributes seen fewer times than this are dropped: on large corpora they are noise and bulk.
MIN_FEATURE_FREQUENCY = 1
LABEL_PARTS = ("C", "Q", "S")


@dataclass(frozen=True, slots=True)
class Example:
    """One sentence: its tokens, the rule signals, the features and the gold labels."""

    tokens: list[Token]
    features: list[list[str]]
    labels: list[str]


@dataclass(frozen=True, slots=True)
class LabelledSpan:
    """An attribution part in character offsets: kind is C, Q or S."""

    kind: str
    start: int
    end: int


def _spans(text: str, attribution: dict[str, Any], near: tuple[int, int]) -> Iterator[LabelledSpan]:
    for kind, key, field in (
        ("C", "content_spans", "content"),
        ("Q", "cue_spans", "cue"),
        ("S", "source_spans", "mention"),
    ):
        spans = attribution.get(key)
        if spans:
            for a, b in spans:
                yield LabelledSpan(kind, int(a), int(b))
            continue
        words = attribution.get(field) or (attribution.get("source") if kind == "S" else None)
        if words:
            at = text.find(words, near[0], near[1] + len(words))
            if at < 0:
                at = text.find(words)
            if at >= 0:
                yield LabelledSpan(kind, at, at + len(words))


def label_tokens(tokens: list[Token], spans: Iterable[LabelledSpan]) -> list[str]:
    """BIO labels for tokens from attribution parts (cue and source over content)."""
    labels = ["O"] * len(tokens)
    ordered = sorted(spans, key=lambda s: 0 if s.kind == "C" else 1)
    for span in ordered:
        inside = [i for i, t in enumerate(tokens) if span.start <= t.start and t.end <= span.end]
        for n, i in enumerate(inside):
            labels[i] = ("B-" if n == 0 or inside[n - 1] != i - 1 else "I-") + span.kind
    # A part cut in two by an inner one starts again after it.
    for i in range(1, len(labels)):
        if labels[i].startswith("I-") and labels[i - 1][2:] != labels[i][2:]:
            labels[i] = "B-" + labels[i][2:]
    if labels and labels[0].startswith("I-"):
        labels[0] = "B-" + labels[0][2:]
    return labels


def sentence_examples(
    text: str,
    spans: list[LabelledSpan],
    rules: Extraction | None = None,
    keep: Callable[[Sentence], bool] | None = None,
) -> Iterator[Example]:
    """One example per sentence of ``text`` (or those ``keep`` accepts), labelled from ``spans``.

    The rules run on the text unless their extraction is given: their claims are features.
    """
    result = extract(text) if rules is None else rules
    by_sentence: dict[int, list[Claim]] = {}
    for claim in result.claims:
        by_sentence.setdefault(claim.sentence, []).append(claim)
    states = quote_states(text, result.sentences)
    for index, sentence in enumerate(result.sentences):
        if keep is not None and not keep(sentence):
            continue
        tokens = tokenize(text, sentence.start, sentence.end)
        if not tokens:
            continue
        mine = [s for s in spans if s.start < sentence.end and sentence.start < s.end]
        signals = claim_signals(tokens, by_sentence.get(index, []))
        features = sentence_features(tokens, signals, states[index])
        yield Example(tokens, features, label_tokens(tokens, mine))


def gold_examples(documents: Iterable[dict[str, Any]]) -> Iterator[Example]:
    """Examples from gold documents (FORMAT.md; PolNeAR's span form too)."""
    for doc in documents:
        text = doc["text"]
        sentences = doc.get("sentences") or []
        spans: list[LabelledSpan] = []
        for attribution in doc.get("attributions", []):
            index = attribution.get("sentence")
            near = (
                (int(sentences[index]["start"]), int(sentences[index]["end"]))
                if sentences and index is not None and 0 <= int(index) < len(sentences)
                else (0, len(text))
            )
            spans.extend(_spans(text, attribution, near))
        yield from sentence_examples(text, spans)


def fingerprint(examples: list[Example]) -> str:
    """A digest of the training data (words and labels, in order): same data, same fingerprint."""
    digest = hashlib.sha256()
    for example in examples:
        for token, label in zip(example.tokens, example.labels, strict=True):
            digest.update(f"{token.text}\t{label}\n".encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def train_crf(examples: list[Example], *, max_iterations: int = MAX_ITERATIONS) -> bytes:
    """Train a linear-chain CRF on the examples; returns the model's bytes (CRFsuite format)."""
    if not any(label != "O" for example in examples for label in example.labels):
        raise InputError("the training data holds no attribution to learn from")
    trainer = pycrfsuite.Trainer(verbose=False)
    for example in examples:
        trainer.append(example.features, example.labels)
    trainer.set_params(
        {
            "c1": C1,
            "c2": C2,
            "max_iterations": max_iterations,
            "feature.possible_transitions": True,
            "feature.minfreq": MIN_FEATURE_FREQUENCY,
        }
    )
    handle, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        with open(path, "rb") as f:
            return f.read()
    finally:
        os.unlink(path)
