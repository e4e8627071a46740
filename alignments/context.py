"""What an alignment signal may read: the texts, their vectors and counts, and the settings; nothing of the scorer.

`Similarity` keeps one view's vectors (the English with the English embedder,
or the original texts with a multilingual one) of single sentences and of
two-sentence units, and a distance margin after Artetxe and Schwenk (2019):
the cosine minus the mean of each side's k best cosines in the other side's
article. `Views`
holds one `Similarity` per view and gives, for a pair, what the view that shows
it best says: a weak translation does not hide a pair that the originals show.
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
    """Cosines and distance margins between units, with two-sentence units embedded on demand."""

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
        """Cosine and distance margin: the cosine minus the mean of both sides' k best cosines in the other's article.

        A difference, not the ratio of Artetxe and Schwenk (2019): the ratio divides by the neighbours' cosines, and
        where nothing in the other article is close (unrelated articles, other events of a large corpus) it makes
        a pair out of nothing (cosine 0.008 over neighbours near zero gave a ratio of 6)."""
        cosine = float(self.vector(a) @ self.vector(b))
        knn = (self._knn_in_article(a, b) + self._knn_in_article(b, a)) / 2
        return cosine, cosine - knn


class Views:
    """The views of one alignment (`english`, `original`), each a `Similarity`; a pair reads its best view."""

    def __init__(self, views: dict[str, Similarity]) -> None:
        self.views = views

    def prepare(self, units: list[Unit]) -> None:
        for similarity in self.views.values():
            similarity.prepare(units)

    def cosines(self, a: Unit, b: Unit) -> dict[str, tuple[float, float]]:
        """Each view's (cosine, distance margin)."""
        return {name: similarity.margin(a, b) for name, similarity in self.views.items()}

    def cosine(self, a: Unit, b: Unit) -> float:
        """The best cosine over the views, without margins (two units of one article)."""
        return max(float(s.vector(a) @ s.vector(b)) for s in self.views.values())

    def margin(self, a: Unit, b: Unit) -> tuple[float, float]:
        """The best cosine and the best distance margin over the views."""
        found = self.cosines(a, b).values()
        return max(c for c, _ in found), max(m for _, m in found)


@dataclass
class SignalContext:
    """Everything a signal is given, built once per alignment."""

    texts: list[str]
    """What chrF, names and numbers are read from: the English (`on: both` or `english`), else the original texts."""
    settings: AlignmentSettings
    similarity: Views
    numbers: list[list[NumberMention]] = field(default_factory=list)
    """Each text's counts, read once for every signal that looks at numbers."""
    quantities: QuantityAgreement | None = None
    """Which quantities each text counts; the aligner also uses it to add candidates and second links."""
    languages: list[str] = field(default_factory=list)
    """The language of each of `texts` (`en` for the English); empty when unknown (all taken as one)."""

    def same_language(self, a: Unit, b: Unit) -> bool:
        return not self.languages or self.languages[a[0]] == self.languages[b[0]]

    def unit_text(self, unit: Unit) -> str:
        return " ".join(self.texts[i] for i in unit)

    @classmethod
    def build(cls, texts: list[str], vectors: np.ndarray, articles: np.ndarray, settings: AlignmentSettings,
              embed: Callable[[list[str]], np.ndarray],
              views: dict[str, tuple[list[str], np.ndarray, Callable[[list[str]], np.ndarray]]] | None = None,
              languages: Sequence[str] = ()) -> "SignalContext":
        """`texts`, `vectors` and `embed` are the one view of `settings.on`; or give `views`: name -> (texts, vectors,
        embed) for each of `settings.views`, `texts` then being what chrF, names and numbers read, in `languages`."""
        views = views or {settings.views[0]: (texts, vectors, embed)}
        similarity = Views({name: Similarity(v, articles, settings.neighbours, e, t) for name, (t, v, e) in views.items()})
        numbers = [find_numbers(text, settings.quantities, parser=settings.counts_parser) for text in texts]
        return cls(texts, settings, similarity, numbers, QuantityAgreement(numbers), list(languages))
