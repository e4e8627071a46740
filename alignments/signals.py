"""Alignment signals: evidence that two units (one or two adjacent sentences) report the same fact.

Adding a signal is one class plus one line in SIGNALS (and, when weighted, its
weight under `alignment.weights` in configs/defaults.yaml). A signal sees only a
`SignalContext` (texts, vectors, counts, settings). The scorer computes every
registered signal for each candidate pair and keeps them all in the pair's
`signals`; the published `pairs` configuration has a column per signal, the
card and `mt align --help` describe them from their docstrings, and the quality
benchmark ablates each one, all read from this registry.
"""

from __future__ import annotations

import inspect
from typing import Mapping, Sequence

from alignments.context import SignalContext, Unit
from alignments.evidence import ChrF, EntityAgreement


class Signal:
    """One signal over one set of texts; `weighted` signals add `weight x value` to the combined score."""

    name: str = ""
    weighted: bool = True

    def __init__(self, context: SignalContext) -> None:
        self.context = context

    def __call__(self, a: Unit, b: Unit) -> float:
        raise NotImplementedError


class Cosine(Signal):
    """Cosine of the two units' sentence vectors, on the view that shows it best (alignment.floor bounds it)."""

    name = "cosine"

    def __call__(self, a, b):
        return self.context.similarity.margin(a, b)[0]


class ViewCosine(Signal):
    """Cosine on one view; reported, not weighted; null when the alignment does not use that view."""

    weighted = False
    view = ""

    def __call__(self, a, b):
        views = self.context.similarity.views
        return views[self.view].margin(a, b)[0] if self.view in views else None


class CosineEnglish(ViewCosine):
    """Cosine of the two units' English, with the English embedder (null when the English is not compared)."""

    name, view = "cosine_english", "english"


class CosineOriginal(ViewCosine):
    """Cosine of the two units' original texts, with the multilingual embedder (null when they are not compared)."""

    name, view = "cosine_original", "original"


class Margin(Signal):
    """Distance margin: cosine minus the mean of both sides' k best cosines in the other's article (best view)."""

    name = "margin"

    def __call__(self, a, b):
        return self.context.similarity.margin(a, b)[1]


class Chrf(Signal):
    """Sentence chrF of the two texts, both directions averaged (0-1); 0 between two languages (`on: original`)."""

    name = "chrf"

    def __init__(self, context):
        super().__init__(context)
        self.chrf = ChrF()

    def __call__(self, a, b):
        if not self.context.same_language(a, b):
            return 0.0  # characters of two languages: only the names match, and `entities` already weighs them
        unit_text = self.context.unit_text
        return self.chrf(unit_text(a), unit_text(b))


class Entities(Signal):
    """IDF-weighted agreement of the names and numbers both mention (0-1)."""

    name = "entities"

    def __init__(self, context):
        super().__init__(context)
        self.agreement = EntityAgreement(context.texts, context.numbers)

    def __call__(self, a, b):
        return self.agreement(a, b)


class Quantities(Signal):
    """Whether both count the same things (troops, killed...), whatever the values (Dice, 0-1)."""

    name = "quantities"

    def __call__(self, a, b):
        return self.context.quantities(a, b)


SIGNALS: dict[str, type[Signal]] = {
    "cosine": Cosine,
    "cosine_english": CosineEnglish,
    "cosine_original": CosineOriginal,
    "margin": Margin,
    "chrf": Chrf,
    "entities": Entities,
    "quantities": Quantities,
}
"""Every signal, in the order of each pair's `signals` and of the published columns."""


def weighted_signals() -> list[str]:
    return [name for name, cls in SIGNALS.items() if cls.weighted]


def signal_names() -> Sequence[str]:
    return list(SIGNALS)


def describe_signal(name: str) -> str:
    """The first line of the signal's docstring: what the card and `--help` say of it."""
    return inspect.getdoc(SIGNALS[name]).splitlines()[0]


def check_weights(weights: Mapping[str, float]) -> None:
    """Every weighted signal needs a weight; a missing one is a settings error, not a silent zero."""
    missing = [name for name in weighted_signals() if name not in weights]
    if missing:
        raise ValueError(f"alignment.weights has no weight for the signal(s) {', '.join(missing)}")
