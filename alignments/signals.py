"""Alignment signals: evidence that two units (one or two adjacent sentences) report the same fact.

Adding a signal is one class plus one line in SIGNALS. The scorer computes
every registered signal for each candidate pair and keeps them all in the
pair's `signals`; the published `pairs` configuration has a column per signal,
the card lists their weights, and the quality benchmark ablates each one, all
read from this registry. A weighted signal also needs its weight under
`alignment.weights` in configs/defaults.yaml.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from alignments.evidence import ChrF, EntityAgreement, QuantityAgreement

if TYPE_CHECKING:
    from alignments.comparable import PairScorer, Unit


class Signal:
    """One signal over one set of texts; `weighted` signals add `weight x value` to the combined score."""

    name: str = ""
    weighted: bool = True

    def __init__(self, scorer: "PairScorer") -> None:
        self.scorer = scorer

    def __call__(self, a: "Unit", b: "Unit") -> float:
        raise NotImplementedError


class Cosine(Signal):
    """Cosine of the two units' sentence vectors: reported, not weighted (the margin corrects it)."""

    name, weighted = "cosine", False

    def __call__(self, a, b):
        return self.scorer.margin(a, b)[0]


class Margin(Signal):
    """Ratio margin (Artetxe and Schwenk 2019): cosine over both sides' k best cosines in the other's article."""

    name = "margin"

    def __call__(self, a, b):
        return self.scorer.margin(a, b)[1]


class Chrf(Signal):
    """Sentence chrF of the two texts, both directions averaged (0-1)."""

    name = "chrf"

    def __init__(self, scorer):
        super().__init__(scorer)
        self.chrf = ChrF()

    def __call__(self, a, b):
        return self.chrf(self.scorer.unit_text(a), self.scorer.unit_text(b))


class Entities(Signal):
    """IDF-weighted agreement of the names and numbers both mention (0-1)."""

    name = "entities"

    def __init__(self, scorer):
        super().__init__(scorer)
        self.agreement = EntityAgreement(scorer.texts, scorer.numbers)

    def __call__(self, a, b):
        return self.agreement(a, b)


class Quantities(Signal):
    """Whether both count the same things (troops, killed...), whatever the values (Dice, 0-1)."""

    name = "quantities"

    def __init__(self, scorer):
        super().__init__(scorer)
        self.agreement = QuantityAgreement(scorer.texts, scorer.settings.quantities, scorer.numbers)

    def __call__(self, a, b):
        return self.agreement(a, b)


SIGNALS: dict[str, type[Signal]] = {
    "cosine": Cosine,
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
