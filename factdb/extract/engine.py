"""The attribution engine: for each statement sentence, every (speaker, cue, content) it reports.

A pipeline of named stages, each in its own module:

1. :mod:`~factdb.extract.segment` -- sentences;
2. :mod:`~factdb.extract.tokens` -- tokens, and which lie inside a quotation;
3. :mod:`~factdb.extract.phrases` -- noun phrases that can name a speaker;
4. :mod:`~factdb.extract.cues` -- reporting cues;
5. :mod:`~factdb.extract.rules` -- construction rules, each proposing candidates with a RULE_ID;
6. :mod:`~factdb.extract.resolve` -- speakers resolved within the article.

Candidates meet in :func:`settle`, where overlaps are settled and each kept claim remembers the
rule that proposed it. A quotation that runs over several sentences keeps its speaker
(:mod:`~factdb.extract.rules.carryover`); a sentence with no attribution is a claim of the
publication. Every word list lives in :mod:`~factdb.extract.lexicon`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from factdb.enums import SentenceKind, Stance
from factdb.extract.resolve import Entities
from factdb.extract.rules import Candidate, carryover, propose
from factdb.extract.rules.carryover import Carry, continues_quote, introduction, is_quotation
from factdb.extract.segment import segment
from factdb.extract.tokens import AnalysedSentence, quoted_mask
from factdb.extract.types import Claim, Extraction, Sentence, SpeakerRef

#: The most claims one sentence gives, whoever proposes them. News sentences report two or three
#: speakers at most; a crafted sentence of 2,000 nested quotations ('A said "B said "...') gave
#: 1,001 claims and 993 new speakers to review. The first ones in the sentence are kept.
MAX_CLAIMS_PER_SENTENCE = 10


@dataclass(slots=True)
class SentenceAnalysis:
    """One sentence as the rules saw it: its tokens, which lie inside a quotation, and the
    candidates the rules proposed (before settling and speaker resolution)."""

    index: int
    sentence: Sentence
    analysed: AnalysedSentence | None  # None for a heading
    quoted: list[bool]
    candidates: list[Candidate]
    open_at_end: bool = False  # a quotation is still open where the sentence ends


def analyse(text: str, sentences: list[Sentence] | None = None) -> list[SentenceAnalysis]:
    """Run the rule stages over ``text``: for every sentence its tokens, quotation mask and
    rule candidates. No speaker is resolved here; :func:`extract` does that."""
    return list(iter_analyses(text, sentences))


def iter_analyses(text: str, sentences: list[Sentence] | None = None) -> Iterator[SentenceAnalysis]:
    """:func:`analyse` one sentence at a time, so that only one sentence's tokens are held at
    once (a 5 MB file of dots held 5 million tokens, 1 GB, when every sentence's were kept)."""
    sentences = segment(text) if sentences is None else sentences
    in_quote = False  # a quotation runs on from the previous sentence
    previous_end = 0
    for index, sentence in enumerate(sentences):
        if sentence.kind is SentenceKind.HEADING:
            yield SentenceAnalysis(index, sentence, None, [], [], in_quote)
            continue
        analysed = AnalysedSentence(text, sentence)
        if "\n" in text[previous_end : sentence.start]:
            in_quote = False  # a quotation that runs over paragraphs opens each one again
        quoted, in_quote = quoted_mask(analysed.tokens, in_quote)
        previous_end = sentence.end
        yield SentenceAnalysis(index, sentence, analysed, quoted, propose(analysed, quoted), in_quote)


def settle(candidates: list[Candidate]) -> list[Candidate]:
    """Where candidates of one sentence meet: the kept ones, in order.

    The rules already propose at most one candidate per cue and a label only when no cue found
    one, so today every candidate with a mention is kept; a second proposer (a learned model)
    adds its candidates here, and an overlapping content span keeps the earlier proposer's.
    """
    kept: list[Candidate] = []
    for candidate in candidates:
        if candidate.mention is None:
            continue
        kept.append(candidate)
    return kept


def extract(text: str) -> Extraction:
    """Split ``text`` into sentences and return every claim they report, speakers resolved."""
    sentences = segment(text)
    result = Extraction(sentences=sentences)
    entities = Entities()
    carried: Claim | None = None
    carried_how = Carry.AFTER  # how the next sentence may continue it
    # Publication claims of sentences inside a quotation whose speaker is named only later:
    # '"A. B," she said.' gives A the speaker of B (indexes into result.claims).
    waiting: list[int] = []
    claim_at: dict[int, list[int]] = {}  # sentence index -> its claims' indexes in result.claims
    previous_end = 0
    for item in iter_analyses(text, sentences):
        index, sentence, analysed = item.index, item.sentence, item.analysed
        entities.scan_names(text, sentence, index)
        if analysed is None:
            # "He said:" on a line of its own introduces the quotation that follows.
            carried, carried_how = _introduction(text, sentence, entities, index), Carry.INTRO
            continue
        if "\n" in text[previous_end : sentence.start]:
            waiting = []
            if carried_how is Carry.OPEN:
                carried_how = Carry.INTRO  # a quotation that runs over paragraphs opens each one again
            elif carried_how is Carry.REPORTED:
                carried = None  # a reported speech's quotation follows in its own paragraph
        previous_end = sentence.end
        claims: list[Claim] = []
        for candidate in settle(item.candidates)[:MAX_CLAIMS_PER_SENTENCE]:
            claim = _claim(text, analysed, index, candidate, entities)
            claims.append(claim)
            if claim.speaker is not None:
                entities.spoke(claim.speaker, index)
        carried_here = False
        if not claims and carried is not None and continues_quote(text, sentence, carried_how):
            # A quotation that runs on from the previous sentence keeps its speaker, and so does
            # a quoted sentence right after a quote: '"A," X said. "B."'
            span = analysed.content(sentence.start, sentence.end)
            if span is not None:
                claims.append(_carried(text, index, carried, span, carried_how))
                # Tentative when the quotation opened after the quoted claim rather than inside it.
                carried_here = carried_how in (Carry.AFTER, Carry.REPORTED) or bool(waiting)
        if not claims:
            span = analysed.content(sentence.start, sentence.end) or (sentence.start, sentence.end)
            claims.append(
                Claim(
                    index,
                    None,
                    None,
                    None,
                    None,
                    None,
                    text[span[0] : span[1]],
                    span[0],
                    span[1],
                    Stance.ASSERTS,
                )
            )
        starts_inside = bool(item.quoted) and item.quoted[0]
        named: Claim | None = None
        if len(claims) == 1 and claims[0].is_publication:
            named = _named_after(text, result, claim_at, index, analysed, entities)
        claim_at[index] = list(range(len(result.claims), len(result.claims) + len(claims)))
        if waiting and starts_inside and not claims[0].is_publication and not carried_here:
            _carry_back(result.claims, waiting, claims[0], analysed)
            waiting = []
        elif len(claims) == 1 and item.open_at_end and (claims[0].is_publication or carried_here):
            # Open quotation whose speaker may be named after a later sentence: until then the
            # sentence is the outlet's, or the carried speaker's until another is named.
            waiting.append(len(result.claims))
        else:
            waiting = []
        result.claims.extend(claims)
        last = claims[-1]
        carried_how = Carry.OPEN if item.open_at_end else Carry.AFTER
        quotation = item.open_at_end or starts_inside or is_quotation(text, last)
        carried = last if not last.is_publication and quotation else None
        if named is not None:
            carried = named  # '"A?" / Berg asked. / "B."': the quotation goes on after the name
        elif carried is None and not last.is_publication:
            # '"A," she said, adding that B. "C."': the quotation after the sentence is the quoted
            # claim's, past a participle or relative clause that reports more in indirect speech;
            # 'She said B. "C."': with no quotation, the last reported claim's.
            quoted = [c for c in claims if not c.is_publication and is_quotation(text, c)]
            carried = quoted[-1] if quoted else last
            carried_how = Carry.AFTER if quoted else Carry.REPORTED
    return result


def _claim(
    text: str, analysed: AnalysedSentence, index: int, candidate: Candidate, entities: Entities
) -> Claim:
    mention = candidate.mention or (candidate.content[0], candidate.content[0])  # settle() kept a mention
    names = candidate.names or mention
    speaker: SpeakerRef | None = entities.resolve(text[names[0] : names[1]], index)
    tokens = analysed.tokens
    cue_text = text[tokens[candidate.cue.first].start : tokens[candidate.cue.last].end]
    channel = text[candidate.channel[0] : candidate.channel[1]] if candidate.channel else None
    return Claim(
        index,
        speaker,
        text[mention[0] : mention[1]],
        mention[0],
        mention[1],
        cue_text,
        text[candidate.content[0] : candidate.content[1]],
        candidate.content[0],
        candidate.content[1],
        candidate.cue.stance,
        candidate.rule,
        channel,
    )


def _carry_back(claims: list[Claim], waiting: list[int], later: Claim, analysed: AnalysedSentence) -> None:
    """Give the earlier sentences of a quotation the speaker named after a later one, when that
    later claim's content starts with its sentence (the quotation runs on into it)."""
    span = analysed.content(analysed.sentence.start, analysed.sentence.end)
    if span is None or later.content_start != span[0]:
        return
    for at in waiting:
        old = claims[at]
        claims[at] = Claim(
            old.sentence,
            later.speaker,
            later.mention,
            later.mention_start,
            later.mention_end,
            later.cue,
            old.content,
            old.content_start,
            old.content_end,
            later.stance,
            carryover.CARRY_BACK_RULE_ID,
            later.channel,
        )


def _named_after(
    text: str,
    result: Extraction,
    claim_at: dict[int, list[int]],
    index: int,
    analysed: AnalysedSentence,
    entities: Entities,
) -> Claim | None:
    """A sentence that only names a speaker ('"A. B?" / Berg said.'), right after a quotation
    the outlet was left holding, gives that quotation's sentences to the speaker; returns the
    quotation's last claim as it now stands, or None."""
    sentences = result.sentences
    if index == 0 or not carryover.closes_quotation(text, sentences[index - 1]):
        return None
    named = carryover.bare_report(analysed)
    if named is None:
        return None
    quotation: list[int] = []
    for k in range(index - 1, max(-1, index - 1 - carryover.NAMED_AFTER_MAX_SENTENCES), -1):
        ids = claim_at.get(k, [])
        if len(ids) != 1 or not result.claims[ids[0]].is_publication:
            return None
        quotation.append(ids[0])
        if carryover.opens_quotation(text, sentences[k]):
            break
    else:
        return None
    (m_start, m_end), (c_start, c_end), stance = named
    mention = text[m_start:m_end]
    speaker = entities.resolve(mention, index)
    for at in quotation:
        old = result.claims[at]
        result.claims[at] = Claim(
            old.sentence,
            speaker,
            mention,
            m_start,
            m_end,
            text[c_start:c_end],
            old.content,
            old.content_start,
            old.content_end,
            stance,
            carryover.NAMED_AFTER_RULE_ID,
        )
    if speaker is not None:
        entities.spoke(speaker, index)
    return result.claims[quotation[0]]


def _carried(text: str, index: int, carried: Claim, span: tuple[int, int], how: Carry) -> Claim:
    rule = carryover.AFTER_REPORT_RULE_ID if how is Carry.REPORTED else carryover.RULE_ID
    return Claim(
        index,
        carried.speaker,
        carried.mention,
        carried.mention_start,
        carried.mention_end,
        carried.cue,
        text[span[0] : span[1]],
        span[0],
        span[1],
        carried.stance,
        rule,
        carried.channel,
    )


def _introduction(text: str, sentence: Sentence, entities: Entities, index: int) -> Claim | None:
    """The claim a line such as "He said:" sets up for the quotation below it."""
    found = introduction(text, sentence)
    if found is None:
        return None
    start, end = found.mention
    mention = text[start:end]
    speaker = entities.resolve(mention, index)
    cue_text = text[found.cue[0] : found.cue[1]]
    return Claim(
        index,
        speaker,
        mention,
        start,
        end,
        cue_text,
        "",
        start,
        start,
        found.stance,
        carryover.INTRODUCTION_RULE_ID,
    )
