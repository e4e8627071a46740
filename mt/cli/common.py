"""What every command shares: the two output streams, config loading, progress bars, one error path, the printers."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import warnings
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn, Sequence

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from tqdm import tqdm
from typer.core import TyperCommand, TyperGroup

from mt.atomic import atomic_file
from mt.config import load_config
from mt.engines import ENGINES
from mt.errors import UserError


class Output:
    """One output stream: Rich on a terminal, plain lines anywhere else.

    Piped or redirected (or with TERM=dumb), Rich would wrap at 80 columns, cut table cells (`opus-mt-pl-en.f…`),
    pad lines with spaces and break a sacrebleu signature in two: wrong data for the next tool. There each message
    is one line as it is, without colour, and a table is tab-separated lines (title, header, rows) that `cut` and
    `awk` read whole. NO_COLOR turns off colour on a terminal (Rich reads it).
    """

    def __init__(self, stderr: bool) -> None:
        self.stderr = stderr

    def _rich(self) -> Console:
        """Made at each use: the stream (and whether it is a terminal) is looked up then, as pytest and CliRunner swap it."""
        return Console(stderr=self.stderr, highlight=False, emoji=False)

    @property
    def plain(self) -> bool:
        return not self._rich().is_terminal or os.environ.get("TERM", "").lower() in ("dumb", "unknown")

    def print(self, message: str, *, markup: bool = True, soft_wrap: bool = False) -> None:
        """One message; with `markup`, Rich markup such as `[bold]...[/]` (escape what comes from the user's data)."""
        if self.plain:
            typer.echo(Text.from_markup(message, emoji=False).plain if markup else message, err=self.stderr)
        else:
            self._rich().print(message, markup=markup, soft_wrap=soft_wrap)

    def table(self, title: str, columns: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[str] = (),
              header: bool = True, lines: bool = False) -> None:
        """A table of plain values (no markup): boxed on a terminal, tab-separated lines elsewhere."""
        cells = [[str(value) for value in row] for row in rows]
        if self.plain:
            shown = [title] + (["\t".join(columns)] if header else [])
            shown += ["\t".join(" ".join(cell.split("\n")) for cell in row) for row in cells]
            typer.echo("\n".join(shown), err=self.stderr)
            return
        table = Table(title=Text(title), title_justify="left", show_header=header, show_lines=lines)
        for column in columns:
            table.add_column(Text(column), justify="right" if column in right else "left")
        for row in cells:
            table.add_row(*(Text(cell) for cell in row))
        self._rich().print(table)

    def rule(self, title: str) -> None:
        """A heading between stages."""
        if self.plain:
            typer.echo(f"== {title}", err=self.stderr)
        else:
            self._rich().rule(Text(title, style="bold"))


console = Output(stderr=True)
"""Progress, summaries and warnings go to stderr; stdout carries only results (tables of scores, JSON, `-o -`)."""
results = Output(stderr=False)


class PlainHelp:
    """--help that shows the metavars each option names (FILE, N, LANG=MODEL) and nothing beside an argument or a flag.

    Recent typer prints the annotation's Python type there (`<list[Path]>`, `<bool>`): noise to a reader.
    """

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        for param in params:
            if param.param_type_name == "argument" or getattr(param, "is_flag", False):
                param.display_type_rich = _no_type  # the metavar (or the flag's own name) says it all
        return params


class Command(PlainHelp, TyperCommand):
    """A command: plain --help, and a usage line with the arguments' metavars (not `{inputs}...`)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                pieces.append(name if param.required else f"[{name}]")
        return pieces


class Group(PlainHelp, TyperGroup):
    """`mt` itself: plain --help too."""


def _no_type(ctx: Any) -> None:
    return None


CONFIG_OPTION = typer.Option(None, "--config", metavar="FILE", help="YAML file merged over the packaged defaults (configs/defaults.yaml); keys and types are checked.", exists=True, dir_okay=False)
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary.")
LANGUAGES_OPTION = typer.Option(None, "--languages", metavar="CODES", help="Comma-separated ISO 639-1 codes the detector may choose from (default: configs); one code: every segment is in that language, nothing is detected.")
SOURCE_LANG_OPTION = typer.Option(None, "--source-lang", metavar="LANG", help="The inputs' language (ISO 639-1): every segment is in it, nothing is detected; the same as --languages LANG.")


Engine = Enum("Engine", {name: name for name in ENGINES}, type=str)
"""--engine's choices: the engine registry (mt/engines/)."""


ENGINE_OPTION = typer.Option(Engine.local, help="local: this machine; ray: an actor pool on a Ray cluster (pip install 'mt-comparable\\[ray]'), output byte-identical to local.")
WORKERS_OPTION = typer.Option(None, min=1, metavar="N", help="--engine ray: actors (default: one per GPU, else the cluster's CPUs).")
RAY_ADDRESS_OPTION = typer.Option(None, "--ray-address", metavar="ADDRESS", help="--engine ray: the cluster to join (default: RAY_ADDRESS, else a local one).")


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with one clear message instead of a stack trace; `message` is Rich markup, user data escaped."""
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    console.print(f"[yellow]warning:[/] {message}", soft_wrap=True)


class WarningLines(logging.Handler):
    """The library's logged warnings (a damaged cache moved aside, replaced surrogates) as `warning:` lines."""

    def emit(self, record: logging.LogRecord) -> None:
        warn(escape(record.getMessage()))


def show_library_warnings() -> None:
    """Send the `mt` loggers' warnings to stderr as `warning:` lines, once per process."""
    logger = logging.getLogger("mt")
    if not any(isinstance(handler, WarningLines) for handler in logger.handlers):
        handler = WarningLines(level=logging.WARNING)
        logger.addHandler(handler)
        logger.propagate = False


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Any UserError raised by a stage becomes one 'error:' line and exit code 1."""
    try:
        yield
    except UserError as error:
        fail(escape(str(error)))


def config_from(path: Path | None) -> dict[str, Any]:
    with user_errors():
        return load_config(path)


def split_list(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def choose_languages(settings: dict[str, Any], languages: str | None, source_lang: str | None) -> None:
    """--languages CODES or --source-lang LANG into the segmentation settings (one code: no detection)."""
    if languages and source_lang:
        fail("--source-lang LANG is --languages LANG: give one of them", code=2)
    if source_lang is not None and (not source_lang.strip() or "," in source_lang):
        fail(f"--source-lang takes one ISO 639-1 code, got '{escape(source_lang)}' (several: --languages CODES)", code=2)
    chosen = split_list(languages or source_lang)
    if chosen:
        settings["segmentation"]["languages"] = chosen


def write_json(target: Path, data: Any) -> None:
    """The one `--json FILE` convention: a file (written atomically; a fault is one line), or '-' for stdout."""
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    if str(target) == "-":
        typer.echo(text)
        return
    with user_errors(), atomic_file(target) as staging:
        staging.write_text(text + "\n", encoding="utf-8")


def progress_bars(quiet: bool) -> Callable[[str, int], contextlib.AbstractContextManager]:
    """A stage progress factory (mt.pipeline.Progress) drawing tqdm bars on stderr."""

    @contextlib.contextmanager
    def bar(description: str, total: int):
        unit = "char" if description == "segmenting" else "seg"  # segmentation counts characters, later stages segments
        with tqdm(total=total, unit=unit, unit_scale=unit == "char", desc=description, disable=quiet or not total,
                  dynamic_ncols=True) as shown:
            yield shown.update

    return bar


def quiet_transformers() -> None:
    """Loading bars and advice from transformers would bury our own progress bar. Set through the environment,
    which both libraries read when imported, so that a command that fails early never imports them; if they are
    already imported (a Python session), set directly."""
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_VERBOSITY", "error")  # per-retry network warnings; the final error is reported once, by us
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:
        from transformers.utils import logging as transformers_logging  # lazy on purpose: only when already imported (no cost)

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")


def quiet_datasets() -> None:
    """The datasets library's per-file progress bars and notes, on a folder of three small files, are noise."""
    import datasets  # lazy on purpose: datasets takes seconds to import

    datasets.disable_progress_bars()
    datasets.utils.logging.set_verbosity_error()


def print_segmentation(result, title: str) -> None:
    """Per article: its language, segment count and kinds (stderr)."""
    rows = [(article.name, article.label, article.lang, len(article.segments),
             ", ".join(f"{k} {n}" for k, n in article.kind_counts().items())) for article in result.articles]
    console.table(title, ("article", "outlet", "lang", "segments", "kinds"), rows)


def print_translation_summary(summary) -> None:
    rows = [
        ("segments", summary.segments),
        ("already English (passed through)", summary.passed_through),
        ("translated", summary.translated),
        ("  of which from cache", summary.from_cache),
        ("  of which split (too long)", summary.split),
        ("model batches run", summary.model_calls),
        ("seconds (of which loading models)", f"{summary.seconds:.1f} ({summary.load_seconds:.1f})"),
        ("segments/s", f"{summary.translated / summary.seconds:.1f}" if summary.seconds else "-"),
    ]
    rows += [(f"model {name}", n) for name, n in summary.models.items()]
    rows += [(f"backend {name}", n) for name, n in summary.backends.items()]
    rows += [(f"flag {flag}", n) for flag, n in sorted(summary.flags.items())]
    console.table("translation", ("", ""), rows, header=False)


def print_translation_notes(summary) -> None:
    """Warnings every translation run owes the user: fallback routes and split segments."""
    for note in summary.notes:
        warn(escape(note))
    if summary.split:
        warn(f"{summary.split} segment(s) were longer than the model's input and were translated in pieces")


def report_references(report, quiet: bool) -> None:
    for problem in report.missing:
        warn(f"no reference for {escape(str(problem))}")
    if not quiet:
        console.print(f"{report.applied} segments took their English from human references ({report.english} already English)", markup=False)


def print_alignment_summary(run) -> None:
    result = run.result
    rows = [("events", len(run.events))] if run.events else []
    rows += [("segments aligned", len(result.aligned)), ("articles", len({s.article for s in result.aligned})),
             ("pairs", len(result.pairs)), ("facts", len(result.facts)),
             ("facts in 3+ articles", sum(f.n_articles >= 3 for f in result.facts)),
             ("disagreements", sum(len(f.disagreements) for f in result.facts)),
             ("sentences embedded now", run.embedded_now)]
    rows += [(f"left out: translation flagged {flag}", len(ids)) for flag, ids in result.skipped.items()]
    console.table("alignment", ("", ""), rows, header=False)


def parse_routes(items: list[str]) -> dict[str, str]:
    """--model LANG=MODEL options as a route table."""
    routes = {}
    for item in items:
        lang, sep, spec = item.partition("=")
        if not sep or not lang.strip() or not spec.strip():
            fail(f"--model expects LANG=MODEL, got '{escape(item)}'")
        routes[lang.strip()] = spec.strip()
    return routes
