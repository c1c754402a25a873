"""``python -m factdb`` runs the command line."""

from factdb.cli import main

main()
