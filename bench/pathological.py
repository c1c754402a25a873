"""Time and peak memory of the inputs built to make factdb slow, hang or run out of memory.

    python -m bench.pathological [--mb 5] [--only NAME ...]

Each input runs in a process of its own, so that its peak memory (RSS) is its own; the figures are
printed, never asserted (the bounds themselves are tested in tests/extract/test_pathological.py and
tests/integrity/test_bad_inputs.py). Inputs:

- ``dots-40k``, ``dots-file``: 40,000 dots, and a file at the size limit ending in dots (26 s and
  hours before the segmenter was made linear);
- ``nested-quotes``: one sentence of 2,000 nested quotations (1,001 claims before the cap);
- ``article``: a news-like article at the size limit, read, extracted and stored in a SQLite file,
  with the time the store holds the write lock (extraction no longer does), then its merge
  suggestions and matching in short transactions (the longest is the lock they hold);
- ``html-page``: a saved web page at the size limit turned into text;
- ``fifo``, ``dev-zero-link``: refused before reading (a FIFO hung, a link to /dev/zero filled the memory);
- ``article-page``: the page of an article of about 1.2 MB and its claims (a 500 before paging).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CASES: dict[str, Callable[[int], dict[str, Any]]] = {}


def case(run: Callable[[int], dict[str, Any]]) -> Callable[[int], dict[str, Any]]:
    """Register ``run`` (given the size limit in bytes; returns figures) under its name."""
    CASES[run.__name__.replace("_", "-")] = run
    return run


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def _extract_figures(text: str) -> dict[str, Any]:
    from factdb.extract import extract
    from factdb.extract.segment import segment

    seconds_segment, sentences = _timed(lambda: segment(text))
    seconds, extraction = _timed(lambda: extract(text))
    speakers = {c.speaker.name for c in extraction.claims if c.speaker is not None}
    return {
        "chars": len(text),
        "segment_s": seconds_segment,
        "extract_s": seconds,
        "sentences": len(sentences),
        "claims": len(extraction.claims),
        "speakers": len(speakers),
    }


@case
def dots_40k(limit: int) -> dict[str, Any]:
    return _extract_figures("The ministry said that the talks ended. " + "." * 40_000)


@case
def dots_file(limit: int) -> dict[str, Any]:
    head = "The ministry said that the talks ended. "
    return _extract_figures(head + "." * (limit - len(head)))


@case
def nested_quotes(limit: int) -> dict[str, Any]:
    names = ("Ann Example", "Bo Sample", "Cy Person")
    opening = "".join(f'{names[i % 3]} {i} said "' for i in range(2_000))
    return _extract_figures(opening + "yes" + '"' * 2_000 + ".")


def article_text(size: int, seed: int = 3) -> str:
    """About ``size`` bytes of made-up news (bench.archive's articles, 400 speakers), cut at a line end."""
    from bench.archive import make_article, make_cast

    rng = random.Random(seed)
    cast = make_cast(400)
    parts: list[str] = []
    total = 0
    number = 0
    while total < size:
        _, text = make_article(rng, cast, number, 40)
        parts.append(text)
        total += len(text.encode())
        number += 1
    # Cut by bytes (curly quotes take three), at a line end.
    return "".join(parts).encode()[:size].decode(errors="ignore").rsplit("\n", 1)[0] + "\n"


def _database(folder: Path) -> Any:
    from factdb.db import make_engine
    from factdb.migrate import upgrade

    engine = make_engine(f"sqlite:///{(folder / 'bench.sqlite3').as_posix()}")
    upgrade(engine)
    return engine


@case
def article(limit: int) -> dict[str, Any]:
    from factdb.db import make_session_factory
    from factdb.services.articles import read_article
    from factdb.services.ingest import derive_after_ingest, ingest_text, prepare_ingest

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "article.txt"
        path.write_text(article_text(limit), encoding="utf-8")
        engine = _database(Path(folder))
        seconds_read, text = _timed(lambda: read_article(path, max_bytes=limit))
        with make_session_factory(engine)() as session:
            run = prepare_ingest(session, text)
        seconds_extract, extraction = _timed(lambda: run(text))
        with make_session_factory(engine, write=True)() as session:
            seconds_store, result = _timed(
                lambda: ingest_text(session, None, text, title="bench", extraction=extraction, match=False)
            )
            seconds_commit, _ = _timed(session.commit)
            # Suggestions and matching as the CLI and the web run them: a short transaction per chunk.
            chunks: list[float] = []
            last = [time.perf_counter()]

            def commit() -> None:
                session.commit()
                now = time.perf_counter()
                chunks.append(now - last[0])
                last[0] = now

            seconds_derive, _ = _timed(lambda: derive_after_ingest(session, None, result, commit=commit))
        engine.dispose()
    return {
        "bytes": path.stat().st_size if path.exists() else limit,
        "read_s": seconds_read,
        "extract_s (no lock)": seconds_extract,
        "store_s (write lock held)": seconds_store + seconds_commit,
        "derive_s (chunked)": seconds_derive,
        "longest_derive_chunk_s (write lock held)": max(chunks, default=0.0),
        "sentences": result.sentence_count,
        "claims": result.claim_count,
    }


@case
def html_page(limit: int) -> dict[str, Any]:
    from factdb.services.articles import decode_article

    paragraphs = article_text(limit // 2).splitlines()
    body = "".join(f"<p>{line}</p>\n" for line in paragraphs)
    page = f"<!DOCTYPE html><html><head><title>Bench</title></head><body><nav>Home</nav><article>{body}"
    page = page.encode()[: limit - 100].decode(errors="ignore").rsplit("<p>", 1)[0]
    page += "</article><footer>Footer</footer></body></html>"
    seconds, text = _timed(lambda: decode_article(page.encode(), "page.html", max_bytes=limit))
    return {"html_bytes": len(page.encode()), "to_text_s": seconds, "text_chars": len(text)}


def _refusal(path: Path, limit: int) -> dict[str, Any]:
    from factdb.errors import InputError
    from factdb.services.articles import read_article

    start = time.perf_counter()
    try:
        read_article(path, max_bytes=limit)
        message = "read (!)"
    except InputError as error:
        message = str(error)
    return {"refused_s": time.perf_counter() - start, "message": message}


@case
def fifo(limit: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pipe"
        os.mkfifo(path)
        return _refusal(path, limit)


@case
def dev_zero_link(limit: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "zero.txt"
        path.symlink_to("/dev/zero")
        return _refusal(path, limit)


@case
def article_page(limit: int) -> dict[str, Any]:
    from dataclasses import replace

    from factdb.config import Settings
    from factdb.db import make_session_factory
    from factdb.enums import EditorRole
    from factdb.services.editors import create_editor
    from factdb.services.ingest import ingest_text
    from factdb.web.app import create_app

    with tempfile.TemporaryDirectory() as folder:
        engine = _database(Path(folder))
        text = article_text(1_200_000)
        with make_session_factory(engine, write=True).begin() as session:
            create_editor(session, None, username="bench", password="bench password", role=EditorRole.ADMIN)
            result = ingest_text(session, None, text, title="bench")
        url = str(engine.url)
        engine.dispose()
        settings = replace(Settings.from_env(), database_url=url, secret_key="bench")
        client = create_app({"FACTDB_SETTINGS": settings, "WTF_CSRF_ENABLED": False}).test_client()
        client.post("/login", data={"username": "bench", "password": "bench password"})
        seconds, response = _timed(lambda: client.get(f"/sources/{result.source.id}"))
        last, response_last = _timed(lambda: client.get(f"/sources/{result.source.id}?page=12"))
    return {
        "chars": len(text),
        "claims": result.claim_count,
        "status": response.status_code,
        "first_page_s": seconds,
        "first_page_bytes": len(response.data),
        "page_12_status": response_last.status_code,
        "page_12_s": last,
    }


def _child(name: str, limit: int) -> None:
    os.environ.setdefault("FACTDB_AUDIT_KEY", secrets.token_hex(32))
    figures = CASES[name](limit)
    figures["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(figures))


def main() -> None:
    """Run every case (or --only some) in a child process each and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=5.0, help="the article size limit, in MB (default 5)")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="run these cases only")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    limit = int(args.mb * 1024 * 1024)
    if args.child:
        _child(args.child, limit)
        return
    for name in args.only or list(CASES):
        start = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "bench.pathological", "--mb", str(args.mb), "--child", name],
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - start
        if done.returncode != 0:
            print(f"{name:16} FAILED after {wall:.1f} s: {done.stderr.strip().splitlines()[-1:]}")
            continue
        figures = json.loads(done.stdout.strip().splitlines()[-1])
        shown = ", ".join(
            f"{key} {value:,.2f}"
            if isinstance(value, float)
            else f"{key} {value:,}"
            if isinstance(value, int)
            else f"{key} {value!r}"
            for key, value in figures.items()
        )
        print(f"{name:16} {wall:6.1f} s wall  {shown}", flush=True)


if __name__ == "__main__":
    main()
