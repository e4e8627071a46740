"""Alignment quality on the seeds: the oracle run against the hand-made gold.

The oracle aligns the seed articles with the human English references for the
Polish ones (seeds/references/), so that translation errors do not count;
gold is seeds/gold/alignment.jsonl. The table shows the full scorer, each
signal on its own and in combination, and a plain baseline (cosine over the
same embeddings, best match per sentence and article, one threshold), all
with the same embedder.

The seeds are also where the thresholds were chosen (there is no other gold),
so these figures are optimistic for other news. For a fair comparison the
baseline's threshold is the best one on the gold, too (--sweep shows all).

--ceilings adds two upper bounds that explain where the errors come from:
what a perfect one-to-one linker could score on this gold, and how well the
signals themselves separate gold pairs from the rest, over every pair of
sentences from different articles, with no linking rule at all (each signal
at its best threshold, and a logistic regression over all of them, scored by
leave-one-article-pair-out cross-validation so that it is not tested on
what it was fitted to).

--embedders compares sentence embedders on the same run: pairs F1 at the
configured threshold and at each embedder's best threshold, fact purity (the
share of fact members that report the same gold fact as the rest of their
fact) and the time to embed the seeds. all-mpnet-base-v2 is for benchmarks
only: install it offline from its split PyPI packages (see the README).

    python benchmarks/alignment_quality.py
    python benchmarks/alignment_quality.py --ceilings --sweep --json alignment.json
    python benchmarks/alignment_quality.py --embedders sentence-transformers/all-MiniLM-L6-v2,/models/all-mpnet-base-v2
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import asdict, replace
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # annotations only: the script imports the aligner when it runs
    from alignments import AlignmentSettings, Embedder

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # run as a script: `benchmarks.` resolves from the repository root


def oracle_segments():
    from mt.segmentation import segment
    from mt.translation.references import apply_references, load_references

    segments = segment([ROOT / "seeds"]).segments
    apply_references(segments, load_references(ROOT / "seeds" / "references" / "references.jsonl"), as_english=True)
    return segments


def baseline_pairs(segments, embedder, settings, threshold: float):
    """Cosine only: each sentence's best match in every other article, kept above one threshold."""
    from alignments.comparable import alignable, text_of

    chosen = alignable(segments, settings)
    vectors = embedder.embed([text_of(s, settings) for s in chosen])
    articles = np.array([s.article for s in chosen])
    sims = vectors @ vectors.T
    pairs = set()
    for i in range(len(chosen)):
        for article in set(articles) - {articles[i]}:
            columns = np.flatnonzero(articles == article)
            j = columns[np.argmax(sims[i, columns])]
            if sims[i, j] >= threshold:
                pairs.add(frozenset((chosen[i].id, chosen[j].id)))
    return pairs


def one_to_one_ceiling(gold) -> int:
    """Gold pairs a perfect one-to-one linker could return: a maximum matching in each pair of articles."""
    from scipy.optimize import linear_sum_assignment

    from alignments.evaluation import article_of

    by_articles = defaultdict(list)
    for pair in gold:
        a, b = sorted(pair)
        by_articles[(article_of(a), article_of(b))].append((a, b))
    total = 0
    for links in by_articles.values():
        rows = sorted({a for a, _ in links})
        columns = sorted({b for _, b in links})
        weights = np.zeros((len(rows), len(columns)))
        for a, b in links:
            weights[rows.index(a), columns.index(b)] = 1
        chosen = linear_sum_assignment(-weights)
        total += int(weights[chosen].sum())
    return total


def best_threshold_f1(scores: np.ndarray, truth: np.ndarray, n_gold: int | None = None) -> tuple[float, float, float]:
    """Precision, recall and F1 of the best cut of one ranking of every candidate pair (ties never split); recall
    over `n_gold` gold pairs (default: those among the candidates), so gold the ranking never sees counts as missed."""
    n_gold = int(truth.sum()) if n_gold is None else n_gold
    if not n_gold or not len(truth):
        return 0.0, 0.0, 0.0
    order = np.argsort(-scores, kind="stable")
    correct = np.cumsum(truth[order])
    precision = correct / np.arange(1, len(truth) + 1)
    recall = correct / n_gold
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    ranked = scores[order]
    f1[:-1][ranked[:-1] == ranked[1:]] = -1  # a cut must fall between two different scores
    best = int(f1.argmax())
    return float(precision[best]), float(recall[best]), float(f1[best])


