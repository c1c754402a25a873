"""Rules and the tagger together: candidates from both meet here, and overlaps are settled.

The rules keep every claim they find (they pick the right speaker far more often); the tagger
adds the contents the rules missed, in the sentences the rules left unattributed: where the rules
found an attribution, what else the tagger proposed in that sentence was wrong more often than
right (PolNeAR dev, speech-cue sentence F1 0.802 -> 0.805 when those sentences are left alone).
Its speakers come from the rules: the cue it tagged next to a content (else the lexicon's cue
nearest it) is read the way the rules read a cue, and its subject is the mention, resolved like a
rule's (:mod:`.speakers`); the words the tagger itself marked as source serve only when the rules
see no subject. A content with neither is left out, and so is one whose cue is a passive with no
agent ("X is expected to", "X was asked about"): its subject is what is reported on, no speaker.
Each claim keeps its proposer: the rule's id, or ``model:<name>``.
"""

from __future__ import annotations

import threading

import pycrfsuite

from factdb.enums import SentenceKind, Stance
from factdb.extract import lexicon
from factdb.extract.engine import MAX_CLAIMS_PER_SENTENCE, extract
from factdb.extract.model.features import Token, claim_signals, quote_states, sentence_features, tokenize
from factdb.extract.model.speakers import passive_cue, speaker_near_cue
from factdb.extract.resolve import Entities
from factdb.extract.tokens import AnalysedSentence, quoted_mask
from factdb.extract.types import Claim, Extraction

# Tokens that never begin or end a content: quotation marks, punctuation, the complementizer.
_EDGE_PUNCTUATION = frozenset(",.;:!?\"'\u201c\u201d\u2018\u2019()[]-\u2014\u2013")
_LEADING_WORDS = frozenset({"that"})
# A proposed content shorter than this many words is a fragment, not a statement.
MIN_CONTENT_WORDS = 3
# The tagger's mean confidence (marginal probability) in a content's labels below which it is left
# out. Measured on PolNeAR dev when the tagger tagged every sentence, 0.6 raised precision more than
# it cost recall; tagging only the sentences the rules leave unattributed, 0.5 kept more of what is
# right there (speech-cue sentence F1 0.805 -> 0.807) and 0.8 still cost more than it saved.
MIN_CONFIDENCE = 0.5
# A cue the lexicon does not hold as a reporting word still reports when the tagger's confidence
# in it is at least this (a cue editors taught it): on held-out PolNeAR train articles 0.9 kept
# nearly all of the speech-cue gain of admitting lexicon cues only (0.797 against 0.798).
SURE_CUE = 0.9
MODEL_PREFIX = "model:"


class Tagger:
    """A trained CRF, loaded from its bytes; tags the tokens of a sentence."""

    def __init__(self, name: str, weights: bytes) -> None:
        self.name = name
        # CRFsuite reads the model in place: the bytes must live as long as the tagger.
        self._weights = bytes(weights)
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._weights)
        # CRFsuite's tagger keeps state between calls: one sentence at a time per model.
        self._lock = threading.Lock()

    @property
    def proposer(self) -> str:
        """What claims this model proposes record as their finder."""
        return MODEL_PREFIX + self.name

    def tag(self, features: list[list[str]]) -> tuple[list[str], list[float]]:
        """The best labels and, for each token not tagged O, the marginal probability of its label."""
        with self._lock:
            labels = list(self._tagger.tag(features))
            marginals = [1.0 if y == "O" else self._tagger.marginal(y, i) for i, y in enumerate(labels)]
        return labels, marginals


def _spans(labels: list[str], kind: str) -> list[tuple[int, int]]:
    """Token ranges [first, last) labelled as ``kind``."""
    spans: list[tuple[int, int]] = []
    start = None
    for i, label in enumerate([*labels, "O"]):
        inside = label[2:] == kind
        if start is not None and (not inside or label.startswith("B-")):
            spans.append((start, i))
            start = None
        if inside and start is None:
            start = i
    return spans


def _trim(tokens: list[Token], first: int, last: int) -> tuple[int, int] | None:
    while first < last and (
        tokens[first].text in _EDGE_PUNCTUATION or tokens[first].text.lower() in _LEADING_WORDS
    ):
        first += 1
    while last > first and tokens[last - 1].text in _EDGE_PUNCTUATION:
        last -= 1
    words = sum(1 for t in tokens[first:last] if t.text[0].isalnum())
    return (first, last) if words >= MIN_CONTENT_WORDS else None


