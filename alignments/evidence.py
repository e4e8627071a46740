"""Lexical evidence that two English sentences report the same fact: chrF, numbers, names.

Numbers (alignments/numbers.py) are compared by value ("2 600" = "2,600" =
2600, "a thousand" = 1000) and by what they count, read from the sentence
(firefighters, troops, killed...): counting the same thing is evidence of the same fact,
and facts report the outlets whose values disagree. Names are
compared after folding to ASCII, with a fuzzy match for spelling variants
("Tokáyev" ~ "Tokayev", "Almatí" ~ "Almaty").
"""

from __future__ import annotations

import math
import re
from typing import Sequence

from anyascii import anyascii
from rapidfuzz import fuzz, process
from sacrebleu.metrics import CHRF

from alignments.numbers import UNSAID, NumberMention, whole

NAME_MATCH = 80
"""rapidfuzz ratio (0-100) above which two folded names count as the same."""

STOPWORDS = set(
    "the a an and or but of in on at to for from by with as is are was were be been this that these those it its "
    "he she they his her their we our you your i according after before since while when then there here also "
    "however meanwhile earlier now today officially all some many most other such".split()
)
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


def names(text: str) -> set[str]:
    """Capitalised words (not sentence-initial stopwords), folded to lowercase ASCII."""
    found = set()
    for match in WORD.finditer(text):
        word = match.group(0)
        folded = anyascii(word).lower().strip("'’-")
        if word[:1].isupper() and folded not in STOPWORDS and len(folded) > 2:
            found.add(folded)
    return found


class EntityAgreement:
    """Weighted overlap of the names and numbers two texts mention, over one collection of texts.

    Names are folded and spelling variants merged (fuzzy match), then every
    name and number is weighted by its inverse document frequency: sharing
    "Kazakhstan" in a corpus about Kazakhstan says little, sharing
    "Kalashnikov" or "5,135" says a lot.
    """

    def __init__(self, texts: Sequence[str], numbers: Sequence[Sequence[NumberMention]]) -> None:
        """`numbers`: each text's counts (`find_numbers`; the scorer reads them once for every signal)."""
        self._canonical: dict[str, list[str]] = {}  # first letter -> canonical names with it
        self._known: dict[str, str] = {}  # every name seen -> its canonical spelling
        of_text: dict[str, frozenset[str]] = {}  # a text repeated (syndicated copies) is read once
        for text, found in zip(texts, numbers):
            if text not in of_text:
                of_text[text] = self._features(text, found)
        self.features = [of_text[text] for text in texts]
        df: dict[str, int] = {}
        for features in self.features:
            for feature in features:
                df[feature] = df.get(feature, 0) + 1
        n = len(texts)
        self.weight = {feature: math.log((n + 1) / (count + 0.5)) for feature, count in df.items()}

    def _features(self, text: str, numbers: Sequence[NumberMention]) -> frozenset[str]:
        found = {f"#{m.value:g}" for m in numbers}
        for name in names(text):
            found.add(self._canonical_of(name))
        return frozenset(found)

    def _canonical_of(self, name: str) -> str:
        """The first-seen spelling this name is a variant of. A name seen before is looked up, not matched again,
        and a new one is matched only against names with its first letter (variants differ later: Tokayev,
        Tokaev, Tokajew), so the cost grows with the distinct names of one letter, not with every mention."""
        if name not in self._known:
            bucket = self._canonical.setdefault(name[:1], [])
            match = process.extractOne(name, bucket, scorer=fuzz.ratio, score_cutoff=NAME_MATCH)
            if match is None:
                bucket.append(name)
            self._known[name] = name if match is None else match[0]
        return self._known[name]

    def __call__(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Agreement (0-1) of two units, each given as indices of the texts it joins."""
        features_a = frozenset().union(*(self.features[i] for i in a))
        features_b = frozenset().union(*(self.features[i] for i in b))
        total = sum(self.weight[f] for f in features_a) + sum(self.weight[f] for f in features_b)
        if total <= 0:
            return 0.0
        return 2 * sum(self.weight[f] for f in features_a & features_b) / total


class QuantityAgreement:
    """Whether two units count the same things (firefighters, troops, killed...), whatever the values.

    Two outlets that give the number of troops sent report the same fact even
    when one says 2,600 and the other 3,600: that is a disagreement to
    report, which value matching alone would never pair. What a number counts
    is read from its sentence (`NumberMention.quantity`: "firefighters" and
    "fire fighters" are one key, a synonym group merges "soldiers" and
    "troops"). Dice overlap (0-1) of the keys each unit counts; 0 when either
    counts none. "500 people", where nothing says what happened to them, is
    no evidence: any two sentences may count people.
    """

    def __init__(self, numbers: Sequence[Sequence[NumberMention]]) -> None:
        """`numbers`: each text's counts (`find_numbers`, read once for every signal)."""
        self.counted = [frozenset(whole(m.quantity) for m in found if m.quantity and m.quantity != UNSAID) for found in numbers]

    def counts(self, unit: Sequence[int]) -> frozenset[str]:
        """What a unit (indices of the texts it joins) counts."""
        return frozenset().union(*(self.counted[i] for i in unit))

    def shared(self, a: Sequence[int], b: Sequence[int]) -> frozenset[str]:
        return self.counts(a) & self.counts(b)

    def __call__(self, a: Sequence[int], b: Sequence[int]) -> float:
        counted_a, counted_b = self.counts(a), self.counts(b)
        if not counted_a or not counted_b:
            return 0.0
        return 2 * len(counted_a & counted_b) / (len(counted_a) + len(counted_b))


class ChrF:
    """Sentence chrF between two English texts (0-1), averaged over both directions.

    Each text's character n-grams are extracted once (with sacrebleu's own
    functions), not once per pair, and each pair's n-grams are matched once
    for both directions (the matches are the same; hypothesis and reference
    counts swap): scoring thousands of candidate pairs would otherwise spend
    most of its time re-counting the same n-grams.
    """

    def __init__(self) -> None:
        self._metric = CHRF()
        self._ngrams: dict[str, tuple[list, list[int]]] = {}

    def _of(self, text: str) -> tuple[list, list[int]]:
        """The text's n-gram counters, one per order, and their totals."""
        if text not in self._ngrams:
            ngrams = self._metric._extract_reference_info([text])["ref_ngrams"][0]
            self._ngrams[text] = (ngrams, [sum(counter.values()) for counter in ngrams])
        return self._ngrams[text]

    def __call__(self, a: str, b: str) -> float:
        (ngrams_a, totals_a), (ngrams_b, totals_b) = self._of(a), self._of(b)
        a_to_b: list[int] = []
        b_to_a: list[int] = []
        for counter_a, counter_b, total_a, total_b in zip(ngrams_a, ngrams_b, totals_a, totals_b):
            hyp, ref, match = self._metric._get_match_statistics(counter_a, counter_b)
            a_to_b += [hyp, ref, match]
            b_to_a += [total_b if total_a else 0, total_a, match]
        return (self._metric._compute_f_score(a_to_b) + self._metric._compute_f_score(b_to_a)) / 200
