"""The stages as library functions: articles -> segments -> translations -> alignments and facts -> dataset.

Each stage takes explicit data and settings, returns data, and raises a
`UserError` subclass for anything the user can fix; none prints or exits.
`build` runs them all through a work folder (mt/workfolder.py), on the engine
it chooses once (mt/engines/); mt/incremental.py adds articles to what a build
made (`mt build --into`). The CLI (mt/cli/) only parses options, calls one of
these and prints.

    >>> from mt.pipeline import segment, translate, align, TranslateOptions
    >>> segments = segment(["seeds/"]).segments
    >>> summary = translate(segments, load_config(), TranslateOptions(models={"pl": "/models/opus-mt-pl-en"}))
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from alignments import AlignmentResult, AlignmentSettings, Embedder, EmbeddingCache
from alignments.comparable import check_settings
from alignments import align as align_segments
from alignments.comparable import can_pair, text_of
from alignments.evaluation import format_links
from alignments.events import EventSettings, MapParts, align_by_event, articles_for_events, group_events
from alignments.numbers import readings_kept_in
from alignments.parallel import Link, ParallelSettings, align_in_order
from alignments.settings import ALIGNER_REVISION
from mt.atomic import cannot_write, check_output_file, check_output_folder
from mt.config import default_cache_dir, load_config
from mt.engines import Engine, get_engine
from mt.progress import Progress, no_progress
from mt.publishing import publish
from mt.records import ArticleInfo, Event, Lines, Segment, write_jsonl
from mt.segmentation import NoArticlesError, SegmentationResult, segment, segment_text
from mt.translation.options import TranslateOptions, translation_settings
from mt.translation.references import ReferenceError, ReferenceReport, apply_references, load_references
from mt.translation.routing import TranslationSummary
from mt.workfolder import AlignmentFolder, WorkFolder, WorkFolderError, drop_unfinished_move, record_build_command, writing_alone

__all__ = [
    "AlignOptions", "AlignmentRun", "BuildOptions", "BuildReport", "Progress", "TranslateOptions",
    "align", "align_parallel_files", "attach_references", "build", "embed", "english_from_references", "no_progress",
    "segment", "segment_text", "translate", "translation_settings", "write_alignment",
]


def translate(segments: list[Segment], config: dict[str, Any] | None = None, options: TranslateOptions = TranslateOptions(),
              progress: Progress = no_progress, engine: Engine | None = None) -> TranslationSummary:
    """Fill `english` and the provenance fields of every segment, in place; returns the run's TranslationSummary."""
    return (engine or get_engine("local")).translate(segments, config or load_config(), options, progress)


def english_from_references(segments: list[Segment], references: Path | Sequence[Path] | None) -> ReferenceReport:
    """Take each non-English segment's English from human references instead of a model (None: no references,
    so only English segments have English; the report names every other one)."""
    return apply_references(segments, load_references(references) if references else {}, as_english=True)


def attach_references(segments: list[Segment], references: Path | Sequence[Path]) -> ReferenceReport:
    """Keep human references next to the machine output (the `reference` field)."""
    return apply_references(segments, load_references(references))


@dataclass
class AlignOptions:
    mode: str = "comparable"
    device: str | None = None
    """For the embedder; None: CUDA when present, else the CPU."""
    cache_dir: Path | None = None
    use_cache: bool = True
    vectors: Path | None = None
    """Parquet of (model, text, vector) from `mt embed`: texts found there are not embedded again."""
    encoders: dict[tuple[str, str | None], Any] | None = None
    """Encoders loaded by earlier runs of this process, by (model, device), reused and added to (`mt watch`)."""


@dataclass
class AlignmentRun:
    """An alignment and how it was made: the settings record written as alignment.json."""

    result: AlignmentResult
    record: dict[str, Any]
    embedded_now: int
    events: list[Event] = field(default_factory=list)
    """The events the articles were grouped into (comparable mode); sentences were aligned within each."""


