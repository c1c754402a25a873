"""Files shipped inside the package (templates, migrations, static files), wherever and however factdb is
installed.

``importlib.resources.files`` gives a real folder in a normal or editable install, but a place inside an
archive when factdb is imported from a zip (a wheel on ``sys.path``, a zipapp). Templates are read
through Jinja's :class:`~jinja2.PackageLoader`, which handles both. Alembic needs a real folder that
lasts as long as the configuration using it, and Flask serves static files from a folder, so a zipped
install's migrations and static files are copied out once per process, on first use, and the copies
are removed when the process exits.
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
#: The web app's static files: the folder ``static`` of this package.
STATIC_PACKAGE, STATIC_FOLDER = "factdb.web", "static"


def template_loader() -> PackageLoader:
    """A Jinja loader for the shipped templates (a folder or a zip archive alike)."""
    return PackageLoader(TEMPLATES_PACKAGE, "")


def resource_folder(package: str, folder: str = "") -> Path:
    """A real folder holding ``package``'s files (those of its ``folder`` if given), valid until the
    process exits."""
    root = files(package).joinpath(folder) if folder else files(package)
    if isinstance(root, Path):
        return root
    return _copied_out(package, folder)


def static_folder() -> Path:
    """The web app's static files as a real folder: Flask serves them from a path."""
    return resource_folder(STATIC_PACKAGE, STATIC_FOLDER)


@functools.cache
def _copied_out(package: str, folder: str) -> Path:
    # Cached: one copy per folder per process, however many Alembic configurations or apps are made.
    target = Path(tempfile.mkdtemp(prefix=f"{package}-"))
    atexit.register(shutil.rmtree, target, ignore_errors=True)
    _copy_tree(files(package).joinpath(folder) if folder else files(package), target)
    return target


def _copy_tree(source: Traversable, target: Path) -> None:
    for entry in source.iterdir():
        if entry.is_dir():
            if entry.name != "__pycache__":
                (target / entry.name).mkdir()
                _copy_tree(entry, target / entry.name)
        else:
            (target / entry.name).write_bytes(entry.read_bytes())
