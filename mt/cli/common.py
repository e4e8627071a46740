"""What every command shares: the stderr console, config loading, progress bars, one error path."""

from __future__ import annotations

import contextlib
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

console = Console(stderr=True, highlight=False)
"""Progress, summaries and warnings go to stderr; stdout carries only results (tables of scores, JSON, `-o -`)."""
results = Console(highlight=False)

CONFIG_OPTION = typer.Option(None, "--config", help="YAML file merged over the packaged defaults (configs/defaults.yaml); keys and types are checked.", exists=True, dir_okay=False)
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary.")


class Engine(str, Enum):
    local = "local"
    ray = "ray"


ENGINE_OPTION = typer.Option(Engine.local, help="local: this machine; ray: an actor pool on a Ray cluster (pip install 'mt-comparable[ray]'), output byte-identical to local.")
WORKERS_OPTION = typer.Option(None, min=1, help="--engine ray: actors (default: one per GPU, else the cluster's CPUs).")
RAY_ADDRESS_OPTION = typer.Option(None, "--ray-address", help="--engine ray: the cluster to join (default: RAY_ADDRESS, else a local one).")


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with one clear message instead of a stack trace."""
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    console.print(f"[yellow]warning:[/] {message}", soft_wrap=True, markup=True)


@contextlib.contextmanager
def user_errors() -> Iterator[None]:
    """Any UserError raised by a stage becomes one 'error:' line and exit code 1."""
    from mt.errors import UserError

    try:
        yield
    except UserError as error:
        fail(escape(str(error)))


def config_from(path: Path | None) -> dict[str, Any]:
    from mt.config import load_config

    with user_errors():
        return load_config(path)


def split_list(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def write_json(target: Path, data: Any) -> None:
    """The one `--json FILE` convention: a file, or '-' for stdout."""
    import json

    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True)
    if str(target) == "-":
        typer.echo(text)
    else:
        target.write_text(text + "\n", encoding="utf-8")


def progress_bars(quiet: bool) -> Callable[[str, int], contextlib.AbstractContextManager]:
    """A stage progress factory (mt.pipeline.Progress) drawing tqdm bars on stderr."""

    @contextlib.contextmanager
    def bar(description: str, total: int):
        from tqdm import tqdm

        with tqdm(total=total, unit="seg", desc=description, disable=quiet or not total, dynamic_ncols=True) as shown:
            yield shown.update

    return bar


def quiet_transformers() -> None:
    """Loading bars and advice from transformers would bury our own progress bar."""
    import warnings

    from huggingface_hub.utils import logging as hub_logging
    from transformers.utils import logging

    logging.disable_progress_bar()
    logging.set_verbosity_error()
    hub_logging.set_verbosity_error()  # per-retry network warnings; the final error is reported once, by us
    warnings.filterwarnings("ignore", message="Recommended: pip install sacremoses")


def quiet_datasets() -> None:
    """The datasets library's per-file progress bars and notes, on a folder of three small files, are noise."""
    import datasets

    datasets.disable_progress_bars()
    datasets.utils.logging.set_verbosity_error()
