"""The wheel carries templates, migrations, static files and demo data, and works installed for real."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.request
import venv
import zipfile
from pathlib import Path

import pytest

from bench.http import free_port, running
from tests.conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("factdb-*.whl")
    return built


def test_wheel_ships_templates_migrations_static_and_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "factdb/templates/base.html" in names
    assert "factdb/migrations/env.py" in names and "factdb/migrations/script.py.mako" in names
    versions = [n for n in names if n.startswith("factdb/migrations/versions/") and n.endswith(".py")]
    assert versions and all(Path(v).name[:8].isdigit() for v in versions)
    assert "factdb/web/static/factdb.css" in names
    assert "factdb/data/kursk-offensive.txt" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/")) or n.endswith((".sqlite3", ".db"))]
    # Every package of the source tree is in the wheel (setup.cfg lists them by name).
    packages = {p.parent.relative_to(REPO).as_posix() for p in (REPO / "factdb").rglob("__init__.py")}
    assert {f"{p}/__init__.py" for p in packages} <= names


ZIPPED_INSTALL_CHECK = """
import sys
from pathlib import Path

import factdb
from factdb.db import make_engine
from factdb.migrate import head_revision, upgrade
from factdb.reports.templates import _environment
from factdb.web.app import create_app

assert ".whl" in factdb.__file__, factdb.__file__
url = "sqlite:///" + (Path.cwd() / "zipped.sqlite3").as_posix()
engine = make_engine(url)
upgrade(engine)
with engine.connect() as connection:
    from factdb.migrate import current_revision

    assert current_revision(connection) == head_revision()
engine.dispose()
client = create_app({"TESTING": True}).test_client()
page = client.get("/login")
assert page.status_code == 200 and "Log in" in page.get_data(as_text=True)
for name in ("factdb.css", "desk.js", "favicon.svg"):
    static = client.get("/static/" + name)
    assert static.status_code == 200 and static.data, (name, static.status_code)
    static.close()
assert ".whl" in _environment().get_template("reports/claims.html").filename
print("zipped install ok")
"""


def test_zipped_install_finds_its_templates_migrations_and_static_files(wheel: Path, tmp_path: Path) -> None:
    # A wheel on sys.path is imported straight from the archive: resources have no folder of their own.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTDB_", "PYTHON"))}
    env["PYTHONPATH"] = str(wheel)
    env["FACTDB_DATABASE_URL"] = "sqlite:///" + (tmp_path / "app.sqlite3").as_posix()
    result = subprocess.run(
        [sys.executable, "-c", ZIPPED_INSTALL_CHECK], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "zipped install ok" in result.stdout


@pytest.mark.slow
def test_non_editable_install_migrates_and_serves(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(wheel)], check=True, capture_output=True
    )
    factdb = env_dir / "bin" / "factdb"
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTDB_", "PYTHON"))}
    upgrade = subprocess.run(
        [str(factdb), "db", "upgrade"], cwd=work, env=env, capture_output=True, text=True
    )
    assert upgrade.returncode == 0, upgrade.stderr
    assert (work / "instance" / "factdb.sqlite3").exists()
    port = free_port()
    serve = [str(factdb), "serve", "--port", str(port), "--workers", "1"]
    with running(serve, port, env, cwd=work, log=tmp_path / "server.log"):
        # Listening, but the worker may still be starting: the request waits for it.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=60) as response:  # noqa: S310
            body = response.read().decode()
        assert "Log in" in body and "csrf_token" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/factdb.css", timeout=60) as response:  # noqa: S310
            assert response.status == 200 and b"{" in response.read()
