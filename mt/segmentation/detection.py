"""Language identification of segments with lingua, restricted to a configured language set."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from mt.languages import UNDETERMINED

NOISE = re.compile(
    r"https?://\S+|pic\.twitter\.com/\S+|\b[\w-]+\.(?:com|net|org|pl|ru|ua|kz|by|info|io)\b|@\w+|#"
)
"""URLs, domains, handles and hash signs say nothing about a sentence's language."""

CLOSE_CANDIDATE = 0.5
"""A language within this fraction of the best confidence counts as a close candidate."""

FOREIGN_CONFIDENCE = 0.8
"""Confidence (over every language lingua knows) above which a language outside the configured set is named.

Below it the configured set decides: a line of names must not become a language of its own (an English
headline of names scores 0.15 at best), while Japanese, Greek or a German sentence score 0.93 to 1.0."""

FOREIGN_MIN_LETTERS = 20
"""Letters a text needs before a language outside the configured set is believed at all."""


@dataclass(frozen=True)
class Detection:
    """What lingua says about one text, before the article's language (the fallback) is known."""

    foreign: str | None
    """A language outside the configured set that the text is confidently in."""
    ranked: list[tuple[str, float]]
    """Configured languages with their confidence, best first; empty when foreign or when there are no letters."""


class LanguageIdentifier:
    """Detects the language of short segments; the article's language breaks ties.

    Built once per run: lingua loads its models for the configured languages.
    """

    def __init__(self, languages: Sequence[str], min_confidence: float = 0.6) -> None:
        unknown = [code for code in languages if not hasattr(IsoCode639_1, code.upper())]
        if unknown:
            raise ValueError(f"unknown language codes {unknown}; use ISO 639-1 codes such as pl, en, ru")
        if len(languages) < 2:
            raise ValueError("language detection needs at least two languages to choose from")
        self.languages = list(languages)
        self.min_confidence = min_confidence
        chosen = [Language.from_iso_code_639_1(getattr(IsoCode639_1, c.upper())) for c in languages]
        self._detector: LanguageDetector = LanguageDetectorBuilder.from_languages(*chosen).build()
        # Every language lingua knows: names what the configured set cannot. High accuracy, since the fast trigram
        # mode is sure of nonsense ("Lukashenka wants to become Belarusian Nazarbayev": Tswana, 0.997). Its models
        # load on first use, once per process (about 10 s and 1.2 GB).
        self._everything: LanguageDetector = LanguageDetectorBuilder.from_all_languages().build()

    def analyse(self, texts: Sequence[str]) -> list[Detection]:
        """Each text's Detection. Lingua is nearly all of segmentation's time, so the texts go to it in one batch,
        which it spreads over every core (same values as one call per text)."""
        cleaned = [NOISE.sub(" ", text) for text in texts]
        foreign: list[str | None] = [None] * len(texts)
        wordy = [i for i, text in enumerate(cleaned) if sum(map(str.isalpha, text)) >= FOREIGN_MIN_LETTERS]
        for i, values in zip(wordy, self._everything.compute_language_confidence_values_in_parallel([cleaned[i] for i in wordy])):
            if values and values[0].value >= FOREIGN_CONFIDENCE and _code(values[0].language) not in self.languages:
                foreign[i] = _code(values[0].language)
        ranked: list[list[tuple[str, float]]] = [[] for _ in texts]
        lettered = [i for i, text in enumerate(cleaned) if foreign[i] is None and any(map(str.isalpha, text))]
        for i, values in zip(lettered, self._detector.compute_language_confidence_values_in_parallel([cleaned[i] for i in lettered])):
            ranked[i] = [(_code(v.language), v.value) for v in values if v.value > 0]
        return [Detection(code, languages) for code, languages in zip(foreign, ranked)]

    def decide(self, detection: Detection, fallback: str) -> str:
        """The most plausible language; `fallback` (the article's) when unsure."""
        if detection.foreign:
            return detection.foreign
        if not detection.ranked:
            return fallback
        best, confidence = detection.ranked[0]
        if confidence >= self.min_confidence:
            return best
        close = {lang for lang, value in detection.ranked if value >= confidence * CLOSE_CANDIDATE}
        return fallback if fallback in close else best

    def vote(self, texts: Sequence[str], detections: Sequence[Detection]) -> str:
        """The article's language: each text's best language, weighted by the text's length."""
        votes: Counter[str] = Counter()
        for text, detection in zip(texts, detections):
            best = detection.foreign or (detection.ranked[0][0] if detection.ranked else None)
            if best:
                votes[best] += len(text)
        return votes.most_common(1)[0][0] if votes else UNDETERMINED

    def detect(self, text: str, fallback: str) -> str:
        """One text's language (`decide` on its Detection)."""
        return self.decide(self.analyse([text])[0], fallback)

    def dominant(self, texts: Sequence[str]) -> str:
        """The language of texts taken together (`vote` on their Detections)."""
        return self.vote(texts, self.analyse(texts))


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()
