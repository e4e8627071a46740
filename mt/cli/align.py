"""`mt align`: translated segments -> pairs and facts; `mt align-eval`: their P/R/F1 against gold."""

from __future__ import annotations

from dataclasses import asdict
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from mt.atomic import check_output_file, check_output_folder
from mt.config import default_cache_dir
from mt.records import read_articles
from mt.workfolder import articles_beside
from mt.cli.common import (
    CONFIG_OPTION,
    QUIET_OPTION,
    config_from,
    console,
    fail,
    print_alignment_summary,
    progress_bars,
    quiet_transformers,
    results,
    split_list,
    user_errors,
    warn,
    write_json,
)


class Mode(str, Enum):
    comparable = "comparable"
    parallel = "parallel"


class On(str, Enum):
    both = "both"
    english = "english"
    original = "original"


def align_command(
    inputs: List[Path] = typer.Argument(..., metavar="TRANSLATED|SOURCE TARGET", help="Translated segments from `mt translate` (JSON Lines); or, with --mode parallel, two plain text files that translate each other. - reads one of them from stdin.", dir_okay=False, allow_dash=True),
    output: Path = typer.Option(..., "--output", "-o", metavar="FOLDER|FILE", help="Folder for pairs.jsonl, facts.jsonl, events.jsonl and alignment.json (- writes the pairs to stdout, as JSON Lines); for two plain files, the links file (- for stdout).", allow_dash=True),
    split: bool = typer.Option(False, "--split", help="Plain files: segment them into sentences (default: one sentence a line)."),
    mode: Mode = typer.Option(Mode.comparable, help="comparable: any order, partial overlap (news); parallel: in-order, for translations of each other."),
    kinds: Optional[str] = typer.Option(None, metavar="KINDS", help="Comma-separated segment kinds to align (default: configs, body,headline)."),
    on: Optional[On] = typer.Option(None, help="both: the English and the original texts as evidence (default); english: the translations only; original: the source texts only (use a multilingual --embedder)."),
    embedder: Optional[str] = typer.Option(None, metavar="MODEL", help="Embedder of the English (of the originals with --on original): KIND:MODEL or a sentence-transformers name or folder (default: bert:sentence-transformers/all-MiniLM-L6-v2, bundled offline)."),
    multilingual_embedder: Optional[str] = typer.Option(None, metavar="MODEL", help="Embedder of the original texts with --on both (default: use:multilingual-v3)."),
    threshold: Optional[float] = typer.Option(None, metavar="SCORE", help="Lowest combined score a pair may have (default: configs); inside a fact, alignment.fact_coherence."),
    device: Optional[str] = typer.Option(None, metavar="DEVICE", help="Device for the embedder (default: CUDA when present)."),
    cache_dir: Optional[Path] = typer.Option(None, metavar="FOLDER", help="Embedding cache folder (default: the user cache dir)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the embedding cache."),
    vectors: Optional[Path] = typer.Option(None, metavar="FILE", help="Embeddings from `mt embed` (parquet): texts found there are not embedded again.", exists=True, dir_okay=False),
    force: bool = typer.Option(False, "--force", help="Replace the output folder even if mt did not write it (never one that is or holds an input, nor the current folder)."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Find the sentences in different articles that report the same fact, and group them into facts.

    In comparable mode the articles are first grouped into events (the stories
    they report; dates from the articles.jsonl beside the input), and sentences
    are compared only within an event. Writes pairs.jsonl (each pair with its score and every signal: cosine,
    margin, chrF, agreement of names and numbers, same quantity counted), facts.jsonl (n-way groups with the numbers
    each outlet gives and the disagreements found), events.jsonl (the events) and alignment.json (the
    settings used). In parallel mode also links/<a>__<b>.txt in the
    `\\[i, j]:\\[k]` format of vecalign and bertalign.
    """
    from alignments import AlignmentSettings  # lazy on purpose: `mt --help` must not import the stages
    from alignments.events import EventSettings  # lazy on purpose: `mt --help` must not import the stages
    from mt import pipeline, streams

    loaded = config_from(config)
    settings = AlignmentSettings.from_config(loaded, kinds=split_list(kinds), on=on.value if on else None,
                                             embedder=embedder, multilingual_embedder=multilingual_embedder, threshold=threshold)
    quiet_transformers()
    if [str(path) for path in inputs].count(streams.STDIO) > 1:
        fail("stdin can be read once: give - for one input only", code=2)
    if len(inputs) == 2:
        if mode != Mode.parallel:
            fail("two input files are aligned in order: add --mode parallel")
        with user_errors(), streams.spooled(inputs[0]) as source, streams.spooled(inputs[1]) as target:
            check_output_file(output, protect=[("the source file", inputs[0]), ("the target file", inputs[1])])
            options = pipeline.AlignOptions(mode="parallel", device=device, cache_dir=cache_dir, use_cache=not no_cache)
            links, scores = pipeline.align_parallel_files(source, target, settings, options, one_per_line=not split, config=loaded)
            streams.write_links(str(output), links, scores, echo=typer.echo)
        if not quiet and str(output) != streams.STDIO:
            deleted = sum(1 for s, t in links if not s or not t)
            console.print(f"{len(links)} links ({deleted} deletions) -> {output}", markup=False)
        return
    if len(inputs) != 1:
        fail("give one translated segments file, or two plain text files with --mode parallel")
    translated = inputs[0]
    to_stdout = str(output) == streams.STDIO
    with user_errors():
        protect = [("the input", translated), ("the vectors file", vectors), ("the cache", cache_dir or default_cache_dir())]
        if not to_stdout:
            check_output_folder(output, protect=protect, force=force)
        segments = streams.read_translated(translated)
        beside = articles_beside(translated) if str(translated) != streams.STDIO else None
        articles = read_articles(beside) if beside is not None and beside.is_file() else []  # dates for the events
        options = pipeline.AlignOptions(mode=mode.value, device=device, cache_dir=cache_dir, use_cache=not no_cache, vectors=vectors)
        run = pipeline.align(segments, settings, options, input_name="stdin" if str(translated) == streams.STDIO else translated.name,
                             progress=progress_bars(quiet), articles=articles, events=EventSettings.from_config(loaded))
        if to_stdout:
            streams.write_records(streams.STDIO, run.result.pairs, echo=typer.echo)
        else:
            folder = pipeline.write_alignment(output, run, force=force)
    if quiet:
        return
    print_alignment_summary(run)
    if to_stdout:
        console.print("note: the pairs went to stdout; facts.jsonl and alignment.json are written only into a folder (-o FOLDER)", markup=False)
    else:
        console.print(f"-> {folder.pairs}, {folder.facts}", markup=False)


def signals_epilog() -> str:
    """The signals a pair is scored on, from the registry (alignments/signals.py)."""
    from alignments.signals import SIGNALS, describe_signal  # lazy on purpose: only building the CLI needs it

    lines = [f"{name}: {describe_signal(name)}" for name in SIGNALS]
    return "Signals (each a column of the published pairs):\n\n" + "\n\n".join(lines)


def align_eval_command(
    predicted: Path = typer.Argument(..., metavar="PREDICTED", help="comparable: the `mt align` folder (pairs and facts) or a pairs.jsonl; parallel: a links file; - reads the pairs or links from stdin.", allow_dash=True),
    gold: Path = typer.Argument(..., metavar="GOLD", help="comparable: JSON Lines of pairs (id_a, id_b) or facts (members); parallel: `\\[i, j]:\\[k]` lines.", exists=True, dir_okay=False),
    mode: Mode = typer.Option(Mode.comparable, help="comparable (pairs of segment ids) or parallel (vecalign/bertalign links, strict and lax)."),
    ignore_deletions: bool = typer.Option(False, "--ignore-deletions", help="Parallel: leave deletions (1-0, 0-1) out of both sides, this toolkit's earlier convention. By default a predicted deletion is wrong unless the gold has it, as vecalign and bertalign count."),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE", help="Also write the scores as JSON to this file ('-' for stdout instead of the table).", allow_dash=True),
) -> None:
    """Precision, recall and F1 of predicted alignments against a gold alignment (the table goes to stdout).

    Given the `mt align` folder, the facts are scored too, as every pair of
    their members from different articles, and by their purity: the share of
    fact members that report the same gold fact as the rest of their fact.
    """

    from alignments.evaluation import (  # lazy on purpose: `mt --help` must not import the stages
        evaluate_alignment,
        evaluate_fact_purity,
    )
    from mt import streams

    with user_errors(), streams.spooled(predicted, ".jsonl" if mode == Mode.comparable else ".txt") as predicted_file:
        scores = evaluate_alignment(predicted_file, gold, mode.value, deletions=not ignore_deletions)
        purity = evaluate_fact_purity(predicted_file, gold) if mode == Mode.comparable else None
    if mode == Mode.comparable and not scores["pairs"].gold:
        warn(f"{escape(str(gold))} holds no gold pairs")
    if json_out:
        write_json(json_out, {name: asdict(prf) for name, prf in scores.items()} | ({"fact_purity": asdict(purity)} if purity else {}))
        if str(json_out) == "-":
            return
    columns = ("", "precision", "recall", "F1", "predicted", "gold", "correct")
    rows = [(name, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}", prf.predicted, prf.gold, prf.correct)
            for name, prf in scores.items()]
    results.table(f"alignment quality ({mode.value})", columns, rows, right=columns[1:])
    if purity:
        results.print(f"fact purity {purity.purity:.3f}: {purity.pure_members} of {purity.members} fact members share one gold fact "
                      f"with the rest of their fact; {purity.pure_facts} of {purity.facts} facts are pure", markup=False)
