"""One test per construction the engine must read, on sentences written for the purpose."""

from __future__ import annotations

import pytest

from factdb.enums import SentenceKind, SpeakerKind, Stance
from factdb.extract import extract, normalize_alias
from factdb.extract.segment import segment


def _claims(text: str) -> list[tuple[str | None, str | None, str, str]]:
    return [
        (c.speaker.name if c.speaker else None, c.cue, c.content, c.stance.value)
        for c in extract(text).claims
        if not c.is_publication
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gen. Smith arrived. Mr. Jones left at 9 a.m. The talks ended.", 3),
        ("The U.S. Army said output rose 3.5 percent. It fell later.", 2),
        ("John F. Kennedy spoke first. Others followed.", 2),
        ("Headline Without Punctuation\nThe first sentence. The second one!", 3),
        ("\u201cWe will fight. We will win,\u201d he said.", 2),
    ],
)
def test_segmentation(text: str, expected: int) -> None:
    assert len(segment(text)) == expected


def test_headings_carry_no_claims() -> None:
    result = extract("Ministry Says Talks Resume\nThe ministry said talks would resume.")
    assert result.sentences[0].kind is SentenceKind.HEADING
    assert {c.sentence for c in result.claims} == {1}


def test_indirect_speech_with_adverbial() -> None:
    assert _claims("The Defense Ministry claimed on Saturday that its forces had advanced.") == [
        ("Defense Ministry", "claimed", "its forces had advanced", "asserts")
    ]


def test_denials_and_not_confirmed() -> None:
    assert _claims("Officials have not confirmed any withdrawal.") == [
        ("Officials", "have not confirmed", "any withdrawal", "denies")
    ]
    assert _claims("The mayor denied that the plant was closing.")[0][3] == "denies"


def test_verbs_with_an_object_and_urging() -> None:
    assert _claims("Berg accused Russia of planning an attack.") == [
        ("Berg", "accused", "Russia of planning an attack", "asserts")
    ]
    assert _claims("The minister called on partners to send aid.")[0][1:] == (
        "called on",
        "partners to send aid",
        "urges",
    )


def test_coordinated_and_participial_cues_share_the_speaker() -> None:
    claims = _claims(
        "Kremlin spokesman Dmitry Peskov emphasized that the offer stands but warned that time is short."
    )
    assert claims == [
        ("Dmitry Peskov", "emphasized", "the offer stands", "asserts"),
        ("Dmitry Peskov", "warned", "time is short", "asserts"),
    ]
    claims = _claims("Novak accused the council of delays, vowing that he would fight on.")
    assert [c[1] for c in claims] == ["accused", "vowing"] and claims[1][0] == "Novak"


def test_title_role_and_affiliation_are_split_off() -> None:
    (claim,) = [c for c in extract("Kremlin spokesman Dmitry Peskov said talks were over.").claims]
    assert claim.speaker is not None
    assert (claim.speaker.name, claim.speaker.role, claim.speaker.affiliation) == (
        "Dmitry Peskov",
        "Kremlin spokesman",
        "Kremlin",
    )
    (claim,) = extract("Ukrainian President Volodymyr Zelensky said the line held.").claims
    assert claim.speaker is not None and claim.speaker.role == "President of Ukraine"
    assert claim.speaker.kind is SpeakerKind.PERSON


@pytest.mark.parametrize(
    "text",
    [
        "\u201cThe ships can wait,\u201d Lopez said.",
        '"The ships can wait," said Lopez.',
        "Lopez said: \u201cThe ships can wait.\u201d",
        "The ships can wait, Lopez said on Monday.",
        "According to Lopez, the ships can wait.",
    ],
)
def test_quotes_and_according_to_in_every_position(text: str) -> None:
    claims = _claims(text)
    assert len(claims) == 1
    assert claims[0][0] == "Lopez" and claims[0][2].lower() == "the ships can wait"


def test_possessive_claims_of() -> None:
    assert ("Russia", "claims", "encirclement", "asserts") in _claims(
        "Despite Russia's claims of encirclement, troops held."
    )


def test_pronouns_and_roles_resolve_to_the_right_earlier_speaker() -> None:
    text = (
        "British Prime Minister Keir Starmer met allies. "
        "Ukrainian President Volodymyr Zelensky said aid was late.\n"
        "He stated that the front held. The British prime minister said more would come. "
        "The Ukrainian leader urged partners to hurry."
    )
    speakers = [c[0] for c in _claims(text)]
    assert speakers == ["Volodymyr Zelensky", "Volodymyr Zelensky", "Keir Starmer", "Volodymyr Zelensky"]


def test_unresolvable_pronoun_is_left_unresolved() -> None:
    (claim,) = extract("He said the road was closed.").claims
    assert claim.mention == "He" and claim.speaker is None


def test_unattributed_statement_is_the_publications() -> None:
    (claim,) = extract("Heavy rain closed two terminals.").claims
    assert claim.is_publication and claim.stance is Stance.ASSERTS


def test_alias_normal_form() -> None:
    assert normalize_alias("The Kremlin") == normalize_alias("kremlin")
    assert normalize_alias("Russia\u2019s Defense Ministry") == normalize_alias("russia's defense ministry")
    assert normalize_alias("Zelens\u0301kyy") == "zelenskyy"
