"""A persistent translation cache in SQLite, committed batch by batch.

The key covers everything that changes an output: model, revision, backend,
decoding settings and the source text. A run killed half-way keeps what it
committed, so the next run resumes where it stopped. A damaged cache file is moved
aside and the cache starts empty (mt.config.open_cache_db).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from mt.config import open_cache_db


@dataclass(frozen=True)
class CachedTranslation:
    text: str
    score: float
    pieces: int


def cache_key(settings: dict[str, Any], source: str) -> str:
    payload = json.dumps([settings, source], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class TranslationCache:
    def __init__(self, directory: Path | str) -> None:
        self.path = Path(directory) / "translations.sqlite"
        self._db = open_cache_db(
            self.path,
            "PRAGMA journal_mode=WAL",
            "CREATE TABLE IF NOT EXISTS translations ("
            "key TEXT PRIMARY KEY, model TEXT, revision TEXT, source TEXT, "
            "text TEXT, score REAL, pieces INTEGER)",
        )

    def get_many(self, keys: Iterable[str]) -> dict[str, CachedTranslation]:
        found: dict[str, CachedTranslation] = {}
        keys = list(keys)
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            rows = self._db.execute(
                f"SELECT key, text, score, pieces FROM translations WHERE key IN ({','.join('?' * len(chunk))})", chunk
            )
            for key, text, score, pieces in rows:
                found[key] = CachedTranslation(text, score, pieces)
        return found

    def put_many(self, rows: Iterable[tuple[str, str, str, str, CachedTranslation]]) -> None:
        """Store (key, model, revision, source, translation) rows and commit at once."""
        self._db.executemany(
            "INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(k, m, r, s, t.text, t.score, t.pieces) for k, m, r, s, t in rows],
        )
        self._db.commit()

    def close(self) -> None:
        self._db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
