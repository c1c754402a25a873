"""Sentence-level scoring: units, one-to-one pairing, speakers and --speech-only."""

from __future__ import annotations

from typing import Any

from factdb.enums import SentenceKind, SpeakerKind, Stance
from factdb.extract.scoring import is_speech_cue, score_sentences
from factdb.extract.types import Claim, Extraction, Sentence, SpeakerRef

TEXT = (
    'Ana Lind said: "We won the vote in every region. We will win again. Nobody can stop us." '
    "The vote was close."
)
SENTENCES = [(0, 48), (49, 67), (68, 88), (89, 108)]


def _result(*claims: Claim) -> Extraction:
    return Extraction([Sentence(a, b, SentenceKind.STATEMENT) for a, b in SENTENCES], list(claims))


def _claim(sentence: int, start: int, end: int, speaker: str | None = "Ana Lind") -> Claim:
    ref = SpeakerRef(speaker, SpeakerKind.PERSON) if speaker else None
    return Claim(sentence, ref, "Ana Lind", 0, 8, "said", TEXT[start:end], start, end, Stance.ASSERTS)


def _gold(**attribution: Any) -> dict[str, Any]:
    quote = {"speaker": "Ana Lind", "cue": "said", "content": TEXT[16:87], "content_spans": [[16, 87]]}
    return {
        "id": "t",
        "text": TEXT,
        "speakers": [{"name": "Ana Lind", "kind": "person", "aliases": ["Lind"]}],
        "attributions": [{**quote, **attribution}],
    }


def test_text_offsets_are_what_the_test_says() -> None:
    assert [TEXT[a:b] for a, b in SENTENCES][1:] == [
        "We will win again.",
        'Nobody can stop us."',
        "The vote was close.",
    ]
    assert TEXT[16:87] == "We won the vote in every region. We will win again. Nobody can stop us."


def test_a_three_sentence_quotation_is_three_units() -> None:
    one_claim = score_sentences(_gold(), _result(_claim(0, 16, 87)))
    assert one_claim.gold_required == 3
    # A claim spanning the quotation is a unit of each sentence, as the gold is.
    assert one_claim.claims == 3 and one_claim.gold_right == 3
    per_sentence = score_sentences(_gold(), _result(_claim(0, 16, 48), _claim(1, 49, 67), _claim(2, 68, 86)))
    assert (per_sentence.claims, per_sentence.right_claims, per_sentence.gold_right) == (3, 3, 3)
    assert per_sentence.scores()["attribution_f1"] == 1.0


def test_pairs_are_one_to_one_and_right_only_with_the_right_speaker() -> None:
    twice = score_sentences(_gold(), _result(_claim(1, 49, 67), _claim(1, 52, 67)), verbose=True)
    assert (twice.claims, twice.found_claims, twice.gold_found) == (2, 1, 1)
    assert any("extra" in line for line in twice.extras)
    wrong = score_sentences(_gold(), _result(_claim(1, 49, 67, speaker="Bo Berg")))
    assert (wrong.found_claims, wrong.right_claims, wrong.gold_found, wrong.gold_right) == (1, 0, 1, 0)
    assert wrong.scores()["speaker_accuracy"] == 0.0


def test_a_word_spilling_into_a_sentence_does_not_make_a_unit_of_it() -> None:
    gold = _gold(content=TEXT[16:51], content_spans=[[16, 51]])  # "... every region. We"
    assert score_sentences(gold, _result()).gold_required == 1
    short = _gold(content=TEXT[16:34], content_spans=[[16, 34]])  # "We won the vote in": 18 of 48
    assert score_sentences(short, _result()).gold_required == 1  # the sentence holds all of it


def test_speech_only_makes_other_cues_optional() -> None:
    gold = _gold(cue="according to")
    assert score_sentences(gold, _result(), speech_only=True).gold_required == 0
    assert score_sentences(gold, _result(_claim(1, 49, 67)), speech_only=True).claims == 0
    assert score_sentences(gold, _result()).gold_required == 3
    assert is_speech_cue("has said") and is_speech_cue("called for") and is_speech_cue("urged")
    assert not is_speech_cue("according to") and not is_speech_cue(":") and not is_speech_cue("shows")


LONG = (
    '"We lost," said Ana Lind, who has coached the river club for nineteen winters and once rowed for it. '
    '"Next year we will be back on the water and faster than ever."'
)


def test_a_short_quotation_beside_a_long_speaker_description_is_a_unit_of_its_sentence() -> None:
    first, second = (0, 100), (101, len(LONG))
    assert LONG[first[0] : first[1]].endswith("rowed for it.") and LONG[second[0]].startswith('"')
    said = LONG.index("said")
    pieces = [[1, 8], [102, len(LONG) - 1]]  # 'We lost' and the whole second quotation
    gold = {
        "id": "t",
        "text": LONG,
        "speakers": [{"name": "Ana Lind", "kind": "person", "aliases": ["Lind"]}],
        "attributions": [
            {"speaker": "Ana Lind", "cue": "said", "content": "We lost", "content_spans": pieces},
        ],
    }
    ref = SpeakerRef("Ana Lind", SpeakerKind.PERSON)
    claims = [
        Claim(0, ref, "Ana Lind", 15, 23, "said", "We lost", 1, 8, Stance.ASSERTS),
        Claim(1, ref, "Ana Lind", 15, 23, "said", LONG[102:-1], 102, len(LONG) - 1, Stance.ASSERTS),
    ]
    result = Extraction([Sentence(a, b, SentenceKind.STATEMENT) for a, b in (first, second)], claims)
    # The first sentence holds a twelfth of the content and is mostly speaker, but its cue is there:
    # the quotation beside it is the claim the product stores for it, right and not an extra.
    for cue in ({"cue_spans": [[said, said + 4]]}, {}):  # spans given (PolNeAR), or found by the words
        tally = score_sentences({**gold, "attributions": [{**gold["attributions"][0], **cue}]}, result)
        assert (tally.gold_required, tally.claims, tally.gold_right, tally.right_claims) == (2, 2, 2, 2)
    # Without the cue in it, a sentence holding so little of the content is still no unit.
    elsewhere = {**gold["attributions"][0], "cue_spans": [[len(LONG) - 1, len(LONG)]]}
    assert score_sentences({**gold, "attributions": [elsewhere]}, result).gold_required == 1
