"""factdb.reports."""
