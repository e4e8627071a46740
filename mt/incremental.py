"""`mt build NEW --into corpus/`: add articles to a corpus `mt build` wrote, giving what a full build gives.

The work folder keeps everything the earlier build made (segments, English, pairs, facts, events) and build.json
names its inputs, corpus and settings. An update segments and translates only the new articles, groups all the
articles into events again, and aligns again only the events whose articles changed (`mt.pipeline.align`'s
`earlier`); then it writes the new work files into a staging folder, publishes the whole corpus (from the records
in memory, as publishing the staged files would) and moves the new work files in.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass, field, replace
from glob import escape as glob_escape
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from alignments import AlignmentResult, AlignmentSettings
from alignments.embeddings import Embedder
from alignments.comparable import alignable, check_settings, skipped_for_flags
from alignments.events import EventSettings
from alignments.numbers import load_readers
from mt.atomic import atomic_file, check_output_folder, is_own_output, swap_folder
from mt.config import load_config
from mt.engines import get_engine
from mt.pipeline import (AlignmentRun, BuildOptions, BuildReport, Earlier, StageClock, align, build_settings, comparable_settings,
                         embedded_ahead, give_english, no_articles, write_alignment)
from mt.progress import Progress, no_progress
from mt.publishing.configurations import tables as corpus_tables
from mt.publishing.corpus import Corpus
from mt.publishing.dataset import corpus_of, write_corpus
from mt.publishing.layout import PRETTY_NAME, REPORT_FILE
from mt.publishing.report import KeptPages, report_pages
from mt.records import ArticleInfo, ByIdentity, Event, Fact, Lines, Pair, Segment, as_read_back, extend_jsonl, iter_jsonl, read_articles, read_events, read_facts, read_pairs, read_segments, write_jsonl
from mt.segmentation import segment
from mt.segmentation.segmenter import Segmenter
from mt.translation.references import REFERENCES_BESIDE_INPUTS
from mt.workfolder import (AlignmentFolder, WorkFolder, WorkFolderError, check_for_publishing, read_alignment_settings, read_build_record,
                           MOVING, record_build_command, unfinished_move, writing_alone)

class IncrementalError(WorkFolderError):
    """`mt build --into` refused: not a corpus mt built, an article already in it, or other settings than its build."""



SETTING_OPTIONS = {"english_from": "--english-from", "models": "--model", "backend": "--backend", "config": "--config, --languages"}
"""The options that set each recorded setting, for the refusal's message."""


def _first_difference(recorded: Any, current: Any, path: str = "") -> str | None:
    """The dotted key where two settings trees first differ, or None when they are equal."""
    if isinstance(recorded, dict) and isinstance(current, dict):
        for key in sorted(set(recorded) | set(current)):
            found = _first_difference(recorded.get(key), current.get(key), f"{path}.{key}" if path else key)
            if found:
                return found
        return None
    return None if recorded == current else (path or "settings")


def _setting(settings: Any, dotted: str) -> Any:
    """The value at a dotted key of a settings tree (None where it is missing)."""
    for key in dotted.split("."):
        settings = settings.get(key) if isinstance(settings, dict) else None
    return settings


def _command_with(command: str, old_inputs: Sequence[str], new_inputs: Sequence[Path]) -> str:
    """The recorded command with the new inputs after the old ones: the full build the updated corpus equals."""
    try:
        tokens = shlex.split(command)
    except ValueError:
        tokens = []
    given = {Path(path) for path in old_inputs}
    places = [k for k, token in enumerate(tokens[2:], start=2) if not token.startswith("-") and Path(token) in given]
    at = places[-1] + 1 if places else len(tokens)
    if not tokens:
        return command + " " + " ".join(shlex.quote(str(p)) for p in new_inputs)
    tokens[at:at] = [str(p) for p in new_inputs]
    return " ".join(shlex.quote(token) for token in tokens)


@dataclass
class BuiltCorpus:
    """What an earlier `mt build` left in its work folder, read once."""

    record: dict[str, Any]
    translated: list[Segment]
    articles: list[ArticleInfo]
    pairs: list[Pair]
    facts: list[Fact]
    events: list[Event]


