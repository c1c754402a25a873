"""Alembic environment: same database URL as the app, batch mode on SQLite."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from factdb.config import Settings
from factdb.db import UTCDateTime, make_engine
from factdb.models import Base

config = context.config
target_metadata = Base.metadata


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Migrations stay free of factdb imports: our UTC type is a plain timestamptz in the schema.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Search structures made by raw SQL in migration 0003 (FTS5 tables on SQLite, expression GIN indexes
# on PostgreSQL): not in the models, so autogenerate and ``alembic check`` must not touch them.
UNMANAGED_PREFIXES = ("claims_search", "ix_sentences_fts")  # made by raw SQL in 0003 and 0005


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    return not (name and type_ in ("table", "index") and name.startswith(UNMANAGED_PREFIXES))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=_render_item,
        include_name=_include_name,
        compare_type=True,
        compare_server_default=False,
    )


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        # A caller (the test suite, factdb.migrate) lends its own connection.
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
