"""The stages as library functions: articles -> segments -> translations -> alignments and facts -> dataset.

Each stage takes explicit data and settings, returns data, and raises a
`UserError` subclass for anything the user can fix; none prints or exits.
`build` runs them all through a work folder (mt/workfolder.py). The CLI
(mt/cli/) only parses options, calls one of these and prints.

    >>> from mt.pipeline import segment, translate, align, TranslateOptions
    >>> segments = segment(["seeds/"]).segments
    >>> summary = translate(segments, load_config(), TranslateOptions(models={"pl": "/models/opus-mt-pl-en"}))
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, ContextManager, Sequence

from mt.config import load_config
from mt.records import Segment
from mt.segmentation import SegmentationResult, segment
from mt.workfolder import AlignmentFolder, WorkFolder, read_segments_file, record_build_command

Progress = Callable[[str, int], ContextManager[Callable[[int], None]]]
"""Given a stage's description and its total, a context whose value is called with each step's count."""


def no_progress(description: str, total: int) -> ContextManager[Callable[[int], None]]:
    return contextlib.nullcontext(lambda done: None)


@dataclass
class TranslateOptions:
    """What `mt translate` can override; None keeps the configured value."""

    models: dict[str, str] = field(default_factory=dict)
    """LANG -> hub id or folder, over the configured routes."""
    fallback_model: str | None = None
    backend: str | None = None
    compute_type: str | None = None
    device: str | None = None
    beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    max_batch_tokens: int | None = None
    """None: the configured budget for the device the backend will run on."""
    cache_dir: Path | None = None
    use_cache: bool = True


def translation_settings(config: dict[str, Any] | None, options: TranslateOptions) -> dict[str, Any]:
    """The config's `translation` section with the options' overrides (routes, backend, compute type, device)."""
    settings = dict((config or load_config())["translation"])
    settings["models"] = {**settings["models"], **options.models}
    if options.fallback_model:
        settings["fallback_model"] = options.fallback_model
    for key in ("backend", "compute_type", "device"):
        if getattr(options, key):
            settings[key] = getattr(options, key)
    return settings


def translate(segments: list[Segment], config: dict[str, Any] | None = None, options: TranslateOptions = TranslateOptions(),
              progress: Progress = no_progress):
    """Fill `english` and the provenance fields of every segment, in place; returns the run's TranslationSummary."""
    from mt.translation import RoutingTranslator, translate_segments
    from mt.translation.registry import backend_device
    from mt.translation.cache import DEFAULT_CACHE_DIR, TranslationCache

    settings = translation_settings(config, options)
    budget = options.max_batch_tokens
    if budget is None:
        on_cuda = backend_device(settings["backend"], settings["device"]).startswith("cuda")
        budget = settings["max_batch_tokens_cuda" if on_cuda else "max_batch_tokens"]
    cache = TranslationCache(options.cache_dir or DEFAULT_CACHE_DIR) if options.use_cache else None
    try:
        router = RoutingTranslator.from_config(
            {"translation": settings}, beams=options.beams, max_new_tokens=options.max_new_tokens,
            min_new_tokens=options.min_new_tokens, max_batch_tokens=budget, cache=cache, conversion_dir=options.cache_dir,
        )
        with progress("translating", sum(1 for s in segments if s.lang != router.target)) as step:
            return translate_segments(segments, router, progress=step)
    finally:
        if cache is not None:
            cache.close()


def english_from_references(segments: list[Segment], references: Path):
    """Take each non-English segment's English from human references instead of a model; returns the ReferenceReport."""
    from mt.references import apply_references, load_references

    return apply_references(segments, load_references(references), as_english=True)


def attach_references(segments: list[Segment], references: Path):
    """Keep human references next to the machine output (the `reference` field); returns the ReferenceReport."""
    from mt.references import apply_references, load_references

    return apply_references(segments, load_references(references))


@dataclass
class AlignOptions:
    mode: str = "comparable"
    device: str | None = None
    """For the embedder; None lets sentence-transformers choose (CUDA when present)."""
    cache_dir: Path | None = None
    use_cache: bool = True
    vectors: Path | None = None
    """Parquet of (model, text, vector) from `mt embed`: texts found there are not embedded again."""


@dataclass
class AlignmentRun:
    """An alignment and how it was made: the settings record written as alignment.json."""

    result: Any
    record: dict[str, Any]
    embedded_now: int


def align(segments: Sequence[Segment], settings=None, options: AlignOptions = AlignOptions(), *, input_name: str = "",
          progress: Progress = no_progress) -> AlignmentRun:
    """Pairs and facts across articles (`settings`: an AlignmentSettings, default the configured one)."""
    from alignments import AlignmentSettings, Embedder, EmbeddingCache
    from alignments import align as align_segments
    from mt.translation.cache import DEFAULT_CACHE_DIR

    settings = settings or AlignmentSettings()
    cache = EmbeddingCache(options.cache_dir or DEFAULT_CACHE_DIR) if options.use_cache else None
    embedder = Embedder(settings.embedder, device=options.device, cache=cache)
    if options.vectors is not None:
        embedder.preload(options.vectors)
    try:
        with progress("aligning", sum(1 for s in segments if s.kind in settings.kinds)) as step:
            result = align_segments(segments, settings, embedder, options.mode, progress=step)
    finally:
        if cache is not None:
            cache.close()
    record = {"mode": options.mode, "input": input_name, "embedder_source": embedder.source, **settings.as_dict(),
              "skipped_for_flags": {flag: len(ids) for flag, ids in result.skipped.items()}}
    return AlignmentRun(result, record, embedder.encoded)


