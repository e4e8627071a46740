"""`mt evaluate`: BLEU, chrF, chrF++ and TER with signatures, intervals and paired tests."""

from __future__ import annotations

import contextlib
import dataclasses
from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from mt.cli.common import fail, results, split_list, write_json


def evaluate_command(
    hypotheses: List[Path] = typer.Argument(None, metavar="HYPOTHESIS...", help="Hypothesis files, one sentence a line, or - for stdin; several files = several systems, tested against the first."),
    ref: Optional[Path] = typer.Option(None, "--ref", "-r", metavar="FILE", help="Reference file, one sentence a line, for the hypothesis files (- for stdin)."),
    source: Optional[Path] = typer.Option(None, "--source", "-s", metavar="FILE", help="Source file (shown beside the worst sentences; needed by COMET)."),
    segments: Optional[Path] = typer.Option(None, "--segments", metavar="FILE", help="A file from `mt translate` (- for stdin): its machine translations are scored against their `reference`."),
    test_set: Optional[str] = typer.Option(None, "--test-set", "-t", metavar="NAME", help="A sacrebleu test set name (e.g. wmt20, flores101); sacrebleu downloads it."),
    language_pair: Optional[str] = typer.Option(None, "--language-pair", "-l", metavar="PAIR", help="With --test-set, e.g. pl-en."),
    metrics: Optional[str] = typer.Option(None, metavar="LIST", help="Comma-separated: bleu, chrf, chrf++, ter (default: configs, all four)."),
    bootstrap: Optional[int] = typer.Option(None, min=1, metavar="N", help="Bootstrap resamples for 95% intervals and the paired bootstrap test (1 = no intervals; default: configs, 1000)."),
    randomisation: Optional[int] = typer.Option(None, min=1, metavar="N", help="Trials of the approximate randomisation test (default: configs, 10000)."),
    seed: Optional[int] = typer.Option(None, metavar="N", help="Random seed: the same seed gives the same intervals and p-values (default: configs, 12345, sacrebleu's own)."),
    worst: Optional[int] = typer.Option(None, min=0, metavar="N", help="How many of the worst sentences (by sentence chrF) to show (default: configs, 10)."),
    comet: Optional[str] = typer.Option(None, metavar="MODEL", help="Also score with COMET (needs the \\[comet] extra and a local model folder or cached model)."),
    json_out: Optional[Path] = typer.Option(None, "--json", metavar="FILE", help="Also write every number and signature as JSON to this file ('-' for stdout instead of the tables).", allow_dash=True),
) -> None:
    """Score machine translation against references with sacrebleu (the tables go to stdout).

    Inputs: hypothesis files with --ref; or --segments (a translated segments file
    with references, broken down per article and source language); or --test-set
    with --language-pair, for which sacrebleu downloads the test set. Any one of
    the files may be - for stdin.
    """
    from mt import streams  # lazy on purpose: `mt --help` must not import the stages
    from mt.evaluation import evaluate, from_files, from_segments, testset_files

    chosen = split_list(metrics)
    given = [*(hypotheses or []), ref, source, segments]
    if [str(path) for path in given].count(streams.STDIO) > 1:
        fail("stdin can be read once: give - for one input only", code=2)
    try:
        with contextlib.ExitStack() as files:
            def read(path: Path | None, suffix: str = "") -> Path | None:
                """The path, or stdin in a temporary file for `-` (a system read from stdin is called `stdin`)."""
                return None if path is None else files.enter_context(streams.spooled(path, suffix))

            if segments:
                evalset = from_segments(read(segments, ".jsonl"))
            elif test_set:
                if not language_pair or not hypotheses:
                    fail("--test-set needs --language-pair and at least one hypothesis file")
                src_file, ref_file = testset_files(test_set, language_pair)
                evalset = from_files([read(h) for h in hypotheses], ref_file, src_file)
            elif hypotheses and ref:
                evalset = from_files([read(h) for h in hypotheses], read(ref), read(source))
            else:
                fail("give hypothesis files with --ref, or --segments FILE, or --test-set with --language-pair (see --help)")
        report = evaluate(evalset, chosen, bootstrap, randomisation, seed, worst)
    except ValueError as error:  # EvaluationInputError, and sacrebleu's own checks
        fail(escape(str(error)))
    data = dataclasses.asdict(report)
    if comet:
        data["comet"] = _comet(comet, evalset)
    if json_out:
        write_json(json_out, data)
        if str(json_out) == "-":
            return
    _print(report, data.get("comet"))


def _print(report, comet_scores) -> None:
    metric_names = list(report.systems[0].scores)
    rows = []
    for system in report.systems:
        cells = []
        for name in metric_names:
            score = system.scores[name]
            cell = f"{score.score:.2f}" + (f" ± {score.ci:.2f}" if score.ci is not None else "")
            if name in system.paired:
                paired = system.paired[name]
                cell += f"\n(Δ {paired.difference:+.2f}, p_bs {paired.p_bootstrap:.4f}, p_ar {paired.p_randomisation:.4f})"
            cells.append(cell)
        rows.append((system.name, *cells))
    title = f"{report.settings['sentences']} sentences, 95% CI from {report.settings['n_bootstrap']} resamples (seed {report.settings['seed']})"
    results.table(title, ("system", *metric_names), rows, right=metric_names)
    for score in report.systems[0].scores.values():
        results.print(f"  {score.signature}", markup=False)
    if comet_scores:
        results.print(f"  COMET: {comet_scores}", markup=False)
    for kind, groups in report.breakdown.items():
        if len(groups) < 2 and kind != "lang":
            continue
        rows = [(value, system, *[f"{scores[m]:.2f}" for m in metric_names])
                for value, systems in groups.items() for system, scores in systems.items()]
        results.table(f"by {kind}", (kind, "system", *metric_names), rows, right=metric_names)
    if report.worst:
        rows = [(w.id, f"{w.chrf:.1f}", w.source or "", w.hypothesis, w.reference) for w in report.worst]
        results.table("worst sentences by sentence chrF", ("id", "chrF", "source", "hypothesis", "reference"), rows, lines=True)


def _comet(model: str, evalset) -> dict[str, float] | str:
    """COMET is optional: a clear message when it cannot run, never a made-up score."""
    try:
        from comet import download_model, load_from_checkpoint  # lazy on purpose: the optional [comet] extra
    except ImportError:
        return "not computed: COMET is not installed (pip install 'mt-comparable[comet]')"
    if evalset.sources is None:
        return "not computed: COMET needs the source sentences (--source or --segments)"
    try:
        path = Path(model)
        checkpoint = path if path.is_file() else (path / "checkpoints" / "model.ckpt" if path.is_dir() else Path(download_model(model)) / "checkpoints" / "model.ckpt")
        scorer = load_from_checkpoint(str(checkpoint))
    except Exception as error:
        return f"not computed: COMET model '{model}' is not available locally ({type(error).__name__})"
    scores = {}
    for name, hypotheses in evalset.systems.items():
        rows = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(evalset.sources, hypotheses, evalset.references)]
        scores[name] = float(scorer.predict(rows, batch_size=16, gpus=0).system_score)
    return scores
