"""Attribution chains: the speaker is the one quoted; the outlet that carried the words is the
claim's channel.

- "The agency quoted Ruiz as saying C" / '"C," the agency quoted Ruiz as saying.' /
  "Ruiz was quoted by the agency as saying C" -- a rule of its own (:func:`quoted_as_saying`);
- "Ruiz told the Harbour Gazette (that) C", "Ruiz said in an interview with the BBC that C",
  "Ruiz, quoted by Interfax, said C", "C, Ruiz said, according to Interfax" -- any rule's
  candidate gets the outlet as its channel (:func:`attach_channels`);
- "according to a statement published by the ministry" names the ministry (see :mod:`.according`).
"""

from __future__ import annotations

from factdb.enums import Stance
from factdb.extract.cues import Cue, CueKind
from factdb.extract.lexicon import (
    DETERMINERS,
    OUTLET_NAME_WORDS,
    OUTLET_NAMES,
    OUTLET_NOUNS,
    PASSIVE_AUX,
    QUOTED_AS_FORMS,
    TELL_FORMS,
)
from factdb.extract.names import is_capitalized
from factdb.extract.phrases import np_left, np_right
from factdb.extract.rules.base import Candidate, content_after
from factdb.extract.tokens import CLOSE_QUOTES, AnalysedSentence, Token, is_word

RULE_ID = "quoted-as-saying"
# An outlet's name is at most eight tokens ("the state news agency RIA Novosti").
OUTLET_MAX_TOKENS = 8
# The speaker between "quoted" and "as saying" is at most ten tokens ("Kremlin spokesman Dmitry Peskov").
QUOTED_SPEAKER_MAX_TOKENS = 10
# "in an interview with X" is looked for at most this many tokens after the cue.
INTERVIEW_LOOKAHEAD = 8


def outlet_span(tokens: list[Token], start: int, hi: int) -> tuple[int, int] | None:
    """The token range of an outlet's name starting at ``start`` ("TASS", "the Harbour Gazette",
    "state news agency RIA Novosti"), or None when the phrase there names no outlet."""
    end = start
    while end < hi and end - start < OUTLET_MAX_TOKENS and is_word(tokens[end]):
        low = tokens[end].lower
        if not (
            is_capitalized(tokens[end].text) or low in DETERMINERS or low in OUTLET_NOUNS or low == "news"
        ):
            break
        end += 1
    while (
        end > start and not is_capitalized(tokens[end - 1].text) and tokens[end - 1].lower not in OUTLET_NOUNS
    ):
        end -= 1
    if end == start:
        return None
    words = [t.lower for t in tokens[start:end]]
    phrase = " ".join(w for w in words if w not in ("the", "a", "an"))
    capitalized = [t for t in tokens[start:end] if is_capitalized(t.text)]
    known = phrase in OUTLET_NAMES or any(
        " ".join(words[i:j]) in OUTLET_NAMES for i in range(len(words)) for j in range(i + 1, len(words) + 1)
    )
    if known or any(w in OUTLET_NOUNS for w in words):
        return (start, end)
    if capitalized and capitalized[-1].lower in OUTLET_NAME_WORDS and len(capitalized) >= 2:
        return (start, end)  # "the Harbour Gazette", "Morning Post"
    return None


def channel_name(s: AnalysedSentence, span: tuple[int, int]) -> tuple[int, int]:
    """The character span of an outlet's own name within its phrase: the capitalized run if
    there is one ("state news agency RIA Novosti" -> "RIA Novosti"), else the phrase less its
    article ("a local newspaper" -> "local newspaper")."""
    tokens = s.tokens
    first, last = span
    caps = [i for i in range(first, last) if is_capitalized(tokens[i].text)]
    if caps:
        end = caps[-1] + 1
        start = end - 1
        while start > first and is_capitalized(tokens[start - 1].text):
            start -= 1
        return s.span(start, end)
    while first < last - 1 and tokens[first].lower in ("the", "a", "an"):
        first += 1
    return s.span(first, last)


def _as_saying(tokens: list[Token], i: int) -> int | None:
    """The index of "saying" in "as saying" at or after ``i`` (past the speaker, and past a name
    set off by commas: "quoted the governor, Ana Ruiz, as saying"), if there."""
    commas = 0
    for j in range(i, min(len(tokens) - 1, i + QUOTED_SPEAKER_MAX_TOKENS + 1)):
        if tokens[j].lower == "as" and tokens[j + 1].lower in QUOTED_AS_FORMS:
            return j + 1
        if tokens[j].text == "," and commas < 2:
            commas += 1
            continue
        if not is_word(tokens[j]):
            return None
    return None


