"""Schema migrations from code: the Alembic configuration the CLI and tests use.

The migration scripts ship inside the package (``factdb.migrations``), so they are
found through ``importlib.resources`` wherever factdb is installed (:mod:`factdb.resources`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from factdb.errors import InputError, SchemaNotCurrentError
from factdb.resources import MIGRATIONS_PACKAGE, resource_folder


class DestructiveMigrationError(InputError):
    """A downgrade would destroy rows and was not told to (``--destroy-data`` with a backup path)."""


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic ``Config`` for the packaged migrations, aimed at ``url`` or a lent ``connection``."""
    config = Config()
    # Alembic reads the scripts long after this returns, so it needs a folder that lasts (see resources).
    config.set_main_option("script_location", str(resource_folder(MIGRATIONS_PACKAGE)))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The revision the code expects the database to be at."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise RuntimeError("factdb's packaged migrations are missing")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at, or None when it has no factdb schema."""
    return MigrationContext.configure(connection).get_current_revision()


def is_known_revision(revision: str) -> bool:
    """Whether ``revision`` names one of factdb's migrations (or ``head``/``base``)."""
    if revision in ("head", "heads", "base"):
        return True
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except Exception:  # any lookup failure (unknown, ambiguous prefix): not a revision we can name
        return False


def _newer_than_code(engine: Engine, current: str) -> SchemaNotCurrentError:
    where = engine.url.render_as_string(hide_password=True)
    return SchemaNotCurrentError(
        f"the database {where} is at revision {current}, which this version of factdb does not know: "
        "upgrade factdb"
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (all the way by default).

    InputError for a revision factdb does not have; SchemaNotCurrentError when the database is at a
    revision this code does not know (written by a newer factdb): nothing is changed in either case.
    """
    if not is_known_revision(revision):
        raise InputError(f"{revision!r} is not a revision of factdb (give a revision id or 'head')")
    with engine.begin() as connection:
        current = current_revision(connection)
        if current is not None and not is_known_revision(current):
            raise _newer_than_code(engine, current)
        command.upgrade(alembic_config(connection=connection), revision)


def rows_destroyed_by_downgrade(connection: Connection, revision: str) -> dict[str, int]:
    """The tables holding rows that migrating down to ``revision`` would destroy, with their row counts.

    Each migration names, in ``DESTROYS_ON_DOWNGRADE``, the tables whose rows (or whose recorded
    meaning, such as the audit chain's hashes) its downgrade loses.
    """
    current = current_revision(connection)
    script = ScriptDirectory.from_config(alembic_config())
    target: str | None = None
    if revision != "base":
        try:
            named = script.get_revision(revision)
        except Exception:  # any lookup failure: a revision alembic cannot name
            named = None
        if named is None:
            raise InputError(f"{revision!r} is not a revision of factdb (give a revision id or 'base')")
        target = named.revision
    tables: set[str] = set()
    step = current
    while step is not None and step != target:
        found: Any = script.get_revision(step)  # a Script; typed loosely by Alembic
        if found is None:
            break
        tables.update(getattr(found.module, "DESTROYS_ON_DOWNGRADE", ()))
        down = found.down_revision
        step = down if isinstance(down, str) else None
    present = set(inspect(connection).get_table_names())
    counts = {
        table: int(connection.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() or 0)  # noqa: S608
        for table in sorted(tables & present)
    }
    return {table: n for table, n in counts.items() if n}


def downgrade(
    engine: Engine, revision: str, *, destroy_data: bool = False, backup_path: Path | None = None
) -> None:
    """Migrate the database down to ``revision`` (``base`` removes the whole schema).

    A downgrade that would destroy rows is refused (DestructiveMigrationError, nothing changed)
    unless ``destroy_data`` is set and ``backup_path`` names a new file: the database is copied
    there first (see :mod:`factdb.backup`), and only then migrated down.
    """
    with engine.connect() as connection:
        current = current_revision(connection)
        if current is not None and not is_known_revision(current):
            raise _newer_than_code(engine, current)
        doomed = rows_destroyed_by_downgrade(connection, revision)
    if doomed:
        what = ", ".join(f"{n} in {table}" for table, n in doomed.items())
        if not destroy_data or backup_path is None:
            raise DestructiveMigrationError(
                f"downgrading to {revision} would destroy rows ({what}); nothing was changed. "
                "To go ahead anyway: --destroy-data --backup PATH "
                "(a new file the database is copied to first)"
            )
        from factdb.backup import backup_database

        backup_database(engine, backup_path)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection=connection), revision)


def ensure_current(engine: Engine) -> None:
    """Stop with a message naming the command to run when the schema is not at head."""
    with engine.connect() as connection:
        current = current_revision(connection)
    head = head_revision()
    if current == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    if current is None:
        raise SchemaNotCurrentError(f"the database {where} has no factdb schema yet: run `factdb db upgrade`")
    if not is_known_revision(current):
        raise _newer_than_code(engine, current)
    raise SchemaNotCurrentError(
        f"the database {where} is at revision {current} but factdb needs {head}: run `factdb db upgrade`"
    )
