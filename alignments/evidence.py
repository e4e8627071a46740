"""Lexical evidence that two English sentences report the same fact: chrF, numbers, names.

Numbers are normalised ("2 600" = "2,600" = 2600, "a thousand" = 1000) and
tagged with the quantity they count (troops, killed, injured...) from the
words around them: counting the same quantity is evidence of the same fact,
and facts report the outlets whose values disagree. Names are
compared after folding to ASCII, with a fuzzy match for spelling variants
("Tokáyev" ~ "Tokayev", "Almatí" ~ "Almaty").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Mapping, Sequence

from anyascii import anyascii
from rapidfuzz import fuzz, process
from sacrebleu.metrics import CHRF

NAME_MATCH = 80
"""rapidfuzz ratio (0-100) above which two folded names count as the same."""

QUALIFIERS = r"(?:more than|over|at least|about|around|almost|nearly|some|up to|approximately|less than|fewer than|roughly|ponad|około)"
WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "a hundred": 100, "hundred": 100, "a thousand": 1000, "thousand": 1000,
}
NUMBER = re.compile(
    rf"(?:(?P<qualifier>{QUALIFIERS})\s+)?"
    r"(?P<value>\d{1,3}(?:[ ,\u00a0\u202f]\d{3})+(?!\d)|\d+(?:\.\d+)?|"
    + "|".join(sorted((re.escape(w) for w in WORD_NUMBERS), key=len, reverse=True))
    + r")\b(?P<suffix>st|nd|rd|th)?",
    re.IGNORECASE,
)
MONTHS = "january february march april may june july august september october november december".split()
STOPWORDS = set(
    "the a an and or but of in on at to for from by with as is are was were be been this that these those it its "
    "he she they his her their we our you your i according after before since while when then there here also "
    "however meanwhile earlier now today officially all some many most other such".split()
)
WORD = re.compile(r"[^\W\d_][\w'’-]*", re.UNICODE)


@dataclass(frozen=True)
class NumberMention:
    """A number in a sentence: its value, its words ("more than 2,600"), and what it counts."""

    value: float
    text: str
    quantity: str | None


def find_numbers(text: str, quantities: Mapping[str, Sequence[str]] = {}) -> list[NumberMention]:
    """Numbers that count something; years, dates, ordinals and article numbers are left out."""
    matches = list(NUMBER.finditer(text))
    mentions: list[NumberMention] = []
    for k, match in enumerate(matches):
        raw = match["value"].lower()
        if match["suffix"] or text[match.end() : match.end() + 1] == "-" or _is_date_or_label(text, match, raw):
            continue
        value = float(WORD_NUMBERS[raw]) if raw in WORD_NUMBERS else float(re.sub(r"[ ,\u00a0\u202f]", "", raw))
        after_end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        before_start = matches[k - 1].end() if k else 0
        after = text[match.end() : after_end].split()[:8]
        before = text[before_start : match.start()].split()[-6:]
        quantity = _quantity(" ".join(after), quantities)
        if quantity is None and (not after or not after[0][:1].isalnum()):  # "... amounts to 3,600."
            quantity = _quantity(" ".join(before), quantities)
        mentions.append(NumberMention(value, match.group(0).strip(), quantity))
    return mentions


def _is_date_or_label(text: str, match: re.Match, raw: str) -> bool:
    if raw.isdigit() and len(raw) == 4 and 1900 <= int(raw) <= 2100:
        return True
    words_before = text[: match.start()].lower().split()[-1:]
    words_after = text[match.end() :].lower().split()[:1]
    near = {w.strip(".,;:()") for w in words_before + words_after}
    return bool(near & set(MONTHS)) or bool(near & {"article", "no.", "brigade", "st", "nd", "rd"})


def _quantity(context: str, quantities: Mapping[str, Sequence[str]]) -> str | None:
    """The configured quantity whose keywords occur in `context`; with several, all of them ("police killed")."""
    context = f" {context.lower()} "
    found = [name for name, words in quantities.items() if any(re.search(rf"\b{re.escape(w)}", context) for w in words)]
    return " ".join(found) if found else None


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

    def __init__(self, texts: Sequence[str]) -> None:
        self._canonical: list[str] = []
        self.features = [self._features(text) for text in texts]
        df: dict[str, int] = {}
        for features in self.features:
            for feature in features:
                df[feature] = df.get(feature, 0) + 1
        n = len(texts)
        self.weight = {feature: math.log((n + 1) / (count + 0.5)) for feature, count in df.items()}

    def _features(self, text: str) -> frozenset[str]:
        found = {f"#{m.value:g}" for m in find_numbers(text)}
        for name in names(text):
            match = process.extractOne(name, self._canonical, scorer=fuzz.ratio, score_cutoff=NAME_MATCH)
            if match is None:
                self._canonical.append(name)
                found.add(name)
            else:
                found.add(match[0])
        return frozenset(found)

    def __call__(self, a: Sequence[int], b: Sequence[int]) -> float:
        """Agreement (0-1) of two units, each given as indices of the texts it joins."""
        features_a = frozenset().union(*(self.features[i] for i in a))
        features_b = frozenset().union(*(self.features[i] for i in b))
        total = sum(self.weight[f] for f in features_a) + sum(self.weight[f] for f in features_b)
        if total <= 0:
            return 0.0
        return 2 * sum(self.weight[f] for f in features_a & features_b) / total


class QuantityAgreement:
    """Whether two units count the same things (troops, killed, injured...), whatever the values.

    Two outlets that give the number of troops sent report the same fact even
    when one says 2,600 and the other 3,600: that is a disagreement to
    report, which value matching alone would never pair. Dice overlap (0-1)
    of the quantities each unit counts; 0 when either counts none.
    """

    def __init__(self, texts: Sequence[str], quantities: Mapping[str, Sequence[str]]) -> None:
        self.counted = [frozenset(m.quantity for m in find_numbers(text, quantities) if m.quantity) for text in texts]

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
