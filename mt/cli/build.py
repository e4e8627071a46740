"""`mt build`: articles -> the published corpus, every stage in one command."""

from __future__ import annotations

import shlex
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

import typer
from rich.markup import escape

from mt.cli.common import (
    CONFIG_OPTION,
    ENGINE_OPTION,
    LANGUAGES_OPTION,
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
    print_alignment_summary,
    print_segmentation,
    print_translation_summary,
    progress_bars,
    quiet_datasets,
    quiet_transformers,
    report_references,
    user_errors,
    warn,
)
from mt.cli.translate import Backend, EnglishFrom


def build_command(
    inputs: List[Path] = typer.Argument(..., metavar="INPUT...", help="Article files (.txt, .html, .jsonl) or directories (e.g. seeds/); an articles.yaml or .csv beside them names each article's outlet, url and date."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FOLDER", help="The dataset folder to write.", file_okay=False),
    into: Optional[Path] = typer.Option(None, "--into", metavar="FOLDER", help="Add the articles to this corpus, built earlier by mt build with the same --work and settings, instead of writing a new one (-o).", file_okay=False),
    work: Path = typer.Option(Path("work"), metavar="FOLDER", help="Folder for each stage's output: segments.jsonl, translated.jsonl, alignment/."),
    english_from: EnglishFrom = typer.Option(EnglishFrom.model, help="model translates with MarianMT; reference uses the human references (offline on the seeds)."),
    references: Optional[Path] = typer.Option(None, metavar="FILE", help="Human reference translations (default with --english-from reference: each input folder's references/references.jsonl, as in seeds/, merged).", exists=True, dir_okay=False),
    model: List[str] = typer.Option([], "--model", "-m", metavar="LANG=MODEL", help="Route a language to a model: LANG=HUB_ID\\[@REVISION] or LANG=FOLDER. Repeatable."),
    backend: Optional[Backend] = typer.Option(None, help="Translation backend (default: configs, transformers)."),
    languages: Optional[str] = LANGUAGES_OPTION,
    source_lang: Optional[str] = SOURCE_LANG_OPTION,
    device: Optional[str] = typer.Option(None, metavar="DEVICE", help="Device for translation: auto, cpu, cuda, cuda:N, mps."),
    cache_dir: Optional[Path] = typer.Option(None, metavar="FOLDER", help="Translation and embedding cache folder (default: the user cache dir)."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Write the build date into the card."),
    force: bool = typer.Option(False, "--force", help="Replace the output folder (and the work folder's alignment/) even if mt did not write them; an input, the work folder, the cache and the current folder are never replaced."),
    engine: Engine = ENGINE_OPTION,
    workers: Optional[int] = WORKERS_OPTION,
    ray_address: Optional[str] = RAY_ADDRESS_OPTION,
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Segment, translate, align and publish in one go, reusing the caches.

    Each stage writes its output into the work folder, so any stage can be
    re-run on its own from there (`mt translate`, `mt align`, `mt publish`).
    """
    from mt import incremental, pipeline  # lazy on purpose: `mt --help` must not import the stages

    settings = config_from(config)
    choose_languages(settings, languages, source_lang)
    if (output is None) == (into is None):
        fail("mt build needs -o FOLDER (a new corpus) or --into FOLDER (add to a corpus it built), not both" if output else
             "mt build needs -o FOLDER (a new corpus) or --into FOLDER (add to a corpus it built)", code=2)
    if str(output or into) == "-" or str(work) == "-":
        fail("mt build writes folders (a dataset and a work folder), not stdout: name them with -o and --work", code=2)
    if "-" in map(str, inputs):
        fail("mt build reads article files and folders, not stdin: use `mt segment - -o FILE` for one article", code=2)
    given_references: Path | list[Path] | None = references
    if references is None and english_from == EnglishFrom.reference:
        # each input folder's own, merged; English articles need none, and a non-English segment without one is named
        given_references = incremental.references_beside(inputs)
    options = pipeline.BuildOptions(
        engine=engine.value, workers=workers, ray_address=ray_address,
        english_from=english_from.value, references=given_references, timestamp=timestamp, force=force,
        translate=pipeline.TranslateOptions(models=parse_routes(model), backend=backend.value if backend else None, device=device, cache_dir=cache_dir),
        align=pipeline.AlignOptions(cache_dir=cache_dir),
    )
    quiet_transformers()
    quiet_datasets()
    on_stage = (lambda name: None) if quiet else console.rule
    # --into keeps the corpus's own english_from, so the way out there is a rebuild, not this hint
    with user_errors(), _references_hint(inputs if english_from == EnglishFrom.model and into is None else []):
        if into is not None:
            output = into
            report = incremental.add_to_corpus(inputs, into, work, config=settings, options=options, progress=progress_bars(quiet),
                                            on_stage=on_stage)
        else:
            command = _shell_command() if sys.argv[1:2] == ["build"] else _as_command(inputs, output, english_from.value, model, languages or source_lang)
            report = pipeline.build(inputs, output, work, command=command, config=settings, options=options,
                                    progress=progress_bars(quiet), on_stage=on_stage)
    for problem in report.segmentation.problems:
        warn(escape(str(problem)))
    for note in getattr(report.translation, "notes", []):
        warn(escape(note))
    if not quiet:
        segmented = len(report.segmentation.segments)
        print_segmentation(report.segmentation, f"{segmented} new segments -> {work / 'segments.jsonl'} ({report.counts['segments']} in all)"
                           if into is not None else f"{segmented} segments -> {work / 'segments.jsonl'}")
        if english_from == EnglishFrom.reference:
            report_references(report.translation, quiet)
        else:
            if report.engine.describe():
                console.print(report.engine.describe(), markup=False)
            print_translation_summary(report.translation)
        print_alignment_summary(report.alignment)
        counts = report.counts
        console.print(f"events {counts['events']}, articles {counts['articles']}, pairs {counts['pairs']}, facts {counts['facts']}, segments {counts['segments']} -> {output} (open {output / 'report.html'} to read it)", markup=False)
        if report.seconds:
            console.print(f"took {duration(sum(report.seconds.values()))}: "
                          + ", ".join(f"{stage} {duration(seconds)}" for stage, seconds in report.seconds.items()), markup=False)


@contextmanager
def _references_hint(inputs: Sequence[Path]) -> Iterator[None]:
    """A missing model's message, plus the way out the input itself offers: its folders' human references."""
    from mt.incremental import references_beside  # lazy on purpose: `mt --help` must not import the stages
    from mt.translation.models import ModelUnavailableError

    try:
        yield
    except ModelUnavailableError as error:
        beside = references_beside(inputs)
        if beside:
            error.args = (f"{error}\nOr use the English references beside the articles "
                          f"({', '.join(map(str, beside))}): add `--english-from reference`.",)
        raise


def duration(seconds: float) -> str:
    """0.42 s, 12.3 s, or 6 min 39 s: two decimals under a second, so that a short stage's share can be read."""
    whole = round(seconds)
    return f"{seconds:.2f} s" if seconds < 1 else f"{seconds:.1f} s" if seconds < 60 else f"{whole // 60} min {whole % 60} s"


def _shell_command() -> str:
    """The command as typed, for the card; --force says how the old folder was treated and -q how much was printed,
    not how the corpus was made."""
    return "mt " + " ".join(shlex.quote(a) for a in sys.argv[1:] if a not in ("--force", "-q", "--quiet"))


def _as_command(inputs: List[Path], output: Path, english_from: str, model: List[str], languages: str | None) -> str:
    """The equivalent command line, when build runs from Python rather than the shell."""
    parts = ["mt", "build", *map(str, inputs), "-o", str(output), "--english-from", english_from]
    if languages:
        parts += ["--languages", languages]
    for item in model:
        parts += ["--model", item]
    return " ".join(shlex.quote(p) for p in parts)
