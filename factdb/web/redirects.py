"""Where the UI may send a browser after login: same-site paths only, cleaned as browsers read them.

Browsers drop tabs and line breaks anywhere in a URL, trim other control characters and spaces at
its ends, and read ``\\`` as ``/`` (the WHATWG URL standard). So ``/\\t/host/path`` reaches them as
``//host/path`` -- another site. The target is cleaned of control characters first and then must be
a plain path: one leading ``/``, no scheme, no host, no backslash.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

#: The longest redirect target kept (longer ones are dropped for the default page).
MAX_TARGET_LENGTH = 2000


def _is_control(char: str) -> bool:
    # C0 and C1 controls and DEL (category Cc), plus invisible format characters such as
    # zero-width spaces and direction marks (Cf), which could hide what the target is.
    return unicodedata.category(char) in ("Cc", "Cf")


def clean_redirect_target(target: str | None) -> str | None:
    """``target`` as a same-site path (control characters removed), or None if it is not one.

    Reusable for any redirect a request asks for (``next=``, ``return_to=``...).
    """
    if not target or len(target) > MAX_TARGET_LENGTH:
        return None
    cleaned = "".join(c for c in target if not _is_control(c)).strip()
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return None
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return None
    return cleaned