Earlier = Callable[[list[Segment]], "AlignmentResult | None"]
"""An event's segments -> its earlier result when it can be reused unchanged, else None (`mt build --into`)."""


def _align_part(part: list[Segment], *, settings: AlignmentSettings, embedder: Embedder, mode: str, progress: Progress) -> AlignmentResult:
    return align_segments(part, settings, embedder, mode, progress=progress)


def _embedding_cache(options: AlignOptions) -> contextlib.AbstractContextManager:
    """The embedding cache the options ask for, or none; closed when the stage ends."""
    if not options.use_cache:
        return contextlib.nullcontext()
    return EmbeddingCache(options.cache_dir or default_cache_dir())


def _readings_folder(options: AlignOptions) -> Path | None:
    """Where the number readers' answers are kept (beside the embeddings), or None when caching is off."""
    return (options.cache_dir or default_cache_dir()) if options.use_cache else None


def align(segments: Sequence[Segment], settings: AlignmentSettings | None = None, options: AlignOptions = AlignOptions(), *,
          input_name: str = "", progress: Progress = no_progress, articles: Sequence[ArticleInfo] = (),
          events: EventSettings | None = None, earlier: Earlier | None = None, engine: Engine | None = None) -> AlignmentRun:
    """Pairs and facts across articles (`settings`: default the configured ones). In comparable mode the articles
    are first grouped into events (`events`: default the configured settings; `articles` gives their dates), and
    sentences are aligned only within an event, so a fact never spans two. `earlier` gives an event its earlier
    result (`mt build --into`: events no new article joined), the others are aligned; `engine` runs them (its
    `align_mapper`: one after the other here, or Ray tasks)."""
    settings = settings or AlignmentSettings()
    check_settings(settings)  # before anything is embedded
    events = events or EventSettings()
    with _embedding_cache(options) as cache, readings_kept_in(_readings_folder(options)):
        embedder = Embedder(settings.embedder, device=options.device, cache=cache, loaded=options.encoders)
        if options.vectors is not None:
            embedder.preload(options.vectors)
        grouped: list[Event] = []
        if options.mode == "comparable":
            grouped = group_events(articles_for_events(segments, articles, settings), embedder.embed, events)
        with progress("aligning", sum(1 for s in segments if s.kind in settings.kinds)) as step:
            aligner = partial(_align_part, settings=settings, embedder=embedder, mode=options.mode, progress=step)
            mapper = (engine or get_engine("local")).align_mapper(settings, options.mode, device=options.device,
                                                                  vectors=options.vectors)
            if earlier is not None:
                mapper = _reusing(mapper, _counted(earlier, step, settings.kinds))
            result = align_by_event(segments, grouped, aligner, map_parts=mapper)
    sources = embedder.sources  # the English view's embedder and, with `on: both`, the originals' (its sibling)
    record = {"mode": options.mode, "input": input_name, "embedder_source": embedder.source, **settings.as_dict(),
              "skipped_for_flags": {flag: len(ids) for flag, ids in result.skipped.items()}}
    if grouped:
        record["events"] = {"count": len(grouped), **asdict(events)}
    if options.mode == "comparable" and _second_view_used(result.aligned, grouped, settings):
        model = settings.multilingual_embedder
        record["multilingual_embedder_source"] = sources[model] if model in sources else Embedder(model).source
    return AlignmentRun(result, record, embedder.encoded_all, grouped)


def _second_view_used(aligned: Sequence[Segment], grouped: Sequence[Event], settings: AlignmentSettings) -> bool:
    """Whether some event embedded the originals with the multilingual model (`on: both`): read from the events,
    not from the driver's embedder, which aligned nothing when Ray tasks or an earlier build did."""
    if len(settings.views) < 2 or settings.multilingual_embedder == settings.embedder:
        return False
    if not grouped:
        return can_pair(aligned)
    event_of = {article: event.event_id for event in grouped for article in event.articles}
    articles: dict[str, set[str]] = {}
    for one in aligned:
        if one.article in event_of:
            articles.setdefault(event_of[one.article], set()).add(one.article)
    return any(len(names) >= 2 for names in articles.values())


