"""The `mt` command: one module per sub-command, composed here."""

from __future__ import annotations

import typer

from mt import __version__
from mt.cli import align, build, embed, evaluate, publish, report, segment, translate
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
