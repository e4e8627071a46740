"""Splitting a segment that is longer than the model's input, so nothing is truncated.

The split is tried at sentence boundaries first, then clauses, then words, and
as a last resort in windows measured in model tokens. Adjacent parts are packed
back together up to the limit, so the model sees as much context as it can.
"""

from __future__ import annotations

import re
from typing import Callable

import sentencex

CLAUSE_END = re.compile(r"(?<=[,;:–—])\s+")


def split_to_fit(text: str, count_tokens: Callable[[str], int], limit: int, lang: str = "en") -> list[str]:
    """Parts of `text`, each at most `limit` tokens, that joined with spaces give back the text."""
    if count_tokens(text) <= limit:
        return [text]
    for parts in (_sentences(text, lang), CLAUSE_END.split(text), text.split()):
        parts = [p.strip() for p in parts if p.strip()]
        if len(parts) > 1:
            return [
                piece
                for packed in _pack(parts, count_tokens, limit)
                for piece in split_to_fit(packed, count_tokens, limit, lang)
            ]
    return _windows(text, count_tokens, limit)


def _sentences(text: str, lang: str) -> list[str]:
    try:
        return list(sentencex.segment(lang, text))
    except Exception:  # an unknown language code: fall back to clauses
        return [text]


def _pack(parts: list[str], count_tokens: Callable[[str], int], limit: int) -> list[str]:
    packed: list[str] = []
    for part in parts:
        joined = f"{packed[-1]} {part}" if packed else part
        if packed and count_tokens(joined) <= limit:
            packed[-1] = joined
        else:
            packed.append(part)
    return packed


def _windows(text: str, count_tokens: Callable[[str], int], limit: int) -> list[str]:
    """Longest prefixes that fit, found by bisection on characters (one unbroken 'word')."""
    windows: list[str] = []
    while text:
        low, high = 1, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if count_tokens(text[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        windows.append(text[:low])
        text = text[low:]
    return windows