def align_parallel_files(source: Path, target: Path, settings=None, options: AlignOptions = AlignOptions(), *,
                         one_per_line: bool = True, config: dict[str, Any] | None = None):
    """In-order links between two plain text files that translate each other: (links, cosines), vecalign's format.

    Each file holds one sentence a line (`one_per_line`), or is segmented into sentences on the fly.
    """
    from alignments import AlignmentSettings, Embedder, EmbeddingCache
    from alignments.parallel import ParallelSettings, align_in_order
    from mt.segmentation import segment_text
    from mt.translation.cache import DEFAULT_CACHE_DIR
    from mt.workfolder import WorkFolderError

    settings = settings or AlignmentSettings()
    sides = []
    for path in (source, target):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise WorkFolderError(f"{path}: not UTF-8 text") from None
        except OSError as error:
            raise WorkFolderError(f"{path}: cannot read ({error.strerror or error})") from None
        if one_per_line:
            sides.append([line.strip() for line in text.splitlines() if line.strip()])
        else:
            sides.append([s.text for s in segment_text(text, path.stem, config, one_per_line=False).segments])
        if not sides[-1]:
            raise WorkFolderError(f"{path}: no sentence to align")
    cache = EmbeddingCache(options.cache_dir or DEFAULT_CACHE_DIR) if options.use_cache else None
    try:
        embedder = Embedder(settings.embedder, device=options.device, cache=cache)
        return align_in_order(sides[0], sides[1], embedder.embed, ParallelSettings(**settings.parallel))
    finally:
        if cache is not None:
            cache.close()


def embed(segments: Sequence[Segment], output: Path, settings=None, *, engine: str = "local", workers: int | None = None,
          address: str | None = None, device: str | None = None) -> int:
    """Embed the distinct texts that alignment compares and write them as parquet (model, text, vector)."""
    from alignments import AlignmentSettings
    from alignments.comparable import text_of

    settings = settings or AlignmentSettings()
    texts = list(dict.fromkeys(text_of(s, settings) for s in segments if s.kind in settings.kinds and text_of(s, settings)))
    if engine == "ray":
        from mt import ray_engine

        return ray_engine.embed(texts, settings.embedder, output, workers=workers, address=address)
    from alignments import Embedder
    from mt.workfolder import write_vectors

    vectors = Embedder(settings.embedder, device=device).embed(texts) if texts else []
    return write_vectors(output, settings.embedder, texts, vectors)


def write_alignment(folder: Path, run: AlignmentRun) -> AlignmentFolder:
    """pairs.jsonl, facts.jsonl, alignment.json, and in parallel mode links/<a>__<b>.txt (vecalign's format)."""
    from alignments.evaluation import format_links

    out = AlignmentFolder(folder)
    links = None
    if run.record["mode"] == "parallel":
        links = {pair: format_links(found, scores) for pair, (found, scores) in run.result.links.items()}
    out.write(run.result.pairs, run.result.facts, run.record, links)
    return out


@dataclass
class BuildOptions:
    engine: str = "local"
    """local, or ray: translation and embedding on a Ray cluster (mt/ray_engine.py)."""
    workers: int | None = None
    ray_address: str | None = None
    english_from: str = "model"
    """'model' translates; 'reference' takes the human references."""
    references: Path | None = None
    translate: TranslateOptions = field(default_factory=TranslateOptions)
    align: AlignOptions = field(default_factory=AlignOptions)
    timestamp: bool = False


@dataclass
class BuildReport:
    segmentation: SegmentationResult
    translation: Any
    """A TranslationSummary, or the ReferenceReport with --english-from reference."""
    alignment: AlignmentRun
    counts: dict[str, int]


def build(inputs: Sequence[Path], output: Path, work: Path, *, command: str, config: dict[str, Any] | None = None,
          options: BuildOptions = BuildOptions(), progress: Progress = no_progress,
          on_stage: Callable[[str], None] = lambda name: None) -> BuildReport:
    """Segment, translate, align and publish, each stage's output kept in the work folder."""
    from alignments import AlignmentSettings
    from mt.publishing import publish
    from mt.records import write_jsonl
    from mt.segmentation import NoArticlesError

    config = config or load_config()
    folder = WorkFolder(work)
    work.mkdir(parents=True, exist_ok=True)
    on_stage("segment")
    segmentation = segment(list(inputs), config)
    if not segmentation.articles:
        raise NoArticlesError("no article could be read from " + ", ".join(map(str, inputs)))
    write_jsonl(folder.segments, segmentation.segments)
    write_jsonl(folder.articles, [article.info() for article in segmentation.articles])
    segments = read_segments_file(folder.segments)
    on_stage("translate")
    if options.english_from == "reference":
        translation = english_from_references(segments, options.references)
    else:
        if options.references is not None:
            attach_references(segments, options.references)
        if options.engine == "ray":
            from mt import ray_engine

            translation, _ = ray_engine.translate(segments, config, options.translate, workers=options.workers,
                                                  address=options.ray_address)
        else:
            translation = translate(segments, config, options.translate, progress)
    write_jsonl(folder.translated, segments)
    on_stage("align")
    settings = AlignmentSettings.from_config(config)
    translated = read_segments_file(folder.translated)
    align_options = options.align
    if options.engine == "ray":
        embed(translated, folder.vectors, settings, engine="ray", workers=options.workers, address=options.ray_address)
        align_options = replace(align_options, vectors=folder.vectors)
    run = align(translated, settings, align_options, input_name=folder.translated.name, progress=progress)
    write_alignment(folder.alignment, run)
    record_build_command(folder, command)
    on_stage("publish")
    counts = publish(work, output, command=command, timestamp=options.timestamp)
    return BuildReport(segmentation, translation, run, counts)
