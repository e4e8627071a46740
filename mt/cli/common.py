"""What every command shares: the stderr console, config loading, clean fatal errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console(stderr=True, highlight=False)

CONFIG_OPTION = typer.Option(None, "--config", help="YAML file merged over configs/defaults.yaml.", exists=True, dir_okay=False)
QUIET_OPTION = typer.Option(False, "--quiet", "-q", help="No progress bar and no summary.")


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with one clear message instead of a stack trace."""
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(code)


def warn(message: str) -> None:
    console.print(f"[yellow]warning:[/] {message}", soft_wrap=True, markup=True)


def config_from(path: Path | None) -> dict[str, Any]:
    from mt.config import load_config

    try:
        return load_config(path)
    except (OSError, ValueError) as error:
        fail(str(error))


def split_list(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


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