def align_parallel_files(source: Path, target: Path, settings: AlignmentSettings | None = None,
                         options: AlignOptions = AlignOptions(), *, one_per_line: bool = True,
                         config: dict[str, Any] | None = None) -> tuple[list[Link], list[float]]:
    """In-order links between two plain text files that translate each other: (links, cosines), vecalign's format.

    Each file holds one sentence a line (`one_per_line`), or is segmented into sentences on the fly.
    """
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
    with _embedding_cache(options) as cache:
        embedder = Embedder(settings.embedder, device=options.device, cache=cache)
        return align_in_order(sides[0], sides[1], embedder.embed, ParallelSettings(**settings.parallel))


def texts_to_embed(segments: Sequence[Segment], settings: AlignmentSettings) -> list[str]:
    """The distinct texts that alignment compares, in first-seen order."""
    return list(dict.fromkeys(text_of(s, settings) for s in segments if s.kind in settings.kinds and text_of(s, settings)))


def embed(segments: Sequence[Segment], output: Path, settings: AlignmentSettings | None = None, *,
          engine: Engine | None = None, device: str | None = None) -> int:
    """Embed the distinct texts that alignment compares and write them as parquet (model, text, vector)."""
    settings = settings or AlignmentSettings()
    return (engine or get_engine("local")).embed(texts_to_embed(segments, settings), settings.embedder, output, device)


def write_alignment(folder: Path, run: AlignmentRun, *, force: bool = False, lines: Lines | None = None) -> AlignmentFolder:
    """pairs.jsonl, facts.jsonl, alignment.json, events.jsonl in comparable mode, and in parallel mode
    links/<a>__<b>.txt (vecalign's format).

    `folder` is replaced whole: only one mt wrote, an empty one or a new path, or any with `force`.
    """
    out = AlignmentFolder(folder)
    links = None
    if run.record["mode"] == "parallel":
        links = {pair: format_links(found, scores) for pair, (found, scores) in run.result.links.items()}
    out.write(run.result.pairs, run.result.facts, run.record, links, events=run.events, force=force, lines=lines)
    return out


@dataclass
class BuildOptions:
    engine: str = "local"
    """local, or ray: translation and embedding on a Ray cluster (mt/engines/ray.py)."""
    workers: int | None = None
    ray_address: str | None = None
    english_from: str = "model"
    """'model' translates; 'reference' takes the human references."""
    references: Path | Sequence[Path] | None = None
    """Human references: one file, or several (each input folder's own), merged."""
    translate: TranslateOptions = field(default_factory=TranslateOptions)
    align: AlignOptions = field(default_factory=AlignOptions)
    timestamp: bool = False
    force: bool = False
    """Replace the output folder (and the work folder's alignment/) even when mt did not write it."""


