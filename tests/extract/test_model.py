"""The learned tagger: labels, training on the project's own gold, and the hybrid's settling."""

from __future__ import annotations

from pathlib import Path

import pytest

from factdb.errors import InputError
from factdb.extract import extract
from factdb.extract.model import Tagger, fingerprint, gold_examples, hybrid_extract, train_crf
from factdb.extract.model.features import tokenize
from factdb.extract.model.speakers import passive_cue
from factdb.extract.model.training import LabelledSpan, label_tokens
from factdb.extract.scoring import evaluate, load_gold
from factdb.extract.segment import segment
from factdb.extract.tokens import AnalysedSentence
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


def _speaker_of(text: str, content: str, cue: str | None) -> str | None:
    """The mention the rules give a content the tagger found in one sentence (``cue`` tagged)."""
    from factdb.enums import SentenceKind
    from factdb.extract.model.speakers import speaker_near_cue
    from factdb.extract.tokens import AnalysedSentence, quoted_mask
    from factdb.extract.types import Sentence

    analysed = AnalysedSentence(text, Sentence(0, len(text), SentenceKind.STATEMENT))
    quoted = quoted_mask(analysed.tokens, False)[0]
    at = text.index(content)
    tagged = (text.index(cue), text.index(cue) + len(cue)) if cue else None
    found = speaker_near_cue(analysed, quoted, (at, at + len(content)), tagged)
    return None if found is None else text[found.mention[0] : found.mention[1]]


@pytest.mark.parametrize(
    ("text", "content", "cue", "mention"),
    [
        # The subject before a tagged cue, past an appositive.
        (
            "The harbour master, who retires in May, fears the pier will fail.",
            "the pier will fail",
            "fears",
            "The harbour master",
        ),
        ("Engineer Ivan Kask hopes the pier will hold.", "the pier will hold", "hopes", "Engineer Ivan Kask"),
        # The content before the report, and an inverted report.
        ("The pier will hold, engineers believe.", "The pier will hold", "believe", "engineers"),
        ('"The pier will hold," said Ivan Kask.', "The pier will hold", "said", "Ivan Kask"),
        # No cue tagged: the lexicon's nearest cue.
        ("Ivan Kask said the pier will hold.", "the pier will hold", None, "Ivan Kask"),
        # No cue anywhere near: no speaker.
        ("The pier will hold until the spring storms come.", "The pier will hold", None, None),
    ],
)
def test_the_rules_find_the_speaker_of_a_tagged_content(
    text: str, content: str, cue: str | None, mention: str | None
) -> None:
    assert _speaker_of(text, content, cue) == mention


class _Listener(Tagger):
    """A tagger that notes the first word of every sentence it is asked to tag and tags nothing."""

    def __init__(self) -> None:
        self.name = "listener"
        self.heard: list[str] = []

    def tag(self, features: list[list[str]]) -> tuple[list[str], list[float]]:
        self.heard.append(next(f[2:] for f in features[0] if f.startswith("w=")))
        return ["O"] * len(features), [1.0] * len(features)


def test_the_tagger_is_heard_only_where_the_rules_found_no_attribution() -> None:
    text = "Ana Ruiz said the pier was safe. Waves hit the old pier all night. Berg agreed with her."
    tagger = _Listener()
    assert hybrid_extract(text, tagger).claims == extract(text).claims
    assert tagger.heard == ["waves", "berg"]


def test_each_token_knows_where_the_nearest_cue_word_is() -> None:
    from factdb.extract.model.features import sentence_features

    text = "The harbour master said on Friday that the old pier would reopen, officials added."
    tokens = tokenize(text, 0, len(text))
    rows = sentence_features(tokens, ["O"] * len(tokens))
    where = {t.text: next(a for a in row if a.startswith("nc=")) for t, row in zip(tokens, rows, strict=True)}
    assert where["said"] == "nc=R0" and where["added"] == "nc=R0"  # the cue words themselves
    assert (where["The"], where["master"]) == ("nc=R3", "nc=R1")  # before the first cue
    assert (where["on"], where["that"], where["old"]) == ("nc=L1", "nc=L3", "nc=L7")
    assert (where["reopen"], where["officials"]) == ("nc=R3", "nc=R1")  # nearer the second cue
    # Halfway between two cues the left one counts; a sentence with no cue word has no such feature.
    halfway = "Ruiz said it told Berg."
    toks = tokenize(halfway, 0, len(halfway))
    assert "nc=L1" in sentence_features(toks, ["O"] * len(toks))[2]  # "it": one from each cue
    bare = tokenize("The pier is old.", 0, 16)
    assert not any(a.startswith("nc=") for row in sentence_features(bare, ["O"] * len(bare)) for a in row)


