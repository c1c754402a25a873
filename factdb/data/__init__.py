"""Demo data shipped with factdb: the sample article."""
