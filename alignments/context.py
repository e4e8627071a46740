"""What an alignment signal may read: the texts, their vectors and counts, and the settings; nothing of the scorer.

`Similarity` keeps the vectors of single sentences and of two-sentence units,
and the ratio margin of Artetxe and Schwenk (2019) with each side's k nearest
neighbours taken in the other side's article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from alignments.evidence import QuantityAgreement
from alignments.numbers import NumberMention, find_numbers
from alignments.settings import AlignmentSettings

Unit = tuple[int, ...]
"""One side of a pair: indices of one segment, or of two adjacent segments, in the aligned list."""


class Similarity:
    """Cosines and ratio margins between units, with two-sentence units embedded on demand."""

    def __init__(self, vectors: np.ndarray, articles: np.ndarray, neighbours: int,
                 embed: Callable[[list[str]], np.ndarray], texts: Sequence[str]) -> None:
        self.vectors, self.neighbours, self.embed, self.texts = vectors, neighbours, embed, texts
        self.article_of = list(articles)
        self.rows_of_article = {a: np.flatnonzero(articles == a) for a in set(self.article_of)}
        self._unit_vectors: dict[Unit, np.ndarray] = {}
        self._knn: dict[tuple[Unit, str], float] = {}

    def unit_text(self, unit: Unit) -> str:
        return " ".join(self.texts[i] for i in unit)

    def prepare(self, units: list[Unit]) -> None:
        """Embed the concatenated text of two-sentence units, all at once."""
        todo = [u for u in dict.fromkeys(units) if len(u) > 1 and u not in self._unit_vectors]
        if todo:
            for unit, vector in zip(todo, self.embed([self.unit_text(u) for u in todo])):
                self._unit_vectors[unit] = vector

    def vector(self, unit: Unit) -> np.ndarray:
        return self.vectors[unit[0]] if len(unit) == 1 else self._unit_vectors[unit]

    def _knn_in_article(self, unit: Unit, other: Unit) -> float:
        """Mean of the k best cosines of `unit` with the sentences of `other`'s article."""
        key = (unit, self.article_of[other[0]])
        if key not in self._knn:
            rows = self.rows_of_article[key[1]]
            sims = self.vectors[rows] @ self.vector(unit)
            k = min(self.neighbours, len(rows))
            self._knn[key] = float(np.sort(sims)[-k:].mean())
        return self._knn[key]

    def margin(self, a: Unit, b: Unit) -> tuple[float, float]:
        """Cosine and ratio margin: the cosine over the mean of both sides' k best cosines in the other's article."""
        cosine = float(self.vector(a) @ self.vector(b))
        knn = (self._knn_in_article(a, b) + self._knn_in_article(b, a)) / 2
        return cosine, (cosine / knn if knn > 0 else cosine)


@dataclass
class SignalContext:
    """Everything a signal is given, built once per alignment."""

    texts: list[str]
    settings: AlignmentSettings
    similarity: Similarity
    numbers: list[list[NumberMention]] = field(default_factory=list)
    """Each text's counts, read once for every signal that looks at numbers."""
    quantities: QuantityAgreement | None = None
    """Which quantities each text counts; the aligner also uses it to add candidates and second links."""

    @classmethod
    def build(cls, texts: list[str], vectors: np.ndarray, articles: np.ndarray, settings: AlignmentSettings,
              embed: Callable[[list[str]], np.ndarray]) -> "SignalContext":
        numbers = [find_numbers(text, settings.quantities) for text in texts]
        return cls(texts, settings, Similarity(vectors, articles, settings.neighbours, embed, texts), numbers,
                   QuantityAgreement(texts, settings.quantities, numbers))
