"""`python -m mt` runs the `mt` command."""

from mt.cli import run

run()
