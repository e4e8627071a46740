"""Language identification of segments with lingua, restricted to a configured language set."""

from __future__ import annotations

import re
from collections import Counter
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

    def foreign(self, text: str) -> str | None:
        """A language outside the configured set that the text is confidently in, else None."""
        cleaned = NOISE.sub(" ", text)
        if sum(ch.isalpha() for ch in cleaned) < FOREIGN_MIN_LETTERS:
            return None
        values = self._everything.compute_language_confidence_values(cleaned)
        if not values or values[0].value < FOREIGN_CONFIDENCE:
            return None
        code = values[0].language.iso_code_639_1.name.lower()
        return None if code in self.languages else code

    def candidates(self, text: str) -> list[tuple[str, float]]:
        """(language, confidence) best first; empty when the text has no letters to judge."""
        cleaned = NOISE.sub(" ", text)
        if not any(ch.isalpha() for ch in cleaned):
            return []
        values = self._detector.compute_language_confidence_values(cleaned)
        return [(v.language.iso_code_639_1.name.lower(), v.value) for v in values if v.value > 0]

    def detect(self, text: str, fallback: str) -> str:
        """The most plausible language; `fallback` (the article's) when unsure."""
        foreign = self.foreign(text)
        if foreign:
            return foreign
        ranked = self.candidates(text)
        if not ranked:
            return fallback
        best, confidence = ranked[0]
        if confidence >= self.min_confidence:
            return best
        close = {lang for lang, value in ranked if value >= confidence * CLOSE_CANDIDATE}
        return fallback if fallback in close else best

    def dominant(self, texts: Sequence[str]) -> str:
        """The article's language: detections weighted by text length."""
        votes: Counter[str] = Counter()
        for text in texts:
            foreign = self.foreign(text)
            ranked = [(foreign, 1.0)] if foreign else self.candidates(text)
            if ranked:
                votes[ranked[0][0]] += len(text)
        return votes.most_common(1)[0][0] if votes else UNDETERMINED
