"""Sentence splitting: sentencex finds candidate boundaries, a few rules undo the wrong ones.

sentencex (Wikimedia, ~300 languages) gives character offsets but splits after
Polish abbreviations such as "tzw." and inside quotations; `SentenceSplitter`
merges those pieces back. Spans never include surrounding whitespace.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

import sentencex

from mt.config import load_config

OPENERS = {"„": "”", "«": "»", "“": "”", "(": ")", "[": "]"}
STRAIGHT_QUOTE = '"'
ROMAN_CENTURY = re.compile(r"[IVXL]+\s+\w*\s*(?:w\.|wieku|века|в\.|siglo)", re.I)
"""A Roman-numeral century after an ordinal decade: 'lat 70. XX wieku', '30-х гг. XX века'."""
MAX_QUOTED_CHARS = 800
"""A quotation left open longer than this is a stray quote mark, not a long quote."""
NOTHING = re.compile(r"(?!)")
"""A pattern that never matches: a language with no abbreviations listed."""


class SentenceSplitter:
    """Split one paragraph into sentence spans `(start, end)`, language-aware."""

    def __init__(self, abbreviations: dict[str, Sequence[str]] | None = None, never_final: dict[str, Sequence[str]] | None = None,
                 year_abbreviations: dict[str, Sequence[str]] | None = None, max_words_before_year_split: int | None = None,
                 structural_rules: bool = True) -> None:
        """`structural_rules=False` leaves out initials, closing punctuation and Roman-numeral centuries
        (with no never-final or year lists, that is the splitter before them: benchmarks/abbreviation_splits.py).
        None takes the configured value (`segmentation` in configs/defaults.yaml)."""
        def table(lists: dict[str, Sequence[str]] | None) -> dict[str, tuple[str, ...]]:
            return {lang: tuple(sorted({a.lower() for a in items}, key=len, reverse=True)) for lang, items in (lists or {}).items()}

        self._abbreviations = table(abbreviations)
        # Across languages: a short block's detected language is least sure exactly where it matters
        # ("Zmarł w Szpitalu im. Jamesa Pageta w Great Yarmouth." reads as English).
        self._never_final = tuple(sorted({a for items in table(never_final).values() for a in items}, key=len, reverse=True))
        self._years = table(year_abbreviations)
        self._max_words_before_year = (load_config()["segmentation"]["max_words_before_year_split"]
                                       if max_words_before_year_split is None else max_words_before_year_split)
        self._structural = structural_rules
        # One pattern per list, compiled once: the splitter asks about nearly every boundary.
        self._abbreviation_words = {lang: _whole_word(items) for lang, items in self._abbreviations.items()}
        self._never_final_word = _whole_word(self._never_final)
        self._year_words = {lang: _whole_word(items) for lang, items in self._years.items()}

    def split(self, text: str, lang: str, offset: int = 0) -> list[tuple[int, int]]:
        pieces = [
            (b["start_index"], b["end_index"])
            for b in sentencex.get_sentence_boundaries(lang, text)
        ] or [(0, len(text))]
        pieces = _cover(pieces, len(text))
        merged: list[tuple[int, int]] = []
        for start, end in pieces:
            if merged and self._continues(text[merged[-1][0] : merged[-1][1]], text[start:end], lang):
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        spans = [strip_span(text, start, end) for start, end in merged]
        return [(offset + s, offset + e) for s, e in spans if e > s]

    def _continues(self, before: str, after: str, lang: str) -> bool:
        """True when the boundary between `before` and `after` is not a sentence end."""
        before, after = before.rstrip(), after.lstrip()
        if not before or not after:
            return True
        if _unclosed(before) and len(before) < MAX_QUOTED_CHARS:
            return True
        first = after[0]
        if first.isalpha() and first.islower():
            return True
        if before[-1].isdigit() and first.isdigit():
            return True
        raw_last = before.rsplit(None, 1)[-1]
        if self._structural and self._structure_continues(raw_last, after):
            return True
        last_word = raw_last.lower()
        if first.isdigit() and last_word.endswith(self._abbreviations.get(lang, ())):
            return bool(self._abbreviation_words[lang].search(last_word))
        if first.isupper() or first in "„«“\"":
            if self._never_final_word.search(last_word):
                return True
            if self._year_words.get(lang, NOTHING).search(last_word):
                words = before.split()
                after_digit = len(words) > 1 and words[-2][:1].isdigit()
                return not after_digit or len(words) <= self._max_words_before_year
        return False

    @staticmethod
    def _structure_continues(last: str, after: str) -> bool:
        """Boundaries no sentence has: before closing punctuation, after an initial, inside 'lat 70. XX wieku'."""
        first = after[0]
        if first in ",;:)]»”":
            return True
        if len(last) == 2 and last[0].isupper() and last[1] == "." and first.isupper():
            return True  # an initial ("Lyndon B. Johnson", "T. Rex")
        return last[:-1].isdigit() and last.endswith(".") and bool(ROMAN_CENTURY.match(after))


def _cover(pieces: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Make the pieces contiguous from 0 to `length`, so no character is ever lost."""
    covered: list[tuple[int, int]] = []
    position = 0
    for start, end in sorted(pieces):
        end = max(end, position)
        covered.append((position, end))
        position = end
    if position < length:
        if covered:
            covered[-1] = (covered[-1][0], length)
        else:
            covered.append((0, length))
    return [(s, e) for s, e in covered if e > s]


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Narrow `text[start:end]` to exclude surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _unclosed(text: str) -> bool:
    """Is a quotation or parenthesis opened in `text` still open at its end?"""
    stack: list[str] = []
    for ch in text:
        if stack and (ch == stack[-1] or (ch == "“" and stack[-1] == "”")):
            stack.pop()
        elif ch in OPENERS:
            stack.append(OPENERS[ch])
    return bool(stack) or text.count(STRAIGHT_QUOTE) % 2 == 1


def _whole_word(abbreviations: Sequence[str]) -> re.Pattern[str]:
    """Finds a word that is one of `abbreviations`, or ends in one after a non-word character ('(tzw.')."""
    if not abbreviations:
        return NOTHING
    return re.compile(r"(?:^|\W)(?:" + "|".join(map(re.escape, abbreviations)) + ")$")
