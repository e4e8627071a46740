"""Token-budget batching: sort by length, fill each batch up to a budget of padded tokens."""

from __future__ import annotations

from typing import Sequence


def token_batches(lengths: Sequence[int], max_tokens: int) -> list[list[int]]:
    """Indices grouped so that `len(batch) * longest <= max_tokens`, longest first.

    Sorting by length keeps padding small; longest-first makes an out-of-memory
    error show up in the first batch instead of after an hour.
    """
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for i in order:
        width = max(longest, lengths[i], 1)
        if current and width * (len(current) + 1) > max_tokens:
            batches.append(current)
            current, width = [], max(lengths[i], 1)
        current.append(i)
        longest = width
    if current:
        batches.append(current)
    return batches