def signal_ceilings(folder: Path, embedder: Embedder, settings: AlignmentSettings) -> dict[str, Any]:
    """How well each signal, and all of them combined, separate a folder's gold pairs from every other pair of
    sentences from different articles, with no linking rule: the best cut of each ranking, as (precision, recall,
    F1). The folder holds articles, `references/` (English of the others) and `gold/alignment.jsonl`, as the seeds
    and tests/data/comparable/* do. The regression is trained on the other pairs of articles; pairs of articles it
    cannot be trained without (the rest has no gold pair) rank last, and are counted in `untrained`."""
    from sklearn.linear_model import LogisticRegression

    from alignments.comparable import align_comparable
    from alignments.evaluation import read_gold_pairs
    from alignments.signals import signal_names
    from benchmarks.comparable_quality import segments_with_english

    gold = read_gold_pairs(folder / "gold" / "alignment.jsonl")
    _, chosen, scorer = align_comparable(segments_with_english(folder), embedder, settings)
    rows, combined, truth, groups = [], [], [], []
    for i, j in combinations(range(len(chosen)), 2):
        if chosen[i].article != chosen[j].article:
            score, signals = scorer.score((i,), (j,))
            rows.append(signals)
            combined.append(score)
            truth.append(frozenset((chosen[i].id, chosen[j].id)) in gold)
            groups.append("|".join(sorted((chosen[i].article, chosen[j].article))))
    names = [name for name in signal_names() if all(name in row for row in rows)]  # a view not compared is null
    features, truth, groups = np.array([[row[name] for name in names] for row in rows]), np.array(truth), np.array(groups)
    found: dict[str, Any] = {"sentence pairs": len(truth), "gold": len(gold),
                             "score": best_threshold_f1(np.array(combined), truth, len(gold))}
    held_out = np.full(len(truth), -np.inf)
    untrained = 0
    for group in np.unique(groups):
        test = groups == group
        if truth[~test].any() and not truth[~test].all():
            model = LogisticRegression(max_iter=1000).fit(features[~test], truth[~test])
            held_out[test] = model.decision_function(features[test])
        else:
            untrained += 1
    found["regression"] = best_threshold_f1(held_out, truth, len(gold))
    found["untrained"] = untrained
    found.update({name: best_threshold_f1(features[:, k], truth, len(gold)) for k, name in enumerate(names)})
    return found


