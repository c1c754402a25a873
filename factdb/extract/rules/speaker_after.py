"""Speaker after the content: "C, officials said (on Monday)." / '"C," he said.' and a long title
before the name after a comma ("C, the region's acting deputy governor Ana Ruiz said.")."""

from __future__ import annotations

from factdb.extract.cues import Cue
from factdb.extract.lexicon import (
    BE_FORMS,
    CLAUSE_OPENERS,
    CUE_STANCE,
    PERSON_NOUNS,
    PRONOUNS,
    TELL_FORMS,
    TITLE_WORDS,
)
from factdb.extract.phrases import common_noun, np_left, np_word
from factdb.extract.rules import interrupting
from factdb.extract.rules.base import (
    NO_MATCH,
    Candidate,
    Outcome,
    has_complement,
    nothing_reported_after,
    tail_is_adjunct,
)
from factdb.extract.tokens import CLOSE_QUOTES, CONTENT_OPENERS, AnalysedSentence, Token

RULE_ID = "speaker-after"
# A description between a closing quote and the speaker's name is at most eight tokens
# ("Fight for Pay organizing director").
DESCRIPTOR_MAX_TOKENS = 8
# The opening mark of each closing quote mark.
_OPENING = {"\u201d": "\u201c", "\u2019": "\u2018"}
TITLE_RULE_ID = "speaker-after-title"


def speaker_after(s: AnalysedSentence, cue: Cue, np: tuple[int, int]) -> Outcome:
    """The content before a postposed report; NO_MATCH when the report is not postposed."""
    tokens = s.tokens
    before = np[0] - 1
    if before < 0:
        return NO_MATCH
    names = None
    title = _title_before(tokens, np)
    if title is not None:
        # '"C," the port spokesman, Tom Berg, told reporters.': the title belongs to the mention.
        names, np, before = s.span(*np), (title[0], np[1]), title[0] - 1
    else:
        described = _descriptor_after_quote(tokens, np)
        if described is not None:
            # '"C," Fight for Pay organizing director Ana Ruiz told ...': the words between the
            # quote and the name describe the speaker.
            names, np, before = s.span(*np), (described, np[1]), described - 1
    after_quote = (
        tokens[before].text in CLOSE_QUOTES
        and not has_complement(s, cue, within_clause=True)
        and nothing_reported_after(tokens, cue)
    )
    after_comma = tokens[before].text == ","
    if tokens[cue.last].lower in TELL_FORMS:  # "..., the senator told reporters."
        after_comma = after_comma and nothing_reported_after(tokens, cue)
    else:
        after_comma = after_comma and tail_is_adjunct(s, cue)
    if not (after_quote or after_comma):
        return NO_MATCH
    end_tok = before
    if tokens[end_tok].text in CLOSE_QUOTES and end_tok > 0 and tokens[end_tok - 1].text == ",":
        end_tok -= 1
    if tokens[before].text in CLOSE_QUOTES:
        # A quotation is the content whole: a dash or colon inside it ('"A - B," she said') is
        # part of what was said. It opens at the last quote mark before its close, else it runs
        # on from an earlier sentence.
        opening = _OPENING.get(tokens[before].text, tokens[before].text)
        first = next((k + 1 for k in range(before - 1, -1, -1) if tokens[k].text == opening), None)
    else:
        first = next(
            (k + 1 for k in range(end_tok - 1, -1, -1) if tokens[k].text in CONTENT_OPENERS),
            None,
        )
    content = s.content(s.char(first) if first else s.sentence.start, tokens[end_tok].start)
    rule = RULE_ID
    if content is not None:
        split = interrupting.interrupted(s, cue, content)
        if split is not None:
            content, rule = split
    return Candidate(s.span(*np), cue, content, rule, names=names) if content else None


def _descriptor_after_quote(tokens: list[Token], np: tuple[int, int]) -> int | None:
    """Where a description of the speaker starts, when only descriptive words (names, nouns,
    numbers, "of", "for") stand between a closing quote and the name ``np``."""
    k = np[0]
    while (
        k > 0
        and np[0] - k < DESCRIPTOR_MAX_TOKENS
        and tokens[k - 1].text not in CLOSE_QUOTES
        and _descriptive(tokens[k - 1])
    ):
        k -= 1
    if k == np[0] or k == 0 or tokens[k - 1].text not in CLOSE_QUOTES:
        return None
    return k


def _descriptive(token: Token) -> bool:
    low = token.lower
    if low in CUE_STANCE or low in BE_FORMS or low in PRONOUNS or low in CLAUSE_OPENERS:
        return False
    return (
        np_word(token)
        or common_noun(token)
        or token.text[0].isdigit()
        or token.text == "$"
        or low in ("of", "for", "and")
        or (token.text.islower() and low.endswith("ing"))
    )


def _title_before(tokens: list[Token], np: tuple[int, int]) -> tuple[int, int] | None:
    """A title set off by commas before the name ``np`` (", the port spokesman, Tom Berg,"),
    when a comma or closing quote comes before the title."""
    comma = np[0] - 1
    if comma < 1 or tokens[comma].text != ",":
        return None
    title = np_left(tokens, comma, 0)
    if (
        title is None
        or title[0] < 1
        or not (tokens[title[0] - 1].text == "," or tokens[title[0] - 1].text in CLOSE_QUOTES)
    ):
        return None
    head = tokens[title[1] - 1].lower
    return title if head in PERSON_NOUNS or head in TITLE_WORDS else None


def title_before_name(s: AnalysedSentence, cue: Cue, np: tuple[int, int]) -> Outcome:
    """ "C, the ministry's deputy spokesman Ana Ruiz said Thursday.": only titles and names
    between the comma and the speaker; NO_MATCH when the construction does not apply."""
    tokens = s.tokens
    title_comma = next((k for k in range(np[0] - 1, 0, -1) if tokens[k].text == ","), None)
    if title_comma is None or not all(np_word(t) or common_noun(t) for t in tokens[title_comma + 1 : np[0]]):
        return NO_MATCH
    if not (tail_is_adjunct(s, cue) and nothing_reported_after(tokens, cue)):
        return NO_MATCH
    content = s.content(s.sentence.start, tokens[title_comma].start)
    return Candidate(s.span(title_comma + 1, np[1]), cue, content, TITLE_RULE_ID) if content else None
