"""Inputs built to make the engine slow or flood the desk: it stays linear and bounded.

Their time and memory are reported by ``python -m bench.pathological``; these tests check the
bounds themselves. A quadratic segmenter would not finish them within CI's time.
"""

from __future__ import annotations

from collections import Counter

from factdb.enums import SentenceKind
from factdb.extract import extract
from factdb.extract.engine import MAX_CLAIMS_PER_SENTENCE
from factdb.extract.segment import MAX_SENTENCE_CHARS, segment

NAMES = ["Ann Example", "Bo Sample", "Cy Person", "Di Model"]


def nested_quotes(depth: int) -> str:
    """One sentence of ``depth`` quotations, each inside the one before: 'A said "B said "...'."""
    opening = "".join(f'{NAMES[i % len(NAMES)]} {i} said "' for i in range(depth))
    return opening + "yes" + '"' * depth + "."


def test_a_million_dots_are_cut_into_bounded_pieces() -> None:
    text = "The ministry said the talks ended. " + "." * 1_000_000
    sentences = segment(text)
    assert sentences[0].end == len("The ministry said the talks ended.")
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in sentences)
    # Nothing is lost: the pieces cover every dot.
    assert sum(s.end - s.start for s in sentences[1:]) == 1_000_000


def test_runs_of_end_punctuation_before_a_capital_still_end_sentences() -> None:
    text = "It ended" + "!?" * 50_000 + " Then it began again."
    sentences = segment(text)
    assert text[sentences[-1].start : sentences[-1].end] == "Then it began again."


def test_an_overlong_sentence_is_cut_at_spaces() -> None:
    text = "The report said " + "very " * 1_000 + "little."
    sentences = segment(text)
    assert len(sentences) > 1
    assert all(s.end - s.start <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(s.kind is SentenceKind.STATEMENT for s in sentences)
    # Cut between words, never inside one.
    assert all(text[s.start : s.end].split()[-1] in ("very", "little.") for s in sentences)


def test_dotted_lines_and_signatures_keep_their_kind() -> None:
    text = 'Briefing Notes\n"We will not move." \u2015 Ann Example\nThe talks ended. Officials left.'
    kinds = [(text[s.start : s.end], s.kind) for s in segment(text)]
    assert kinds == [
        ("Briefing Notes", SentenceKind.HEADING),
        ('"We will not move." \u2015 Ann Example', SentenceKind.STATEMENT),
        ("The talks ended.", SentenceKind.STATEMENT),
        ("Officials left.", SentenceKind.STATEMENT),
    ]


def test_nested_quotations_give_a_bounded_number_of_claims() -> None:
    result = extract(nested_quotes(2_000))
    per_sentence = Counter(c.sentence for c in result.claims)
    assert max(per_sentence.values()) <= MAX_CLAIMS_PER_SENTENCE
    # The whole line is bounded too: at most the cap for each piece of the cut sentence.
    pieces = len(result.sentences)
    assert len(result.claims) <= MAX_CLAIMS_PER_SENTENCE * pieces
    assert pieces <= len(nested_quotes(2_000)) // (MAX_SENTENCE_CHARS // 2)


def test_a_short_nested_sentence_is_capped_at_the_constant() -> None:
    text = nested_quotes(40)
    assert len(text) < MAX_SENTENCE_CHARS
    result = extract(text)
    assert len(result.sentences) == 1
    # Without the cap this sentence gives 20 claims (one per quotation, as the rules read it).
    assert len(result.claims) == MAX_CLAIMS_PER_SENTENCE
