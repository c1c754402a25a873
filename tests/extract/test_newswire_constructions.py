"""Constructions newswire uses every day, on sentences written for these tests."""

from __future__ import annotations

import pytest

from factdb.enums import SpeakerKind
from factdb.extract import extract


def _attributed(text: str) -> list[tuple[str | None, str, str | None]]:
    """(speaker name, or the mention when unresolved; content; rule) of every attributed claim."""
    return [
        (c.speaker.name if c.speaker else None, c.content, c.rule)
        for c in extract(text).claims
        if not c.is_publication
    ]


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("WHO said the outbreak in the port city was contained.", "WHO"),
        ("The IAEA said on Monday that inspectors had reached the plant.", "IAEA"),
        ("NATO warned that the drills near the border would continue.", "NATO"),
    ],
)
def test_acronyms_are_organizations_not_the_pronoun_who(text: str, name: str) -> None:
    (claim,) = [c for c in extract(text).claims if not c.is_publication]
    assert claim.speaker is not None
    assert (claim.speaker.name, claim.speaker.kind) == (name, SpeakerKind.ORGANIZATION)


def test_a_relative_who_is_still_a_relative() -> None:
    (claim,) = [
        c for c in extract("It was signed by Okafor, who said it was fair.").claims if not c.is_publication
    ]
    assert claim.mention == "who" and claim.speaker is not None and claim.speaker.name == "Okafor"


@pytest.mark.parametrize("day", ["Tuesday", "today", "yesterday"])
def test_a_time_word_right_after_the_verb_is_not_content(day: str) -> None:
    assert _attributed(f"The Harbour Authority said {day} the pier would reopen.") == [
        ("Harbour Authority", "the pier would reopen", "speaker-first")
    ]


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ("People familiar with the matter said the deal was close.", "People familiar with the matter"),
        (
            "Officials speaking on condition of anonymity said the first deliveries could arrive soon.",
            "Officials speaking on condition of anonymity",
        ),
        (
            "The deal was close, according to people familiar with the talks.",
            "people familiar with the talks",
        ),
        ("The deal was close, two people briefed on the talks said.", "two people briefed on the talks"),
    ],
)
def test_unnamed_sources_are_kept_as_group_speakers(text: str, speaker: str) -> None:
    (claim,) = [c for c in extract(text).claims if not c.is_publication]
    assert claim.speaker is not None and claim.speaker.kind is SpeakerKind.GROUP
    assert claim.speaker.name == speaker
    assert claim.content.startswith(("the deal", "The deal", "the first deliveries"))


@pytest.mark.parametrize(
    "text",
    [
        "Nordwerk, which employs 3,000 people, said profits fell.",
        "Nordwerk, a maker of ferry engines, said profits fell.",
        "Nordwerk, which employs 3,000 people in two plants, said on Monday that profits fell.",
    ],
)
def test_a_subject_carrying_a_relative_or_appositive_clause(text: str) -> None:
    assert [(s, c) for s, c, _ in _attributed(text)] == [("Nordwerk", "profits fell")]


@pytest.mark.parametrize(
    "text",
    [
        '"The shelling went on all night," said the acting governor of the region, Vasyl Petrenko.',
        '"The shelling went on all night," said the region\'s acting governor, Vasyl Petrenko.',
        '"The shelling went on all night," the region\'s acting governor, Vasyl Petrenko, told reporters.',
    ],
)
def test_inverted_reports_with_a_title_before_the_name(text: str) -> None:
    (claim,) = [c for c in extract(text).claims if not c.is_publication]
    assert claim.speaker is not None and claim.speaker.name == "Vasyl Petrenko"
    assert claim.content == "The shelling went on all night"


def test_every_sentence_of_a_quotation_gets_the_speaker_named_after_the_last() -> None:
    text = '"The bridge is unsafe. Nobody has inspected it. We will close it," Ana Ruiz said. Rain fell.'
    assert _attributed(text) == [
        ("Ana Ruiz", "The bridge is unsafe", "quote-carry-back"),
        ("Ana Ruiz", "Nobody has inspected it", "quote-carry-back"),
        ("Ana Ruiz", "We will close it", "speaker-after"),
    ]
    inverted = '"The bridge is unsafe. Nobody has inspected it," said Ruiz. "We will close it."'
    assert [s for s, _, _ in _attributed(inverted)] == ["Ruiz", "Ruiz", "Ruiz"]


