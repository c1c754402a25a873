"""The rule engine's token-level signals, which a learned tagger reads as features."""

from __future__ import annotations

from factdb.extract.signals import rule_signals


def test_signals_mark_cue_mention_content_and_rule() -> None:
    (sentence,) = rule_signals("The harbour board said on Monday that the pier was safe.")
    by_text = {t.text: t for t in sentence.tokens}
    assert by_text["said"].cue == "B-finite" and by_text["said"].cue_stance == "asserts"
    assert [by_text[w].mention for w in ("The", "harbour", "board")] == ["B", "I", "I"]
    assert [by_text[w].content for w in ("pier", "was", "safe")] == ["I", "I", "I"]
    assert by_text["the"].content == "B"
    assert by_text["Monday"].content is None and by_text["Monday"].mention is None
    assert by_text["board"].rule == "speaker-first"
    assert [c.rule for c in sentence.candidates] == ["speaker-first"]


def test_signals_know_quotations_and_leave_headings_out() -> None:
    sentences = rule_signals('Pier Reopens\n"We are ready," the harbour master added.')
    assert [s.index for s in sentences] == [1]
    tokens = sentences[0].tokens
    assert [t.quoted for t in tokens[:4]] == [False, True, True, True]
    assert sentences[0].candidates[0].rule == "speaker-after"


def test_signals_on_text_without_reports() -> None:
    (sentence,) = rule_signals("The pier opened in 1902.")
    assert sentence.candidates == []
    assert all(t.cue is None and t.mention is None and t.content is None for t in sentence.tokens)