def test_a_sentence_inside_a_quotation_that_runs_on_is_marked_as_such() -> None:
    from factdb.extract.model.features import quote_states, sentence_features
    from factdb.extract.segment import segment

    text = (
        "Ana Ruiz said: \u201cWe rebuilt the pier. The ferries return in May. Nobody gave up.\u201d "
        'The pier opened in 1911.\n\n\u201cIt is ours,\u201d Berg said. "Keep it. We will." Berg left.'
    )
    sentences = segment(text)
    assert [text[s.start : s.end].split()[0] for s in sentences] == [
        "Ana", "The", "Nobody", "The", "\u201cIt", '"Keep', "We", "Berg",
    ]  # fmt: skip
    assert quote_states(text, sentences) == [False, True, True, False, False, False, True, False]
    # The tokens of a sentence that opens inside the quotation are inside it until the mark closes it.
    third = sentences[2]
    tokens = tokenize(text, third.start, third.end)
    rows = sentence_features(tokens, ["O"] * len(tokens), True)
    assert [next(a for a in row if a.startswith("q=")) for row in rows][:2] == ["q=in", "q=in"]


@pytest.mark.parametrize(
    ("text", "cue", "passive"),
    [
        ("The mayor is expected to reopen the pier.", "is expected", True),
        ("The mayor is expected to reopen the pier.", "expected", True),
        ("The mayor has also been asked about the pier.", "asked about", True),
        ("The mayor was widely criticized for the closure.", "criticized", True),
        ("The ferry captain was told the pier would close.", "told", True),
        # An agent names who reports; an active or perfect verb has its speaker as subject.
        ("The closure was announced by the mayor on Friday.", "announced", False),
        ("The mayor expected the pier to reopen.", "expected", False),
        ("The mayor has said the pier will reopen.", "said", False),
        ("The mayor is saying the pier will reopen.", "saying", False),
    ],
)
def test_a_passive_cue_without_an_agent_is_known(text: str, cue: str, passive: bool) -> None:
    analysed = AnalysedSentence(text, segment(text)[0])
    at = text.index(cue)
    assert passive_cue(analysed, (at, at + len(cue))) is passive


class _Scripted(Tagger):
    """A tagger that labels the words it was given (cue or content) and nothing else, sure of each."""

    def __init__(self, cue: str, content: str) -> None:
        self.name = "scripted"
        self.cue, self.content = cue.split(), content.lower().split()

    def tag(self, features: list[list[str]]) -> tuple[list[str], list[float]]:
        words = [next(f[2:] for f in row if f.startswith("w=")) for row in features]
        labels = ["O"] * len(words)
        for i in range(len(words)):
            if words[i : i + len(self.content)] == self.content:
                labels[i : i + len(self.content)] = ["B-C"] + ["I-C"] * (len(self.content) - 1)
            if words[i : i + len(self.cue)] == self.cue:
                labels[i : i + len(self.cue)] = ["B-Q"] + ["I-Q"] * (len(self.cue) - 1)
        return labels, [1.0] * len(words)


def test_a_tagged_content_after_a_passive_cue_is_left_out() -> None:
    content = "to reopen the old pier in May"
    passive = "Ana Ruiz said the pier was safe. The mayor is expected to reopen the old pier in May."
    assert hybrid_extract(passive, _Scripted("expected", content)).claims == extract(passive).claims
    active = "Ana Ruiz said the pier was safe. The mayor has vowed to reopen the old pier in May."
    added = [c for c in hybrid_extract(active, _Scripted("vowed", content)).claims if c.sentence == 1]
    assert [(c.mention, c.content) for c in added] == [("The mayor", content)]
