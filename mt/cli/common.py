"""What every command shares: the stderr console, config loading, progress bars, one error path, the printers."""

from __future__ import annotations

import contextlib
import json
import logging
import warnings
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from tqdm import tqdm

from mt.atomic import atomic_file
from mt.config import load_config
from mt.engines import ENGINES
from mt.errors import UserError

console = Console(stderr=True, highlight=False)
"""Progress, summaries and warnings go to stderr; stdout carries only results (tables of scores, JSON, `-o -`)."""
results = Console(highlight=False)

CONFIG_OPTION = typer.Option(None, "--config", help="YAML file merged over the packaged defaults (configs/defaults.yaml); keys and types are checked.", exists=True, dir_okay=False)
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary.")


Engine = Enum("Engine", {name: name for name in ENGINES}, type=str)
"""--engine's choices: the engine registry (mt/engines/)."""


ENGINE_OPTION = typer.Option(Engine.local, help="local: this machine; ray: an actor pool on a Ray cluster (pip install 'mt-comparable[ray]'), output byte-identical to local.")
WORKERS_OPTION = typer.Option(None, min=1, help="--engine ray: actors (default: one per GPU, else the cluster's CPUs).")
RAY_ADDRESS_OPTION = typer.Option(None, "--ray-address", help="--engine ray: the cluster to join (default: RAY_ADDRESS, else a local one).")


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with one clear message instead of a stack trace."""
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    console.print(f"[yellow]warning:[/] {message}", soft_wrap=True, markup=True)


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
    """Loading bars and advice from transformers would bury our own progress bar."""
    from huggingface_hub.utils import logging as hub_logging  # lazy on purpose: the hub client is slow to import
    from transformers.utils import logging as transformers_logging  # lazy on purpose: transformers takes seconds to import

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()
    hub_logging.set_verbosity_error()  # per-retry network warnings; the final error is reported once, by us
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")


def quiet_datasets() -> None:
    """The datasets library's per-file progress bars and notes, on a folder of three small files, are noise."""
    import datasets  # lazy on purpose: datasets takes seconds to import

    datasets.disable_progress_bars()
    datasets.utils.logging.set_verbosity_error()


def print_segmentation(result, title: str) -> None:
    """Per article: its language, segment count and kinds (stderr)."""
    table = Table(title=title, title_justify="left")
    for column in ("article", "outlet", "lang", "segments", "kinds"):
        table.add_column(column)
    for article in result.articles:
        kinds = ", ".join(f"{k} {n}" for k, n in article.kind_counts().items())
        table.add_row(article.name, article.metadata.get("outlet", "?"), article.lang, str(len(article.segments)), kinds)
    console.print(table)


def print_translation_summary(summary) -> None:
    table = Table(title="translation", title_justify="left", show_header=False)
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
    rows += [(f"model {escape(name)}", n) for name, n in summary.models.items()]
    rows += [(f"backend {name}", n) for name, n in summary.backends.items()]
    rows += [(f"flag {flag}", n) for flag, n in sorted(summary.flags.items())]
    for key, value in rows:
        table.add_row(key, str(value))
    console.print(table)


def print_translation_notes(summary) -> None:
    """Warnings every translation run owes the user: fallback routes and split segments."""
    for note in summary.notes:
        warn(escape(note))
    if summary.split:
        warn(f"{summary.split} segment(s) were longer than the model's input and were translated in pieces")


def report_references(report, quiet: bool) -> None:
    for problem in report.missing:
        warn(f"no reference for {problem}")
    if not quiet:
        console.print(f"{report.applied} segments took their English from human references ({report.english} already English)")


def print_alignment_summary(run) -> None:
    result = run.result
    table = Table(title="alignment", title_justify="left", show_header=False)
    rows = [("segments aligned", len(result.aligned)), ("articles", len({s.article for s in result.aligned})),
            ("pairs", len(result.pairs)), ("facts", len(result.facts)),
            ("facts in 3+ articles", sum(f.n_articles >= 3 for f in result.facts)),
            ("disagreements", sum(len(f.disagreements) for f in result.facts)),
            ("sentences embedded now", run.embedded_now)]
    rows += [(f"left out: translation flagged {flag}", len(ids)) for flag, ids in result.skipped.items()]
    for key, value in rows:
        table.add_row(key, str(value))
    console.print(table)


def parse_routes(items: list[str]) -> dict[str, str]:
    """--model LANG=MODEL options as a route table."""
    routes = {}
    for item in items:
        lang, sep, spec = item.partition("=")
        if not sep or not lang.strip() or not spec.strip():
            fail(f"--model expects LANG=MODEL, got '{item}'")
        routes[lang.strip()] = spec.strip()
    return routes
