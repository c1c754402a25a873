"""Subjects and quotation runs that news writing uses every day, on sentences written for these
tests (issue 15: the rule fixes found by an error analysis of PolNeAR train)."""

from __future__ import annotations

import pytest

from factdb.extract import extract
from factdb.extract.tokens import tokenize


def _attributed(text: str) -> list[tuple[str | None, str | None, str, str | None]]:
    """(speaker name, mention, content, rule) of every attributed claim, in order."""
    return [
        (c.speaker.name if c.speaker else None, c.mention, c.content, c.rule)
        for c in extract(text).claims
        if not c.is_publication
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ana Ruiz however said the dam was safe.",
        "Ana Ruiz herself said the dam was safe.",
        "Ana Ruiz has long argued that the dam was safe.",
        "Ana Ruiz now says the dam was safe.",
        "Ana Ruiz, 34, a nurse from Leeds, said the dam was safe.",
        "Ana Ruiz \u2014 a nurse from Leeds \u2014 said the dam was safe.",
        "Ana Ruiz, a nurse from Leeds, attending the county fair, said the dam was safe.",
    ],
)
def test_a_subject_past_adverbs_ages_dashes_and_participles(text: str) -> None:
    assert _attributed(text) == [("Ana Ruiz", "Ana Ruiz", "the dam was safe", "speaker-first")]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Most of them said the mill had paid them fairly.", "Most of them"),
        ("Both of them said the mill had paid them fairly.", "Both of them"),
        ("Yet another said the mill had paid them fairly.", "another"),
        ("But flood specialists said the mill had paid them fairly.", "flood specialists"),
        ("City and county spokesmen said the mill had paid them fairly.", "county spokesmen"),
        ("But 58 percent of Leeds voters overall said the mill had paid them fairly.", None),
    ],
)
def test_shares_quantifiers_and_plural_subjects(text: str, mention: str | None) -> None:
    ((_, found, content, rule),) = _attributed(text)
    assert (content, rule) == ("the mill had paid them fairly", "speaker-first")
    assert mention is None or found == mention


def test_the_second_of_two_contrasted_reports_is_found() -> None:
    text = "One survey says the river is rising, while another says it is falling."
    assert [(m, c) for _, m, c, _ in _attributed(text)] == [
        ("One survey", "the river is rising"),
        ("another", "it is falling"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "\u201cThe pier will stand,\u201d he said aboard the ferry on Monday as it crossed the bay.",
        "\u201cThe pier will stand,\u201d he said answering a reporter outside the harbour office.",
        "\u201cThe pier will stand,\u201d he said over breakfast.",
    ],
)
def test_an_adjunct_after_the_cue_of_a_quotation_is_not_the_content(text: str) -> None:
    ((_, mention, content, rule),) = _attributed(text)
    assert (mention, content, rule) == ("he", "The pier will stand", "speaker-after")


def test_nothing_said_is_no_adjunct() -> None:
    ((_, _, content, _),) = _attributed("\u201cThe pier will stand,\u201d Hale said nothing more.")
    assert content == "nothing more"


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ('"It is coming," said a strategist for one of the firms.', "a strategist for one of the firms"),
        ('"It is coming," said the head of the town council.', "the head of the town council"),
    ],
)
def test_an_inverted_speaker_with_a_prepositional_phrase(text: str, mention: str) -> None:
    assert [(m, c, r) for _, m, c, r in _attributed(text)] == [(mention, "It is coming", "inverted")]


def test_a_fronted_inverted_report_with_the_quotation_last() -> None:
    text = "Said Ana Ruiz, who grew up near the river, \u201cWe were all so proud of it.\u201d"
    assert _attributed(text) == [("Ana Ruiz", "Ana Ruiz", "We were all so proud of it", "fronted-inverted")]


def test_a_sentence_opening_with_said_and_no_quotation_is_not_fronted() -> None:
    assert _attributed("Said to be the oldest pier in the county, it has stood since 1890.") == []


def test_a_quotation_after_a_reported_claim_in_its_paragraph_is_the_same_speakers() -> None:
    text = 'Ana Ruiz said the levy would pass easily. "The farmers are with us."'
    assert [(n, c, r) for n, _, c, r in _attributed(text)] == [
        ("Ana Ruiz", "the levy would pass easily", "speaker-first"),
        ("Ana Ruiz", "The farmers are with us", "quote-after-report"),
    ]


def test_a_quotation_in_the_next_paragraph_after_a_reported_claim_is_not_carried() -> None:
    text = 'Ana Ruiz said the levy would pass easily.\n\n"The farmers are with us."'
    assert [c for _, _, c, _ in _attributed(text)] == ["the levy would pass easily"]


