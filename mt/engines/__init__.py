"""Where the model work runs: on this machine (`local`) or on a Ray cluster (`ray`), behind one interface.

The pipeline chooses an engine once and calls `translate` and `embed` on it;
the engines never call back into the pipeline. Both give the same output,
byte for byte. Adding an engine is one module plus one line in ENGINES.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable, Protocol, Sequence

from mt.errors import UserError
from mt.progress import Progress
from mt.records import Segment
from mt.translation.options import TranslateOptions

ENGINES = {
    "local": "mt.engines.local:LocalEngine",
    "ray": "mt.engines.ray:RayEngine",
}
"""Engine name -> 'module:class', imported on first use (Ray is an optional extra)."""


class Engine(Protocol):
    """What the pipeline asks of an engine."""

    embeds_ahead: bool
    """True: vectors are computed in one pass before alignment (`embed`), and alignment reads them."""

    def read_segments(self, source: str) -> list[Segment]:
        """Segments from a JSON Lines file (and whatever else the engine can read: URIs, parquet)."""

    def translate(self, segments: list[Segment], config: dict[str, Any], options: TranslateOptions,
                  progress: Progress) -> Any:
        """Fill `english` of every segment, in place; returns the run's TranslationSummary."""

    def embed(self, texts: Sequence[str], model: str, output: Path, device: str | None = None) -> int:
        """Embed distinct texts and write (model, text, vector) parquet to `output`; returns the rows written."""

    def align_mapper(self, settings: Any, mode: str, *, device: str | None = None,
                     vectors: Path | None = None) -> Callable[[Callable[[list[Segment]], Any], list[list[Segment]]], list[Any]]:
        """How `align_by_event` runs its per-event calls (its `map_parts`): in this process, or as tasks that align
        with `settings` and `mode` on an embedder of their own (`vectors`: parquet from `embed`, read by each)."""

    def describe(self) -> str | None:
        """What the last call did, in one line for the user (None: nothing worth saying)."""


class UnknownEngineError(UserError, ValueError):
    pass


def get_engine(name: str = "local", *, workers: int | None = None, address: str | None = None) -> Engine:
    """The engine called `name`; `workers` and `address` size and locate a cluster (ignored by the local engine)."""
    if name not in ENGINES:
        raise UnknownEngineError(f"unknown engine '{name}' (choose from {', '.join(ENGINES)})")
    module, _, cls = ENGINES[name].partition(":")
    return getattr(importlib.import_module(module), cls)(workers=workers, address=address)