def compare_embedders(names: list[str], segments, settings, gold, gold_facts) -> list[dict]:
    """Pairs F1 (configured and best threshold), fact purity and embedding time of each embedder, cold (no cache)."""
    from alignments import Embedder, align
    from alignments.comparable import alignable, text_of
    from alignments.evaluation import fact_pair_ids, fact_purity, pair_ids, score_pairs

    rows = []
    for name in names:
        variant = replace(settings, embedder=name)
        embedder = Embedder(name)
        texts = [text_of(s, variant) for s in alignable(segments, variant)]
        start = time.perf_counter()
        embedder.embed(texts)
        seconds = time.perf_counter() - start
        configured = align(segments, variant, embedder)
        best = None
        for threshold in np.arange(0.3, 1.6, 0.05):
            result = align(segments, replace(variant, threshold=float(threshold)), embedder)
            prf = score_pairs(pair_ids(result.pairs), gold)
            if best is None or prf.f1 > best[1].f1:
                best = (round(float(threshold), 2), prf, fact_purity(result.facts, gold_facts))
        rows.append({
            "embedder": name, "sentences": len(texts), "embed_seconds": round(seconds, 2),
            "pairs_f1": score_pairs(pair_ids(configured.pairs), gold).f1,
            "fact_pairs_f1": score_pairs(fact_pair_ids(configured.facts), gold).f1,
            "fact_purity": fact_purity(configured.facts, gold_facts).purity,
            "best_threshold": best[0], "best_pairs_f1": best[1].f1, "best_fact_purity": best[2].purity,
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gold", type=Path, default=ROOT / "seeds" / "gold" / "alignment.jsonl")
    parser.add_argument("--sweep", action="store_true", help="also print every threshold tried")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--ceilings", action="store_true", help="also print the linking and signal ceilings")
    parser.add_argument("--embedders", help="comma-separated embedders (hub names or folders) to compare on the full scorer")
    args = parser.parse_args()

    from alignments import AlignmentSettings, Embedder, align
    from alignments.evaluation import fact_pair_ids, fact_purity, pair_ids, read_gold_facts, read_gold_pairs, score_pairs
    from alignments.signals import weighted_signals
    from mt.config import load_config

    gold, gold_facts = read_gold_pairs(args.gold), read_gold_facts(args.gold)
    segments = oracle_segments()
    settings = AlignmentSettings.from_config(load_config(None))
    embedder = Embedder(settings.embedder)

    def without(*names: str) -> AlignmentSettings:
        return replace(settings, weights={k: 0.0 if k in names else v for k, v in settings.weights.items()})

    others = [name for name in weighted_signals() if name != "margin"]
    variants = {f"full: {' + '.join(weighted_signals())} (configs)": settings, "margin only": without(*others)}
    variants.update({f"full without {name}": without(name) for name in others})
    rows = []
    for name, variant in variants.items():
        if variant is settings:
            result = align(segments, variant, embedder)
            rows.append((name, variant.threshold, score_pairs(pair_ids(result.pairs), gold)))
            continue
        # Signals left out lower every score: each variant gets its best threshold, as the baseline does.
        best = None
        for threshold in np.arange(-0.2, 1.6, 0.02):
            prf = score_pairs(pair_ids(align(segments, replace(variant, threshold=float(threshold)), embedder).pairs), gold)
            if args.sweep:
                print(f"{name} @ {threshold:.2f}: {prf}")
            if best is None or prf.f1 > best[1].f1:
                best = (float(threshold), prf)
        rows.append((f"{name} (best threshold)", round(best[0], 2), best[1]))
    best = None
    for threshold in np.arange(0.3, 0.9, 0.02):
        prf = score_pairs(baseline_pairs(segments, embedder, settings, float(threshold)), gold)
        if args.sweep:
            print(f"baseline @ {threshold:.2f}: {prf}")
        if best is None or prf.f1 > best[1].f1:
            best = (float(threshold), prf)
    rows.append(("baseline: cosine, best match per sentence (best threshold)", round(best[0], 2), best[1]))

    full = align(segments, settings, embedder)
    rows.append(("facts of the full run, as the pairs they imply", settings.threshold, score_pairs(fact_pair_ids(full.facts), gold)))
    print(f"\nOracle run: seeds with human references as English; gold {args.gold.name}: {len(gold)} pairs; embedder {settings.embedder}")
    print("| scorer | threshold | precision | recall | F1 | predicted |")
    print("|---|---|---|---|---|---|")
    for name, threshold, prf in rows:
        print(f"| {name} | {threshold:.2f} | {prf.precision:.3f} | {prf.recall:.3f} | {prf.f1:.3f} | {prf.predicted} |")
    purity = fact_purity(full.facts, gold_facts)
    print(f"facts: {len(full.facts)}, in 3+ articles: {sum(f.n_articles >= 3 for f in full.facts)}, "
          f"disagreements: {sum(len(f.disagreements) for f in full.facts)}; fact purity {purity.purity:.3f} "
          f"({purity.pure_members} of {purity.members} members; {purity.pure_facts} of {purity.facts} facts pure)")
    for fact in full.facts:
        for disagreement in fact.disagreements:
            print(f"  {fact.fact_id} {disagreement.quantity}: {disagreement.values}")
    figures = {"scorers": [dict(scorer=n, threshold=t, **asdict(p)) for n, t, p in rows], "fact_purity": asdict(purity)}
    if args.embedders:
        compared = compare_embedders(args.embedders.split(","), segments, settings, gold, gold_facts)
        print(f"\nEmbedders (full scorer; configured threshold {settings.threshold}, then each one's best on the gold)")
        print("| embedder | pairs F1 | facts as pairs F1 | fact purity | best threshold | pairs F1 there | fact purity there | embedding the seeds |")
        print("|---|---|---|---|---|---|---|---|")
        for row in compared:
            print(f"| {row['embedder']} | {row['pairs_f1']:.3f} | {row['fact_pairs_f1']:.3f} | {row['fact_purity']:.3f} | {row['best_threshold']:.2f} "
                  f"| {row['best_pairs_f1']:.3f} | {row['best_fact_purity']:.3f} | {row['embed_seconds']:.1f} s ({row['sentences']} sentences) |")
        figures["embedders"] = compared
    if args.ceilings:
        reachable = one_to_one_ceiling(gold)
        recall = reachable / len(gold)
        print(f"\nLinking ceiling: a perfect one-to-one linker finds {reachable} of {len(gold)} gold pairs "
              f"(recall {recall:.3f}, F1 {2 * recall / (1 + recall):.3f} at precision 1).")
        from benchmarks.comparable_quality import HANDWRITTEN

        folders = [ROOT / "seeds"] + sorted(p for p in HANDWRITTEN.iterdir() if p.is_dir())
        ceilings = {folder.name: signal_ceilings(folder, embedder, settings) for folder in folders}
        signals = [k for k in ceilings["seeds"] if k not in ("sentence pairs", "gold", "untrained")]
        print("\nSignal ceiling: every pair of sentences from different articles, no linking rule, each ranking at its "
              "best cut; pairs F1 (the seeds, then the hand-written cases the defaults were tuned on)")
        print("| corpus | sentence pairs | gold | " + " | ".join(signals) + " |")
        print("|---|---|---|" + "---|" * len(signals))
        for name, found in ceilings.items():
            print(f"| {name} | {found['sentence pairs']} | {found['gold']} | "
                  + " | ".join(f"{found[k][2]:.3f}" if k in found else "n/a" for k in signals) + " |")
        untrained = {name: found["untrained"] for name, found in ceilings.items() if found["untrained"]}
        if untrained:
            print("regression: pairs of articles it could not be trained without (ranked last): "
                  + ", ".join(f"{name} {count}" for name, count in untrained.items()))
        figures["one_to_one_ceiling"] = {"reachable": reachable, "gold": len(gold)}
        figures["signal_ceilings"] = {name: {k: (dict(zip(("precision", "recall", "f1"), v)) if isinstance(v, tuple) else v)
                                             for k, v in found.items()} for name, found in ceilings.items()}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
