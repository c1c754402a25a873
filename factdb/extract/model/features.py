"""Tokens of a sentence and the features the tagger sees for each of them.

Features are plain strings (CRFsuite's attribute form), computed in one pass per sentence: the
word and its shape, what the lexicon knows about it, whether it is inside a quotation (one that
runs on from the sentence before too), where it sits in the sentence and how far the nearest cue
word is on which side, and the rule engine's signals (whether the rules' claims put it in a
content, a cue or a mention), each also for its neighbours. The quotation carried over and the
nearest cue, measured on PolNeAR dev in two trainings on train against the tagger without them:
hybrid speech-cue sentence F1 +0.003 / +0.002, its content F1 +0.004 / +0.005, span content F1
+0.002 / +0.002, speaker accuracy on found content -0.001 / -0.003; the nearest cue alone gave
+0.002, the quotation state alone +0.000.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from factdb.extract import lexicon
from factdb.extract.types import Claim, Sentence

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


_DOUBLE_QUOTES = re.compile('[\u201c\u201d"]')


def quote_states(text: str, sentences: list[Sentence]) -> list[bool]:
    """For each sentence, whether it opens inside a quotation that runs on from the sentence before
    (double marks only: a single mark is as often an apostrophe; a paragraph break closes it)."""
    states: list[bool] = []
    inside = False
    previous_end = 0
    for sentence in sentences:
        if "\n" in text[previous_end : sentence.start]:
            inside = False
        states.append(inside)
        for mark in _DOUBLE_QUOTES.findall(text, sentence.start, sentence.end):
            inside = mark == "\u201c" or (mark == '"' and not inside)
        previous_end = sentence.end
    return states


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


def _distance_bucket(d: int) -> str:
    return "0" if d == 0 else "1" if d == 1 else "3" if d <= 3 else "7" if d <= 7 else "8"


def _nearest_cue(cue_at: list[bool]) -> list[str | None]:
    """For each token, which side the nearest cue word lies on and how far ("nc=L3": two or three
    tokens to the left; a tie goes left; a cue word itself is "nc=R0"), None without any cue."""
    n = len(cue_at)
    left: list[int | None] = [None] * n
    last: int | None = None
    for i in range(n):
        if cue_at[i]:
            last = i
        left[i] = last
    out: list[str | None] = [None] * n
    following: int | None = None
    for i in range(n - 1, -1, -1):
        if cue_at[i]:
            following = i
        before = left[i]
        if before == i:
            out[i] = "nc=R0"
        elif before is not None and (following is None or i - before <= following - i):
            out[i] = "nc=L" + _distance_bucket(i - before)
        elif following is not None:
            out[i] = "nc=R" + _distance_bucket(following - i)
    return out


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
    for i, where in enumerate(_nearest_cue(cue_at)):
        if where is not None:
            own[i].append(where)
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
