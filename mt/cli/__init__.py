"""The `mt` command: one module per sub-command, composed here."""

from __future__ import annotations

import atexit
import gc

import typer

from mt import __version__
from mt.cli import align, build, embed, evaluate, publish, report, segment, translate, watch
from mt.cli.common import Command, Group, show_library_warnings

app = typer.Typer(
    name="mt",
    cls=Group,
    help="Translate, align and publish comparable news articles across languages.\n\n"
    "Stages: segment -> translate -> align -> publish (with report.html); `mt build` runs them all.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mt {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Translate, align and publish comparable news articles across languages."""
    show_library_warnings()


app.command("segment", cls=Command)(segment.segment_command)
app.command("translate", cls=Command)(translate.translate_command)
app.command("evaluate", cls=Command)(evaluate.evaluate_command)
app.command("align", cls=Command, epilog=align.signals_epilog())(align.align_command)
app.command("embed", cls=Command)(embed.embed_command)
app.command("align-eval", cls=Command)(align.align_eval_command)
app.command("publish", cls=Command)(publish.publish_command)
app.command("report", cls=Command)(report.report_command)
app.command("build", cls=Command)(build.build_command)
app.command("watch", cls=Command)(watch.watch_command)


COLLECTOR_THRESHOLD = 10_000
"""Allocations between two young collections of Python's cyclic garbage collector in an `mt` process (Python's
default is 700 before 3.14); see `run`."""


def run() -> None:
    """`mt` as a program (the console script and `python -m mt`): the app, with the garbage collector set for a
    process that holds hundreds of thousands of long-lived records and, once torch is imported, as many library
    objects. With Python's defaults every full collection walks all of them: adding 50 articles to a corpus of
    5,000 (`mt build --into`, benchmarks/build_scale.py) spent 2.8 s in collections and 1.3 s in the interpreter's
    last ones at exit, of about 20 s. So collections are rarer, and at exit what is still alive is frozen, so that
    the last collections skip it (no file is left open for them to close: every stage closes what it writes).
    The Python API leaves the collector as its caller set it."""
    gc.set_threshold(COLLECTOR_THRESHOLD, *gc.get_threshold()[1:])
    atexit.register(gc.freeze)  # runs after the exit handlers of libraries imported later (torch, ray)
    app(prog_name="mt")
