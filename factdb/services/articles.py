"""Article files and uploads turned into article text, or refused with a message naming the problem.

The rules every entry point shares (``factdb ingest``, ``factdb extract``, the web form):

- only regular files are read: a named pipe, a device, a socket or a link to one is refused before
  anything is read from it (a pipe would wait forever, ``/dev/zero`` would fill the memory);
- at most the article size limit is read, whatever size the file claims (files under ``/proc``
  claim none);
- a NUL anywhere, or any control character but tab and line breaks, is refused: text holds none;
- UTF-8 (with or without a byte-order mark) is read, and UTF-16 or UTF-32 when a byte-order mark
  says so; UTF-16 without one is named as such;
- a web page (a saved HTML file) is turned into its article's text by trafilatura; a few stray tags
  in plain text (``<tweet ...>``) are text like any other;
- line endings become ``\\n`` so offsets are the same everywhere.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from factdb.errors import InputError
from factdb.services.validation import control_character

#: Bytes read at a time from a file (the read stops one byte past the size limit).
READ_CHUNK = 1024 * 1024

#: Byte-order marks and their codecs, longest first: UTF-32 LE's mark begins with UTF-16 LE's.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)

#: In UTF-16 without a byte-order mark every other byte of Latin text is NUL: when at least this
#: share of the first bytes' even (or odd) positions are NUL, the file is named as UTF-16.
UTF16_NUL_SHARE = 0.4
_SNIFF_BYTES = 4096

#: Page breaks and vertical tabs (word processors' manual line breaks) are line breaks here.
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})

# How a web page starts (after any comments, such as a browser's "<!-- saved from url=... -->").
_HTML_START = re.compile(r"<!doctype html|<html|<head|<body|<\?xml", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*+(?:\s[^<>]*+)?/?>")
#: Text that starts with a tag is HTML when it holds at least this many tags and ends with a tag, or
#: they make up more than this share of its first characters; otherwise tags are stray ones in plain
#: text, and are kept as text.
HTML_MIN_TAGS = 10
HTML_TAG_SHARE = 0.1
_HTML_SAMPLE = 20_000

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_article(path: Path, *, max_bytes: int) -> str:
    """Read an article file, with the checks of :func:`decode_article`; InputError naming ``path``.

    Only a regular file is opened (checked before opening, and again on what was opened in case
    the path changed in between), without waiting (a pipe swapped in cannot hang the read), and
    at most ``max_bytes`` + 1 bytes are read.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        what = "is a link to a missing file" if path.is_symlink() else "no such file"
        raise InputError(f"{path}: {what}") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    _require_regular(path, info)
    if info.st_size > max_bytes:
        raise InputError(f"{path}: {info.st_size:,} bytes is over the limit of {max_bytes:,} bytes")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    with os.fdopen(fd, "rb", buffering=0) as file:
        opened = os.fstat(fd)
        if (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise InputError(f"{path}: changed while it was being opened; try again")
        _require_regular(path, opened)
        chunks: list[bytes] = []
        size = 0
        try:
            while size <= max_bytes:
                chunk = file.read(min(READ_CHUNK, max_bytes + 1 - size))
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        except OSError as exc:
            raise InputError(f"{path}: cannot be read ({exc.strerror})") from None
    if size > max_bytes:
        raise InputError(
            f"{path}: is over the limit of {max_bytes:,} bytes (it grew, or claimed a smaller size)"
        )
    return decode_article(b"".join(chunks), str(path), max_bytes=max_bytes)


def _require_regular(path: Path, info: os.stat_result) -> None:
    if stat.S_ISREG(info.st_mode):
        return
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory, not a file")
    kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a file")
    link = f"links to {os.path.realpath(path)}, which is " if path.is_symlink() else "is "
    raise InputError(f"{path}: {link}{kind}, not a regular file; only article files can be ingested")


def decode_article(data: bytes, name: str, *, max_bytes: int) -> str:
    """Turn uploaded or read bytes into article text, or raise InputError naming ``name`` and the problem.

    Refuses empty, oversized, binary and undecodable input and text holding control characters;
    decodes UTF-8, and UTF-16 or UTF-32 with a byte-order mark; turns a web page into its
    article's text; turns Windows and old Mac line endings into ``\\n``.
    """
    if len(data) > max_bytes:
        raise InputError(f"{name}: {len(data):,} bytes is over the limit of {max_bytes:,} bytes")
    text = _decode(data, name)
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
    if looks_like_html(text):
        text = html_to_text(text, name)
    if not text.strip():
        raise InputError(f"{name}: is empty")
    found = control_character(text, multiline=True)
    if found is not None:
        at, char = found
        what = "a NUL character" if char == "\x00" else f"the control character U+{ord(char):04X}"
        raise InputError(f"{name}: holds {what} (at character {at + 1:,}); text files hold none")
    return text


def _decode(data: bytes, name: str) -> str:
    for mark, codec, label in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{name}: starts as {label} text but is not valid {label} "
                    f"(bad bytes at position {exc.start})"
                ) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        if _looks_like_utf16(data):
            raise InputError(
                f"{name}: looks like UTF-16 text without a byte-order mark; "
                "save it as UTF-8 (or UTF-16 with a BOM)"
            )
        raise InputError(f"{name}: holds a NUL byte (at byte {nul:,}); it looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: is not valid UTF-8 text (bad byte at position {exc.start})") from None


def _looks_like_utf16(data: bytes) -> bool:
    sample = data[:_SNIFF_BYTES]
    half = len(sample) // 2
    if half < 2:
        return False
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    return max(even, odd) >= UTF16_NUL_SHARE * half and min(even, odd) < 0.1 * half


def looks_like_html(text: str) -> bool:
    """True for a web page rather than article text: a document start, or text that starts with a
    tag and is made of tags. Stray tags in plain text (``<tweet ...>``) are not enough."""
    if _HTML_START.match(_after_comments(text[:_HTML_SAMPLE])):
        return True
    if not text.lstrip().startswith("<"):
        return False
    sample = text[:_HTML_SAMPLE]
    tags = [match.group(0) for match in _TAG.finditer(sample)]
    if len(tags) < HTML_MIN_TAGS:
        return False
    # A fragment of a page ('<p>...</p><p>...</p>') starts and ends with a tag.
    return text.rstrip().endswith(">") or sum(map(len, tags)) > len(sample) * HTML_TAG_SHARE


def _after_comments(text: str) -> str:
    """``text`` without leading white space and HTML comments."""
    text = text.lstrip()
    while text.startswith("<!--"):
        end = text.find("-->", 4)
        if end < 0:
            return text
        text = text[end + 3 :].lstrip()
    return text


def html_to_text(html: str, name: str) -> str:
    """The article text of a web page (trafilatura: the main content, without menus, links and
    reader comments); InputError when it finds none."""
    # Imported on use: trafilatura and its dependencies take a noticeable time to import.
    import trafilatura

    text = trafilatura.extract(html, include_comments=False, deduplicate=False)
    if not text or not text.strip():
        raise InputError(
            f"{name}: is a web page (HTML) in which no article text was found; "
            "paste the article's text instead"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)
