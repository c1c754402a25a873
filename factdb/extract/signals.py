"""The rule engine's view of a text as token-level signals, for a learned tagger to use as features.

:func:`rule_signals` runs the rule stages (no speaker resolution) and returns, per statement
sentence, its tokens with what the rules saw at each: inside a quotation, a cue word (its kind and
stance), a word that can name a speaker, and whether a rule candidate's mention or content covers
it (with the RULE_ID). The candidates themselves come along, so a caller can also use them whole.
"""

from __future__ import annotations

from dataclasses import dataclass

from factdb.extract.cues import find_cues
from factdb.extract.engine import analyse
from factdb.extract.names import is_capitalized
from factdb.extract.phrases import speakerish
from factdb.extract.rules import Candidate
from factdb.extract.tokens import Token
from factdb.extract.types import Sentence


@dataclass(frozen=True, slots=True)
class TokenSignal:
    """One token and what the rules saw there. Offsets are into the whole text."""

    text: str
    start: int
    end: int
    quoted: bool  # inside a direct quotation
    cue: str | None  # "B-finite", "I-according", ... for any cue word the lexicon knows
    cue_stance: str | None
    speakerish: bool  # a name, pronoun or speaker noun
    capitalized: bool
    mention: str | None  # "B"/"I" when a rule candidate's mention covers the token
    content: str | None  # "B"/"I" when a rule candidate's content covers the token
    rule: str | None  # RULE_ID of the candidate whose mention or content covers the token


@dataclass(frozen=True, slots=True)
class SentenceSignals:
    """A statement sentence's tokens with their signals, and the rules' candidates in it."""

    index: int
    sentence: Sentence
    tokens: list[TokenSignal]
    candidates: list[Candidate]


def _bio(token: Token, span: tuple[int, int] | None, begun: bool) -> str | None:
    if span is None or token.end <= span[0] or token.start >= span[1]:
        return None
    return "I" if begun else "B"


def rule_signals(text: str) -> list[SentenceSignals]:
    """Per statement sentence (headings are left out), the rule engine's signals on each token."""
    out: list[SentenceSignals] = []
    for item in analyse(text):
        if item.analysed is None:
            continue
        tokens = item.analysed.tokens
        cue_tag: dict[int, tuple[str, str]] = {}
        for found in find_cues(tokens, item.quoted):
            for i in range(found.first, found.last + 1):
                cue_tag[i] = (f"{'B' if i == found.first else 'I'}-{found.kind.value}", found.stance.value)
        signals: list[TokenSignal] = []
        in_mention: set[int] = set()
        in_content: set[int] = set()
        for i, token in enumerate(tokens):
            mention = content = rule = None
            for c, candidate in enumerate(item.candidates):
                m = _bio(token, candidate.mention, c in in_mention)
                k = _bio(token, candidate.content, c in in_content)
                if m is not None:
                    in_mention.add(c)
                    mention, rule = mention or m, rule or candidate.rule
                if k is not None:
                    in_content.add(c)
                    content, rule = content or k, rule or candidate.rule
            cue, stance = cue_tag.get(i) or (None, None)
            signals.append(
                TokenSignal(
                    token.text,
                    token.start,
                    token.end,
                    item.quoted[i],
                    cue,
                    stance,
                    speakerish(token, i == 0),
                    is_capitalized(token.text),
                    mention,
                    content,
                    rule,
                )
            )
        out.append(SentenceSignals(item.index, item.sentence, signals, item.candidates))
    return out
