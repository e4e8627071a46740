"""`Translator`: one model, any number of texts, never silently wrong.

It translates each distinct text once, takes what it can from the cache, splits
what is too long for the model, and flags suspicious output. The backend (see
backend.py) only ever sees short, distinct, uncached texts, each tokenised once.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Sequence, overload

from mt.config import load_config
from mt.errors import UserError
from mt.translation.backend import Backend, DecodingSettings
from mt.translation.cache import CachedTranslation, TranslationCache, cache_key
from mt.translation.flags import FlagSettings, quality_flags
from mt.translation.models import ModelLoadError, ModelRef, ResolvedModel, resolve_all
from mt.translation.registry import backend_class, default_compute_type
from mt.translation.splitting import split_to_fit

Progress = Callable[[int], None]
"""Called with the number of source texts just completed."""


@dataclass
class Translation:
    source: str
    text: str
    score: float
    model: str
    revision: str
    backend: str
    compute_type: str
    pieces: int = 1
    flags: list[str] = field(default_factory=list)
    cached: bool = False


class Translator:
    """Translate with one MarianMT model, given as a hub id (`owner/name[@revision]`) or a folder.

    >>> Translator("Helsinki-NLP/opus-mt-pl-en").translate("Ala ma kota.")

    `backend` and `max_batch_tokens` default to the packaged configuration's
    (`translation.backend`; `max_batch_tokens`, or `max_batch_tokens_cuda` on a GPU).
    """

    def __init__(
        self,
        model: str | ModelRef | ResolvedModel,
        *,
        device: str | None = None,
        beams: int | None = None,
        max_new_tokens: int | None = None,
        min_new_tokens: int | None = None,
        max_batch_tokens: int | None = None,
        cache: TranslationCache | None = None,
        flag_settings: FlagSettings | None = None,
        source_lang: str = "en",
        backend: str | None = None,
        compute_type: str | None = None,
        conversion_dir: Path | None = None,
    ) -> None:
        configured = load_config()["translation"]
        backend = backend or configured["backend"]
        backend_class(backend)  # an unknown name fails here, before any work
        if isinstance(model, ResolvedModel):
            self.ref, self._resolved = model.ref, model
        else:
            self.ref, self._resolved = (model if isinstance(model, ModelRef) else ModelRef.parse(model)), None
        self.device = device or configured["device"]
        self.decoding = DecodingSettings(beams, max_new_tokens, min_new_tokens)
        self._max_batch_tokens = max_batch_tokens
        self._configured_budgets = (configured["max_batch_tokens"], configured["max_batch_tokens_cuda"])
        self.cache = cache
        self.flag_settings = flag_settings or FlagSettings()
        self.source_lang = source_lang
        self.backend_name = backend
        self._compute_type = compute_type
        self.conversion_dir = conversion_dir
        self._backend: Backend | None = None
        self.model_calls = 0
        self.load_seconds = 0.0

    @property
    def resolved(self) -> ResolvedModel:
        """The model on disk; found before the backend is chosen, so a missing model is one line
        (ModelUnavailableError) that comes before torch or transformers are imported."""
        if self._resolved is None:
            self._resolved = resolve_all([self.ref])[self.ref]
        return self._resolved

    @property
    def backend(self) -> Backend:
        """The loaded model; loading (and for CTranslate2 a first conversion) happens here, on first use."""
        if self._backend is None:
            started = time.perf_counter()
            try:
                self._backend = backend_class(self.backend_name)(
                    self.resolved, self.decoding, self.device, self.max_batch_tokens, self.compute_type, cache_dir=self.conversion_dir
                )
            except UserError:
                raise
            except Exception as error:  # torch, safetensors, transformers and CTranslate2 each raise their own kinds
                detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
                raise ModelLoadError(f"{self.resolved.path}: {self.backend_name} cannot load this model ({type(error).__name__}: {detail})") from error
            self.load_seconds += time.perf_counter() - started
        return self._backend

    @property
    def max_batch_tokens(self) -> int:
        """Source tokens per batch: as given, else the configured budget for the device the backend runs on."""
        if self._max_batch_tokens is None:
            on_cuda = backend_class(self.backend_name).resolve_device(self.device).startswith("cuda")
            self._max_batch_tokens = self._configured_budgets[on_cuda]
        return self._max_batch_tokens

    @property
    def compute_type(self) -> str:
        """The numeric type the model runs in: part of every cache key and recorded with each translation."""
        if self._compute_type is None:
            self._compute_type = default_compute_type(self.backend_name, self.device)
        return self._compute_type

    def unload(self) -> None:
        self._backend = None

    def cache_settings(self) -> dict[str, object]:
        """What identifies this translator's output, besides the source text."""
        return {
            "model": self.ref.name,
            "revision": self.resolved.revision,
            "backend": self.backend_name,
            "dtype": self.compute_type,
            **self.decoding.as_dict(),
        }

    @overload
    def translate(self, texts: str) -> str: ...
    @overload
    def translate(self, texts: Sequence[str]) -> list[str]: ...

    def translate(self, texts):
        """Translations as plain strings: a string in, a string out; a list in, a list out."""
        if isinstance(texts, str):
            return self.translate_detailed([texts])[0].text
        return [t.text for t in self.translate_detailed(texts)]

    def translate_detailed(self, texts: Sequence[str], progress: Progress | None = None) -> list[Translation]:
        """One `Translation` per input, in input order, with score, flags and provenance."""
        distinct = list(dict.fromkeys(texts))
        settings = self.cache_settings() if self.cache is not None else {}
        keys = {text: cache_key(settings, text) for text in distinct} if self.cache is not None else {}
        done: dict[str, CachedTranslation] = {}
        if self.cache is not None:
            hits = self.cache.get_many(keys.values())
            done = {text: hits[key] for text, key in keys.items() if key in hits}
        if progress and done:
            progress(sum(1 for t in texts if t in done))
        todo = [text for text in distinct if text not in done]
        results = {text: self._result(text, done[text], cached=True) for text in done}
        if todo:
            results.update(self._run_model(todo, keys, texts, progress))
        ordered, seen = [], set()
        for text in texts:
            result = results[text]
            ordered.append(replace(result, flags=list(result.flags)) if text in seen else result)
            seen.add(text)
        return ordered

    def _run_model(self, todo: list[str], keys: dict[str, str], texts: Sequence[str], progress: Progress | None) -> dict[str, Translation]:
        """The `Translation` of each text in `todo`, made (flags checked, cache written) as soon as its last piece is
        back, while a GPU works on the batches still queued: after the last batch only its own texts remain."""
        backend = self.backend
        limit = backend.max_input_tokens
        tokens_of = dict(zip(todo, backend.tokenize(todo)))
        pieces_of = {
            text: [text] if len(tokens) <= limit else split_to_fit(text, backend.count_tokens, limit, self.source_lang)
            for text, tokens in tokens_of.items()
        }
        all_pieces = list(dict.fromkeys(p for pieces in pieces_of.values() for p in pieces))
        split_parts = [piece for piece in all_pieces if piece not in tokens_of]
        tokens_of.update(zip(split_parts, backend.tokenize(split_parts)))
        waiting = {text: set(pieces) for text, pieces in pieces_of.items()}
        users = {}
        for text, pieces in pieces_of.items():
            for piece in pieces:
                users.setdefault(piece, []).append(text)
        occurrences = Counter(texts)
        translated: dict[str, tuple[str, float]] = {}
        finished: dict[str, Translation] = {}
        for batch in backend.generate([tokens_of[piece] for piece in all_pieces]):
            self.model_calls += 1
            completed: list[str] = []
            for index, output, score in batch:
                piece = all_pieces[index]
                translated[piece] = (output, score)
                for text in users[piece]:
                    waiting[text].discard(piece)
                    if not waiting[text]:
                        completed.append(text)
            joined = {text: _join([translated[p] for p in pieces_of[text]]) for text in completed}
            for text, found in joined.items():
                finished[text] = self._result(text, found, cached=False)
            if self.cache is not None and completed:
                resolved = self.resolved
                self.cache.put_many((keys[t], self.ref.name, resolved.revision, t, found) for t, found in joined.items())
            if progress and completed:
                progress(sum(occurrences[t] for t in completed))
        return finished

    def _result(self, source: str, found: CachedTranslation, cached: bool) -> Translation:
        return Translation(
            source=source,
            text=found.text,
            score=found.score,
            model=self.ref.name,
            revision=self.resolved.revision,
            backend=self.backend_name,
            compute_type=self.compute_type,
            pieces=found.pieces,
            flags=quality_flags(source, found.text, self.flag_settings),
            cached=cached,
        )


def _join(parts: list[tuple[str, float]]) -> CachedTranslation:
    """Join the translations of a split segment; the score is length-weighted."""
    if len(parts) == 1:
        return CachedTranslation(parts[0][0].strip(), parts[0][1], 1)
    text = " ".join(output.strip() for output, _ in parts).strip()
    weights = [max(len(output), 1) for output, _ in parts]
    score = sum(w * s for w, (_, s) in zip(weights, parts)) / sum(weights)
    return CachedTranslation(text, score, len(parts))
