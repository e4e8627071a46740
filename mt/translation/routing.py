"""The translation stage: route each segment to the model for its language, fill `english`.

All models the input needs are resolved before anything is translated, so a
missing model stops the run at once with one message naming all of them.
`RoutingTranslator.check_models` does it sooner still, before a backend is
chosen or torch imported: a caller runs it first, so the message comes in a
second, not after the imports.
"""

from __future__ import annotations

import time
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from mt.config import load_config, merge
from mt.errors import UserError
from mt.languages import language_name
from mt.records import Segment
from mt.translation.flags import FlagSettings
from mt.translation.models import ModelRef, ResolvedModel, check_available, resolve_all
from mt.translation.translator import Progress, Translation, Translator


class RoutingError(UserError, KeyError):
    """A language with no model and no fallback model."""

    def __str__(self) -> str:
        return str(self.args[0])


class RoutingTranslator:
    """Picks the model per source language (configs/ `translation.models`, then the fallback)."""

    def __init__(
        self,
        models: dict[str, str],
        fallback: str | None,
        *,
        target: str | None = None,
        max_loaded_models: int | None = None,
        **translator_options: Any,
    ) -> None:
        self.models = {lang: ModelRef.parse(spec) for lang, spec in models.items()}
        self.fallback = ModelRef.parse(fallback) if fallback else None
        configured = load_config()["translation"]
        self.target = target or configured["target"]
        self.max_loaded_models = max(1, max_loaded_models or configured["max_loaded_models"])
        self.translator_options = translator_options
        self._translators: dict[ModelRef, Translator] = {}
        self._loaded: OrderedDict[ModelRef, None] = OrderedDict()
        self.resolve_seconds = 0.0

    @classmethod
    def from_config(cls, config: dict[str, Any], **overrides: Any) -> "RoutingTranslator":
        """`config["translation"]` over the packaged defaults: a partial section keeps the configured values."""
        settings = merge(load_config()["translation"], config["translation"])
        options = dict(
            device=settings["device"],
            backend=settings["backend"],
            compute_type=settings["compute_type"],
            flag_settings=FlagSettings(**settings["flags"]),
            max_loaded_models=settings["max_loaded_models"],
        )
        options.update({k: v for k, v in overrides.items() if v is not None})
        return cls(settings["models"], settings["fallback_model"], target=settings["target"], **options)

    def model_for(self, lang: str) -> ModelRef:
        if lang in self.models:
            return self.models[lang]
        if self.fallback is None:
            raise RoutingError(f"no translation model for language '{lang}' and no fallback model configured "
                               f"(set translation.fallback_model, or --model {lang}=MODEL)")
        return self.fallback

    def check_models(self, langs: Iterable[str]) -> None:
        """Raise ModelUnavailableError (or RoutingError) for the models texts in `langs` need, if any is certainly
        missing: folders and the hub cache only, no torch, no transformers (models.check_available)."""
        check_available([self.model_for(lang) for lang in dict.fromkeys(langs) if lang != self.target])

    def fallback_notes(self, segments: Sequence[Segment]) -> list[str]:
        """One line per article with segments in a language that has no model of its own (the fallback translates them)."""

        by_article: dict[str, Counter] = {}
        for segment in segments:
            if segment.lang != self.target and segment.lang not in self.models:
                by_article.setdefault(segment.article, Counter())[segment.lang] += 1
        return [
            f"article {article}: " + ", ".join(f"{n} segment(s) in {language_name(lang)} ({lang})" for lang, n in sorted(counts.items()))
            + f" have no model of their own: translated with {self.fallback}"
            for article, counts in by_article.items()
        ]

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
        self.check_models(langs)
        groups: dict[ModelRef, list[int]] = {}
        for i, lang in enumerate(langs):
            if lang != self.target:
                groups.setdefault(self.model_for(lang), []).append(i)
        started = time.perf_counter()
        resolved = resolve_all(list(groups))
        self.resolve_seconds += time.perf_counter() - started
        for ref, indices in groups.items():
            translator = self.translator_for(langs[indices[0]], resolved[ref])
            for i, result in zip(indices, translator.translate_detailed([texts[i] for i in indices], progress)):
                results[i] = result
        return results

    @property
    def model_calls(self) -> int:
        return sum(t.model_calls for t in self._translators.values())

    @property
    def load_seconds(self) -> float:
        """Time spent finding, fingerprinting, converting and loading models."""
        return self.resolve_seconds + sum(t.load_seconds for t in self._translators.values())


@dataclass
class TranslationSummary:
    segments: int = 0
    passed_through: int = 0
    translated: int = 0
    from_cache: int = 0
    split: int = 0
    flags: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    backends: Counter = field(default_factory=Counter)
    notes: list = field(default_factory=list)
    """Warnings for the user: articles whose languages went to the fallback model."""
    model_calls: int = 0
    """Batches the models ran (0 when everything came from the cache)."""
    seconds: float = 0.0
    load_seconds: float = 0.0
    """Part of `seconds` spent loading (and converting) models."""

    def as_dict(self) -> dict[str, Any]:
        """Plain data for `mt translate --json`."""
        data = {name: dict(value) if isinstance(value, Counter) else value for name, value in vars(self).items()}
        data["translate_seconds"] = self.seconds - self.load_seconds
        return data


def translate_segments(
    segments: list[Segment],
    router: RoutingTranslator,
    progress: Callable[[int], None] | None = None,
) -> TranslationSummary:
    """Fill `english` and the provenance fields of every segment, in place."""
    started = time.perf_counter()
    notes = router.fallback_notes(segments)
    results = router.translate([s.text for s in segments], [s.lang for s in segments], progress)
    summary = TranslationSummary(segments=len(segments), notes=notes)
    for segment, result in zip(segments, results):
        if result is None:
            segment.english = segment.text
            segment.translation_model = segment.translation_model_revision = None
            segment.translation_backend = segment.translation_compute_type = None
            segment.mt_score, segment.mt_flags, segment.mt_pieces = None, [], None
            summary.passed_through += 1
            continue
        segment.english = result.text
        segment.translation_model = result.model
        segment.translation_model_revision = result.revision
        segment.translation_backend = result.backend
        segment.translation_compute_type = result.compute_type
        segment.mt_score = round(result.score, 4)
        segment.mt_flags = result.flags
        segment.mt_pieces = result.pieces
        summary.translated += 1
        summary.from_cache += result.cached
        summary.split += result.pieces > 1
        summary.flags.update(result.flags)
        summary.models[result.model] += 1
        summary.backends[f"{result.backend} {result.compute_type}"] += 1
    summary.model_calls = router.model_calls
    summary.seconds = time.perf_counter() - started
    summary.load_seconds = router.load_seconds
    return summary