@dataclass
class BuildReport:
    segmentation: SegmentationResult
    translation: TranslationSummary | ReferenceReport
    """A TranslationSummary, or the ReferenceReport with --english-from reference."""
    alignment: AlignmentRun
    counts: dict[str, int]
    engine: Engine
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock seconds of each stage, in order (the build summary prints them)."""


class StageClock:
    """Calls `on_stage(name)` as each stage starts and keeps how long each took."""

    def __init__(self, on_stage: Callable[[str], None]) -> None:
        self.on_stage = on_stage
        self.seconds: dict[str, float] = {}
        self._current: tuple[str, float] | None = None

    def __call__(self, name: str) -> None:
        self.stop()
        self.on_stage(name)
        self._current = (name, time.perf_counter())

    def stop(self) -> dict[str, float]:
        if self._current is not None:
            name, since = self._current
            self.seconds[name] = time.perf_counter() - since
            self._current = None
        return self.seconds


def no_articles(inputs: Sequence[Path], segmentation: SegmentationResult) -> NoArticlesError:
    """The refusal, with the first reason an input gave (the warnings that say it are printed only after a build)."""
    why = f": {segmentation.problems[0]}" if segmentation.problems else ""
    return NoArticlesError("no article could be read from " + ", ".join(map(str, inputs)) + why)


def give_english(segments: list[Segment], config: dict[str, Any], options: BuildOptions, progress: Progress,
                  engine: Engine) -> TranslationSummary | ReferenceReport:
    """Each segment's English, in place: the human references (`--english-from reference`) or the models."""
    if options.english_from == "reference":
        report = english_from_references(segments, options.references)
        check_references_cover(segments, config, options.references)
        return report
    if options.references is not None:
        attach_references(segments, options.references)
    return translate(segments, config, options.translate, progress, engine)


def check_references_cover(segments: Sequence[Segment], config: dict[str, Any], references: Path | Sequence[Path] | None) -> None:
    """With `--english-from reference`, a segment that takes part in alignment and found no reference would stop
    alignment later with a message that names neither the references nor the cause: say both now, with the
    articles the references name that no input has (a misspelt article name)."""
    alignment = config["alignment"]
    lacking = [s for s in segments if s.kind in alignment["kinds"] and not s.english]
    if not lacking or alignment.get("on") == "original":
        return
    files = [references] if isinstance(references, (str, Path)) else list(references or [])
    unknown = sorted(set(load_references(files)) - {s.article for s in segments}) if files else []
    where = ", ".join(map(str, files)) if files else "no references file (none beside the input articles: references/references.jsonl)"
    raise ReferenceError(f"{len(lacking)} segment(s) to align have no English reference in {where} (first: {lacking[0].id}, "
                         f"{lacking[0].lang}: {lacking[0].text[:50]!r})"
                         + (f"; the references name article(s) that no input has: {', '.join(map(repr, unknown[:3]))}" if unknown else ""))


def embedded_ahead(translated: list[Segment], vectors: Path, settings: AlignmentSettings, options: AlignOptions,
                    engine: Engine) -> AlignOptions:
    """The align options, reading `vectors` that the engine embeds first when it embeds ahead (Ray)."""
    if not engine.embeds_ahead:
        return options
    embed(translated, vectors, settings, engine=engine)
    return replace(options, vectors=vectors)


def build(inputs: Sequence[Path], output: Path, work: Path, *, command: str, config: dict[str, Any] | None = None,
          options: BuildOptions = BuildOptions(), progress: Progress = no_progress,
          on_stage: Callable[[str], None] = lambda name: None) -> BuildReport:
    """Segment, translate, align and publish, each stage's output kept in the work folder."""
    clock = StageClock(on_stage)
    config = config or load_config()
    folder = WorkFolder(work)
    check_build_outputs(inputs, output, folder, options)
    check_settings(AlignmentSettings.from_config(config))
    engine = get_engine(options.engine, workers=options.workers, address=options.ray_address)
    try:
        work.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise cannot_write(work, error) from None
    with writing_alone(folder):
        return _build(inputs, output, folder, command, config, options, progress, clock, engine)


