"""Comparable-alignment quality beyond the seeds: the product's `align` on every gold set there is.

Sets (each scored with the same settings and embedder unless a set says otherwise):

- `flores`: the FLORES-200 comparable dev set (benchmarks/comparable_devset.py), every size in its SIZES, aligned
  on the original texts (`on: original`) with a multilingual embedder (default `use:multilingual-v3`): its English
  side is one human sentence shared by all languages, which would make the English view trivially easy. Split
  `dev` is for tuning; `devtest` is the held-out final check. Needs ../shared/data (or $MT_SHARED_DATA): skipped
  with a message where it is missing.
- `handwritten`: tests/data/comparable/*: small multi-outlet cases written for this project (paraphrased, with
  different numbers), with human English for the non-English articles; aligned on the English, as `mt build`
  does. Pooled three times for the gate: the first three cases (`handwritten`), the cases of one event whose
  facts share names and numbers (`near_facts`, NEAR_FACTS), the seeds' difficulty, and the longer cases written
  in the seeds' style (`seeds_style`, SEEDS_STYLE: sentences that report two facts, an outlet that repeats one).
- `unrelated`: tests/data/unrelated/*: pairs of articles on different events; the target is zero pairs and zero
  facts.
- `seeds`: the seeds' gold (seeds/gold/alignment.jsonl) with the oracle English (seeds/references), as
  benchmarks/alignment_quality.py scores it; not tuned on.

Figures: pairs precision, recall and F1 (sentence pairs, alignments.evaluation.score_pairs), fact purity
(alignments.evaluation.fact_purity), disagreement recall and precision against the gold disagreements
(alignments.evaluation.score_disagreements), pairs and facts found on unrelated articles, and seconds.

    python benchmarks/comparable_quality.py
    python benchmarks/comparable_quality.py --sets flores --embedder e5:multilingual-e5-small --split devtest
    python benchmarks/comparable_quality.py --json quality.json

From Python (the repository root on `sys.path`): `evaluate(sets=..., ...)` returns the same figures as a dict.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `benchmarks.` resolves from the repository root

from alignments import AlignmentSettings, Embedder, align
from alignments.evaluation import (
    fact_purity,
    pair_ids,
    read_gold_disagreements,
    read_gold_facts,
    read_gold_pairs,
    score_disagreements,
    score_pairs,
)
from benchmarks import comparable_devset
from mt.records import Segment

DATA = ROOT / "tests" / "data"
HANDWRITTEN = DATA / "comparable"
UNRELATED = DATA / "unrelated"
SEEDS = ROOT / "seeds"
SETS = ("flores", "handwritten", "unrelated", "seeds")
NEAR_FACTS = ("curfew", "train_derailment")
"""Hand-written cases of one event whose distinct facts share names and numbers (the minister visited / announced
a commission), written to tune fact grouping without the seeds; pinned apart from the first three cases."""
SEEDS_STYLE = ("dam_collapse", "hospital_hack", "mine_explosion")
"""Hand-written cases in the seeds' style (one event, four outlets, sentences that report two facts, an outlet that
repeats a fact, near facts that one outlet lacks), written to tune pairing without the seeds; pinned apart."""
FLORES_EMBEDDER = "use:multilingual-v3"
"""The multilingual embedder the FLORES set is scored with, on the original texts."""


def segments_with_english(folder: Path) -> list[Segment]:
    """The articles of a folder, segmented as `mt segment` does, with English from `references/references.jsonl`
    (English articles are their own English)."""
    from mt.segmentation import segment  # lazy on purpose: segmentation loads the language detector, not needed for FLORES
    from mt.translation.references import apply_references, load_references  # lazy on purpose: with segmentation

    segments = segment([folder]).segments
    references = folder / "references" / "references.jsonl"
    report = apply_references(segments, load_references(references) if references.exists() else {}, as_english=True)
    if report.missing:
        raise ValueError(f"{folder}: segments without English: {report.missing[:3]}")
    return segments


def score(result, gold_pairs: set, gold_facts: Sequence[set[str]], gold_disagreements: Sequence = ()) -> dict[str, Any]:
    pairs = score_pairs(pair_ids(result.pairs), gold_pairs)
    purity = fact_purity(result.facts, gold_facts)
    disagreements = score_disagreements(result.facts, gold_disagreements)
    return {"pairs": asdict(pairs), "purity": asdict(purity), "disagreements": asdict(disagreements),
            "facts": len(result.facts), "predicted_disagreements": disagreements.predicted}


def pooled(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Micro-averaged figures over several corpora (counts added, then the ratios)."""
    rows = list(rows)
    correct = sum(r["pairs"]["correct"] for r in rows)
    predicted = sum(r["pairs"]["predicted"] for r in rows)
    gold = sum(r["pairs"]["gold"] for r in rows)
    precision = correct / predicted if predicted else 0.0
    recall = correct / gold if gold else 0.0
    members = sum(r["purity"]["members"] for r in rows)
    pure = sum(r["purity"]["pure_members"] for r in rows)
    d_gold = sum(r["disagreements"]["gold"] for r in rows)
    d_found = sum(r["disagreements"]["found"] for r in rows)
    d_predicted = sum(r["disagreements"]["predicted"] for r in rows)
    d_correct = sum(r["disagreements"]["correct"] for r in rows)
    return {
        "pairs_precision": round(precision, 4), "pairs_recall": round(recall, 4),
        "pairs_f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
        "purity": round(pure / members, 4) if members else 0.0,
        "disagreement_recall": round(d_found / d_gold, 4) if d_gold else None,
        "disagreement_precision": round(d_correct / d_predicted, 4) if d_predicted else None,
        "gold_pairs": gold, "predicted_pairs": predicted, "gold_disagreements": d_gold, "predicted_disagreements": d_predicted,
    }