def test_a_quotation_after_a_participle_keeps_the_quoted_speaker() -> None:
    text = (
        '"The pier is safe," Tom Berg said, adding that the repairs were finished in May. '
        '"We checked every beam."'
    )
    claims = _attributed(text)
    assert [r for _, _, _, r in claims] == ["speaker-after", "participle", "quote-carry-over"]
    assert claims[-1][:3] == ("Tom Berg", "Tom Berg", "We checked every beam")


def test_a_quotation_goes_on_after_a_sentence_that_names_its_speaker() -> None:
    text = '"Why would we wait? Nobody asked us," / Berg said. "We will not wait."'.replace(" / ", " ")
    claims = _attributed(text)
    assert [n for n, _, _, _ in claims] == ["Berg", "Berg", "Berg"]
    assert claims[-1][2:] == ("We will not wait", "quote-carry-over")


@pytest.mark.parametrize(
    "text",
    ["Ruiz: 547.", "Email: desk@example.org"],
)
def test_a_label_before_a_figure_or_an_address_is_no_statement(text: str) -> None:
    assert _attributed(text) == []


def test_a_label_before_words_is_still_a_statement() -> None:
    assert [c for _, _, c, _ in _attributed("Ruiz: We will win in a walk.")] == ["We will win in a walk"]


def test_a_firm_named_with_an_ampersand_is_one_organization() -> None:
    ((name, _, _, _),) = _attributed("Berg & Hale said its profits had fallen.")
    assert name == "Berg & Hale"


def test_the_company_is_the_organization_that_spoke_last() -> None:
    text = "Berg & Hale said on Monday it would close two stores. Sales fell in the spring, the company said."
    assert [n for n, _, _, _ in _attributed(text)] == ["Berg & Hale", "Berg & Hale"]


def test_the_company_is_not_guessed_when_no_organization_spoke() -> None:
    text = "Ana Ruiz said on Monday the stores would close. Sales fell in the spring, the company said."
    assert [n for n, _, _, _ in _attributed(text)] == ["Ana Ruiz", None]


def test_a_plural_subject_with_a_gerund_modifier_and_a_relative_clause() -> None:
    text = "Rival booking sites, which brought the first case in 2019, said the fine came too late."
    ((_, mention, content, _),) = _attributed(text)
    assert (mention, content) == ("Rival booking sites", "the fine came too late")


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        # A quantifier floated after the subject, and a connective before it, are no part of it.
        (
            "Ana Ruiz and Tom Berg both toured the harbour, saying the mill would stay open.",
            "Ana Ruiz and Tom Berg",
        ),
        ("The two unions all marched on Friday, saying the mill would stay open.", "The two unions"),
        ("Then she toured the harbour, saying the mill would stay open.", "she"),
        ("But the mayor toured the harbour, saying the mill would stay open.", "the mayor"),
    ],
)
def test_the_subject_of_a_participle_past_floated_quantifiers_and_connectives(
    text: str, mention: str
) -> None:
    assert [(m, content, rule) for _, m, content, rule in _attributed(text)] == [
        (mention, "the mill would stay open", "participle")
    ]


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("He's telling his crew that the ferry will sail on Friday.", "He"),
        ("They're warning that the ferry will not sail on Friday.", "They"),
        ("She\u2019s been saying for weeks that the ferry is unsafe.", "She"),
        ("We've argued all along that the ferry is unsafe.", "We"),
    ],
)
def test_a_pronoun_with_a_contracted_auxiliary_is_the_speaker(text: str, mention: str) -> None:
    claims = _attributed(text)
    assert [(m, rule) for _, m, _, rule in claims] == [(mention, "speaker-first")]
    assert "ferry" in claims[0][2] and mention not in claims[0][2]


def test_contractions_split_into_a_pronoun_and_the_auxiliary_it_stands_for() -> None:
    text = "He's sure, she's said, it's said, I'd go, they'd agreed, Ana Ruiz's boat."
    words = [(t.text, t.lower) for t in tokenize(text, 0, len(text)) if t.text not in {",", "."}]
    assert words == [
        ("He", "he"), ("'s", "is"), ("sure", "sure"),
        ("she", "she"), ("'s", "has"), ("said", "said"),
        ("it", "it"), ("'s", "is"), ("said", "said"),
        ("I", "i"), ("'d", "would"), ("go", "go"),
        ("they", "they"), ("'d", "had"), ("agreed", "agreed"),
        ("Ana", "ana"), ("Ruiz's", "ruiz's"), ("boat", "boat"),
    ]  # fmt: skip


def test_a_contracted_passive_names_no_speaker() -> None:
    assert _attributed("It's said that the ferry is unsafe.") == []
