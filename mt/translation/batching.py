"""Token-budget batching: sort by length, fill each batch up to a budget of padded tokens."""

from __future__ import annotations

from typing import Callable, Sequence, TypeVar

from mt.errors import UserError

T = TypeVar("T")


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


class OutOfMemoryError(UserError, RuntimeError):
    """Even one segment alone does not fit in the device's memory."""


def split_on_oom(batch: list[int], run: Callable[[list[int]], list[T]], is_oom: Callable[[BaseException], bool]) -> list[T]:
    """`run(batch)`, and if the device runs out of memory, the two halves of the batch, recursively.

    Nothing is lost: the results cover every index of `batch`, in order. Only a
    single segment that does not fit on its own is an error.
    """
    try:
        return run(batch)
    except Exception as error:
        if not is_oom(error):
            raise
        if len(batch) == 1:
            raise OutOfMemoryError(f"out of device memory translating one segment alone ({error}); use a smaller model or --device cpu") from error
    half = len(batch) // 2
    return split_on_oom(batch[:half], run, is_oom) + split_on_oom(batch[half:], run, is_oom)
