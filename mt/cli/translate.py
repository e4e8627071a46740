"""`mt translate`: segments (JSON Lines), a plain text file or stdin -> the same segments with `english`."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from mt.atomic import check_output_file
from mt.cli.common import (
    CONFIG_OPTION,
    ENGINE_OPTION,
    QUIET_OPTION,
    RAY_ADDRESS_OPTION,
    SOURCE_LANG_OPTION,
    WORKERS_OPTION,
    Engine,
    choose_languages,
    config_from,
    console,
    fail,
    parse_routes,
    print_translation_notes,
    print_translation_summary,
    progress_bars,
    quiet_transformers,
    report_references,
    user_errors,
    warn,
    write_json,
)
from mt.translation.registry import BACKENDS

Backend = Enum("Backend", {name: name for name in BACKENDS}, type=str)


class EnglishFrom(str, Enum):
    model = "model"
    reference = "reference"


class OutputFormat(str, Enum):
    jsonl = "jsonl"
    text = "text"


def translate_command(
    source: Path = typer.Argument(..., metavar="SOURCE", help="Segments from `mt segment` (.jsonl), a plain text file, or - for stdin; with --engine ray also .parquet and URIs (s3://...).", allow_dash=True),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE", help="Where to write the result; - for stdout.", allow_dash=True),
    output_format: Optional[OutputFormat] = typer.Option(None, "--output-format", help="jsonl: the segments with `english` (default for JSON Lines input); text: the English, one segment a line (default for plain text)."),
    lines: bool = typer.Option(False, "--lines", help="Plain text input: one segment per line, as given (default: segment the text into sentences)."),
    source_lang: Optional[str] = SOURCE_LANG_OPTION,
    model: List[str] = typer.Option([], "--model", "-m", metavar="LANG=MODEL", help="Route a language to a model: LANG=HUB_ID\\[@REVISION] or LANG=FOLDER. Repeatable."),
    fallback_model: Optional[str] = typer.Option(None, metavar="MODEL", help="Model for languages without their own (default: configs, opus-mt-mul-en)."),
    english_from: EnglishFrom = typer.Option(EnglishFrom.model, help="model translates; reference copies the human references given with --references instead."),
    references: Optional[Path] = typer.Option(None, metavar="FILE", help="Human reference translations (JSON Lines, as seeds/references/references.jsonl): kept next to the machine output, or used as the English with --english-from reference.", exists=True, dir_okay=False),
    device: Optional[str] = typer.Option(None, metavar="DEVICE", help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N, mps."),
    beams: Optional[int] = typer.Option(None, min=1, metavar="N", help="Beam size (default: the model's own)."),
    max_new_tokens: Optional[int] = typer.Option(None, min=1, metavar="N", help="Longest output in tokens (default: the model's own)."),
    min_new_tokens: Optional[int] = typer.Option(None, min=1, metavar="N", help="Shortest output in tokens (for benchmarks that need fixed output lengths)."),
    max_batch_tokens: Optional[int] = typer.Option(None, min=16, metavar="N", help="Source tokens per batch, padding included (default: configs, per device)."),
    backend: Optional[Backend] = typer.Option(None, help="Translation backend (default: configs, transformers). ctranslate2 converts each model once and caches it."),
    compute_type: Optional[str] = typer.Option(None, metavar="TYPE", help="transformers: float32, float16, bfloat16; ctranslate2: int8 (CPU default), float32, float16 (CUDA default), int8_float16..."),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE", help="Also write the run's summary (counts, flags, timings) as JSON to this file ('-' for stdout).", allow_dash=True),
    cache_dir: Optional[Path] = typer.Option(None, metavar="FOLDER", help="Translation cache folder (default: the user cache dir)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the translation cache."),
    engine: Engine = ENGINE_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    ray_address: Optional[str] = RAY_ADDRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Translate every non-English segment to English with the MarianMT model for its language.

    English segments pass through unchanged. Identical segments are translated
    once, segments too long for the model are split and joined (never
    truncated), and every translation is cached, so a second run makes no model
    call and an interrupted run resumes where it stopped.
    """
    from mt import pipeline, streams  # lazy on purpose: `mt --help` must not import the stages
    from mt.engines import get_engine

    settings = config_from(config)
    choose_languages(settings, None, source_lang)
    with user_errors():
        check_output_file(output, protect=[("the input", source), ("the references file", references)])
        runner = get_engine(engine.value, workers=workers, address=ray_address)
        segments, plain = streams.read_segments_input(str(source), config=settings, one_per_line=lines, engine=runner)
        if english_from == EnglishFrom.reference:
            if references is None:
                fail("--english-from reference needs the references file: --references FILE")
            report_references(pipeline.english_from_references(segments, references), quiet)
        else:
            if references is not None:
                for problem in pipeline.attach_references(segments, references).missing:
                    warn(f"no reference for {escape(str(problem))}")
            quiet_transformers()
            options = pipeline.TranslateOptions(
                models=parse_routes(model), fallback_model=fallback_model, backend=backend.value if backend else None,
                compute_type=compute_type, device=device, beams=beams, max_new_tokens=max_new_tokens,
                min_new_tokens=min_new_tokens, max_batch_tokens=max_batch_tokens, cache_dir=cache_dir, use_cache=not no_cache,
            )
            summary = pipeline.translate(segments, settings, options, progress_bars(quiet), runner)
            if not quiet and runner.describe():
                console.print(runner.describe(), markup=False)
            print_translation_notes(summary)
            if not quiet:
                print_translation_summary(summary)
            if json_out:
                write_json(json_out, summary.as_dict())
        as_text = (output_format or (OutputFormat.text if plain else OutputFormat.jsonl)) == OutputFormat.text
        streams.write_segments_output(str(output), segments, as_text=as_text, echo=typer.echo)
    if not quiet and str(output) != streams.STDIO:
        console.print(f"{len(segments)} segments -> {output}", markup=False)
