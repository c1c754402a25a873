"""Files shipped inside the package (templates, migrations), wherever and however factdb is installed.

``importlib.resources.files`` gives a real folder in a normal or editable install, but a place inside an
archive when factdb is imported from a zip (a wheel on ``sys.path``, a zipapp). Templates are read
through Jinja's :class:`~jinja2.PackageLoader`, which handles both. Alembic needs a real folder that
lasts as long as the configuration using it, so a zipped install's migrations are copied out once per
process, on first use, and the copy is removed when the process exits.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from jinja2 import PackageLoader

TEMPLATES_PACKAGE = "factdb.templates"
MIGRATIONS_PACKAGE = "factdb.migrations"


def template_loader() -> PackageLoader:
    """A Jinja loader for the shipped templates (a folder or a zip archive alike)."""
    return PackageLoader(TEMPLATES_PACKAGE, "")


def resource_folder(package: str) -> Path:
    """A real folder holding ``package``'s files, valid until the process exits."""
    root = files(package)
    if isinstance(root, Path):
        return root
    return _copied_out(package)


@functools.cache
def _copied_out(package: str) -> Path:
    # Cached: one copy per package per process, however many Alembic configurations are made.
    target = Path(tempfile.mkdtemp(prefix=f"{package}-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy_tree(files(package), target)
    return target


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
