"""factdb.services."""
