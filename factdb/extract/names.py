"""Speaker names: the normal form under which aliases are looked up."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
_LEADING_THE = re.compile(r"^the\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def normalize_alias(name: str) -> str:
    """Return the registry key of a name: case-folded, accents and a leading "the" dropped,
    apostrophes unified and whitespace collapsed, so "The Kremlin" and "kremlin" meet."""
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = _SPACES.sub(" ", text).strip().strip(".,;:")
    text = _LEADING_THE.sub("", text)
    return text.casefold()
