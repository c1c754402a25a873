"""No sentence of the PolNeAR corpus is copied into the repository (its texts have no licence and
some name private people): no run of eight words in a tracked file is also in a corpus article."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from tests.conftest import REPO, SHARED

POLNEAR_DIR = os.environ.get("FACTDB_POLNEAR_DIR") or str(SHARED / "corpora" / "polnear")
# Eight words in a row: common phrases ("the United States and its allies") are shorter.
RUN = 8
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def _tracked_files() -> list[str]:
    command = ["git", "ls-files", "-z"]
    listed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)  # noqa: S603
    if listed.returncode != 0:
        pytest.skip("not a git checkout: the tracked files are unknown")
    return [name for name in listed.stdout.split("\0") if name]


def test_no_run_of_corpus_words_in_the_repository() -> None:
    corpus = [os.path.join(POLNEAR_DIR, f"polnear-{split}.jsonl") for split in ("train", "dev")]
    if not all(os.path.exists(path) for path in corpus):
        message = f"PolNeAR is read from {POLNEAR_DIR} (FACTDB_POLNEAR_DIR), which is absent"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    runs: set[tuple[str, ...]] = set()
    for path in corpus:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                if line.strip():
                    words = _words(json.loads(line)["text"])
                    runs.update(tuple(words[i : i + RUN]) for i in range(len(words) - RUN + 1))
    copied = []
    for name in _tracked_files():
        try:
            text = (REPO / name).read_text(encoding="utf-8")
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue  # binary fixtures, and files deleted but not yet committed
        words = _words(text)
        copied += [
            f"{name}: {' '.join(words[i : i + RUN])}"
            for i in range(len(words) - RUN + 1)
            if tuple(words[i : i + RUN]) in runs
        ]
    assert not copied, copied[:20]
