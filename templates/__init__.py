"""Jinja templates of the web UI, shipped inside the package as ``factdb.templates``."""
