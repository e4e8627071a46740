"""The translation stage: route each segment to the model for its language, fill `english`.

All models the input needs are resolved before anything is translated, so a
missing model stops the run at once with one message naming all of them.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from mt.records import Segment
from mt.translation.cache import TranslationCache
from mt.translation.flags import FlagSettings
from mt.translation.models import ModelRef, ResolvedModel, resolve_all
from mt.translation.translator import Progress, Translation, Translator


class RoutingTranslator:
    """Picks the model per source language (configs/ `translation.models`, then the fallback)."""

    def __init__(
        self,
        models: dict[str, str],
        fallback: str | None,
        *,
        target: str = "en",
        max_loaded_models: int = 1,
        **translator_options: Any,
    ) -> None:
        self.models = {lang: ModelRef.parse(spec) for lang, spec in models.items()}
        self.fallback = ModelRef.parse(fallback) if fallback else None
        self.target = target
        self.max_loaded_models = max(1, max_loaded_models)
        self.translator_options = translator_options
        self._translators: dict[ModelRef, Translator] = {}
        self._loaded: OrderedDict[ModelRef, None] = OrderedDict()

    @classmethod
    def from_config(cls, config: dict[str, Any], **overrides: Any) -> "RoutingTranslator":
        settings = config["translation"]
        options = dict(
            device=settings.get("device", "auto"),
            max_batch_tokens=settings.get("max_batch_tokens", 2048),
            flag_settings=FlagSettings(**settings.get("flags", {})),
            max_loaded_models=settings.get("max_loaded_models", 1),
        )
        options.update({k: v for k, v in overrides.items() if v is not None})
        return cls(settings["models"], settings.get("fallback_model"), target=settings.get("target", "en"), **options)

    def model_for(self, lang: str) -> ModelRef:
        if lang in self.models:
            return self.models[lang]
        if self.fallback is None:
            raise KeyError(f"no translation model for language '{lang}' and no fallback model configured")
        return self.fallback

    def translator_for(self, lang: str, resolved: ResolvedModel | None = None) -> Translator:
        """The translator for `lang`; at most `max_loaded_models` keep their weights loaded."""
        ref = self.model_for(lang)
        if ref not in self._translators:
            self._translators[ref] = Translator(resolved or ref, source_lang=lang, **self.translator_options)
        self._loaded[ref] = None
        self._loaded.move_to_end(ref)
        while len(self._loaded) > self.max_loaded_models:
            oldest, _ = self._loaded.popitem(last=False)
            self._translators[oldest].unload()
        return self._translators[ref]

    def translate(self, texts: Sequence[str], langs: Sequence[str], progress: Progress | None = None) -> list[Translation | None]:
        """Translate each text with its language's model; None for texts already in the target language."""
        results: list[Translation | None] = [None] * len(texts)
        groups: dict[ModelRef, list[int]] = {}
        for i, lang in enumerate(langs):
            if lang != self.target:
                groups.setdefault(self.model_for(lang), []).append(i)
        resolved = resolve_all(list(groups))
        for ref, indices in groups.items():
            translator = self.translator_for(langs[indices[0]], resolved[ref])
            for i, result in zip(indices, translator.translate_detailed([texts[i] for i in indices], progress)):
                results[i] = result
        return results

    @property
    def model_calls(self) -> int:
        return sum(t.model_calls for t in self._translators.values())


@dataclass
class TranslationSummary:
    segments: int = 0
    passed_through: int = 0
    translated: int = 0
    from_cache: int = 0
    split: int = 0
    flags: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def translate_segments(
    segments: list[Segment],
    router: RoutingTranslator,
    progress: Callable[[int], None] | None = None,
) -> TranslationSummary:
    """Fill `english` and the provenance fields of every segment, in place."""
    started = time.perf_counter()
    results = router.translate([s.text for s in segments], [s.lang for s in segments], progress)
    summary = TranslationSummary(segments=len(segments))
    for segment, result in zip(segments, results):
        if result is None:
            segment.english = segment.text
            segment.translation_model = segment.translation_model_revision = segment.translation_backend = None
            segment.mt_score, segment.mt_flags, segment.mt_pieces = None, [], None
            summary.passed_through += 1
            continue
        segment.english = result.text
        segment.translation_model = result.model
        segment.translation_model_revision = result.revision
        segment.translation_backend = result.backend
        segment.mt_score = round(result.score, 4)
        segment.mt_flags = result.flags
        segment.mt_pieces = result.pieces
        summary.translated += 1
        summary.from_cache += result.cached
        summary.split += result.pieces > 1
        summary.flags.update(result.flags)
        summary.models[result.model] += 1
    summary.seconds = time.perf_counter() - started
    return summary
