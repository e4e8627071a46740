"""Quality flags: cheap checks that catch the typical ways MarianMT output goes wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mt.config import configured

CHARACTER_LOOP = re.compile(r"(\S{2,12}?)\1{4,}")
"""A short string repeated five times or more without a break ("trotrotrotrotro").

A match is at least 10 characters without a space, so only words that long are searched."""

EMPTY = "empty"
REPETITION = "repetition"
LENGTH_RATIO = "length_ratio"
ALL_FLAGS = (EMPTY, REPETITION, LENGTH_RATIO)


@dataclass(frozen=True)
class FlagSettings:
    """When a translation is flagged; the defaults are `translation.flags` in configs/defaults.yaml."""

    min_length_ratio: float = configured("translation", "flags", "min_length_ratio")
    max_length_ratio: float = configured("translation", "flags", "max_length_ratio")
    min_chars_for_ratio: int = configured("translation", "flags", "min_chars_for_ratio")
    max_ngram_repeats: int = configured("translation", "flags", "max_ngram_repeats")


def quality_flags(source: str, translation: str, settings: FlagSettings | None = None) -> list[str]:
    settings = settings or FlagSettings()
    flags: list[str] = []
    if not translation.strip():
        return [EMPTY]
    words = translation.split()
    if has_ngram_loop(words, settings.max_ngram_repeats) or any(CHARACTER_LOOP.search(w) for w in words if len(w) >= 10):
        flags.append(REPETITION)
    if len(source) >= settings.min_chars_for_ratio:
        ratio = len(translation) / len(source)
        if not settings.min_length_ratio <= ratio <= settings.max_length_ratio:
            flags.append(LENGTH_RATIO)
    return flags


def has_ngram_loop(words: list[str], repeats: int, max_n: int = 4) -> bool:
    """An n-gram (n <= max_n) occurring `repeats` times in a row: the classic decoding loop.

    An n-gram repeats r times in a row exactly where n * (r - 1) consecutive
    words each equal the word n places on, so one pass per n finds it (this runs
    on every output, and on a GPU the outputs come fast).
    """
    if repeats <= 1:
        return bool(words)
    for n in range(1, max_n + 1):
        needed, run = n * (repeats - 1), 0
        for word, later in zip(words, words[n:]):
            run = run + 1 if word == later else 0
            if run >= needed:
                return True
    return False
