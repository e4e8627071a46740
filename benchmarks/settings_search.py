"""A random search over the aligner's settings: on the hand-written cases (dev), or on the seeds as an oracle bound.

The settings that decide pairs and facts (threshold, weights, floor, fact_coherence, fact_alone_score,
also_threshold, also_repeat) are drawn at random with a fixed seed, then refined around the best row.

- `--tune-on handwritten` (default): each point is scored on the hand-written cases (tests/data/comparable, all
  eight pooled: the mean of pairs F1 and fact purity); `--tune-on seeds_style`, on the three written in the seeds'
  style only. The best point is then scored once on the seeds' gold,
  which it was not tuned on, and on the unrelated articles (it must find no pair there). This is how a new
  English embedder gets its own settings (`--embedder`) without touching the seeds.
- `--tune-on seeds`: each point is scored on the seeds' gold itself. Issue 22 asks for pairs F1 >= 0.65 and
  purity >= 0.85 there, untuned; this answers a different question on purpose: what is the best this design
  (these embedders, these signals) could reach if it were tuned on the seeds? It prints the best F1, the best
  purity, the best of each while the other meets its target, and the row closest to both. An upper bound, never a
  way to choose defaults.

What no setting can change, how well the signals themselves separate the gold pairs from every other pair of
sentences, is `alignment_quality.py --ceilings` (the seeds beside each hand-written case).

    python benchmarks/settings_search.py --trials 300 --refine 150
    python benchmarks/settings_search.py --tune-on seeds --trials 600 --refine 300
    python benchmarks/settings_search.py --embedder /models/all-mpnet-base-v2 --tune-on seeds --trials 600 --refine 300
"""
from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `benchmarks.` resolves from the repository root

from alignments import AlignmentSettings, Embedder
from benchmarks import comparable_quality

F1_TARGET, PURITY_TARGET = 0.65, 0.85
MIN_FACTS = 20
"""A row counts for a purity target only with this many facts (the configured aligner finds 35 on the seeds): a few
trivially pure facts are no answer."""

SPACE: dict[str, tuple[float, float]] = {
    "threshold": (0.4, 1.6), "floor": (0.25, 0.55), "fact_coherence": (0.4, 1.2), "fact_alone_score": (0.8, 2.2),
    "also_threshold": (0.6, 1.6), "also_repeat": (0.2, 0.8),
    "cosine": (0.3, 2.0), "margin": (0.0, 4.0), "chrf": (0.0, 1.5), "entities": (0.0, 0.8), "quantities": (0.0, 1.0),
}
"""Each searched setting and its range: the top-level settings, then the weights of the combined score."""
WEIGHTS = ("cosine", "margin", "chrf", "entities", "quantities")


def settings_for(base: AlignmentSettings, point: dict[str, float]) -> AlignmentSettings:
    """`base` with one point of SPACE: its top-level settings, and its weights over the configured ones."""
    weights = {**base.weights, **{k: v for k, v in point.items() if k in WEIGHTS}}
    return replace(base, weights=weights, **{k: v for k, v in point.items() if k not in WEIGHTS})


def figures_on(tune_on: str, settings: AlignmentSettings, embedders: dict[str, Embedder]) -> dict[str, float]:
    """Pairs F1, precision, recall, fact purity, pairs and facts of one set: the seeds, all hand-written cases pooled,
    or the hand-written cases in the seeds' style pooled (`seeds_style`: one event, four outlets, long reports)."""
    set_name = "handwritten" if tune_on == "seeds_style" else tune_on
    block = comparable_quality.evaluate((set_name,), settings=settings, embedders=embedders)[set_name]
    if tune_on == "seeds":
        return {"f1": block["pairs"]["f1"], "precision": block["pairs"]["precision"], "recall": block["pairs"]["recall"],
                "purity": block["purity"]["purity"], "pairs": block["pairs"]["predicted"], "facts": block["purity"]["facts"]}
    pooled = block["all" if tune_on == "handwritten" else "seeds_style"]
    cases = [case for name, case in block["cases"].items() if tune_on == "handwritten" or name in comparable_quality.SEEDS_STYLE]
    return {"f1": pooled["pairs_f1"], "precision": pooled["pairs_precision"], "recall": pooled["pairs_recall"],
            "purity": pooled["purity"], "pairs": pooled["predicted_pairs"], "facts": sum(case["facts"] for case in cases)}


def toward_targets(row: dict[str, Any]) -> float:
    """How close a row comes to meeting the seeds' two targets at once: 1.0 or more meets them (0 with too few facts)."""
    return min(row["f1"] / F1_TARGET, row["purity"] / PURITY_TARGET) if row["facts"] >= MIN_FACTS else 0.0


def dev_objective(row: dict[str, Any]) -> float:
    """What tuning on the hand-written cases maximises: pairs F1 and fact purity, equally."""
    return (row["f1"] + row["purity"]) / 2


