"""How a stage reports progress without printing: the caller passes a factory, the CLI draws bars with it."""

from __future__ import annotations

import contextlib
from typing import Callable, ContextManager

Progress = Callable[[str, int], ContextManager[Callable[[int], None]]]
"""Given a stage's description and its total, a context whose value is called with each step's count."""


def no_progress(description: str, total: int) -> ContextManager[Callable[[int], None]]:
    """The default: stages stay silent when run from Python."""
    return contextlib.nullcontext(lambda done: None)
