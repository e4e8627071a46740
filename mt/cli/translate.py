"""`mt translate`: segments.jsonl -> translated.jsonl (adds `english` to every segment)."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape
from rich.table import Table

from mt.cli.common import CONFIG_OPTION, QUIET_OPTION, config_from, console, fail, quiet_transformers, warn


def translate_command(
    segments_file: Path = typer.Argument(..., help="Segments from `mt segment` (JSON Lines).", exists=True, dir_okay=False),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the translated segments (JSON Lines)."),
    model: List[str] = typer.Option([], "--model", "-m", help="Route a language to a model: LANG=HUB_ID\\[@REVISION] or LANG=FOLDER. Repeatable."),
    fallback_model: Optional[str] = typer.Option(None, help="Model for languages without their own (default: configs, opus-mt-mul-en)."),
    english_from: str = typer.Option("model", help="'model' translates; 'reference' copies the human references (see seeds/references/) instead."),
    references: Optional[Path] = typer.Option(None, help="Reference translations file (default: seeds/references/references.jsonl)."),
    device: Optional[str] = typer.Option(None, help="auto (cuda, then mps, then cpu), cpu, cuda, cuda:1, mps."),
    beams: Optional[int] = typer.Option(None, min=1, help="Beam size (default: the model's own)."),
    max_new_tokens: Optional[int] = typer.Option(None, min=1, help="Longest output in tokens (default: the model's own)."),
    min_new_tokens: Optional[int] = typer.Option(None, min=1, help="Shortest output in tokens (for benchmarks that need fixed output lengths)."),
    max_batch_tokens: Optional[int] = typer.Option(None, min=16, help="Source tokens per batch, padding included (default: configs)."),
    backend: Optional[str] = typer.Option(None, help="transformers (default) or ctranslate2 (faster; converts each model once and caches it)."),
    compute_type: Optional[str] = typer.Option(None, help="transformers: float32, float16, bfloat16; ctranslate2: int8 (CPU default), float32, float16 (CUDA default), int8_float16..."),
    summary_json: Optional[Path] = typer.Option(None, help="Also write the run's summary (counts, flags, timings) to this JSON file."),
    cache_dir: Optional[Path] = typer.Option(None, help="Translation cache folder (default: the user cache dir)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the translation cache."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Translate every non-English segment to English with the MarianMT model for its language.

    English segments pass through unchanged. Identical segments are translated
    once, segments too long for the model are split and joined (never
    truncated), and every translation is cached, so a second run makes no model
    call and an interrupted run resumes where it stopped.
    """
    from mt.records import read_segments, write_jsonl

    settings = config_from(config)
    try:
        segments = read_segments(segments_file)
    except (ValueError, TypeError) as error:
        fail(f"{segments_file}: not a segments file ({error})")
    if english_from == "reference":
        _from_references(segments, references, quiet)
    elif english_from == "model":
        _attach_references(segments, references)
        if backend:
            settings["translation"]["backend"] = backend
        if compute_type:
            settings["translation"]["compute_type"] = compute_type
        summary = _from_models(segments, settings, model, fallback_model, device, beams, max_new_tokens, min_new_tokens, max_batch_tokens, cache_dir, no_cache, quiet)
        if summary_json:
            import json

            summary_json.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    else:
        fail(f"--english-from must be 'model' or 'reference', not '{english_from}'")
    write_jsonl(output, segments)
    if not quiet:
        console.print(f"{len(segments)} segments -> {output}")


