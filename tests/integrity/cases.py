"""The bad-input corpus (tests/bad_inputs/ plus files made on the fly) and what each must give.

Files that cannot be committed or sent through a web form (pipes, devices, sockets, links) and
files easier to describe than to store (encodings, sizes) are made at test time in a temporary
folder by :func:`materialise`.
"""

from __future__ import annotations

import codecs
import os
import socket
from dataclasses import dataclass
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
BIG_BYTES = 20 * 1024 * 1024
LONG_LINE_BYTES = 200 * 1024
DOTS_BYTES = 200 * 1024
NUL_AFTER_BYTES = 10 * 1024
NESTED_QUOTES = 2_000


def article(encoding: str) -> str:
    """A short article, different for each encoding (the same text twice would be a duplicate)."""
    return f"Harbour reopens\nThe port authority said in {encoding} that the harbour would reopen.\n"


@dataclass(frozen=True)
class Case:
    """A file and the outcome: refused with ``message``, or stored when ``message`` is None.

    ``stored_holds`` is a piece of text the stored article must contain (and ``stored_lacks`` one
    it must not); ``web`` is False for files only a path can name (a pipe cannot be uploaded).
    """

    name: str
    message: str | None
    stored_holds: str | None = None
    stored_lacks: str | None = None
    web: bool = True


CASES = [
    Case("empty.txt", "is empty"),
    Case("binary.png", "binary"),
    Case("latin1.txt", "not valid UTF-8"),
    Case("big.txt", "over the limit"),
    Case("nul-late.txt", "NUL byte (at byte 10,240)"),
    Case("control-char.txt", "control character U+001B"),
    Case("utf16-no-bom.txt", "UTF-16 text without a byte-order mark"),
    Case("utf16-bad.txt", "is not valid UTF-16"),
    Case("empty-page.html", "no article text was found"),
    Case("fifo", "is a named pipe (FIFO), not a regular file", web=False),
    Case("link-to-fifo", "which is a named pipe (FIFO)", web=False),
    Case("dev-zero", "is a character device, not a regular file", web=False),
    Case("link-to-dev-zero", "links to /dev/zero, which is a character device", web=False),
    Case("socket", "is a socket, not a regular file", web=False),
    Case("dangling-link", "is a link to a missing file", web=False),
    Case("folder", "is a directory", web=False),
    Case("article.html", None, "The Foreign Ministry said that talks would resume next week.", "<"),
    Case("saved-page.html", None, "harbour would reopen to cargo ships", "Subscribe"),
    Case("stray-tag.txt", None, '<tweet id="1234567890"'),
    Case("utf16-le-bom.txt", None, article("UTF-16 LE").strip()),
    Case("utf16-be-bom.txt", None, article("UTF-16 BE").strip()),
    Case("utf32-bom.txt", None, article("UTF-32").strip()),
    Case("long-line.txt", None),
    Case("dots.txt", None),
    Case("nested-quotes.txt", None),
    Case("windows-crlf.txt", None),
    Case("rtl-and-zero-width.txt", None),
    Case("emoji.txt", None),
]


def _bytes(name: str) -> bytes | None:
    """The content of a case made from bytes, or None for a corpus file or a special file."""
    made = {
        "big.txt": b"The ministry said that the convoy arrived on time. " * (BIG_BYTES // 51 + 1),
        "long-line.txt": (b"word " * (LONG_LINE_BYTES // 5)).rstrip(),
        "dots.txt": b"The ministry said that the talks ended. " + b"." * DOTS_BYTES,
        "nul-late.txt": b"a" * NUL_AFTER_BYTES + b"\x00 The ministry said so.",
        "control-char.txt": b"The ministry said \x1b[31mthat\x1b[0m the talks ended.",
        "utf16-no-bom.txt": article("UTF-16").encode("utf-16-le"),
        "utf16-bad.txt": codecs.BOM_UTF16_LE + article("UTF-16").encode("utf-16-le") + b"\x00",
        "utf16-le-bom.txt": codecs.BOM_UTF16_LE + article("UTF-16 LE").encode("utf-16-le"),
        "utf16-be-bom.txt": codecs.BOM_UTF16_BE + article("UTF-16 BE").encode("utf-16-be"),
        "utf32-bom.txt": article("UTF-32").encode("utf-32"),
    }
    if name == "nested-quotes.txt":
        # One sentence of quotations each inside the one before: 'A 0 said "B 1 said "...'.
        names = ("Ann Example", "Bo Sample", "Cy Person")
        opening = "".join(f'{names[i % 3]} {i} said "' for i in range(NESTED_QUOTES))
        return (opening + "yes" + '"' * NESTED_QUOTES + ".").encode()
    return made.get(name)


def materialise(case: Case, folder: Path) -> Path:
    """The case's file: from the corpus, or made in ``folder``."""
    data = _bytes(case.name)
    path = folder / case.name
    if data is not None:
        path.write_bytes(data)
    elif case.name == "fifo":
        os.mkfifo(path)
    elif case.name == "link-to-fifo":
        os.mkfifo(folder / "a-fifo")
        path.symlink_to(folder / "a-fifo")
    elif case.name == "dev-zero":
        return Path("/dev/zero")
    elif case.name == "link-to-dev-zero":
        path.symlink_to("/dev/zero")
    elif case.name == "socket":
        with socket.socket(socket.AF_UNIX) as listener:
            listener.bind(str(path))  # the socket file stays when the socket is closed
    elif case.name == "dangling-link":
        path.symlink_to(folder / "gone.txt")
    elif case.name == "folder":
        path.mkdir()
    else:
        return CORPUS / case.name
    return path