def read_built_corpus(corpus: Path, work: WorkFolder, config: dict[str, Any], options: BuildOptions) -> BuiltCorpus:
    """The corpus's work folder, checked: built by `mt build` into `corpus`, with events, and the same settings."""
    where = corpus.expanduser().resolve()
    if not where.is_dir() or not is_own_output(where) or not (where / "README.md").is_file():
        raise IncrementalError(f"{corpus}: not a corpus built by mt build (no README.md and .mt-output); build it first with `mt build ARTICLES/ -o {corpus}`")
    record = read_build_record(work)
    if record is None:
        raise IncrementalError(f"{work.root}: holds no build record (build.json); name the work folder that built {corpus} with --work")
    built = (work.root.expanduser().resolve() / record["corpus"]).resolve() if "corpus" in record else where
    if built != where:
        raise IncrementalError(f"{work.root}: built {built}, not {where}; name the work folder that built {corpus} with --work")
    if "settings" in record:
        current = comparable_settings(config, options)
        differs = _first_difference(record["settings"], current)
        if differs == "aligner":
            raise IncrementalError(f"{corpus}: was built by another version of the aligner (revision "
                                   f"{record['settings'].get('aligner') or 1}, this one {current['aligner']}), whose pairs and "
                                   f"facts differ; rebuild it with -o: `{record['command']}`")
        if differs:
            said = SETTING_OPTIONS.get(differs.split(".")[0], "")
            values = f"built with {_setting(record['settings'], differs)!r}, this command {_setting(current, differs)!r}"
            raise IncrementalError(f"{corpus}: was built with another {differs}{f' ({said})' if said else ''} than this command's ({values}); "
                                   f"add articles with the options of `{record['command']}`, or rebuild with -o")
    alignment = AlignmentFolder(work.alignment)
    needed = [work.segments, work.translated, work.articles, alignment.pairs, alignment.facts, alignment.events, alignment.settings]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise IncrementalError(f"{work.root}: cannot add articles, missing {', '.join(missing)} (a corpus built without events, "
                               f"or by an older mt); rebuild it with `mt build ... -o {corpus}`")
    built = BuiltCorpus(record, read_segments(work.translated), read_articles(work.articles), read_pairs(alignment.pairs),
                        read_facts(alignment.facts), read_events(alignment.events))
    names = {article.name for article in built.articles}
    segments = [(line.get("id"), line.get("article")) if isinstance(line, dict) else None for _, line in iter_jsonl(work.segments)]
    if segments != [(s.id, s.article) for s in built.translated] or not {s.article for s in built.translated} <= names:
        raise IncrementalError(f"{work.root}: segments.jsonl, translated.jsonl and articles.jsonl do not match (files from "
                               f"different runs); rebuild the corpus with `mt build ... -o {corpus}`")
    return built


def _earlier_results(old: BuiltCorpus, new_articles: set[str], settings: AlignmentSettings) -> Earlier:
    """An untouched event's (the same articles as an old event, none new) old pairs and facts. Alignment inside an
    event reads only that event's segments, so the old result is what aligning it again would give."""
    old_events = {frozenset(event.articles): event.event_id for event in old.events}
    pairs: dict[str | None, list[Pair]] = {}
    facts: dict[str | None, list[Fact]] = {}
    for pair in old.pairs:
        pairs.setdefault(pair.event_id, []).append(pair)
    for fact in old.facts:
        facts.setdefault(fact.event_id, []).append(fact)

    def earlier(part: list[Segment]) -> AlignmentResult | None:
        articles = frozenset(segment.article for segment in part)
        event_id = old_events.get(articles)
        if event_id is None or articles & new_articles:
            return None
        return AlignmentResult(pairs.get(event_id, []), facts.get(event_id, []), aligned=alignable(part, settings),
                               skipped=skipped_for_flags(part, settings))
    return earlier



def add_to_corpus(inputs: Sequence[Path], corpus: Path, work: Path, *, config: dict[str, Any] | None = None,
                  options: BuildOptions = BuildOptions(), progress: Progress = no_progress,
                  on_stage: Callable[[str], None] = lambda name: None) -> BuildReport:
    """Add the articles of `inputs` to a corpus `mt build` wrote, giving byte for byte what a full build of the old
    and new inputs gives: only the new articles are segmented and translated, events are regrouped over all the
    articles, and sentences are aligned again only in the events whose articles changed.

    The new work folder files are written into a staging folder beside `work` and the corpus is published from it
    (atomically), before the files move into `work`: a run killed before the corpus is swapped leaves the old
    corpus and work folder as they were; one killed while the files move leaves a note (MOVING), and the next
    `--into` finishes the move first."""
    folder = WorkFolder(work)
    config = config or load_config()
    check_settings(AlignmentSettings.from_config(config))
    with writing_alone(folder):
        return _add_to_corpus(inputs, corpus, folder, config, options, progress, StageClock(on_stage))[0]