def quoted_as_saying(s: AnalysedSentence, quoted: list[bool]) -> list[tuple[Candidate, int]]:
    """ "X quoted Y as saying C" and "Y was quoted (by X) as saying C": Y speaks, X carries.

    Each candidate comes with the index of its "saying", so that the cue finder's own reading of
    that participle is not used a second time."""
    tokens = s.tokens
    n = len(tokens)
    found: list[tuple[Candidate, int]] = []
    for i, token in enumerate(tokens):
        if token.lower != "quoted" or quoted[i]:
            continue
        cue = Cue(i, i, Stance.ASSERTS, CueKind.FINITE)
        passive = i > 0 and tokens[i - 1].lower in PASSIVE_AUX
        names: tuple[int, int] | None = None
        if passive:
            speaker = np_left(tokens, i - 1, 0)
            channel = None
            k = i + 1
            if k < n and tokens[k].lower == "by":
                channel = outlet_span(tokens, k + 1, n) or np_right(tokens, k + 1, n)
                k = channel[1] if channel else k
            saying = _as_saying(tokens, k)
        else:
            speaker_np = np_right(tokens, i + 1, n, limit=QUOTED_SPEAKER_MAX_TOKENS)
            saying = _as_saying(tokens, speaker_np[1]) if speaker_np else None
            if speaker_np and saying is not None and tokens[speaker_np[1]].text == ",":
                # "quoted the region's governor, Ana Ruiz, as saying": the name is who spoke.
                name = np_right(tokens, speaker_np[1] + 1, n)
                names = name if name is not None and tokens[name[1]].text == "," else None
                speaker_np = (speaker_np[0], names[1]) if names else speaker_np
            speaker = speaker_np
            channel = np_left(tokens, i, 0)
        if speaker is None or saying is None:
            continue
        after = Cue(i, saying, Stance.ASSERTS, CueKind.FINITE)
        content = content_after(s, after, [])
        start = channel[0] if channel and not passive else speaker[0]
        if (
            content is None
            and start > 0
            and (tokens[start - 1].text in CLOSE_QUOTES or tokens[start - 1].text == ",")
        ):
            end = start - 1
            if tokens[end].text in CLOSE_QUOTES and end > 0 and tokens[end - 1].text == ",":
                end -= 1
            content = s.content(s.sentence.start, tokens[end].start)
        if content is None:
            continue
        candidate = Candidate(
            s.span(*speaker), cue, content, RULE_ID, names=s.span(*names) if names else None
        )
        if channel is not None:
            candidate.channel = channel_name(s, channel)
        found.append((candidate, saying))
    return found


def _channel_after_cue(s: AnalysedSentence, candidate: Candidate) -> tuple[int, int] | None:
    tokens = s.tokens
    n = len(tokens)
    cue = candidate.cue
    if cue.kind is not CueKind.FINITE:
        return None
    if tokens[cue.last].lower in TELL_FORMS and cue.last + 1 < n:
        outlet = outlet_span(tokens, cue.last + 1, n)
        if outlet is not None:
            return outlet
    for j in range(cue.last + 1, min(n - 3, cue.last + INTERVIEW_LOOKAHEAD)):
        if tokens[j].lower in ("interview", "interviews") and tokens[j + 1].lower in ("with", "on", "to"):
            outlet = outlet_span(tokens, j + 2, n)
            if outlet is not None:
                return outlet
        if tokens[j].lower in ("carried", "published", "aired", "broadcast") and tokens[j + 1].lower in (
            "by",
            "on",
        ):
            outlet = outlet_span(tokens, j + 2, n)
            if outlet is not None:
                return outlet
    return None


def _channel_before(s: AnalysedSentence, candidate: Candidate) -> tuple[int, int] | None:
    """ "Ruiz, quoted by Interfax, said", "In an interview with Reuters, Ruiz said"."""
    tokens = s.tokens
    cue = candidate.cue
    for j in range(0, max(0, cue.first - 2)):
        low = tokens[j].lower
        if low == "quoted" and tokens[j + 1].lower == "by" and (j == 0 or tokens[j - 1].text == ","):
            outlet = outlet_span(tokens, j + 2, cue.first)
            if outlet is not None:
                return outlet
        if low in ("interview", "interviews") and tokens[j + 1].lower in ("with", "on", "to"):
            outlet = outlet_span(tokens, j + 2, cue.first)
            if outlet is not None:
                return outlet
    return None


def attach_channels(s: AnalysedSentence, candidates: list[Candidate]) -> list[Candidate]:
    """Give each candidate the outlet the sentence names as carrying its words, and fold an
    "according to OUTLET" that only names the carrier of another report into that report."""
    kept: list[Candidate] = []
    for candidate in candidates:
        if candidate.channel is None and candidate.rule != RULE_ID:
            outlet = _channel_after_cue(s, candidate) or _channel_before(s, candidate)
            if outlet is not None:
                candidate.channel = channel_name(s, outlet)
        previous = kept[-1] if kept else None
        if (
            candidate.cue.kind is CueKind.ACCORDING
            and previous is not None
            and previous.channel is None
            and previous.mention is not None
            and candidate.content[0] <= previous.mention[0]
            and previous.mention[1] <= candidate.content[1]
            and outlet_span(s.tokens, candidate.cue.last + 1, len(s.tokens)) is not None
        ):
            previous.channel = candidate.mention  # ", Ruiz said, according to Interfax."
            continue
        kept.append(candidate)
    return kept
