"""Whatever the text, the engine's spans stay inside it and agree with the strings they carry."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from factdb.enums import SentenceKind
from factdb.extract import extract

NEWSY = st.sampled_from(
    [
        "said",
        "says",
        "told reporters",
        "claimed that",
        "denied that",
        "urged",
        "called on",
        "according to",
        "He",
        "She",
        "They",
        "It",
        "The ministry",
        "Mr.",
        "U.S.",
        "Gen.",
        "\u201c",
        "\u201d",
        '"',
        "'",
        ",",
        ".",
        "!",
        "?",
        ":",
        "\n",
        "\n\n",
        " ",
        "Peskov",
        "Kremlin spokesman",
        "vowing that",
        "but warned that",
        "'s claims of",
        "a.m.",
        "3.5",
        "\u200b",
        "\u05e9\u05dc\u05d5\u05dd",
        "\U0001f600",
        "\r\n",
        "with",
    ]
)
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(NEWSY, st.text(max_size=8)), max_size=80).map(" ".join),
)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_spans_lie_inside_the_text_and_match_their_strings(text: str) -> None:
    result = extract(text)
    spans = [(s.start, s.end) for s in result.sentences]
    assert spans == sorted(spans)
    for start, end in spans:
        assert 0 <= start < end <= len(text)
    for claim in result.claims:
        sentence = result.sentences[claim.sentence]
        assert sentence.kind is SentenceKind.STATEMENT, "headings yield no claims"
        assert sentence.start <= claim.content_start <= claim.content_end <= sentence.end
        assert text[claim.content_start : claim.content_end] == claim.content
        assert claim.content in text[sentence.start : sentence.end]
        if claim.mention is not None:
            assert claim.mention_start is not None and claim.mention_end is not None
            assert 0 <= claim.mention_start < claim.mention_end <= len(text)
            assert text[claim.mention_start : claim.mention_end] == claim.mention
    statements = {i for i, s in enumerate(result.sentences) if s.kind is SentenceKind.STATEMENT}
    assert statements == {c.sentence for c in result.claims}, "every statement yields a claim"