@dataclass
class Kept:
    """What a process that updates one corpus again and again keeps between updates beside the corpus itself, each
    reused where it comes out the same: its records' JSON lines (`write_jsonl`), its dataset rows
    (`Configuration.rows`) and its report's pages (`report_pages`). None: nothing kept (one `mt build --into`)."""

    lines: Lines | None = field(default_factory=Lines)
    rows: dict[str, ByIdentity] | None = field(default_factory=dict)
    """By configuration name."""
    pages: KeptPages | None = field(default_factory=dict)

    def only(self, corpus: BuiltCorpus) -> None:
        """Forget what belongs to records no longer in the corpus, so that they can go."""
        if self.lines is not None:
            self.lines.only([*corpus.articles, *corpus.pairs, *corpus.facts, *corpus.events])
        for kept in (self.rows or {}).values():
            kept.only([*corpus.translated, *corpus.pairs, *corpus.facts])


class CorpusUpdater:
    """`mt build --into` for a process that adds batch after batch to one corpus (`mt watch`). The work folder is
    locked while the updater is open and read once; each update starts from what the last one left in memory
    (equal to reading the work folder again), and lingua's models and the embedders stay loaded, so an update
    pays the corpus-sized work only, not a process's start. A work file changed behind its back (by a program that
    does not take the lock: a stage re-run by hand) is noticed before the next update, which reads the folder again.

        with CorpusUpdater(corpus, work, options=options) as updater:
            report = updater.add([Path("inbox/2026-12-01-0900")])
    """

    def __init__(self, corpus: Path, work: Path, *, config: dict[str, Any] | None = None, options: BuildOptions = BuildOptions()) -> None:
        self.corpus = corpus
        self.folder = WorkFolder(work)
        self.config = config or load_config()
        check_settings(AlignmentSettings.from_config(self.config))  # before the corpus is read or a model loads
        self.options = replace(options, align=replace(options.align, encoders={} if options.align.encoders is None else options.align.encoders))
        self.kept = Kept()
        self._built: BuiltCorpus | None = None
        self._seen: tuple = ()
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(writing_alone(self.folder))
        try:
            _ = self.built  # read now: a corpus that cannot be added to is refused before anything loads
        except BaseException:
            self.close()
            raise

    @property
    def built(self) -> BuiltCorpus:
        """The corpus as its work folder holds it now."""
        seen = self._work_files()
        if self._built is None or seen != self._seen:
            _finish_moving(self.folder)
            seen = self._work_files()
            self._built = read_built_corpus(self.corpus, self.folder, self.config, self.options)
            self._seen = seen
        return self._built

    def _work_files(self) -> tuple:
        """Size and modification time of each work file an update reads: what tells that one changed."""
        alignment = AlignmentFolder(self.folder.alignment)
        found = []
        for path in (self.folder.build_record, self.folder.segments, self.folder.translated, self.folder.articles,
                     alignment.pairs, alignment.facts, alignment.events, alignment.settings):
            try:
                stat = path.stat()
                found.append((stat.st_size, stat.st_mtime_ns, stat.st_ino))
            except OSError:
                found.append(None)
        return tuple(found)

    @property
    def inputs(self) -> list[Path]:
        """The folders and files the corpus was built from, as its build.json names them."""
        return [Path(path) for path in self.built.record.get("inputs", [])]

    def add(self, inputs: Sequence[Path], *, progress: Progress = no_progress,
            on_stage: Callable[[str], None] = lambda name: None) -> BuildReport:
        """Add the articles of `inputs`, as `add_to_corpus` does. With `--english-from reference` and no references
        file given, each input folder's own references/references.jsonl are read, as `mt build` reads them."""
        options = self.options
        if options.english_from == "reference" and options.references is None:
            options = replace(options, references=references_beside(inputs))
        old, self._built = self.built, None  # until this update ends well: a failure halfway reads the folder again
        report, updated = _add_to_corpus(inputs, self.corpus, self.folder, self.config, options, progress, StageClock(on_stage), old,
                                         self.kept)
        self.kept.only(updated)
        self._built, self._seen = updated, self._work_files()
        return report

    def warm_up(self) -> None:
        """Load now what the first update would: lingua's models for the corpus's languages (by reading some of
        its sentences), the number readers and the embedders, and make the work files' lines, the dataset's rows and
        the report's pages, so that the first batch costs what the later ones do."""
        built = self.built
        load_readers()
        Segmenter(self.config).identifier.analyse([segment.text for segment in built.translated[:200]])
        settings = AlignmentSettings.from_config(self.config)
        embedder = Embedder(settings.embedder, device=self.options.align.device, loaded=self.options.align.encoders)
        for view in settings.views:
            embedder.sibling(settings.view_embedder(view)).load()
        for record in [*built.articles, *built.pairs, *built.facts, *built.events]:
            self.kept.lines.line(record)
        check_for_publishing(self.folder, built.translated, built.pairs, built.facts)
        corpus = _corpus_of(built, read_alignment_settings(self.folder), timestamp=False)
        report_pages(corpus_tables(corpus, self.kept.rows), title=PRETTY_NAME, kinds=corpus.kinds, index=REPORT_FILE,
                     kept=self.kept.pages)

    def close(self) -> None:
        """Unlock the work folder."""
        self._lock.close()

    def __enter__(self) -> CorpusUpdater:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def references_beside(inputs: Sequence[Path]) -> list[Path] | None:
    """Each input folder's own human references (references/references.jsonl, as in seeds/), or None."""
    return [path / REFERENCES_BESIDE_INPUTS for path in inputs if (path / REFERENCES_BESIDE_INPUTS).is_file()] or None


