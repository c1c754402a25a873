"""factdb.web."""
