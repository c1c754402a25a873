"""The web layer's house: blueprints reach the request through factdb.web.request, never through the
app module, and no module of factdb.web imports itself back through another (at any depth, import
statements inside functions included)."""

from __future__ import annotations

import ast
from pathlib import Path

import factdb.web

WEB = Path(factdb.web.__file__).parent


def _imports(path: Path) -> set[str]:
    """The factdb.web modules ``path`` imports, wherever the import statement is."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "factdb.web":
                found.update(f"factdb.web.{alias.name}" for alias in node.names)
            elif node.module.startswith("factdb.web."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("factdb.web."))
    return found


def _graph() -> dict[str, set[str]]:
    modules = {f"factdb.web.{p.stem}": p for p in WEB.glob("*.py") if p.stem != "__init__"}
    return {name: _imports(path) & modules.keys() for name, path in modules.items()}


def test_no_blueprint_imports_the_app_module() -> None:
    graph = _graph()
    importers = sorted(name for name, targets in graph.items() if "factdb.web.app" in targets)
    assert importers == [], f"{importers} import factdb.web.app; use factdb.web.request"


def test_the_web_layer_has_no_import_circle() -> None:
    graph = _graph()

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for target in graph[start]:
            if target == goal or (target not in seen and reaches(target, goal, seen | {target})):
                return True
        return False

    circles = sorted(name for name in graph if reaches(name, name, {name}))
    assert circles == [], f"import circle through {circles}"
