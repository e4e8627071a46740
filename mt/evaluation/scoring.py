"""Corpus scores with confidence intervals, paired significance tests, breakdowns, worst sentences."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field
from typing import Iterator, Sequence

from sacrebleu.metrics import CHRF
from sacrebleu.significance import PairedTest

from mt.config import load_config
from mt.evaluation.metrics import make_metric


@dataclass
class EvalSet:
    """What is scored: references, one or more systems' hypotheses, optional sources and groups."""

    references: list[str]
    systems: dict[str, list[str]]
    sources: list[str] | None = None
    ids: list[str] | None = None
    groups: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.references:
            raise ValueError("nothing to score: no reference sentences")
        for name, hypotheses in self.systems.items():
            if len(hypotheses) != len(self.references):
                raise ValueError(f"system '{name}' has {len(hypotheses)} lines but the references have {len(self.references)}")


@dataclass
class MetricScore:
    metric: str
    score: float
    ci: float | None
    signature: str
    text: str


@dataclass
class PairedResult:
    metric: str
    difference: float
    p_bootstrap: float
    p_randomisation: float


@dataclass
class SystemReport:
    name: str
    scores: dict[str, MetricScore]
    paired: dict[str, PairedResult] = field(default_factory=dict)


@dataclass
class WorstSentence:
    id: str | None
    chrf: float
    source: str | None
    hypothesis: str
    reference: str


@dataclass
class EvaluationReport:
    systems: list[SystemReport]
    breakdown: dict[str, dict[str, dict[str, dict[str, float]]]]
    worst: list[WorstSentence]
    settings: dict[str, object]


@contextlib.contextmanager
def sacrebleu_seed(seed: int) -> Iterator[None]:
    """sacrebleu reads its seed from the environment; set it for this call only."""
    previous = os.environ.get("SACREBLEU_SEED")
    os.environ["SACREBLEU_SEED"] = str(seed)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("SACREBLEU_SEED", None)
        else:
            os.environ["SACREBLEU_SEED"] = previous


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str], metrics: Sequence[str], n_bootstrap: int) -> dict[str, MetricScore]:
    scores: dict[str, MetricScore] = {}
    for name in metrics:
        metric = make_metric(name)
        result = metric.corpus_score(list(hypotheses), [list(references)], n_bootstrap=n_bootstrap)
        ci = float(result._ci) if n_bootstrap > 1 else None
        signature = f"{result.name}|{metric.get_signature()}"
        scores[name] = MetricScore(name, float(result.score), ci, signature, result.format())
    return scores


def paired_tests(
    systems: dict[str, list[str]], references: Sequence[str], metrics: Sequence[str], n_bootstrap: int, n_randomisation: int
) -> dict[str, dict[str, PairedResult]]:
    """p-values of every system against the first, by paired bootstrap and approximate randomisation."""
    named = list(systems.items())
    results: dict[str, dict[str, PairedResult]] = {name: {} for name, _ in named[1:]}
    by_test = {}
    for test, samples in (("bs", n_bootstrap), ("ar", n_randomisation)):
        test_metrics = {name: make_metric(name) for name in metrics}
        _, table = PairedTest(named, test_metrics, [list(references)], test_type=test, n_samples=samples)()
        by_test[test] = table
    for column in metrics:
        key = next(k for k in by_test["bs"] if k.lower().replace("2", "").startswith(column.replace("++", "")) and _same_metric(k, column))
        baseline = by_test["bs"][key][0].score
        for position, (name, _) in enumerate(named[1:], start=1):
            bs, ar = by_test["bs"][key][position], by_test["ar"][key][position]
            results[name][column] = PairedResult(column, bs.score - baseline, float(bs.p_value), float(ar.p_value))
    return results


def _same_metric(column: str, name: str) -> bool:
    column = column.lower()
    return {"bleu": column == "bleu", "chrf": column == "chrf2", "chrf++": column == "chrf2++", "ter": column == "ter"}[name]


def breakdown(evalset: EvalSet, metrics: Sequence[str]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """group kind -> group value -> system -> metric -> score (no intervals: groups are small)."""
    table: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for kind, labels in evalset.groups.items():
        table[kind] = {}
        for value in sorted(set(labels)):
            rows = [i for i, label in enumerate(labels) if label == value]
            refs = [evalset.references[i] for i in rows]
            table[kind][value] = {
                system: {m: s.score for m, s in corpus_scores([hyps[i] for i in rows], refs, metrics, 1).items()}
                for system, hyps in evalset.systems.items()
            }
    return table


def worst_sentences(evalset: EvalSet, n: int) -> list[WorstSentence]:
    """The first system's n lowest sentence-level chrF scores, source and reference beside them."""
    chrf = CHRF()
    hypotheses = next(iter(evalset.systems.values()))
    scored = [(chrf.sentence_score(h, [r]).score, i) for i, (h, r) in enumerate(zip(hypotheses, evalset.references))]
    return [
        WorstSentence(
            evalset.ids[i] if evalset.ids else str(i + 1),
            round(score, 2),
            evalset.sources[i] if evalset.sources else None,
            hypotheses[i],
            evalset.references[i],
        )
        for score, i in sorted(scored)[:n]
    ]


def evaluate(
    evalset: EvalSet,
    metrics: Sequence[str] | None = None,
    n_bootstrap: int | None = None,
    n_randomisation: int | None = None,
    seed: int | None = None,
    worst: int | None = None,
) -> EvaluationReport:
    """Score every system; with two or more, test each against the first. Deterministic for a seed.

    None takes the configured value (`evaluation` in configs/defaults.yaml).
    """
    defaults = load_config()["evaluation"]
    metrics = list(metrics) if metrics else defaults["metrics"]
    n_bootstrap = defaults["bootstrap"] if n_bootstrap is None else n_bootstrap
    n_randomisation = defaults["randomisation"] if n_randomisation is None else n_randomisation
    seed = defaults["seed"] if seed is None else seed
    worst = defaults["worst"] if worst is None else worst
    with sacrebleu_seed(seed):
        systems = [SystemReport(name, corpus_scores(h, evalset.references, metrics, n_bootstrap)) for name, h in evalset.systems.items()]
        if len(systems) > 1:
            paired = paired_tests(evalset.systems, evalset.references, metrics, n_bootstrap, n_randomisation)
            for report in systems[1:]:
                report.paired = paired[report.name]
    settings = {"metrics": list(metrics), "n_bootstrap": n_bootstrap, "n_randomisation": n_randomisation, "seed": seed,
                "sentences": len(evalset.references)}
    return EvaluationReport(systems, breakdown(evalset, metrics), worst_sentences(evalset, worst), settings)
