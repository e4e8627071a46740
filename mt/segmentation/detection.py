"""Language identification of segments with lingua, restricted to a configured language set.

Only what the input needs is loaded: a detector over the configured languages; a cheap screen over every
language (lingua's low accuracy mode, trigram models only: about 0.6 s and 50 MB) for texts long enough to
be in some other language; and, only for a text the screen puts outside the configured set, the full models of
the screen's best candidates weighed against the configured languages (a fraction of a second, where the full
models of every language cost 6 to 10 s and 1.2 GB to load). With one configured language nothing is detected:
every segment is that language, and lingua loads nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Sequence

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from mt.errors import UserError
from mt.languages import UNDETERMINED

KNOWN_LANGUAGES = sorted(language.iso_code_639_1.name.lower() for language in Language.all())
"""The ISO 639-1 codes lingua can tell apart: what `segmentation.languages` accepts."""

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

SCREEN_CANDIDATES = 5
"""How many of the screen's best languages the full models weigh against the configured ones, for a text the
screen puts outside the configured set.

Measured against the full models of every language (mt/segmentation/detection.py before this constant): on the
8,061 FLORES lines of pol, eng, rus and spa (dev and devtest) and 28 sentences in 26 other languages, the 90 texts
the screen sent on got the same decision with 3, 5 or 10 candidates, 23 of them named another language; checking
them took 0.06 s instead of about 6.5 s for loading every language's models."""


@dataclass(frozen=True)
class Detection:
    """What lingua says about one text, before the article's language (the fallback) is known."""

    foreign: str | None
    """A language outside the configured set that the text is confidently in."""
    ranked: list[tuple[str, float]]
    """Configured languages with their confidence, best first; empty when foreign or when there are no letters."""


class LanguageSettingsError(UserError, ValueError):
    """`segmentation.languages` names a code lingua does not know, or no language at all."""


def check_languages(languages: Sequence[str]) -> list[str]:
    """The configured codes, lower-cased and without repeats; a one-line error for an unknown or empty list."""
    codes = list(dict.fromkeys(str(code).strip().lower() for code in languages))
    unknown = [code for code in codes if code not in KNOWN_LANGUAGES]
    if unknown:
        raise LanguageSettingsError(
            f"unknown language code(s) {', '.join(unknown)} in segmentation.languages (--languages): "
            f"use ISO 639-1 codes lingua knows: {', '.join(KNOWN_LANGUAGES)}"
        )
    if not codes:
        raise LanguageSettingsError("segmentation.languages (--languages) is empty: name at least one ISO 639-1 code, such as pl")
    return codes


class LanguageIdentifier:
    """Detects the language of short segments; the article's language breaks ties.

    Built once per run. One configured language means no detection at all (every text is in it). With more,
    lingua loads its models for the configured languages, the screen's trigram models, and the full models of
    a few other languages only when some text needs them (`weighed`).
    """

    def __init__(self, languages: Sequence[str], min_confidence: float = 0.6) -> None:
        self.languages = check_languages(languages)
        self.min_confidence = min_confidence
        self._configured = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in self.languages]
        self._detector: LanguageDetector | None = (
            LanguageDetectorBuilder.from_languages(*self._configured).build() if len(self._configured) > 1 else None
        )
        self._screen: LanguageDetector | None = None
        self.weighed: set[str] = set()
        """The languages outside the configured set whose full models some text needed (loading them is the slow part)."""

    def analyse(self, texts: Sequence[str]) -> list[Detection]:
        """Each text's Detection. Lingua is nearly all of segmentation's time, so the texts go to it in one batch,
        which it spreads over every core (same values as one call per text)."""
        if self._detector is None:
            return [Detection(None, [(self.languages[0], 1.0)]) for _ in texts]
        cleaned = [NOISE.sub(" ", text) for text in texts]
        foreign = self._foreign(cleaned)
        ranked: list[list[tuple[str, float]]] = [[] for _ in texts]
        lettered = [i for i, text in enumerate(cleaned) if foreign[i] is None and any(map(str.isalpha, text))]
        for i, values in zip(lettered, self._detector.compute_language_confidence_values_in_parallel([cleaned[i] for i in lettered])):
            ranked[i] = [(_code(v.language), v.value) for v in values if v.value > 0]
        return [Detection(code, languages) for code, languages in zip(foreign, ranked)]

    def _foreign(self, cleaned: Sequence[str]) -> list[str | None]:
        """For each text, the language outside the configured set it is confidently in, else None.

        Only a text the screen (trigram models of every language) puts in another language goes on, to the full
        models of the configured languages and of the screen's SCREEN_CANDIDATES best, which decide
        (FOREIGN_CONFIDENCE). The screen is not trusted on its own: the fast trigram mode is sure of nonsense
        ("Lukashenka wants to become Belarusian Nazarbayev": Tswana, 0.997), so it can send a text on, never name
        its language.
        """
        foreign: list[str | None] = [None] * len(cleaned)
        wordy = [i for i, text in enumerate(cleaned) if sum(map(str.isalpha, text)) >= FOREIGN_MIN_LETTERS]
        if not wordy:
            return foreign
        if self._screen is None:
            self._screen = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()
        screened = self._screen.compute_language_confidence_values_in_parallel([cleaned[i] for i in wordy])
        for i, values in zip(wordy, screened):
            if values and _code(values[0].language) not in self.languages:
                candidates = {v.language for v in values[:SCREEN_CANDIDATES]}
                self.weighed |= {_code(language) for language in candidates} - set(self.languages)
                weighed = LanguageDetectorBuilder.from_languages(*candidates, *self._configured).build()
                values = weighed.compute_language_confidence_values(cleaned[i])
                if values and values[0].value >= FOREIGN_CONFIDENCE and _code(values[0].language) not in self.languages:
                    foreign[i] = _code(values[0].language)
        return foreign

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


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()
