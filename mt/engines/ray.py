"""Translation and embedding on Ray Data (`--engine ray`), with the same output as the local engine, byte for byte.

The driver reads the segments and finds the distinct texts that the translation
cache does not hold yet. Only those go through `map_batches` over a pool of
actors. Each actor holds one `RoutingTranslator`, on one GPU when the cluster
has GPUs, else on CPU threads. Each finished batch is written into the
driver's cache as it arrives, so a killed run resumes where it stopped and a
second run sends nothing. The driver then runs the local stage, which finds
every translation in the cache, so the output is the local engine's by
construction.

The cache is the driver's SQLite file. Workers need no cache of their own, so
the cluster needs no shared filesystem for it (docs/scaling.md). Embeddings work
the same way: distinct texts go through an actor pool, and the vectors are
written as parquet for `mt align --vectors`. Alignment runs per event as Ray
tasks (`align_mapper`): each task aligns a batch of events on an embedder kept
in its worker process, and the driver merges the results in the events' order.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Sequence

from alignments import AlignmentResult, AlignmentSettings
from alignments import align as align_segments
from alignments.embeddings import Embedder
from mt.config import default_cache_dir
from mt.engines.local import LocalEngine
from mt.errors import UserError
from mt.progress import Progress, no_progress
from mt.records import RecordError, Segment, from_dict
from mt.records import read_segments as read_local
from mt.translation.cache import CachedTranslation, TranslationCache, cache_key
from mt.translation.models import resolve_all
from mt.translation.options import TranslateOptions, translation_settings
from mt.translation.registry import backend_class
from mt.translation.routing import RoutingTranslator, TranslationSummary
from mt.workfolder import write_vectors

TRANSLATE_BATCH = 64
"""Distinct texts per actor call: large enough to fill a token budget, small enough to checkpoint often."""
EMBED_BATCH = 256
ALIGN_TASK_SEGMENTS = 200
"""Segments per alignment task, at least: consecutive small events travel together, as each Ray task costs some
milliseconds to schedule and ship (docs/scaling.md has the figures)."""


class RayUnavailableError(UserError, RuntimeError):
    def __init__(self) -> None:
        super().__init__("--engine ray needs the optional 'ray' package: pip install 'mt-comparable[ray]'")


def import_ray():
    try:  # lazy on purpose: ray is the optional [ray] extra
        import ray  # lazy on purpose: the optional [ray] extra
        import ray.data
    except ImportError:
        raise RayUnavailableError() from None
    return ray


def connect(address: str | None = None, num_cpus: int | None = None):
    """Join the cluster at `address` (or RAY_ADDRESS), or start a local one; quiet, no dashboard."""
    ray = import_ray()
    if not ray.is_initialized():
        address = address or os.environ.get("RAY_ADDRESS")
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "configure_logging": False}
        if address:
            ray.init(address=address, **options)
        else:
            ray.init(num_cpus=num_cpus, **options)
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True
    return ray


def read_segments(source: str) -> list[Segment]:
    """Segments in input order: a local JSONL file as the local engine reads it (same errors), else a Ray Dataset
    read from JSONL or parquet at any path or URI that pyarrow reads (s3://, gs://, hdfs://...)."""
    if "://" not in source and not source.endswith(".parquet"):
        return read_local(source)
    ray = connect()
    dataset = ray.data.read_parquet(source) if source.endswith(".parquet") else ray.data.read_json(source, lines=True)
    segments = []
    for number, row in enumerate(dataset.iter_rows(), start=1):
        try:
            segments.append(from_dict(Segment, {k: (list(v) if k == "mt_flags" and v is not None else v) for k, v in row.items()}))
        except (ValueError, TypeError) as error:
            raise RecordError(f"{source}: row {number}: not a segment record: {error}") from None
    return segments


@dataclass
class RayRun:
    sent: int = 0
    """Distinct texts sent to the actors (0 when the cache held everything)."""
    model_calls: int = 0
    actors: int = 0
    gpus_per_actor: float = 0.0


class TranslateActor:
    """One routed model set per actor; returns each text's translation as the cache stores it."""

    def __init__(self, config: dict, options: dict) -> None:
        self.router = RoutingTranslator.from_config(config, **options)

    def __call__(self, batch: dict) -> dict:
        before = self.router.model_calls
        results = self.router.translate(list(batch["text"]), list(batch["lang"]))
        calls = self.router.model_calls - before
        return {
            "key": list(batch["key"]),
            "model": [r.model for r in results],
            "revision": [r.revision for r in results],
            "source": [r.source for r in results],
            "text": [r.text for r in results],
            "score": [r.score for r in results],
            "pieces": [r.pieces for r in results],
            "calls": [calls] + [0] * (len(results) - 1),
        }


def pool(ray, workers: int | None, threads: int | None) -> tuple[int, float, float]:
    """(actors, GPUs per actor, CPUs per actor): one GPU each when the cluster has GPUs, else CPU actors."""
    resources = ray.cluster_resources()
    gpus, cpus = int(resources.get("GPU", 0)), int(resources.get("CPU", 1))
    if gpus:
        return workers or gpus, 1.0, 1.0
    actors = workers or max(1, cpus // (threads or 1))
    # Whole CPUs for the actors but one, so Ray Data's own tasks are never left waiting for a CPU.
    return actors, 0.0, float(threads or max(0.5, (cpus - 1) / actors))


def translate(segments: list[Segment], config: dict, options: TranslateOptions, *, workers: int | None = None,
              threads: int | None = None, address: str | None = None,
              progress: Progress = no_progress) -> tuple[TranslationSummary, RayRun]:
    """Fill `english` of every segment, as the local engine does, with the model work on Ray actors."""
    ray = connect(address)
    actors, gpus, cpus = pool(ray, workers, threads)
    scratch = None
    if not options.use_cache:  # the run's own cache carries results from the actors to the local stage
        scratch = tempfile.TemporaryDirectory(prefix="mt-ray-")
        options = replace(options, cache_dir=Path(scratch.name), use_cache=True)
    settings = translation_settings(config, options)
    backend = settings["backend"]
    compute_type = settings.get("compute_type") or backend_class(backend).default_compute_type("cuda" if gpus else "cpu")
    settings["compute_type"] = compute_type  # the driver keys the cache as the actors compute
    config = {**config, "translation": settings}
    options = replace(options, compute_type=compute_type)
    actor_options = {"device": "cuda" if gpus else "cpu", "beams": options.beams, "max_new_tokens": options.max_new_tokens,
                     "min_new_tokens": options.min_new_tokens, "max_batch_tokens": options.max_batch_tokens,
                     "conversion_dir": options.cache_dir}
    router = RoutingTranslator.from_config(config, cache=None)
    run = RayRun(actors=actors, gpus_per_actor=gpus)
    with TranslationCache(options.cache_dir or default_cache_dir()) as cache:
        todo = _missing(segments, router, cache)
        run.sent = len(todo)
        if todo:
            dataset = ray.data.from_items(todo).map_batches(
                TranslateActor, fn_constructor_kwargs={"config": config, "options": actor_options},
                compute=ray.data.ActorPoolStrategy(size=actors),
                num_gpus=gpus, num_cpus=cpus, batch_size=TRANSLATE_BATCH, batch_format="numpy")
            with progress("translating on ray (distinct texts)", len(todo)) as step:
                for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
                    rows = list(zip(batch["key"], batch["model"], batch["revision"], batch["source"], batch["text"], batch["score"], batch["pieces"]))
                    cache.put_many((str(k), str(m), str(r), str(s), CachedTranslation(str(t), float(sc), int(p))) for k, m, r, s, t, sc, p in rows)
                    run.model_calls += int(sum(batch["calls"]))
                    step(len(rows))
    try:
        summary = LocalEngine().translate(segments, config, options)
    finally:
        if scratch is not None:
            scratch.cleanup()
    summary.model_calls = run.model_calls
    return summary, run


def _missing(segments: list[Segment], router: RoutingTranslator, cache: TranslationCache) -> list[dict]:
    """Distinct (language, text) pairs, over the whole input, whose translation the cache does not hold."""
    groups: dict = {}
    for segment in segments:
        if segment.lang != router.target:
            groups.setdefault(router.model_for(segment.lang), {}).setdefault(segment.text, segment.lang)
    resolved = resolve_all(list(groups))
    todo = []
    for ref, texts in groups.items():
        translator = router.translator_for(next(iter(texts.values())), resolved[ref])
        settings = translator.cache_settings()
        keys = {text: cache_key(settings, text) for text in texts}
        hits = cache.get_many(keys.values())
        todo += [{"lang": lang, "text": text, "key": keys[text]} for text, lang in texts.items() if keys[text] not in hits]
    return todo


class EmbedActor:
    def __init__(self, model: str, device: str | None) -> None:
        self.embedder = Embedder(model, device=device)

    def __call__(self, batch: dict) -> dict:
        return {"text": list(batch["text"]), "vector": list(self.embedder.embed(list(batch["text"])))}


def embed(texts: Sequence[str], model: str, output: Path, *, workers: int | None = None, address: str | None = None) -> int:
    """Embed the distinct texts on an actor pool and write (model, text, vector) as parquet for `mt align --vectors`."""
    ray = connect(address)
    actors, gpus, cpus = pool(ray, workers, None)
    distinct = list(dict.fromkeys(texts))
    rows_text, rows_vector = [], []
    if distinct:
        dataset = ray.data.from_items([{"text": t} for t in distinct]).map_batches(
            EmbedActor, fn_constructor_kwargs={"model": model, "device": "cuda" if gpus else None},
            compute=ray.data.ActorPoolStrategy(size=actors),
            num_gpus=gpus, num_cpus=cpus, batch_size=EMBED_BATCH, batch_format="numpy")
        for batch in dataset.iter_batches(batch_size=None, batch_format="numpy"):
            rows_text += [str(t) for t in batch["text"]]
            rows_vector += list(batch["vector"])
    return write_vectors(output, model, rows_text, rows_vector)


_embedders: dict[tuple[str, str | None, str | None], Embedder] = {}
"""A worker process's embedders, kept between its tasks: the model loads and the vectors file is read once."""


def _worker_embedder(model: str, device: str | None, vectors: str | None) -> Embedder:
    key = (model, device, vectors)
    if key not in _embedders:
        embedder = Embedder(model, device=device)
        if vectors is not None:
            embedder.preload(vectors)
        _embedders[key] = embedder
    return _embedders[key]


def align_parts(parts: list[list[Segment]], settings: AlignmentSettings, mode: str, device: str | None,
                vectors: str | None) -> list[AlignmentResult]:
    """One task's work: each part aligned alone, as the local engine aligns it, in order."""
    embedder = _worker_embedder(settings.embedder, device, vectors)
    return [align_segments(part, settings, embedder, mode) for part in parts]


def task_batches(sizes: Sequence[int], least: int) -> list[range]:
    """Consecutive parts, each batch holding at least `least` segments (but the last); a large part goes alone."""
    batches, start, held = [], 0, 0
    for k, size in enumerate(sizes):
        held += size
        if held >= least:
            batches.append(range(start, k + 1))
            start, held = k + 1, 0
    if start < len(sizes):
        batches.append(range(start, len(sizes)))
    return batches


@dataclass
class RayAlignMapper:
    """`align_by_event`'s `map_parts` on Ray: one task per batch of events, results back in the parts' order.

    The driver's `align` closes over its embedder (an SQLite cache, a loaded model) and its progress bar, which
    cannot travel; the tasks run the same `alignments.align` with the same settings on an embedder of their own, so
    the driver's `align` is not called. The embedder's vectors come from `vectors` when given (the parquet that
    `embed` wrote: it must be readable by the workers, as on a local Ray or at a shared path or URI), else from the
    model in the worker. Tasks take one CPU each and no GPU: alignment is CPU work once the vectors exist.
    """

    settings: AlignmentSettings
    mode: str
    device: str | None = None
    vectors: str | None = None
    address: str | None = None
    least: int = ALIGN_TASK_SEGMENTS
    tasks: int = 0
    """Tasks the last call submitted."""

    def __call__(self, align: Callable[[list[Segment]], AlignmentResult], parts: Sequence[list[Segment]]) -> list[AlignmentResult]:
        ray = connect(self.address)
        task = ray.remote(num_cpus=1)(align_parts)
        settings = ray.put(self.settings)
        batches = task_batches([len(part) for part in parts], self.least)
        self.tasks = len(batches)
        refs = [task.remote([parts[k] for k in batch], settings, self.mode, self.device, self.vectors) for batch in batches]
        return [result for results in ray.get(refs) for result in results]


class RayEngine:
    """The Ray engine: the same interface as the local one, the model work on an actor pool."""

    embeds_ahead = True
    """Vectors are computed on the cluster in one pass, then read by the local alignment."""

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        self.workers, self.address = workers, address
        self.last_run: RayRun | None = None

    def read_segments(self, source: str) -> list[Segment]:
        return read_segments(source)

    def translate(self, segments: list[Segment], config: dict[str, Any], options: TranslateOptions,
                  progress: Progress = no_progress) -> TranslationSummary:
        summary, self.last_run = translate(segments, config, options, workers=self.workers, address=self.address,
                                           progress=progress)
        return summary

    def embed(self, texts: Sequence[str], model: str, output: Path, device: str | None = None) -> int:
        return embed(texts, model, output, workers=self.workers, address=self.address)

    def align_mapper(self, settings: AlignmentSettings, mode: str, *, device: str | None = None,
                     vectors: Path | None = None) -> RayAlignMapper:
        return RayAlignMapper(settings, mode, device, None if vectors is None else str(vectors), self.address)

    def describe(self) -> str | None:
        run = self.last_run
        if run is None:
            return None
        return (f"ray: {run.actors} actor(s), {run.gpus_per_actor:g} GPU each; {run.sent} distinct text(s) sent, "
                f"{run.model_calls} model batch(es)")
