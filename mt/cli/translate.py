"""`mt translate`: segments (JSON Lines), a plain text file or stdin -> the same segments with `english`."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from mt.cli.common import CONFIG_OPTION, ENGINE_OPTION, QUIET_OPTION, RAY_ADDRESS_OPTION, WORKERS_OPTION, Engine, config_from, console, fail, progress_bars, quiet_transformers, user_errors, warn, write_json
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
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the result; - for stdout.", allow_dash=True),
    output_format: Optional[OutputFormat] = typer.Option(None, "--output-format", help="jsonl: the segments with `english` (default for JSON Lines input); text: the English, one segment a line (default for plain text)."),
    lines: bool = typer.Option(False, "--lines", help="Plain text input: one segment per line, as given (default: segment the text into sentences)."),
    model: List[str] = typer.Option([], "--model", "-m", help="Route a language to a model: LANG=HUB_ID\\[@REVISION] or LANG=FOLDER. Repeatable."),
    fallback_model: Optional[str] = typer.Option(None, help="Model for languages without their own (default: configs, opus-mt-mul-en)."),
    english_from: EnglishFrom = typer.Option(EnglishFrom.model, help="model translates; reference copies the human references given with --references instead."),
    references: Optional[Path] = typer.Option(None, help="Human reference translations (JSON Lines, as seeds/references/references.jsonl): kept next to the machine output, or used as the English with --english-from reference.", exists=True, dir_okay=False),
    device: Optional[str] = typer.Option(None, help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:N, mps."),
    beams: Optional[int] = typer.Option(None, min=1, help="Beam size (default: the model's own)."),
    max_new_tokens: Optional[int] = typer.Option(None, min=1, help="Longest output in tokens (default: the model's own)."),
    min_new_tokens: Optional[int] = typer.Option(None, min=1, help="Shortest output in tokens (for benchmarks that need fixed output lengths)."),
    max_batch_tokens: Optional[int] = typer.Option(None, min=16, help="Source tokens per batch, padding included (default: configs, per device)."),
    backend: Optional[Backend] = typer.Option(None, help="Translation backend (default: configs, transformers). ctranslate2 converts each model once and caches it."),
    compute_type: Optional[str] = typer.Option(None, help="transformers: float32, float16, bfloat16; ctranslate2: int8 (CPU default), float32, float16 (CUDA default), int8_float16..."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Also write the run's summary (counts, flags, timings) as JSON to this file ('-' for stdout).", allow_dash=True),
    cache_dir: Optional[Path] = typer.Option(None, help="Translation cache folder (default: the user cache dir)."),
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
    from mt import pipeline
    from mt.records import write_jsonl

    settings = config_from(config)
    if engine == Engine.ray and ("://" in str(source) or str(source).endswith(".parquet")):
        from mt import ray_engine

        with user_errors():
            segments, plain = ray_engine.read_segments(str(source)), False
    else:
        segments, plain = _read(source, lines, settings)
    with user_errors():
        if english_from == EnglishFrom.reference:
            if references is None:
                fail("--english-from reference needs the references file: --references FILE")
            report = pipeline.english_from_references(segments, references)
            _report_references(report, quiet)
        else:
            if references is not None:
                for problem in pipeline.attach_references(segments, references).missing:
                    warn(f"no reference for {problem}")
            quiet_transformers()
            options = pipeline.TranslateOptions(
                models=_routes(model), fallback_model=fallback_model, backend=backend.value if backend else None,
                compute_type=compute_type, device=device, beams=beams, max_new_tokens=max_new_tokens,
                min_new_tokens=min_new_tokens, max_batch_tokens=max_batch_tokens, cache_dir=cache_dir, use_cache=not no_cache,
            )
            if engine == Engine.ray:
                from mt import ray_engine

                with progress_bars(quiet)("translating on ray (distinct texts)", len({s.text for s in segments})) as step:
                    summary, run = ray_engine.translate(segments, settings, options, workers=workers, address=ray_address, progress=step)
                if not quiet:
                    console.print(f"ray: {run.actors} actor(s), {run.gpus_per_actor:g} GPU each; {run.sent} distinct text(s) sent, "
                                  f"{run.model_calls} model batch(es)")
            else:
                summary = pipeline.translate(segments, settings, options, progress_bars(quiet))
            for note in summary.notes:
                warn(escape(note))
            if summary.split:
                warn(f"{summary.split} segment(s) were longer than the model's input and were translated in pieces")
            if not quiet:
                _print_summary(summary)
            if json_out:
                write_json(json_out, summary.as_dict())
    as_text = (output_format or (OutputFormat.text if plain else OutputFormat.jsonl)) == OutputFormat.text
    if str(output) == "-":
        for segment in segments:
            typer.echo(segment.english if as_text else _json_line(segment))
    elif as_text:
        from mt.atomic import atomic_file

        with atomic_file(output) as staging:
            staging.write_text("".join(f"{s.english}\n" for s in segments), encoding="utf-8")
    else:
        write_jsonl(output, segments)
    if not quiet and str(output) != "-":
        console.print(f"{len(segments)} segments -> {output}")


def _read(source: Path, one_per_line: bool, settings: dict) -> tuple[list, bool]:
    """Segments, and whether the input was plain text (read from a JSON Lines file, a text file or stdin)."""
    from mt.segmentation import segment_text
    from mt.workfolder import read_segments_file

    if str(source) != "-" and not source.is_file():
        fail(f"{source}: no such file")
    if str(source) != "-" and source.suffix == ".jsonl":
        with user_errors():
            return read_segments_file(source), False
    try:
        text = sys.stdin.read() if str(source) == "-" else source.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(f"{source}: not UTF-8 text")
    if str(source) == "-" and text.lstrip().startswith("{"):
        import tempfile

        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as spooled:
            spooled.write(text)
            spooled.flush()
            with user_errors():
                return read_segments_file(Path(spooled.name)), False
    name = "stdin" if str(source) == "-" else source.stem
    with user_errors():
        return segment_text(text, name, settings, one_per_line=one_per_line).segments, True


def _routes(items: list[str]) -> dict[str, str]:
    routes = {}
    for item in items:
        lang, sep, spec = item.partition("=")
        if not sep or not lang.strip() or not spec.strip():
            fail(f"--model expects LANG=MODEL, got '{item}'")
        routes[lang.strip()] = spec.strip()
    return routes


def _json_line(segment) -> str:
    import json

    from mt.records import to_dict

    return json.dumps(to_dict(segment), ensure_ascii=False)


def _report_references(report, quiet: bool) -> None:
    for problem in report.missing:
        warn(f"no reference for {problem}")
    if not quiet:
        console.print(f"{report.applied} segments took their English from human references ({report.english} already English)")


def _print_summary(summary) -> None:
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
