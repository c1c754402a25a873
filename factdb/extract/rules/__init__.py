"""Stage 4: construction rules, one module per family of constructions news writing uses.

Each rule is a small function with a stable RULE_ID (a module constant), recorded on every
candidate it proposes and so on every claim:

- :mod:`.speaker_first` -- "X said (that) C", "X's claims of C", "the mayor, who ..., said C";
- :mod:`.speaker_after` -- "C, officials said." and a long title before the name;
- :mod:`.inverted` -- '"C," said X.';
- :mod:`.interrupting` -- '"A," she said, "B."';
- :mod:`.shared_speaker` -- ", vowing that C", "but warned that C", "with X saying C";
- :mod:`.according` -- "according to X";
- :mod:`.passives` -- "C was denied by X";
- :mod:`.labels` -- "NAME: C" and signed quotations;
- :mod:`.channels` -- "TASS quoted Peskov as saying C" and the outlet that carried any report;
- :mod:`.carryover` -- quotations that run over several sentences (applied by the engine).

:func:`propose` runs them over one sentence; :mod:`.finite` holds the order in which the
constructions of a finite verb are tried.
"""

from __future__ import annotations

from factdb.extract.cues import Cue, CueKind, clause_start, find_cues
from factdb.extract.rules import according, channels, finite, labels, shared_speaker, speaker_first
from factdb.extract.rules.base import Candidate
from factdb.extract.tokens import AnalysedSentence

__all__ = ["Candidate", "propose"]


def _attribute(s: AnalysedSentence, cue: Cue, stops: list[int], found: list[Candidate]) -> Candidate | None:
    if cue.kind is CueKind.ACCORDING:
        return according.according_to(s, cue)
    if cue.kind is CueKind.NOUN:
        return speaker_first.possessive_report_noun(s, cue)
    if cue.kind is CueKind.PARTICIPLE:
        return shared_speaker.participle(s, cue, stops, found)
    return finite.finite(s, cue, stops, found)


def propose(s: AnalysedSentence, quoted: list[bool]) -> list[Candidate]:
    """Every attribution the rules find in one sentence, in cue order; a label only when no cue
    found one."""
    chains = channels.quoted_as_saying(s, quoted)
    # The words of "quoted Y as saying" are read by that rule, not again as cues of their own.
    taken = {i for candidate, saying in chains for i in range(candidate.cue.first, saying + 1)}
    cues = [cue for cue in find_cues(s.tokens, quoted) if cue.first not in taken]
    found: list[Candidate] = []
    # Indices where a clause introduced by a later cue starts: content of an earlier cue stops there.
    stop_points = sorted(p for p in (clause_start(s.tokens, cue) for cue in cues) if p is not None)
    waiting = [candidate for candidate, _ in chains]
    for cue in cues:
        while waiting and waiting[0].cue.first < cue.first:
            found.append(waiting.pop(0))
        result = _attribute(s, cue, stop_points, found)
        if result is not None:
            found.append(result)
    found.extend(waiting)
    if not found:
        labelled = labels.labelled(s, quoted)
        if labelled is not None:
            found.append(labelled)
    return channels.attach_channels(s, found)
