"""Per-database connection settings that factdb's query plans depend on."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from factdb.db import POSTGRESQL_PLAN_CACHE_MODE, make_engine


def test_postgresql_plans_each_execution_for_its_parameters(database_url: str, dialect_name: str) -> None:
    if dialect_name != "postgresql":
        pytest.skip("PostgreSQL's plan cache; SQLite plans each statement as it is prepared")
    engine = make_engine(database_url)
    # A connection handed out again by the pool (rolled back on its return) keeps the setting.
    for _ in range(2):
        with engine.connect() as connection:
            mode = connection.execute(text("SHOW plan_cache_mode")).scalar()
            assert mode == POSTGRESQL_PLAN_CACHE_MODE == "force_custom_plan"
            connection.rollback()
    engine.dispose()
    with engine.connect() as connection:  # and a new connection gets it too
        assert connection.execute(text("SHOW plan_cache_mode")).scalar() == POSTGRESQL_PLAN_CACHE_MODE
    engine.dispose()
