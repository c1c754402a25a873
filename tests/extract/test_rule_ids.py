"""Every rule has its own stable id, and every claim the engine finds names one of them."""

from __future__ import annotations

import importlib
import pkgutil

import factdb.extract.rules as rules_package
from factdb.extract import extract
from factdb.extract.scoring import load_gold
from tests.conftest import REPO


def _rule_ids() -> list[str]:
    ids = []
    for info in pkgutil.iter_modules(rules_package.__path__):
        module = importlib.import_module(f"factdb.extract.rules.{info.name}")
        ids += [
            value
            for name, value in vars(module).items()
            if name.endswith("RULE_ID") and isinstance(value, str)
        ]
    return ids


def test_rule_ids_are_unique() -> None:
    ids = _rule_ids()
    assert len(ids) == len(set(ids)) and len(ids) >= 20


def test_every_claim_names_the_rule_that_found_it() -> None:
    known = set(_rule_ids())
    seen = set()
    for path in sorted((REPO / "tests" / "gold").rglob("*.gold.json")):
        for gold in load_gold(path):
            for claim in extract(gold["text"]).claims:
                if claim.is_publication:
                    assert claim.rule is None
                else:
                    assert claim.rule in known, claim
                    seen.add(claim.rule)
    assert {"speaker-first", "speaker-after", "inverted", "according-to"} <= seen