def search(base: AlignmentSettings, tune_on: str, trials: int, refine: int, seed: int) -> list[dict[str, Any]]:
    """The configured settings first, then `trials` random points of SPACE, then `refine` steps of a local search
    around the best row so far (each setting moved by up to a tenth of its range); each row with its figures on
    `tune_on`."""
    objective = toward_targets if tune_on == "seeds" else dev_objective
    rng = random.Random(seed)
    embedders: dict[str, Embedder] = {}
    rows: list[dict[str, Any]] = []

    def run(point: dict[str, float]) -> None:
        rows.append({"point": point, **figures_on(tune_on, settings_for(base, point), embedders)})
        if len(rows) % 50 == 0:
            print(f"  {len(rows)}/{trials + refine + 1}", file=sys.stderr, flush=True)

    run({k: (base.weights[k] if k in WEIGHTS else getattr(base, k)) for k in SPACE})
    for _ in range(trials):
        run({k: round(rng.uniform(*span), 3) for k, span in SPACE.items()})
    for _ in range(refine):
        centre = max(rows, key=objective)["point"]
        run({k: round(min(hi, max(lo, centre[k] + rng.uniform(-0.1, 0.1) * (hi - lo))), 3)
             for k, (lo, hi) in SPACE.items()})
    if tune_on != "seeds":  # the best point, once, on what it was not tuned on
        best = max(rows, key=objective)
        chosen = settings_for(base, best["point"])
        best["seeds"] = figures_on("seeds", chosen, embedders)
        best["unrelated"] = comparable_quality.evaluate(("unrelated",), settings=chosen, embedders=embedders)["unrelated"]["all"]
    return rows


def summary(rows: list[dict[str, Any]], tune_on: str) -> dict[str, Any]:
    """The configured row and the best ones: by the dev objective, or against the seeds' targets."""
    def best(key: str, rows_: list[dict[str, Any]]) -> dict[str, Any] | None:
        return max(rows_, key=lambda r: (r[key], r["f1"] + r["purity"]), default=None)

    if tune_on != "seeds":
        return {"configured": rows[0], "best": max(rows, key=dev_objective), "trials": len(rows) - 1}
    return {"configured": rows[0],
            "best_f1": best("f1", rows),
            "best_purity_with_facts": best("purity", [r for r in rows if r["facts"] >= MIN_FACTS]),
            "best_f1_at_purity_target": best("f1", [r for r in rows if r["purity"] >= PURITY_TARGET and r["facts"] >= MIN_FACTS]),
            "best_purity_at_f1_target": best("purity", [r for r in rows if r["f1"] >= F1_TARGET and r["facts"] >= MIN_FACTS]),
            "closest_to_both": max(rows, key=toward_targets),
            "both_targets": sum(toward_targets(r) >= 1.0 for r in rows),
            "trials": len(rows) - 1}


def line(row: dict[str, Any]) -> str:
    """One row as the summary prints it: the figures, then the settings."""
    return (f"F1 {row['f1']:.3f} (P {row['precision']:.3f}, R {row['recall']:.3f}), purity {row['purity']:.3f}, "
            f"{row['pairs']} pairs, {row['facts']} facts; {json.dumps(row['point'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", help="the English view's embedder (default: configured)")
    parser.add_argument("--tune-on", choices=["handwritten", "seeds_style", "seeds"], default="handwritten",
                        help="score each point on the hand-written cases, all or the seeds'-style ones (then the best once on "
                             "the seeds), or on the seeds (a bound)")
    parser.add_argument("--trials", type=int, default=400, help="random points searched (default 400)")
    parser.add_argument("--refine", type=int, default=200, help="local search steps after them (default 200)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write every trial here")
    args = parser.parse_args()
    base = AlignmentSettings()
    if args.embedder:
        base = replace(base, embedder=args.embedder)
    rows = search(base, args.tune_on, args.trials, args.refine, args.seed)
    result = summary(rows, args.tune_on)
    if args.json:
        args.json.write_text(json.dumps({"embedder": base.embedder, "tune_on": args.tune_on, "summary": result,
                                         "rows": rows}, indent=1))
    views = f"{base.embedder} + {base.multilingual_embedder}, {result['trials']} trials"
    if args.tune_on != "seeds":
        best = result["best"]
        print(f"settings search on the hand-written cases ({'all eight' if args.tune_on == 'handwritten' else 'seeds style'} pooled), {views}")
        print(f"  configured: {line(result['configured'])}")
        print(f"  best: {line(best)}")
        seeds = best["seeds"]
        print(f"  the best, on the seeds (not tuned on): F1 {seeds['f1']:.3f} (P {seeds['precision']:.3f}, "
              f"R {seeds['recall']:.3f}), purity {seeds['purity']:.3f}; unrelated articles: {best['unrelated']['pairs']} pairs")
        return
    print(f"seeds ceiling, {views} (targets: pairs F1 {F1_TARGET}, purity {PURITY_TARGET}; tuned on the seeds: a bound, "
          "not a result)")
    for name in ("configured", "best_f1", "best_purity_with_facts", "best_f1_at_purity_target", "best_purity_at_f1_target",
                 "closest_to_both"):
        print(f"  {name}: " + ("none" if result[name] is None else line(result[name])))
    print(f"  settings meeting both targets: {result['both_targets']}")


if __name__ == "__main__":
    main()
