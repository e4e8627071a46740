"""The metrics `mt evaluate` computes, all from sacrebleu, with their defaults as named constants."""

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

DEFAULT_METRICS = ("bleu", "chrf", "chrf++", "ter")
DEFAULT_BOOTSTRAP = 1000
"""Resamples for the 95% confidence intervals and the paired bootstrap test."""
DEFAULT_RANDOMISATION = 10000
"""Trials of the approximate randomisation test (sacrebleu's default)."""
DEFAULT_SEED = 12345
"""sacrebleu's own default seed: the same inputs give the same intervals and p-values."""
DEFAULT_WORST = 10
LOWER_IS_BETTER = {"ter"}


def make_metric(name: str) -> Metric:
    try:
        return METRICS[name.lower()]()
    except KeyError:
        raise ValueError(f"unknown metric '{name}'; choose from {', '.join(METRICS)}") from None