def _nearest(spans: list[tuple[int, int]], at: tuple[int, int]) -> tuple[int, int] | None:
    outside = [s for s in spans if s[1] <= at[0] or s[0] >= at[1]]
    if not outside:
        return None
    return min(outside, key=lambda s: at[0] - s[1] if s[1] <= at[0] else s[0] - at[1])


def _chars(tokens: list[Token], span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The character span of a token range."""
    return None if span is None else (tokens[span[0]].start, tokens[span[1] - 1].end)


def _stance(cue: str | None) -> Stance:
    words = (cue or "").lower().split()
    return lexicon.CUE_STANCE.get(words[0], Stance.ASSERTS) if words else Stance.ASSERTS


def hybrid_extract(text: str, tagger: Tagger) -> Extraction:
    """The rules' extraction with the tagger's further claims added, speakers resolved by the rules."""
    rules = extract(text)
    by_sentence: dict[int, list[Claim]] = {}
    for claim in rules.claims:
        by_sentence.setdefault(claim.sentence, []).append(claim)
    entities = Entities()
    claims: list[Claim] = []
    opens_quoted = quote_states(text, rules.sentences)
    for index, sentence in enumerate(rules.sentences):
        entities.scan_names(text, sentence, index)
        own = by_sentence.get(index, [])
        attributed = [c for c in own if not c.is_publication]
        for claim in attributed:
            if claim.speaker is not None:
                entities.spoke(claim.speaker, index)
        proposed: list[Claim] = []
        analysed: AnalysedSentence | None = None
        quoted: list[bool] = []
        tokens = (
            tokenize(text, sentence.start, sentence.end) if sentence.kind is SentenceKind.STATEMENT else []
        )
        if tokens and not attributed:  # the rules' claims stand where they found any
            labels, confidence = tagger.tag(
                sentence_features(tokens, claim_signals(tokens, attributed), opens_quoted[index])
            )
            cues, sources = _spans(labels, "Q"), _spans(labels, "S")
            for first, last in _spans(labels, "C"):
                trimmed = _trim(tokens, first, last)
                if trimmed is None or sum(confidence[first:last]) / (last - first) < MIN_CONFIDENCE:
                    continue
                start, end = tokens[trimmed[0]].start, tokens[trimmed[1] - 1].end
                cue_span = _nearest(cues, trimmed)
                tagged_cue = _chars(tokens, cue_span)
                tagged_source = _chars(tokens, _nearest(sources, trimmed))
                if analysed is None:
                    analysed = AnalysedSentence(text, sentence)
                    quoted = quoted_mask(analysed.tokens, False)[0]
                # The rules' subject of the cue (tagged, else the lexicon's nearest) names the
                # speaker; the words the tagger marked as source only when the rules see none.
                found = speaker_near_cue(analysed, quoted, (start, end), tagged_cue)
                if passive_cue(analysed, found.cue if found is not None else tagged_cue):
                    # "X is expected to ...", "X was asked about ...": X is what is reported on,
                    # and no one is named as saying it.
                    continue
                mention_span = found.mention if found is not None else tagged_source
                if mention_span is None:
                    continue  # no one to give it to: a content with no speaker is left out
                cue_chars = tagged_cue or (found.cue if found is not None else None)
                cue = text[cue_chars[0] : cue_chars[1]] if cue_chars is not None else None
                sure = cue_span is not None and min(confidence[cue_span[0] : cue_span[1]]) >= SURE_CUE
                if not sure and not any(
                    word in lexicon.REPORTING_WORDS for word in (cue or "").lower().split()
                ):
                    # The product stores what people said, thought or stood for: a content whose
                    # cue is no reporting word ("shows", "backs", a colon) is added only when the
                    # tagger is sure of that cue (one editors taught it, say).
                    continue
                m_start, m_end = mention_span
                mention = text[m_start:m_end]
                proposed.append(
                    Claim(
                        index,
                        entities.resolve(mention, index),
                        mention,
                        m_start,
                        m_end,
                        cue,
                        text[start:end],
                        start,
                        end,
                        _stance(cue),
                        tagger.proposer,
                    )
                )
        if proposed:
            own = [*attributed, *proposed]
            own.sort(key=lambda c: c.content_start)
            del own[MAX_CLAIMS_PER_SENTENCE:]  # the rules' bound holds with the tagger's claims too
        claims.extend(own)
    return Extraction(rules.sentences, claims)