def _build(inputs: Sequence[Path], output: Path, folder: WorkFolder, command: str, config: dict[str, Any], options: BuildOptions,
           progress: Progress, clock: StageClock, engine: Engine) -> BuildReport:
    """`build`'s stages, run while it holds the work folder."""
    work = folder.root
    drop_unfinished_move(folder)
    clock("segment")
    segmentation = segment(list(inputs), config, progress=progress)
    if not segmentation.articles:
        raise no_articles(inputs, segmentation)
    write_jsonl(folder.segments, segmentation.segments)
    write_jsonl(folder.articles, [article.info() for article in segmentation.articles])
    segments = engine.read_segments(str(folder.segments))
    clock("translate")
    translation = give_english(segments, config, options, progress, engine)
    write_jsonl(folder.translated, segments)
    clock("align")
    settings = AlignmentSettings.from_config(config)
    translated = engine.read_segments(str(folder.translated))
    align_options = embedded_ahead(translated, folder.vectors, settings, options.align, engine)
    run = align(translated, settings, align_options, input_name=folder.translated.name, progress=progress,
                articles=[article.info() for article in segmentation.articles], events=EventSettings.from_config(config),
                engine=engine)
    write_alignment(folder.alignment, run, force=options.force)
    record_build_command(folder, command, build_settings(inputs, output, work, config, options))
    clock("publish")
    counts = publish(work, output, command=command, timestamp=options.timestamp, force=options.force)
    return BuildReport(segmentation, translation, run, counts, engine, clock.stop())


def check_build_outputs(inputs: Sequence[Path], output: Path, work: WorkFolder, options: BuildOptions) -> None:
    """Before any work is done, refuse a build that would lose what the user did not ask to lose: an output
    folder that is, holds or lies inside an input, the references, the cache or the work folder (each would
    delete the other), a folder mt did not write without --force, or a work file that would overwrite an input."""
    references = [options.references] if isinstance(options.references, (str, Path)) else list(options.references or [])
    given = [("the input", path) for path in inputs] + [("the references file", path) for path in references]
    caches = {options.translate.cache_dir, options.align.cache_dir} - {None} or {default_cache_dir()}
    protect = [*given, ("the work folder", work.root), *(("the cache", cache) for cache in caches)]
    check_output_folder(output, protect=protect, force=options.force)
    check_output_folder(work.alignment, force=options.force)
    for written in (work.segments, work.articles, work.translated, work.build_record, work.vectors):
        check_output_file(written, protect=given)


def build_settings(inputs: Sequence[Path], output: Path, work: Path, config: dict[str, Any], options: BuildOptions) -> dict[str, Any]:
    """What build.json keeps beside the command, so that `mt build --into` finds the corpus's inputs and refuses to
    add articles made with other settings (the corpus would no longer equal a rebuild). The corpus is kept relative
    to the work folder, so that the two can move together."""
    corpus = os.path.relpath(Path(output).expanduser().resolve(), Path(work).expanduser().resolve())
    return {"inputs": [str(path) for path in inputs], "corpus": corpus, "settings": comparable_settings(config, options)}


def comparable_settings(config: dict[str, Any], options: BuildOptions) -> dict[str, Any]:
    """The settings that shape the corpus, as JSON gives them back (so a recorded and a current copy compare equal)."""
    return json.loads(json.dumps({"english_from": options.english_from, "models": options.translate.models,
                                  "backend": options.translate.backend, "config": config, "aligner": ALIGNER_REVISION},
                                 default=str))


def _counted(earlier: Earlier, step: Callable[[int], None], kinds: Sequence[str]) -> Earlier:
    """`earlier`, moving the progress bar past each event it answers for (else the bar stops short of its total)."""
    def answer(part: list[Segment]) -> AlignmentResult | None:
        result = earlier(part)
        if result is not None:
            step(sum(1 for segment in part if segment.kind in kinds))
        return result
    return answer


def _reusing(map_parts: MapParts, earlier: Earlier) -> MapParts:
    """`map_parts` run only on the parts `earlier` has no result for (so Ray tasks too skip untouched events)."""
    def run(align: Callable[[list[Segment]], AlignmentResult], parts: Sequence[list[Segment]]) -> list[AlignmentResult]:
        results = [earlier(part) for part in parts]
        todo = [k for k, result in enumerate(results) if result is None]
        for k, result in zip(todo, map_parts(align, [parts[k] for k in todo]) if todo else [], strict=True):
            results[k] = result
        return results  # type: ignore[return-value]  # every None was filled above
    return run
