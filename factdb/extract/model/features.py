"""Tokens of a sentence and the features the tagger sees for each of them.

Features are plain strings (CRFsuite's attribute form), computed in one pass per sentence: the
word and its shape, what the lexicon knows about it, whether it is inside a quotation, where it
sits in the sentence, and the rule engine's signals (whether the rules' claims put it in a
content, a cue or a mention), each also for its neighbours.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from factdb.extract import lexicon
from factdb.extract.types import Claim

_TOKEN = re.compile(r"[\w\u00C0-\u024F]+(?:[-'\u2019.][\w\u00C0-\u024F]+)*|[^\w\s]")
_OPEN_QUOTES = frozenset('\u201c\u2018"')
_CLOSE_QUOTES = frozenset("\u201d\u2019")
# Every form the lexicon knows as a reporting verb, whatever its context rules.
_CUE_WORDS = (
    frozenset(lexicon.CUE_STANCE)
    | lexicon.INFINITIVE_CUES
    | lexicon.NEEDS_COMPLEMENT
    | lexicon.OBJECT_CUES
    | frozenset(phrase.split()[0] for phrase in lexicon.PHRASE_CUES)
)
# Neighbours whose words and signals each token also sees: two either side is what the CRF
# measured best with at the speed target (wider windows add features, not accuracy).
WINDOW = 2
# Rule-signal codes: O outside, C content, Q cue, S speaker mention.
OUTSIDE, CONTENT, CUE, SOURCE = "O", "C", "Q", "S"


@dataclass(slots=True)  # not frozen: a frozen dataclass sets each field through object.__setattr__,
class Token:  # which cost the tagger a tenth of its time over every token of every sentence
    """A word or punctuation mark with its character offsets in the whole text (never changed)."""

    text: str
    start: int
    end: int


def tokenize(text: str, start: int, end: int) -> list[Token]:
    """The tokens of ``text[start:end]`` with offsets into ``text``."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)]


@functools.lru_cache(maxsize=65536)  # news reuses its words: the shape of each is worked out once
def _shape(word: str) -> str:
    if word.isdigit():
        return "d"
    if word.isupper() and len(word) > 1:
        return "XX"
    if word[:1].isupper():
        return "Xx"
    if word.isalpha():
        return "x"
    return "p" if len(word) == 1 and not word.isalnum() else "m"


def claim_signals(tokens: list[Token], claims: list[Claim]) -> list[str]:
    """For each token, which part of a rule claim it lies in (mention before cue before content)."""
    signals = [OUTSIDE] * len(tokens)
    for claim in claims:
        if claim.is_publication:
            continue
        for i, token in enumerate(tokens):
            if claim.content_start <= token.start < claim.content_end:
                signals[i] = CONTENT
            elif (
                claim.mention_start is not None
                and claim.mention_end is not None
                and claim.mention_start <= token.start < claim.mention_end
            ):
                signals[i] = SOURCE
    for claim in claims:
        if claim.cue and not claim.is_publication:
            cue_words = claim.cue.lower().split()
            for i, token in enumerate(tokens):
                if token.text.lower() == cue_words[0] and signals[i] == OUTSIDE:
                    signals[i] = CUE
    return signals


def sentence_features(tokens: list[Token], signals: list[str], in_quote: bool = False) -> list[list[str]]:
    """The attribute strings of every token of one sentence."""
    n = len(tokens)
    lower = [t.text.lower() for t in tokens]
    own: list[list[str]] = []
    quoted: list[str] = []
    inside = in_quote
    cue_at = [w in _CUE_WORDS and w not in lexicon.NOT_CUES for w in lower]
    shapes = [_shape(t.text) for t in tokens]
    for i, token in enumerate(tokens):
        word = token.text
        if word in _OPEN_QUOTES and not (word == '"' and inside):
            inside, mark = True, "open"
        elif word in _CLOSE_QUOTES or (word == '"' and inside):
            inside, mark = False, "close"
        else:
            mark = "in" if inside else "out"
        quoted.append(mark)
        own.append(
            [
                "w=" + lower[i],
                "sh=" + shapes[i],
                "suf=" + lower[i][-3:],
                "q=" + mark,
                "r=" + signals[i],
                "cue" if cue_at[i] else "nocue",
            ]
        )
    first_cue = next((i for i in range(n) if cue_at[i]), -1)
    # What each token tells a neighbour at each offset, built once per token (a token is each
    # offset's neighbour of exactly one other): word and rule signal, and next door also its
    # quotation mark, shape and cue flag. The order of a row's attributes is the same as ever.
    near: dict[str, list[list[str]]] = {}
    for d in range(1, WINDOW + 1):
        for tag in (f"-{d}", f"+{d}"):
            w, r = f"{tag}w=", f"{tag}r="
            if d == 1:
                q, sh, cue = f"{tag}q=", f"{tag}sh=", f"{tag}cue"
                near[tag] = [
                    [w + lower[j], r + signals[j], q + quoted[j], sh + shapes[j], cue]
                    if cue_at[j]
                    else [w + lower[j], r + signals[j], q + quoted[j], sh + shapes[j]]
                    for j in range(n)
                ]
            else:
                near[tag] = [[w + lower[j], r + signals[j]] for j in range(n)]
    offsets = [(d, near[f"-{d}"], near[f"+{d}"]) for d in range(1, WINDOW + 1)]
    features: list[list[str]] = []
    for i in range(n):
        row = ["b", *own[i]]
        if i == 0:
            row.append("BOS")
        if i == n - 1:
            row.append("EOS")
        if first_cue >= 0:
            row.append("cue<" if i < first_cue else ("cue=" if i == first_cue else "cue>"))
        for d, before, after in offsets:
            if i - d >= 0:
                row += before[i - d]
            if i + d < n:
                row += after[i + d]
        features.append(row)
    return features