def evaluate_flores(settings: AlignmentSettings, embedder: Embedder, split: str = "dev", sizes: Sequence[str] | None = None,
                    data: Path | str | None = None, english: bool = True) -> dict[str, Any]:
    corpora = {}
    for size in sizes or comparable_devset.SIZES:
        devset = comparable_devset.build_size(size, split, data, english=english)
        start = time.perf_counter()
        result = align(devset.segments, settings, embedder)
        row = score(result, devset.gold_pairs, devset.gold_facts, devset.gold_disagreements)
        row.update(seconds=round(time.perf_counter() - start, 2), **{k: v for k, v in devset.summary().items()
                                                                      if k in ("articles", "segments")})
        corpora[size] = row
    return {"split": split, "embedder": embedder.name, "on": settings.on, "corpora": corpora, "all": pooled(corpora.values())}


def evaluate_handwritten(settings: AlignmentSettings, embedder: Embedder, folder: Path = HANDWRITTEN) -> dict[str, Any]:
    cases = {}
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        segments = segments_with_english(case)
        start = time.perf_counter()
        result = align(segments, settings, embedder)
        gold = case / "gold" / "alignment.jsonl"
        disagreements = case / "gold" / "disagreements.jsonl"
        row = score(result, read_gold_pairs(gold), read_gold_facts(gold),
                    read_gold_disagreements(disagreements) if disagreements.exists() else [])
        row.update(seconds=round(time.perf_counter() - start, 2), articles=len({s.article for s in segments}),
                   segments=len(segments))
        cases[case.name] = row
    return {"embedder": embedder.name, "on": settings.on, "cases": cases, "all": pooled(cases.values()),
            "first": pooled(row for name, row in cases.items() if name not in NEAR_FACTS + SEEDS_STYLE),
            "near_facts": pooled(row for name, row in cases.items() if name in NEAR_FACTS),
            "seeds_style": pooled(row for name, row in cases.items() if name in SEEDS_STYLE)}


def evaluate_unrelated(settings: AlignmentSettings, embedder: Embedder, folder: Path = UNRELATED) -> dict[str, Any]:
    """Each subfolder is two articles on different events: every pair or fact found there is wrong."""
    cases = {}
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        segments = segments_with_english(case)
        result = align(segments, settings, embedder)
        cases[case.name] = {"pairs": len(result.pairs), "facts": len(result.facts),
                            "top_pair": None if not result.pairs else
                            {"score": max(p.score for p in result.pairs),
                             "signals": max(result.pairs, key=lambda p: p.score).signals}}
    return {"embedder": embedder.name, "on": settings.on, "cases": cases,
            "all": {"cases": len(cases), "pairs": sum(c["pairs"] for c in cases.values()),
                    "facts": sum(c["facts"] for c in cases.values()),
                    "cases_with_pairs": sum(c["pairs"] > 0 for c in cases.values())}}


def evaluate_seeds(settings: AlignmentSettings, embedder: Embedder) -> dict[str, Any]:
    segments = segments_with_english(SEEDS)
    gold = SEEDS / "gold" / "alignment.jsonl"
    start = time.perf_counter()
    result = align(segments, settings, embedder)
    row = score(result, read_gold_pairs(gold), read_gold_facts(gold))
    row.update(seconds=round(time.perf_counter() - start, 2),
               disagreements_found=[{"fact": f.fact_id, "quantity": d.quantity, "values": d.values}
                                    for f in result.facts for d in f.disagreements])
    return {"embedder": embedder.name, "on": settings.on, **row}


