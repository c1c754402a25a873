"""Text -> sentences -> attributions -> speakers, with no database and no Flask.

The one entry point the rest of factdb uses is :func:`extract`; :func:`normalize_alias`
gives the key under which a speaker's name is stored in the alias registry.
"""

from __future__ import annotations

from factdb.extract.engine import extract
from factdb.extract.names import normalize_alias
from factdb.extract.types import Claim, Extraction, Sentence, SpeakerRef

__all__ = [
    "Claim",
    "Extraction",
    "Sentence",
    "SpeakerRef",
    "extract",
    "normalize_alias",
]
