"""`mt embed`: the texts `mt align` compares -> a parquet of their vectors, locally or on a Ray cluster."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mt.atomic import check_output_file
from mt.cli.common import (
    CONFIG_OPTION,
    ENGINE_OPTION,
    QUIET_OPTION,
    RAY_ADDRESS_OPTION,
    WORKERS_OPTION,
    Engine,
    config_from,
    console,
    fail,
    quiet_transformers,
    user_errors,
)


def embed_command(
    translated: Path = typer.Argument(..., metavar="TRANSLATED", help="Translated segments from `mt translate` (JSON Lines), or - for stdin.", dir_okay=False, allow_dash=True),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE", help="The vectors file to write (parquet: model, text, vector); parquet is binary, so never stdout."),
    embedder: Optional[str] = typer.Option(None, metavar="MODEL", help="KIND:MODEL or a sentence-transformers model name or folder (default: configs)."),
    engine: Engine = ENGINE_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    ray_address: Optional[str] = RAY_ADDRESS_OPTION,
    device: Optional[str] = typer.Option(None, metavar="DEVICE", help="--engine local: device for the embedder (default: CUDA when present)."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Embed the distinct texts that `mt align` compares, once, and write them for `mt align --vectors`.

    With --engine ray an actor pool on the cluster embeds them (one GPU per actor when there are GPUs).
    """
    from alignments import AlignmentSettings  # lazy on purpose: `mt --help` must not import the stages
    from mt import pipeline, streams
    from mt.engines import get_engine

    if str(output) == streams.STDIO:
        fail("-o -: the vectors are parquet, a binary file; name a file for them (mt align --vectors FILE reads it)", code=2)
    settings = AlignmentSettings.from_config(config_from(config), embedder=embedder)
    quiet_transformers()
    with user_errors():
        check_output_file(output, protect=[("the input", translated)])
        runner = get_engine(engine.value, workers=workers, address=ray_address)
        count = pipeline.embed(streams.read_translated(translated), output, settings, engine=runner, device=device)
    if not quiet:
        console.print(f"{count} distinct texts embedded with {settings.embedder} -> {output}", markup=False)
