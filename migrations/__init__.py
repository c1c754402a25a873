"""Alembic migrations for factdb, shipped inside the package as ``factdb.migrations``."""
