"""Quality flags: cheap checks that catch the typical ways MarianMT output goes wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

CHARACTER_LOOP = re.compile(r"(\S{2,12}?)\1{4,}")
"""A short string repeated five times or more without a break ("trotrotrotrotro")."""

EMPTY = "empty"
REPETITION = "repetition"
LENGTH_RATIO = "length_ratio"
ALL_FLAGS = (EMPTY, REPETITION, LENGTH_RATIO)


@dataclass(frozen=True)
class FlagSettings:
    min_length_ratio: float = 0.35
    max_length_ratio: float = 3.0
    min_chars_for_ratio: int = 12
    max_ngram_repeats: int = 4


def quality_flags(source: str, translation: str, settings: FlagSettings = FlagSettings()) -> list[str]:
    flags: list[str] = []
    if not translation.strip():
        return [EMPTY]
    if has_ngram_loop(translation.split(), settings.max_ngram_repeats) or CHARACTER_LOOP.search(translation):
        flags.append(REPETITION)
    if len(source) >= settings.min_chars_for_ratio:
        ratio = len(translation) / len(source)
        if not settings.min_length_ratio <= ratio <= settings.max_length_ratio:
            flags.append(LENGTH_RATIO)
    return flags


def has_ngram_loop(words: list[str], repeats: int, max_n: int = 4) -> bool:
    """An n-gram (n <= max_n) occurring `repeats` times in a row: the classic decoding loop."""
    for n in range(1, max_n + 1):
        for start in range(len(words) - n * repeats + 1):
            gram = words[start : start + n]
            if all(words[start + k * n : start + (k + 1) * n] == gram for k in range(1, repeats)):
                return True
    return False