def test_a_quotation_broken_by_a_paragraph_is_not_carried_back() -> None:
    text = '"The bridge is unsafe.\n"Nobody has inspected it," Ruiz said.'
    assert [s for s, _, _ in _attributed(text)] == ["Ruiz"]


@pytest.mark.parametrize("verb", ["assessed", "estimated", "concluded"])
def test_institutions_that_assess_estimate_and_conclude(verb: str) -> None:
    text = f"The Institute for Coastal Studies {verb} that the sea wall would fail within a decade."
    assert _attributed(text) == [
        ("Institute for Coastal Studies", "the sea wall would fail within a decade", "speaker-first")
    ]


def test_a_role_resolves_only_to_a_person_given_that_role() -> None:
    text = (
        "Regional President Ana Ruiz opened the session. Harbour master Tom Berg spoke next. "
        "The president said the budget was late."
    )
    assert _attributed(text)[-1][0] == "Ana Ruiz"
    # Nobody was called president: the description is not pinned on the last person named.
    text = "Harbour master Tom Berg spoke first. The president said the budget was late."
    assert _attributed(text)[-1][0] is None


def test_a_body_named_in_full_is_found_again_by_its_kind() -> None:
    text = "The Competition Authority blocked the merger on Friday. The authority said fares would rise."
    assert _attributed(text) == [("Competition Authority", "fares would rise", "speaker-first")]


def test_an_ambiguous_surname_stays_unresolved() -> None:
    text = "Mayor Anna Kovac met Senator Petr Kovac on Monday. Kovac said the budget was late."
    (claim,) = [c for c in extract(text).claims if not c.is_publication]
    assert claim.mention == "Kovac" and claim.speaker is None
    single = "Senator Petr Kovac arrived on Monday. Kovac said the budget was late."
    assert _attributed(single)[0][0] == "Petr Kovac"


def test_a_listener_and_a_subject_with_a_prepositional_phrase() -> None:
    assert _attributed("The director of the port, Ana Ruiz, told reporters the pier would reopen.") == [
        ("Ana Ruiz", "the pier would reopen", "speaker-first")
    ]
    assert _attributed("Aides to the mayor say she is changing course.") == [
        ("Aides to the mayor", "she is changing course", "speaker-first")
    ]
    ((speaker, content, rule),) = _attributed("Harbour workers who say the pier is unsafe want a new one.")
    assert (speaker, rule) == ("Harbour workers", "relative-subject") and content.startswith(
        "the pier is unsafe"
    )


def test_a_lowercase_title_after_a_quote_and_the_quotation_after_it() -> None:
    text = '"March was hard," chief executive Ana Ruiz said. "Buyers waited, and then they bought less."'
    assert _attributed(text) == [
        ("Ana Ruiz", "March was hard", "speaker-after"),
        ("Ana Ruiz", "Buyers waited, and then they bought less", "quote-carry-over"),
    ]


def test_a_document_names_who_issued_it() -> None:
    assert _attributed("Waits doubled in October, a report by the National Audit Office found.") == [
        ("National Audit Office", "Waits doubled in October", "speaker-after")
    ]
    (claim,) = [c for c in extract("The Royal College of Midwives said the plan was late.").claims]
    assert claim.speaker is not None and claim.speaker.name == "Royal College of Midwives"
    assert claim.speaker.kind is SpeakerKind.ORGANIZATION


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("The army said its units had pushed back a night raid on the depot.", "army"),
        ("The jury found that the driver had been reckless.", "jury"),
        ("The ministry said the new rules would apply from March.", "ministry"),
    ],
)
def test_a_body_the_article_does_not_name_speaks_under_its_kind(text: str, name: str) -> None:
    assert _attributed(text)[0][0] == name


def test_a_body_named_by_its_kind_is_the_one_the_article_named() -> None:
    text = (
        "The Velm Defence Ministry denied the claim on Friday. Rail lines were cut overnight. "
        "The ministry said repairs would take a week."
    )
    assert _attributed(text)[-1][0] == "Velm Defence Ministry"
    # A person's role is no body: "the spokesman" with nobody to point back to stays unresolved.
    assert _attributed("The spokesman said the talks would resume.")[0][0] is None


def test_the_alliance_is_the_one_organization_the_article_just_named() -> None:
    text = "NATO envoys agreed on Tuesday to send more shells to the front, the alliance said."
    assert ("NATO", "NATO envoys agreed on Tuesday to send more shells to the front", "speaker-after") in (
        _attributed(text)
    )
    # Two organizations named and neither spoke: which alliance is meant is not guessed.
    two = "NATO and OSCE envoys met in Vienna on Tuesday. The alliance said more shells would be sent."
    assert _attributed(two)[-1][0] is None


