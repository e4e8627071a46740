"""`mt watch`: add each batch folder dropped into an inbox to a corpus, in one resident process."""

from __future__ import annotations

import contextlib
import gc
import signal
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, List, Optional

import typer
from rich.markup import escape

from mt.cli.build import duration
from mt.cli.common import (CONFIG_OPTION, LANGUAGES_OPTION, QUIET_OPTION, choose_languages, config_from, console, fail, parse_routes, progress_bars,
                           quiet_datasets, quiet_transformers, report_references, user_errors, warn)
from mt.cli.translate import Backend, EnglishFrom

if TYPE_CHECKING:
    from mt.watching import Outcome


def watch_command(
    inbox: Path = typer.Argument(..., metavar="INBOX", help="The folder to watch: each batch of articles is a folder in it, laid out as mt build reads a folder (articles.yaml, references/ ...). Name batches by time: they are added in name order. Write a batch as .NAME and rename it when complete, or copy it in: a batch is taken once it looks the same twice in a row.", file_okay=False),
    into: Path = typer.Option(..., "--into", metavar="FOLDER", help="The corpus to add to, built earlier by mt build with the same --work and settings.", file_okay=False),
    work: Path = typer.Option(Path("work"), metavar="FOLDER", help="The corpus's work folder (as given to mt build)."),
    english_from: EnglishFrom = typer.Option(EnglishFrom.model, help="model translates with MarianMT; reference uses each batch's references/references.jsonl."),
    model: List[str] = typer.Option([], "--model", "-m", metavar="LANG=MODEL", help="Route a language to a model, as for mt build. Repeatable."),
    backend: Optional[Backend] = typer.Option(None, help="Translation backend (default: configs, transformers)."),
    languages: Optional[str] = LANGUAGES_OPTION,
    device: Optional[str] = typer.Option(None, metavar="DEVICE", help="Device for translation: auto, cpu, cuda, cuda:N, mps."),
    cache_dir: Optional[Path] = typer.Option(None, metavar="FOLDER", help="Translation and embedding cache folder (default: the user cache dir)."),
    interval: float = typer.Option(30.0, min=0.1, metavar="SECONDS", help="Seconds between two looks at the inbox."),
    once: bool = typer.Option(False, "--once", help="Add the batches there now, then stop (they must be complete: nothing waits for them to settle)."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Keep a corpus up to date: add each new batch folder in INBOX to it, as `mt build BATCH --into FOLDER` would.

    One process for the whole day: the corpus is read once, and the language
    and sentence models stay loaded, so an update costs the corpus-sized work
    alone. Each update equals a full build of everything added, byte for byte.
    A refused batch (an article already in the corpus, none readable) is
    reported and tried again when its files change (touch one to retry). Stop it with Ctrl-C or
    SIGTERM: the corpus is always a complete one (each update is swapped in whole).
    """
    from mt import incremental, pipeline, watching  # lazy on purpose: `mt --help` must not import the stages

    settings = config_from(config)
    choose_languages(settings, languages, None)
    if str(into) == "-" or str(work) == "-":
        fail("mt watch writes folders (a dataset and a work folder), not stdout: name them with --into and --work", code=2)
    options = pipeline.BuildOptions(
        english_from=english_from.value,
        translate=pipeline.TranslateOptions(models=parse_routes(model), backend=backend.value if backend else None, device=device, cache_dir=cache_dir),
        align=pipeline.AlignOptions(cache_dir=cache_dir),
    )
    quiet_transformers()
    quiet_datasets()
    with user_errors():
        watching.check_inbox(inbox)
    with user_errors(), _stopped_by_sigterm(), incremental.CorpusUpdater(into, work, config=settings, options=options) as updater:
        def after(outcome: Outcome) -> None:
            _print(outcome, english_from, quiet)
            _freeze()

        try:
            if not quiet:
                console.print(f"loading the models for {into} ({len(updater.built.articles)} articles)", markup=False)
            updater.warm_up()
            _freeze()
            if not quiet and not once:
                console.print(f"watching {inbox} every {interval:g} s; Ctrl-C to stop", markup=False)
            outcomes = watching.watch(inbox, updater, interval=interval, once=once, on_outcome=after, progress=progress_bars(quiet),
                                      on_problem=lambda problem: warn(escape(problem)))
        except KeyboardInterrupt:
            console.print("stopped; the corpus holds every batch added so far", markup=False)
            if once:  # stopped before the batches there were all tried
                raise typer.Exit(130) from None
            return
        finally:
            gc.unfreeze()
    if once and any(outcome.refused for outcome in outcomes):
        raise typer.Exit(1)


@contextlib.contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """SIGTERM (how systemd, docker or `kill` stop a service) ends the watch as Ctrl-C does: an update under way is
    abandoned whole (its staging folder goes; the corpus stays the last complete one)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)


def _freeze() -> None:
    """Collect what the last update left, then set the rest aside from the collector: the corpus in memory and the
    models live as long as the watch, and walking them at every collection cost 0.5 s an update at 5,000 articles."""
    gc.collect()
    gc.freeze()


def _print(outcome: Outcome, english_from: EnglishFrom, quiet: bool) -> None:
    """One line a batch: what it added and how long it took, or why it was refused; and, as `mt build` prints them
    even with -q, what segmentation skipped and what translation noted."""
    if outcome.refused:
        warn(f"{escape(str(outcome.batch))}: not added: {escape(outcome.refused)}")
        return
    report = outcome.report
    for problem in report.segmentation.problems:
        warn(escape(f"{outcome.batch}: {problem}"))
    for note in getattr(report.translation, "notes", []):
        warn(escape(f"{outcome.batch}: {note}"))
    if english_from == EnglishFrom.reference:
        report_references(report.translation, quiet=True)  # a line for each segment left without a reference
    if quiet:
        return
    counts = report.counts
    stages = ", ".join(f"{stage} {duration(seconds)}" for stage, seconds in report.seconds.items())
    console.print(f"{outcome.batch}: added {len(report.segmentation.articles)} articles -> events {counts['events']}, articles "
                  f"{counts['articles']}, pairs {counts['pairs']}, facts {counts['facts']} (took {duration(sum(report.seconds.values()))}: {stages})",
                  markup=False)
