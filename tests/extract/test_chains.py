"""Attribution chains: the speaker is the one quoted; the outlet that carried the words is the channel."""

from __future__ import annotations

import pytest

from factdb.extract import extract


def _chain(text: str) -> list[tuple[str | None, str | None, str | None, str]]:
    """(speaker, channel, rule, content) of every attributed claim."""
    return [
        (c.speaker.name if c.speaker else c.mention, c.channel, c.rule, c.content)
        for c in extract(text).claims
        if not c.is_publication
    ]


@pytest.mark.parametrize(
    ("text", "speaker", "channel"),
    [
        ("TASS quoted Peskov as saying that the ferry talks had stalled.", "Peskov", "TASS"),
        ("\u201cThe ferry talks have stalled,\u201d TASS quoted Peskov as saying.", "Peskov", "TASS"),
        (
            "Kremlin spokesman Dmitry Peskov was quoted by Interfax as saying the ferry talks had stalled.",
            "Dmitry Peskov",
            "Interfax",
        ),
        ("Peskov was quoted as saying the ferry talks had stalled.", "Peskov", None),
    ],
)
def test_quoted_as_saying(text: str, speaker: str, channel: str | None) -> None:
    assert _chain(text) == [(speaker, channel, "quoted-as-saying", _content(text))]


def _content(text: str) -> str:
    return "the ferry talks had stalled" if "had stalled" in text else "The ferry talks have stalled"


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        ("Ruiz told TASS that the ferry talks had stalled.", "TASS"),
        ("\u201cThe ferry talks have stalled,\u201d Ruiz told the Harbour Gazette.", "Harbour Gazette"),
        ("Ruiz told the state news agency RIA Novosti that the ferry talks had stalled.", "RIA Novosti"),
        ("Ruiz said in an interview with the BBC that the ferry talks had stalled.", "BBC"),
        ("In an interview with Reuters, Ruiz said the ferry talks had stalled.", "Reuters"),
        ("Ruiz, quoted by Interfax, said the ferry talks had stalled.", "Interfax"),
        ("The ferry talks have stalled, Ruiz said, according to Interfax.", "Interfax"),
        # Listeners who are no outlet carry nothing.
        ("\u201cThe ferry talks have stalled,\u201d Ruiz told reporters.", None),
        ("Ruiz told Smith that the ferry talks had stalled.", None),
    ],
)
def test_the_outlet_that_carried_a_report_is_its_channel(text: str, channel: str | None) -> None:
    ((speaker, found_channel, _, content),) = _chain(text)
    assert (speaker, found_channel, content) == ("Ruiz", channel, _content(text))


def test_a_document_published_by_someone_is_theirs() -> None:
    text = "According to a statement published by the Harbour Authority, the pier was hit twice."
    assert _chain(text) == [("Harbour Authority", None, "according-to-document", "the pier was hit twice")]
    assert _chain("Waits doubled, according to a report by the National Audit Office.")[0][0] == (
        "National Audit Office"
    )


def test_a_quotation_carried_over_keeps_its_channel() -> None:
    text = '"The talks have stalled," TASS quoted Peskov as saying. "Nobody is ready."'
    assert [(c[0], c[1], c[2]) for c in _chain(text)] == [
        ("Peskov", "TASS", "quoted-as-saying"),
        ("Peskov", "TASS", "quote-carry-over"),
    ]


def test_quoted_with_a_title_and_a_name_set_off_by_commas() -> None:
    text = (
        "The agency TASS quoted the region's governor, Ana Ruiz, as saying that the ferry talks had stalled."
    )
    assert _chain(text) == [("Ana Ruiz", "TASS", "quoted-as-saying", "the ferry talks had stalled")]