def evaluate(sets: Sequence[str] = SETS, *, settings: AlignmentSettings | None = None, embedder: str | None = None,
             flores_embedder: str = FLORES_EMBEDDER, split: str = "dev", sizes: Sequence[str] | None = None,
             data: Path | str | None = None, embedders: dict[str, Embedder] | None = None,
             flores_english: bool = True) -> dict[str, Any]:
    """Figures for each set in `sets`, as a dict keyed by set name.

    settings: the alignment settings (default: the configured ones); embedder: the embedder for the hand-written,
    unrelated and seed sets (default: the settings'); flores_embedder: the multilingual embedder for FLORES, which
    is aligned with `on: original`; embedders: already loaded Embedder objects by name, reused (their caches too);
    flores_english: False leaves the FLORES English off the non-English segments (for an aligner that reads both).
    A FLORES set whose data is missing gives {"skipped": why}.
    """
    settings = settings or AlignmentSettings()
    loaded = embedders if embedders is not None else {}

    def get(name: str) -> Embedder:
        if name not in loaded:
            loaded[name] = Embedder(name)
        return loaded[name]

    english_embedder = embedder or settings.embedder
    english = replace(settings, embedder=english_embedder)
    figures: dict[str, Any] = {}
    for name in sets:
        start = time.perf_counter()
        if name == "flores":
            if not comparable_devset.available(split, data):
                figures[name] = {"skipped": f"FLORES-200 {split} not found in {comparable_devset.flores_files(split, data)['eng'].parent}"}
                continue
            original = replace(settings, on="original", embedder=flores_embedder)
            figures[name] = evaluate_flores(original, get(flores_embedder), split, sizes, data, flores_english)
        elif name == "handwritten":
            figures[name] = evaluate_handwritten(english, get(english_embedder))
        elif name == "unrelated":
            figures[name] = evaluate_unrelated(english, get(english_embedder))
        elif name == "seeds":
            figures[name] = evaluate_seeds(english, get(english_embedder))
        else:
            raise ValueError(f"unknown set {name!r} (choose from {', '.join(SETS)})")
        figures[name]["total_seconds"] = round(time.perf_counter() - start, 2)
    return figures


FLOORS = ROOT / "benchmarks" / "quality_floors.json"
"""The pinned figures and their floors (or ceilings), checked by tests/test_quality_gate.py."""


def gate_figures(figures: dict[str, Any]) -> dict[str, dict[str, float | int | None]]:
    """The figures the quality gate pins, by set: pairs F1, fact purity and disagreement recall and precision where
    there is gold for them; pairs and facts found on unrelated articles (each should be 0)."""
    found: dict[str, dict[str, float | int | None]] = {}
    for name, block in figures.items():
        if "skipped" in block:
            continue
        if name == "seeds":
            found[name] = {"pairs_f1": block["pairs"]["f1"], "purity": block["purity"]["purity"]}
        elif name in ("flores", "handwritten"):
            for key, pool in ((name, "all" if name == "flores" else "first"), ("near_facts", "near_facts"),
                              ("seeds_style", "seeds_style")):
                if pool in block:
                    pooled_ = block[pool]
                    found[key] = {"pairs_f1": pooled_["pairs_f1"], "purity": pooled_["purity"],
                                  "disagreement_recall": pooled_["disagreement_recall"],
                                  "disagreement_precision": pooled_["disagreement_precision"]}
        elif name == "unrelated":
            found[name] = {"pairs": block["all"]["pairs"], "facts": block["all"]["facts"]}
    return found


def check_floors(figures: dict[str, Any], floors: dict[str, Any]) -> list[str]:
    """One line for each pinned figure below its floor or above its ceiling (empty: the gate passes)."""
    measured = gate_figures(figures)
    failures = []
    for name, pinned in floors["figures"].items():
        if name not in measured:
            continue
        for figure, limits in pinned.items():
            value = measured[name].get(figure)
            if "floor" in limits and (value is None or value < limits["floor"]):
                failures.append(f"{name} {figure} = {value}, below its floor {limits['floor']} (pinned {limits['measured']})")
            if "ceiling" in limits and (value is None or value > limits["ceiling"]):
                failures.append(f"{name} {figure} = {value}, above its ceiling {limits['ceiling']} (pinned {limits['measured']})")
    return failures


