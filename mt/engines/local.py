"""The local engine: translation and embedding in this process, on its CPU threads or GPU."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Sequence

from alignments.embeddings import Embedder
from alignments.events import MapParts, in_order
from alignments.settings import AlignmentSettings
from mt.config import default_cache_dir
from mt.progress import Progress, no_progress
from mt.records import Segment, read_segments
from mt.translation.cache import TranslationCache
from mt.translation.options import TranslateOptions, translation_settings
from mt.translation.registry import backend_device
from mt.translation.routing import RoutingTranslator, TranslationSummary, translate_segments
from mt.workfolder import write_vectors


class LocalEngine:
    embeds_ahead = False
    """Alignment embeds as it goes, through the embedding cache."""

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        """One process on this machine: a pool size or a cluster address does not apply."""

    def read_segments(self, source: str) -> list[Segment]:
        return read_segments(source)

    def translate(self, segments: list[Segment], config: dict[str, Any] | None, options: TranslateOptions = TranslateOptions(),
                  progress: Progress = no_progress) -> TranslationSummary:
        settings = translation_settings(config, options)
        # A missing model is named before torch is imported (seconds, not a wait for a traceback).
        RoutingTranslator.from_config({"translation": settings}).check_models(s.lang for s in segments)
        budget = options.max_batch_tokens
        if budget is None:
            on_cuda = backend_device(settings["backend"], settings["device"]).startswith("cuda")
            budget = settings["max_batch_tokens_cuda" if on_cuda else "max_batch_tokens"]
        opened = TranslationCache(options.cache_dir or default_cache_dir()) if options.use_cache else contextlib.nullcontext()
        with opened as cache:
            router = RoutingTranslator.from_config(
                {"translation": settings}, beams=options.beams, max_new_tokens=options.max_new_tokens,
                min_new_tokens=options.min_new_tokens, max_batch_tokens=budget, cache=cache, conversion_dir=options.cache_dir,
            )
            with progress("translating", sum(1 for s in segments if s.lang != router.target)) as step:
                return translate_segments(segments, router, progress=step)

    def embed(self, texts: Sequence[str], model: str, output: Path, device: str | None = None) -> int:
        vectors = Embedder(model, device=device).embed(list(texts)) if texts else []
        return write_vectors(output, model, texts, vectors)

    def align_mapper(self, settings: AlignmentSettings, mode: str, *, device: str | None = None,
                     vectors: Path | None = None) -> MapParts:
        """The events one after the other, through the driver's own `align` (its embedder, cache and progress)."""
        return in_order

    def describe(self) -> str | None:
        return None