def test_a_company_introduced_by_a_description_is_an_organization() -> None:
    text = (
        "Brightmoor, the Dutch shipbuilder, said on Monday it would close two yards. "
        "Most of the losses will fall on welders, the company said. "
        "The shipbuilder said talks with the unions would go on."
    )
    claims = [c for c in extract(text).claims if not c.is_publication]
    assert [c.speaker.name if c.speaker else None for c in claims] == ["Brightmoor"] * 3
    assert claims[0].speaker is not None and claims[0].speaker.kind is SpeakerKind.ORGANIZATION
    # A person's description does not make a business of her.
    person = "Ana Ruiz, the yard's managing director, said the hulls were sound. The director said more."
    assert [name for name, _, _ in _attributed(person)] == ["Ana Ruiz", "Ana Ruiz"]


def test_a_role_given_inside_a_quoted_as_saying_chain_is_found_again() -> None:
    text = (
        "Reuters quoted the province's mayor, Ilse Varga, as saying that two bridges were down. "
        "Power was cut in the east. The mayor said schools would stay shut on Monday."
    )
    assert [name for name, _, _ in _attributed(text)] == ["Ilse Varga", "Ilse Varga"]


def test_a_headline_is_no_speaker_name_and_the_report_is_its_issuer() -> None:
    text = (
        "Harbour Fees Climb Again, Report Says\n\n"
        "Fees at the main port rose 4 percent in the spring, a report by the Port Board found. "
        "Ships waited a day longer than last year, the report said."
    )
    assert [name for name, _, _ in _attributed(text)] == ["Port Board", "Port Board"]


def test_a_possessor_before_a_lowercase_body_belongs_to_the_mention() -> None:
    text = "Chile's energy ministry estimated that the storm had cut power to 40,000 homes."
    (claim,) = [c for c in extract(text).claims if not c.is_publication]
    assert claim.mention == "Chile's energy ministry"
    later = "Experts said on Monday that Chile's energy ministry had been warned."
    assert [c.mention for c in extract(later).claims if not c.is_publication][0] == "Experts"


def test_a_time_between_subject_and_verb_before_a_participle() -> None:
    for time in ("on Friday", "last week", "early on Monday"):
        text = f"The Harbour Board {time} closed the north pier, saying the deck was unsafe."
        assert _attributed(text) == [("Harbour Board", "the deck was unsafe", "participle")]


def test_a_titled_name_set_off_after_a_description_is_the_speaker() -> None:
    text = "His rival, city councillor Ana Ruiz, said the housing figure was wrong."
    (claim,) = [c for c in extract(text).claims if not c.is_publication]
    assert claim.mention == "city councillor Ana Ruiz"
    assert claim.speaker is not None and (claim.speaker.name, claim.speaker.role) == (
        "Ana Ruiz",
        "city councillor",
    )
    # A phrase with a preposition in it is no title: the description stays the subject.
    other = "The firm, owner of the Velm Port Company, said the figure was wrong."
    assert [c.mention for c in extract(other).claims if not c.is_publication] == ["The firm"]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Farmers' groups called on the government to pay owners for lost herds.", "Farmers' groups"),
        ("The victims' families said the inquiry had taken too long.", "The victims' families"),
        (
            "The crash victims\u2019 families said the inquiry had taken too long.",
            "The crash victims\u2019 families",
        ),
    ],
)
def test_a_plural_possessor_belongs_to_the_mention(text: str, mention: str) -> None:
    assert [c.mention for c in extract(text).claims if not c.is_publication] == [mention]


@pytest.mark.parametrize(
    "text",
    [
        "A nurse accused of theft was cleared by the tribunal on Monday.",
        "About 310 confirmed infections were among workers at the plant.",
        "The reported losses were far larger than the first estimate.",
    ],
)
def test_a_participle_that_describes_a_noun_is_no_cue(text: str) -> None:
    assert _attributed(text) == []


def test_the_same_participles_still_report_as_verbs() -> None:
    assert _attributed("Ana Ruiz accused the board of hiding the losses.")[0][0] == "Ana Ruiz"
    assert _attributed("Officials confirmed that the plant was closed.") == [
        ("Officials", "the plant was closed", "speaker-first")
    ]
    # A year before the verb is no determiner: "questioned whether" still reports.
    ((speaker, content, _),) = _attributed("An advert in 2008 questioned whether the plan was ready.")
    assert content.startswith("whether the plan was ready")
