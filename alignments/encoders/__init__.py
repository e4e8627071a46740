"""Sentence encoders by kind, behind one small interface; `Embedder` (alignments/embeddings.py) caches their output.

An embedder name is `KIND:MODEL` for a registered kind, or a plain
sentence-transformers model name or folder (the kind `sentence-transformers`).
Adding an encoder is one module with a class like `SentenceTransformersEncoder`
plus one line in ENCODERS.
"""

from __future__ import annotations

import importlib
from typing import Protocol, Sequence

import numpy as np

ENCODERS = {
    "bert": "alignments.encoders.bert:BertEncoder",
    "sentence-transformers": "alignments.encoders.sbert:SentenceTransformersEncoder",
    "use": "alignments.encoders.use:UniversalSentenceEncoder",
    "e5": "alignments.encoders.e5:E5Encoder",
}
"""Kind -> 'module:class', imported on first use (an encoder's library is heavy)."""

PLAIN_NAMES = "sentence-transformers"
"""The kind of a name without a registered `KIND:` prefix (hub names and folders of sentence-transformers models)."""


class Encoder(Protocol):
    def __init__(self, model: str, device: str | None) -> None:
        """Load `model`; any failure is an EmbedderUnavailableError naming it."""

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """A (len(texts), dim) float32 matrix of unit-length vectors."""

    @staticmethod
    def source(model: str) -> str:
        """Where the weights come from (a bundled package, a folder, a hub name), for the alignment record."""


def split_name(name: str) -> tuple[str, str]:
    """(kind, model) of an embedder name."""
    kind, sep, model = name.partition(":")
    return (kind, model) if sep and kind in ENCODERS else (PLAIN_NAMES, name)


def encoder_class(name: str) -> type[Encoder]:
    module, _, cls = ENCODERS[split_name(name)[0]].partition(":")
    return getattr(importlib.import_module(module), cls)


def unit_rows(raw: object, n: int) -> np.ndarray:
    """An encoder library's output as the (n, dim) float32 matrix of unit-length rows that `Encoder.encode` returns."""
    vectors = np.asarray(raw, dtype=np.float32).reshape(n, -1)
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