def _add_to_corpus(inputs: Sequence[Path], corpus: Path, folder: WorkFolder, config: dict[str, Any], options: BuildOptions,
                   progress: Progress, clock: StageClock, old: BuiltCorpus | None = None,
                   kept: Kept | None = None) -> tuple[BuildReport, BuiltCorpus]:
    """`add_to_corpus`'s work, run under the work folder's lock: the report, and the updated corpus as reading its
    work folder again would give it. `old`: the corpus as the last update left it, when the caller kept it."""
    kept = kept or Kept(None, None, None)
    work = folder.root
    clock("read")
    if old is None:
        _finish_moving(folder)
        old = read_built_corpus(corpus, folder, config, options)
    check_output_folder(corpus, protect=[("the input", path) for path in inputs] + [("the work folder", work)], force=options.force)
    for path in inputs:
        for given in map(Path, old.record.get("inputs", [])):
            if given.is_dir() and path.resolve() == given.resolve():
                raise IncrementalError(f"{path}: is already an input of {corpus} (its articles are in it); put new articles in "
                                       "a folder of their own and add that folder")
            if given.is_dir() and path.resolve().is_relative_to(given.resolve()):
                raise IncrementalError(f"{path}: is inside {given}, an input of {corpus}, so a rebuild would read it from there "
                                       "with the old articles; put the new articles in a folder of their own")
    engine = get_engine(options.engine, workers=options.workers, address=options.ray_address)
    clock("segment")
    segmentation = segment(list(inputs), config, progress=progress)
    if not segmentation.articles:
        raise no_articles(inputs, segmentation)
    known = {article.name for article in old.articles}
    again = sorted(article.name for article in segmentation.articles if article.name in known)
    if again:
        raise IncrementalError(f"article '{again[0]}' is already in {corpus}" + (f" (and {len(again) - 1} more)" if len(again) > 1 else "")
                               + "; rename its file, or rebuild the corpus with -o to replace an article")
    parent, name = Path(work).resolve().parent, Path(work).resolve().name
    for leftover in parent.glob(f".{glob_escape(name)}.*.incoming"):  # a killed update's staging folder: incomplete
        shutil.rmtree(leftover, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}.", suffix=".incoming"))
    try:
        staged = WorkFolder(staging)
        extend_jsonl(staged.segments, folder.segments, segmentation.segments)
        articles = [*old.articles, *(article.info() for article in segmentation.articles)]
        write_jsonl(staged.articles, articles, kept.lines)
        new_segments = as_read_back(segmentation.segments)  # as a full build reads them (the old ones were read)
        clock("translate")
        translation = give_english(new_segments, config, options, progress, engine)
        extend_jsonl(staged.translated, folder.translated, new_segments)
        clock("align")
        settings = AlignmentSettings.from_config(config)
        translated = [*old.translated, *as_read_back(new_segments)]
        align_options = embedded_ahead(translated, staged.vectors, settings, options.align, engine)
        new_names = {article.name for article in segmentation.articles}
        run = align(translated, settings, align_options, input_name=staged.translated.name, progress=progress, articles=articles,
                    events=EventSettings.from_config(config), earlier=_earlier_results(old, new_names, settings), engine=engine)
        write_alignment(staged.alignment, run, lines=kept.lines)
        command = _command_with(old.record["command"], old.record.get("inputs", []), inputs)
        record_build_command(staged, command, build_settings([*map(Path, old.record.get("inputs", [])), *inputs], corpus, work, config, options))
        clock("publish")
        updated = BuiltCorpus(read_build_record(staged) or {}, translated, _as_written(old, articles, kept.lines),
                              _as_written(old, run.result.pairs, kept.lines), _as_written(old, run.result.facts, kept.lines),
                              as_read_back(run.events, kept.lines))
        with _not_interrupted():  # the corpus is swapped, then the work files follow: a stop must wait for both
            counts = _publish(updated, run, staged, corpus, options, kept)
            with atomic_file(folder.root / MOVING) as note:  # the corpus is new: from here the work folder must follow
                note.write_text(str(staging) + "\n", encoding="utf-8")
            _finish_moving(folder)
    finally:
        if not (folder.root / MOVING).is_file():
            shutil.rmtree(staging, ignore_errors=True)
    return BuildReport(segmentation, translation, run, counts, engine, clock.stop()), updated