def _from_models(segments, settings, model, fallback_model, device, beams, max_new_tokens, min_new_tokens, max_batch_tokens, cache_dir, no_cache, quiet) -> dict:
    from tqdm import tqdm

    from mt.translation import ModelUnavailableError, RoutingTranslator, translate_segments
    from mt.translation.backend import BackendSettingsError
    from mt.translation.batching import OutOfMemoryError
    from mt.translation.cache import DEFAULT_CACHE_DIR, TranslationCache
    from mt.translation.ctranslate2_backend import ConversionError, CTranslate2UnavailableError

    routes = dict(settings["translation"]["models"])
    for item in model:
        lang, sep, spec = item.partition("=")
        if not sep or not lang or not spec:
            fail(f"--model expects LANG=MODEL, got '{item}'")
        routes[lang.strip()] = spec.strip()
    settings["translation"]["models"] = routes
    if fallback_model:
        settings["translation"]["fallback_model"] = fallback_model
    quiet_transformers()
    cache = None if no_cache else TranslationCache(cache_dir or DEFAULT_CACHE_DIR)
    try:
        if max_batch_tokens is None:
            from mt.translation.backend import backend_device

            chosen = backend_device(settings["translation"].get("backend", "transformers"), device or settings["translation"]["device"])
            key = "max_batch_tokens_cuda" if chosen.startswith("cuda") else "max_batch_tokens"
            max_batch_tokens = settings["translation"].get(key, 4096)
        router = RoutingTranslator.from_config(
            settings, device=device, beams=beams, max_new_tokens=max_new_tokens, min_new_tokens=min_new_tokens,
            max_batch_tokens=max_batch_tokens, cache=cache, conversion_dir=cache_dir,
        )
    except (BackendSettingsError, CTranslate2UnavailableError) as error:
        fail(escape(str(error)))
    to_translate = sum(1 for s in segments if s.lang != router.target)
    with tqdm(total=to_translate, unit="seg", desc="translating", disable=quiet or not to_translate, dynamic_ncols=True) as bar:
        try:
            summary = translate_segments(segments, router, progress=bar.update)
        except (ModelUnavailableError, CTranslate2UnavailableError, ConversionError, BackendSettingsError, OutOfMemoryError) as error:
            bar.close()
            fail(escape(str(error)))
    if cache is not None:
        cache.close()
    if summary.split:
        warn(f"{summary.split} segment(s) were longer than the model's input and were translated in pieces")
    if not quiet:
        table = Table(title="translation", title_justify="left", show_header=False)
        rows = [
            ("segments", summary.segments),
            ("already English (passed through)", summary.passed_through),
            ("translated", summary.translated),
            ("  of which from cache", summary.from_cache),
            ("  of which split (too long)", summary.split),
            ("model batches run", router.model_calls),
            ("seconds (of which loading models)", f"{summary.seconds:.1f} ({summary.load_seconds:.1f})"),
            ("segments/s", f"{summary.translated / summary.seconds:.1f}" if summary.seconds else "-"),
        ]
        rows += [(f"model {name}", n) for name, n in summary.models.items()]
        rows += [(f"backend {name}", n) for name, n in summary.backends.items()]
        rows += [(f"flag {flag}", n) for flag, n in sorted(summary.flags.items())]
        for key, value in rows:
            table.add_row(key, str(value))
        console.print(table)
    return summary.as_dict()


def _from_references(segments, references, quiet) -> None:
    from mt.references import DEFAULT_REFERENCES, ReferenceError, apply_references, load_references

    try:
        table = load_references(references or DEFAULT_REFERENCES)
    except (OSError, ReferenceError) as error:
        fail(str(error))
    report = apply_references(segments, table, as_english=True)
    for problem in report.missing:
        warn(f"no reference for {problem}")
    if not quiet:
        console.print(f"{report.applied} segments took their English from human references ({report.english} already English)")


def _attach_references(segments, references) -> None:
    """Carry human references next to the machine output, where there are any."""
    from mt.references import DEFAULT_REFERENCES, ReferenceError, apply_references, load_references

    path = references or DEFAULT_REFERENCES
    if references is None and not path.is_file():
        return
    try:
        report = apply_references(segments, load_references(path))
    except (OSError, ReferenceError) as error:
        fail(str(error))
    for problem in report.missing:
        warn(f"no reference for {problem}")
