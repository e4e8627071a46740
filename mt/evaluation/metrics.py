"""The metrics `mt evaluate` computes, all from sacrebleu; which ones and how many resamples: `evaluation` in
configs/defaults.yaml."""

from __future__ import annotations

from typing import Callable

from sacrebleu.metrics import BLEU, CHRF, TER
from sacrebleu.metrics.base import Metric

METRICS: dict[str, Callable[[], Metric]] = {
    "bleu": BLEU,
    "chrf": CHRF,
    "chrf++": lambda: CHRF(word_order=2),
    "ter": TER,
}
"""sacrebleu's own defaults: BLEU tok 13a with exp smoothing, chrF2 with n=6, chrF++ adds word bigrams."""

LOWER_IS_BETTER = {"ter"}


def make_metric(name: str) -> Metric:
    try:
        return METRICS[name.lower()]()
    except KeyError:
        raise ValueError(f"unknown metric '{name}'; choose from {', '.join(METRICS)}") from None
