"""`python -m mt` runs the `mt` command."""

from mt.cli import app

app(prog_name="mt")
