"""`mt align`: translated.jsonl -> pairs.jsonl and facts.jsonl; `mt align-eval`: P/R/F1 against gold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.table import Table

from mt.cli.common import CONFIG_OPTION, QUIET_OPTION, config_from, console, fail, quiet_transformers, split_list, warn

PAIRS_FILE = "pairs.jsonl"
FACTS_FILE = "facts.jsonl"
SETTINGS_FILE = "alignment.json"


def align_command(
    translated: Path = typer.Argument(..., help="Translated segments from `mt translate` (JSON Lines).", exists=True, dir_okay=False),
    output: Path = typer.Option(..., "--output", "-o", help="Folder for pairs.jsonl, facts.jsonl and alignment.json.", file_okay=False),
    mode: str = typer.Option("comparable", help="comparable: any order, partial overlap (news); parallel: in-order, for translations of each other."),
    kinds: Optional[str] = typer.Option(None, help="Comma-separated segment kinds to align (default: configs, body,headline)."),
    on: Optional[str] = typer.Option(None, help="english (the translations, default) or original (the source texts; use a multilingual --embedder)."),
    embedder: Optional[str] = typer.Option(None, help="sentence-transformers model name or folder (default: all-MiniLM-L6-v2, bundled offline)."),
    threshold: Optional[float] = typer.Option(None, help="Lowest combined score a pair may have (default: configs)."),
    device: Optional[str] = typer.Option(None, help="Device for the embedder (default: sentence-transformers' choice)."),
    cache_dir: Optional[Path] = typer.Option(None, help="Embedding cache folder (default: the user cache dir)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the embedding cache."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Find the sentences in different articles that report the same fact, and group them into facts.

    Writes pairs.jsonl (each pair with its score and every signal: cosine,
    margin, chrF, agreement of names and numbers, same quantity counted), facts.jsonl (n-way groups with the numbers
    each outlet gives and the disagreements found) and alignment.json (the
    settings used). In parallel mode also links/<a>__<b>.txt in the
    `\\[i, j]:\\[k]` format of vecalign and bertalign.
    """
    from tqdm import tqdm

    from alignments import MODES, AlignmentInputError, AlignmentSettings, Embedder, EmbedderUnavailableError, EmbeddingCache, align
    from alignments.evaluation import format_links
    from mt.records import read_segments, write_jsonl
    from mt.translation.cache import DEFAULT_CACHE_DIR

    if mode not in MODES:
        fail(f"--mode must be one of {', '.join(MODES)}, not '{mode}'")
    if on not in (None, "english", "original"):
        fail(f"--on must be 'english' or 'original', not '{on}'")
    settings = AlignmentSettings.from_config(config_from(config), kinds=split_list(kinds), on=on, embedder=embedder, threshold=threshold)
    try:
        segments = read_segments(translated)
    except (ValueError, TypeError) as error:
        fail(f"{translated}: not a segments file ({error})")
    quiet_transformers()
    cache = None if no_cache else EmbeddingCache(cache_dir or DEFAULT_CACHE_DIR)
    model = Embedder(settings.embedder, device=device, cache=cache)
    with tqdm(total=sum(1 for s in segments if s.kind in settings.kinds), unit="seg", desc="aligning", disable=quiet, dynamic_ncols=True) as bar:
        try:
            result = align(segments, settings, model, mode, progress=bar.update)
        except (AlignmentInputError, EmbedderUnavailableError) as error:
            bar.close()
            fail(escape(str(error)))
    output.mkdir(parents=True, exist_ok=True)
    write_jsonl(output / PAIRS_FILE, result.pairs)
    write_jsonl(output / FACTS_FILE, result.facts)
    record = {"mode": mode, "input": translated.name, "embedder_source": model.source, **settings.as_dict()}
    (output / SETTINGS_FILE).write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if mode == "parallel":
        (output / "links").mkdir(exist_ok=True)
        for (a, b), (links, scores) in result.links.items():
            (output / "links" / f"{a}__{b}.txt").write_text("\n".join(format_links(links, scores)) + "\n", encoding="utf-8")
    if cache is not None:
        cache.close()
    if not quiet:
        disagreements = sum(len(f.disagreements) for f in result.facts)
        table = Table(title="alignment", title_justify="left", show_header=False)
        for key, value in [("segments aligned", len(result.aligned)), ("articles", len({s.article for s in result.aligned})),
                           ("pairs", len(result.pairs)), ("facts", len(result.facts)),
                           ("facts in 3+ articles", sum(f.n_articles >= 3 for f in result.facts)),
                           ("disagreements", disagreements), ("sentences embedded now", model.encoded)]:
            table.add_row(key, str(value))
        console.print(table)
        console.print(f"-> {output / PAIRS_FILE}, {output / FACTS_FILE}")


def align_eval_command(
    predicted: Path = typer.Argument(..., help="comparable: the `mt align` folder (pairs and facts) or a pairs.jsonl; parallel: a links file.", exists=True),
    gold: Path = typer.Argument(..., help="comparable: JSON Lines of pairs (id_a, id_b) or facts (members); parallel: `\\[i, j]:\\[k]` lines.", exists=True, dir_okay=False),
    mode: str = typer.Option("comparable", help="comparable (pairs of segment ids) or parallel (vecalign/bertalign links, strict and lax)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON on stdout."),
) -> None:
    """Precision, recall and F1 of predicted alignments against a gold alignment.

    Given the `mt align` folder, the facts are scored too, as every pair of
    their members from different articles.
    """
    from dataclasses import asdict

    from alignments.evaluation import fact_pair_ids, pair_ids, parse_links, read_gold_pairs, score_links, score_pairs
    from mt.records import read_facts, read_pairs

    try:
        if mode == "comparable":
            path = predicted / PAIRS_FILE if predicted.is_dir() else predicted
            gold_pairs = read_gold_pairs(gold)
            predicted_pairs = pair_ids(read_pairs(path))
            scores = {"pairs": score_pairs(predicted_pairs, gold_pairs)}
            if predicted.is_dir() and (predicted / FACTS_FILE).exists():
                scores["facts"] = score_pairs(fact_pair_ids(read_facts(predicted / FACTS_FILE)), gold_pairs)
        elif mode == "parallel":
            scores = score_links(parse_links(predicted.read_text(encoding="utf-8").splitlines()),
                                 parse_links(gold.read_text(encoding="utf-8").splitlines()))
        else:
            fail(f"--mode must be 'comparable' or 'parallel', not '{mode}'")
    except (OSError, ValueError, SyntaxError, KeyError, TypeError) as error:
        fail(f"cannot read the alignments: {escape(str(error))}")
    if mode == "comparable" and not scores["pairs"].gold:
        warn(f"{gold} holds no gold pairs")
    if as_json:
        typer.echo(json.dumps({name: asdict(prf) for name, prf in scores.items()}, indent=2))
        return
    table = Table(title=f"alignment quality ({mode})", title_justify="left")
    for column in ("", "precision", "recall", "F1", "predicted", "gold", "correct"):
        table.add_column(column, justify="right" if column else "left")
    for name, prf in scores.items():
        table.add_row(name, f"{prf.precision:.3f}", f"{prf.recall:.3f}", f"{prf.f1:.3f}", str(prf.predicted), str(prf.gold), str(prf.correct))
    console.print(table)
