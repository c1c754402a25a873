"""The extraction output format of shared/examples/FORMAT.md, as JSON or readable text."""

from __future__ import annotations

from typing import Any

from factdb.extract.types import Extraction


def to_document(result: Extraction) -> dict[str, Any]:
    """One JSON-ready object: sentences with offsets and claims with mention and content offsets."""
    return {
        "sentences": [{"start": s.start, "end": s.end, "kind": s.kind.value} for s in result.sentences],
        "claims": [
            {
                "sentence": c.sentence,
                "speaker": c.speaker.name if c.speaker else None,
                "speaker_kind": c.speaker.kind.value
                if c.speaker
                else ("publication" if c.is_publication else None),
                "speaker_role": c.speaker.role if c.speaker else None,
                "speaker_affiliation": c.speaker.affiliation if c.speaker else None,
                "mention": c.mention,
                "mention_start": c.mention_start,
                "mention_end": c.mention_end,
                "cue": c.cue,
                "content": c.content,
                "content_start": c.content_start,
                "content_end": c.content_end,
                "stance": c.stance.value,
                "rule": c.rule,
                "channel": c.channel,
            }
            for c in result.claims
        ],
    }


def to_text(text: str, result: Extraction) -> str:
    """A listing for people: each sentence, then the claims it reports."""
    lines: list[str] = []
    by_sentence: dict[int, list[int]] = {}
    for i, claim in enumerate(result.claims):
        by_sentence.setdefault(claim.sentence, []).append(i)
    for index, sentence in enumerate(result.sentences):
        lines.append(f"[{index}] {sentence.kind.value}: {text[sentence.start : sentence.end]}")
        for ci in by_sentence.get(index, []):
            c = result.claims[ci]
            if c.is_publication:
                who = "(publication)"
            elif c.speaker is None:
                who = f"{c.mention!r} (unresolved)"
            else:
                who = c.speaker.name + (f", {c.speaker.role}" if c.speaker.role else "")
                who += "" if c.mention == c.speaker.name else f"  [as {c.mention!r}]"
            lines.append(f"      {c.stance.value:8} {who} -- {c.cue or '-'} -- {c.content}")
    return "\n".join(lines)
