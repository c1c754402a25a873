"""Name keys and how sure a match is, measured on our own gold list of name variants (no database)."""

from __future__ import annotations

import pytest

from factdb.services.speaker_names import Match, compare_names, name_key, read_name_pairs, score_pairs
from tests.conftest import REPO

GOLD = REPO / "tests" / "gold" / "speaker_names.tsv"


def _pairs() -> list[tuple[str, str, str, bool]]:
    return read_name_pairs(GOLD.read_text(encoding="utf-8").splitlines())


def test_gold_list_holds_matches_and_non_matches() -> None:
    pairs = _pairs()
    assert sum(same for *_rest, same in pairs) >= 50
    assert sum(not same for *_rest, same in pairs) >= 40


def test_merging_on_the_gold_list_never_merges_two_speakers() -> None:
    scores = score_pairs((a, b, same) for a, b, _kind, same in _pairs())
    # A wrong merge at ingest silently mixes two speakers' records: none is allowed.
    assert scores.merge_precision == 1.0
    assert scores.merge_recall >= 0.8
    # What is not merged should mostly reach the editors' queue, without flooding it.
    assert scores.queue_recall >= 0.95
    assert scores.queue_precision >= 0.95


@pytest.mark.parametrize(
    "names",
    [
        (
            "Russian Defense Ministry",
            "Russia's Defence Ministry",
            "Russian Ministry of Defense",
            "the Russian Ministry of Defence",
            "Russia\u2019s Ministry of Defense",
        ),
        ("Zelensky", "Zelenskyy", "Zelenskiy", "President Zelensky", "Mr. Zelenskyi"),
        ("U.S. State Department", "US State Department", "American State Department"),
        ("Ukraine's Ministry of Foreign Affairs", "Ukrainian Foreign Ministry"),
    ],
)
def test_variants_of_one_name_share_a_key(names: tuple[str, ...]) -> None:
    assert len({name_key(n) for n in names}) == 1, [name_key(n) for n in names]


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Russian Defense Ministry", "Russian Foreign Ministry"),
        ("Russian Defense Ministry", "Ukrainian Defense Ministry"),
        ("Volodymyr Zelensky", "Oleksandr Zelensky"),
        ("Ministry", "Russian Defense Ministry"),
    ],
)
def test_different_speakers_are_never_proposed(a: str, b: str) -> None:
    assert compare_names(a, b).match is Match.DIFFERENT


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Zelensky", "Volodymyr Zelensky"),
        ("Defense Ministry", "Russian Defense Ministry"),
        ("Dmytro Kuleba", "Dmytro Kouleba"),
    ],
)
def test_unsure_pairs_are_proposed_not_merged(a: str, b: str) -> None:
    judgement = compare_names(a, b)
    assert judgement.match is Match.UNSURE
    assert 0 < judgement.score < 1 and judgement.reason


@pytest.mark.parametrize("name", ["", "   ", "the", "'s", "\u200b", "of the", "x" * 5000])
def test_odd_names_give_a_key_without_failing(name: str) -> None:
    assert isinstance(name_key(name), str)
    assert compare_names(name, "Kremlin").match in (Match.DIFFERENT, Match.UNSURE)
