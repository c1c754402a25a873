"""The engine scored on gold documents: the sample article, our own documents, and PolNeAR if present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from factdb.enums import SentenceKind, SpeakerKind, Stance
from factdb.extract.scoring import evaluate, load_gold, score_document, token_f1
from factdb.extract.types import Claim, Extraction, Sentence, SpeakerRef
from tests.conftest import REPO, SHARED

GOLD = REPO / "tests" / "gold"
NEWSWIRE = sorted((GOLD / "newswire").glob("*.gold.json"))
# Where the PolNeAR corpus is read from (never copied into the repo); CI lays shared/ beside the checkout.
POLNEAR_DIR = Path(os.environ.get("FACTDB_POLNEAR_DIR", SHARED / "corpora" / "polnear"))
POLNEAR_DEV = POLNEAR_DIR / "polnear-dev.jsonl"


def test_sample_article_is_perfect() -> None:
    tally, documents = evaluate([GOLD / "kursk-offensive.gold.json"])
    scores = tally.scores()
    assert documents == 1
    assert scores["segmentation_f1"] == 1.0
    assert scores["attribution_f1"] == 1.0 and scores["content_f1"] == 1.0


@pytest.mark.parametrize(
    "path",
    sorted(p for p in GOLD.glob("*.gold.json") if p.name != "kursk-offensive.gold.json"),
    ids=lambda p: p.stem,
)
def test_own_gold_documents(path: Path) -> None:
    tally, _ = evaluate([path], verbose=True)
    scores = tally.scores()
    assert scores["segmentation_f1"] == 1.0
    assert scores["attribution_f1"] == 1.0, [*tally.misses, *tally.extras]


def test_there_are_at_least_eight_own_gold_documents() -> None:
    assert len([p for p in GOLD.glob("*.gold.json") if p.name != "kursk-offensive.gold.json"]) >= 8


def test_polnear_dev_floor() -> None:
    if not POLNEAR_DEV.exists():
        message = f"PolNeAR dev is read from {POLNEAR_DEV} (FACTDB_POLNEAR_DIR), which is absent"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI has ../shared beside the checkout: a missing corpus is a broken setup
        pytest.skip(message)
    # A regression floor at the level measured when this test was written, not the target.
    scores = evaluate([POLNEAR_DEV])[0].scores()
    assert scores["attribution_f1"] is not None and scores["attribution_f1"] >= 0.57
    assert scores["content_f1"] is not None and scores["content_f1"] >= 0.61


def _gold(attribution: dict[str, object], **extra: object) -> dict[str, object]:
    text = "Officials said the bridge was safe. It rained."
    return {
        "id": "tiny",
        "text": text,
        "sentences": [
            {"start": 0, "end": 35, "kind": "statement"},
            {"start": 36, "end": 46, "kind": "statement"},
        ],
        "attributions": [attribution],
        **extra,
    }


def _claim(speaker: str | None, content: str = "the bridge was safe") -> Claim:
    ref = SpeakerRef(speaker, SpeakerKind.GROUP) if speaker else None
    return Claim(0, ref, "Officials", 0, 9, "said", content, 15, 34, Stance.ASSERTS)


def _result(*claims: Claim) -> Extraction:
    return Extraction(
        [
            Sentence(0, 35, SentenceKind.STATEMENT),
            Sentence(36, 46, SentenceKind.STATEMENT),
        ],
        list(claims),
    )


def test_scorer_counts_right_wrong_and_optional() -> None:
    gold = _gold(
        {"sentence": 0, "speaker": "officials", "content": "the bridge was safe"},
        speakers=[{"name": "officials", "aliases": ["Officials"]}],
    )
    right = score_document(gold, _result(_claim("Officials")))
    assert (right.claims, right.right_claims, right.gold_right) == (1, 1, 1)
    wrong = score_document(gold, _result(_claim("Engineers")))
    assert (wrong.claims, wrong.found_claims, wrong.right_claims) == (1, 1, 0)
    missed = score_document(gold, _result(_claim("Officials", content="it rained")))
    assert (missed.gold_found, missed.claims, missed.found_claims) == (0, 1, 0)
    gold["attributions"][0]["optional"] = True  # type: ignore[index]
    optional = score_document(gold, _result(_claim("Engineers")))
    assert (optional.claims, optional.gold_required) == (0, 0)


def test_scorer_without_registry_uses_span_overlap() -> None:
    gold = _gold(
        {
            "source_spans": [[0, 9]],
            "content_spans": [[15, 34]],
            "content": "the bridge was safe",
        }
    )
    assert score_document(gold, _result(_claim(None))).gold_right == 1


def test_token_f1_ignores_case_and_punctuation() -> None:
    assert token_f1("The bridge, was SAFE!", "the bridge was safe") == 1.0
    assert token_f1("", "x") == 0.0


def test_load_gold_reports_bad_files(tmp_path: Path) -> None:
    from factdb.errors import InputError

    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(InputError, match="not valid JSON"):
        list(load_gold(bad))
    no_text = tmp_path / "no-text.jsonl"
    no_text.write_text('{"id": "x"}\n')
    with pytest.raises(InputError, match=r"no-text.jsonl:1: a gold document needs a 'text'"):
        list(load_gold(no_text))


def test_polnear_dev_sentence_floor() -> None:
    if not POLNEAR_DEV.exists():
        if os.environ.get("CI"):
            pytest.fail(f"PolNeAR dev is read from {POLNEAR_DEV} (FACTDB_POLNEAR_DIR), which is absent")
        pytest.skip(f"{POLNEAR_DEV} is absent")
    # Floors at the rules' level when sentence scoring was written (0.725 speech-only, 0.628 all cues).
    speech = evaluate([POLNEAR_DEV], unit="sentence", speech_only=True)[0].scores()
    assert speech["attribution_f1"] is not None and speech["attribution_f1"] >= 0.72
    every = evaluate([POLNEAR_DEV], unit="sentence")[0].scores()
    assert every["attribution_f1"] is not None and every["attribution_f1"] >= 0.62


def test_newswire_gold_sentence_floor() -> None:
    # Our own 22 articles, scored as the product stores claims; the rules measured 0.724 when the
    # articles were first run (after they were committed), 0.817 after the newswire constructions.
    # The target is 0.90.
    tally, documents = evaluate(NEWSWIRE, unit="sentence")
    assert documents >= 20
    scores = tally.scores()
    assert scores["attribution_f1"] is not None and scores["attribution_f1"] >= 0.80
