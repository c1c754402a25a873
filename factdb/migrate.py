"""Schema migrations from code: the Alembic configuration the CLI and tests use.

The migration scripts ship inside the package (``factdb.migrations``), so they are
found through ``importlib.resources`` wherever factdb is installed (:mod:`factdb.resources`).
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from factdb.errors import SchemaNotCurrentError
from factdb.resources import MIGRATIONS_PACKAGE, resource_folder


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


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate the database up to ``revision`` (all the way by default)."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Migrate the database down to ``revision`` (``base`` removes the whole schema)."""
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
    try:
        ScriptDirectory.from_config(alembic_config()).get_revision(current)
    except Exception:  # any lookup failure means the database is newer than this code
        raise SchemaNotCurrentError(
            f"the database {where} is at revision {current}, which this version of factdb does not know: "
            "upgrade factdb"
        ) from None
    raise SchemaNotCurrentError(
        f"the database {where} is at revision {current} but factdb needs {head}: run `factdb db upgrade`"
    )