def gate_lines(figures: dict[str, Any]) -> list[str]:
    return [f"  {name}: " + ", ".join(f"{k} {v}" for k, v in values.items()) for name, values in gate_figures(figures).items()]


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def table(figures: dict[str, Any]) -> str:
    rows = ["| set | corpus | articles | pairs P | pairs R | pairs F1 | purity | disagr. R | disagr. P | predicted disagr. | seconds |",
            "|---|---|---|---|---|---|---|---|---|---|---|"]

    def line(set_name: str, corpus: str, row: dict[str, Any]) -> None:
        d = row["disagreements"]
        rows.append(f"| {set_name} | {corpus} | {row.get('articles', '')} | {row['pairs']['precision']:.3f} | {row['pairs']['recall']:.3f} "
                    f"| {row['pairs']['f1']:.3f} | {row['purity']['purity']:.3f} | {_fmt(d['recall']) if d['gold'] else 'n/a'} "
                    f"| {_fmt(d['precision']) if d['predicted'] else 'n/a'} | {d['predicted']} | {row.get('seconds', '')} |")

    def total(set_name: str, all_: dict[str, Any], seconds: Any) -> None:
        rows.append(f"| {set_name} | **all** | | {all_['pairs_precision']:.3f} | {all_['pairs_recall']:.3f} | {all_['pairs_f1']:.3f} "
                    f"| {all_['purity']:.3f} | {_fmt(all_['disagreement_recall'])} | {_fmt(all_['disagreement_precision'])} "
                    f"| {all_['predicted_disagreements']} | {seconds} |")

    notes = []
    for name, block in figures.items():
        if "skipped" in block:
            notes.append(f"{name}: skipped: {block['skipped']}")
        elif name == "flores":
            for corpus, row in block["corpora"].items():
                line(f"flores {block['split']} ({block['embedder']}, on {block['on']})", corpus, row)
            total(f"flores {block['split']}", block["all"], block["total_seconds"])
        elif name == "handwritten":
            for corpus, row in block["cases"].items():
                line(f"hand-written ({block['embedder']})", corpus, row)
            total("hand-written, first three", block["first"], "")
            total("hand-written, near facts", block["near_facts"], "")
            total("hand-written, seeds' style", block["seeds_style"], "")
            total("hand-written", block["all"], block["total_seconds"])
        elif name == "seeds":
            line(f"seeds, oracle English ({block['embedder']})", "gold", block)
        elif name == "unrelated":
            a = block["all"]
            notes.append(f"unrelated ({block['embedder']}): {a['pairs']} pairs and {a['facts']} facts in {a['cases']} pairs of "
                         f"articles ({a['cases_with_pairs']} with a pair); {block['total_seconds']} s")
            for corpus, row in block["cases"].items():
                if row["pairs"]:
                    notes.append(f"  {corpus}: {row['pairs']} pairs, {row['facts']} facts, top pair {row['top_pair']}")
    return "\n".join(rows + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated, of {', '.join(SETS)}")
    parser.add_argument("--embedder", help="embedder for the hand-written, unrelated and seed sets (default: configured)")
    parser.add_argument("--flores-embedder", default=FLORES_EMBEDDER, help="multilingual embedder for FLORES (on the originals)")
    parser.add_argument("--split", choices=["dev", "devtest"], default="dev", help="FLORES split: dev to tune, devtest to check")
    parser.add_argument("--sizes", help=f"FLORES corpora, comma-separated, of {', '.join(comparable_devset.SIZES)}")
    parser.add_argument("--flores-without-english", action="store_true",
                        help="FLORES: no English on the Polish, Russian and Spanish segments (for an aligner that reads both sides)")
    parser.add_argument("--threshold", type=float, help="override alignment.threshold")
    parser.add_argument("--data", type=Path, help="the shared data folder (default: $MT_SHARED_DATA or ../shared/data)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--gate", action="store_true",
                        help="only what the quality gate runs (FLORES: the gate's corpora) and check benchmarks/quality_floors.json")
    args = parser.parse_args()
    if args.gate and not args.sizes:
        args.sizes = ",".join(comparable_devset.GATE_SIZES)
    settings = AlignmentSettings(**({"threshold": args.threshold} if args.threshold is not None else {}))
    figures = evaluate(args.sets.split(","), settings=settings, embedder=args.embedder, flores_embedder=args.flores_embedder,
                       split=args.split, sizes=args.sizes.split(",") if args.sizes else None, data=args.data,
                       flores_english=not args.flores_without_english)
    print(table(figures))
    if args.gate:
        failures = check_floors(figures, json.loads(FLOORS.read_text(encoding="utf-8")))
        print("\n".join(["", "gate:", *gate_lines(figures)] + (["FAILED:", *failures] if failures else ["every figure at or above its floor"])))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