def _as_written(old: BuiltCorpus, records: list, lines: Lines | None = None) -> list:
    """The records as reading the written work files back gives them: those reused from the old work folder were
    read back already, the new ones go through the same round trip."""
    reused = {id(record) for record in [*old.articles, *old.pairs, *old.facts]}
    fresh = iter(as_read_back([record for record in records if id(record) not in reused], lines))
    return [record if id(record) in reused else next(fresh) for record in records]


def _publish(updated: BuiltCorpus, run: AlignmentRun, staged: WorkFolder, corpus: Path, options: BuildOptions,
             kept: Kept) -> dict[str, int]:
    """Publish the staged corpus from memory, as `publish` would from the staged files."""
    check_for_publishing(staged, updated.translated, updated.pairs, updated.facts)
    records = _corpus_of(updated, json.loads(json.dumps(run.record, ensure_ascii=False)), timestamp=options.timestamp)
    return write_corpus(corpus, records, force=options.force, rows=kept.rows, pages=kept.pages)


def _corpus_of(built: BuiltCorpus, settings: dict[str, Any], *, timestamp: bool) -> Corpus:
    """What `mt publish` would make of the work folder: the articles that have segments, and the rest as they are."""
    present = {segment.article for segment in built.translated}
    return corpus_of([article for article in built.articles if article.name in present], built.translated, built.pairs,
                     built.facts, settings, built.events, command=built.record["command"], timestamp=timestamp)


@contextlib.contextmanager
def _not_interrupted() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM (a service manager stopping `mt watch`) until the block ends, then deliver the first
    one caught: stopping between publishing the corpus and moving the work files in would leave a corpus whose
    work folder does not know its newest articles. Only the main thread can set handlers; elsewhere nothing waits."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, lambda number, frame: caught.append(number)) for number in held}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])


def _finish_moving(folder: WorkFolder) -> None:
    """Move a published update's staged files into the work folder, if a run left that unfinished."""
    staging = unfinished_move(folder)
    if staging is None:
        return
    if staging.is_dir():
        _move_into(WorkFolder(staging), folder)
        shutil.rmtree(staging, ignore_errors=True)
    (folder.root / MOVING).unlink()


def _move_into(staged: WorkFolder, folder: WorkFolder) -> None:
    """The staged files into the work folder, each by a rename (alignment/ by mt/atomic.py's swap); other files
    there (the user's, an older vectors.parquet) stay. What has moved already is skipped, so a second call finishes
    an interrupted one."""
    folder.root.mkdir(parents=True, exist_ok=True)
    for name in (staged.segments.name, staged.articles.name, staged.translated.name, staged.vectors.name):
        if (staged.root / name).is_file():
            os.replace(staged.root / name, folder.root / name)
    if staged.alignment.is_dir():
        swap_folder(staged.alignment, folder.alignment.resolve())
    if staged.build_record.is_file():
        os.replace(staged.build_record, folder.build_record)
