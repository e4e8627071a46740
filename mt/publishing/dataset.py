"""The corpus folder: each configuration's parquet file, the card, the license note and the report, written at once.

The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence

from mt import __version__
from mt.atomic import atomic_folder
from mt.config import load_config
from mt.publishing.card import dataset_card
from mt.publishing.columns import typed_table
from mt.publishing.configurations import CONFIGURATIONS
from mt.publishing.configurations import tables as corpus_tables
from mt.publishing.corpus import Corpus, Provenance
from mt.publishing.errors import PublishError
from mt.publishing.layout import CARD_FILE, DATA_FILE, LICENSE_FILE, LICENSE_NOTE, PRETTY_NAME, REPORT_FILE
from mt.publishing.report import KeptPages, report_pages, write_pages
from mt.records import ArticleInfo, ByIdentity, Event, Fact, Pair, RecordError, Segment, read_events
from mt.workfolder import AlignmentFolder, WorkFolder, read_for_publishing


def write_corpus(output: Path, corpus: Corpus, *, force: bool = False, rows: dict[str, ByIdentity] | None = None,
                 pages: KeptPages | None = None) -> dict[str, int]:
    """Write data/<config>/*.parquet, README.md, report.html and its events' pages (report/), atomically; returns
    the row count of each configuration. `rows` and `pages`: rows and report pages made earlier by this process
    (`Configuration.rows`, `report_pages`), reused where they are the same.

    Everything is written into a temporary sibling folder that replaces `output`
    only when complete, so a failure leaves the previous corpus untouched. `output` is replaced only if the
    toolkit wrote it (or `force`, the user's --force). A value the corpus cannot hold is a PublishError.
    """
    try:
        with atomic_folder(output, force=force) as staging:
            return _write_corpus(staging, corpus, previous=output if output.is_dir() else None, rows=rows, pages=pages)
    except ValueError as error:
        raise PublishError(str(error)) from None


def _write_corpus(output: Path, corpus: Corpus, previous: Path | None = None, rows: dict[str, ByIdentity] | None = None,
                  pages: KeptPages | None = None) -> dict[str, int]:
    tables = corpus_tables(corpus, rows)
    counts, sizes = {}, {}
    for configuration in CONFIGURATIONS:
        name = configuration.name
        path = output / DATA_FILE.format(config=name)
        path.parent.mkdir(parents=True, exist_ok=True)
        dataset = typed_table(tables[name], configuration.features())
        dataset.to_parquet(str(path))
        counts[name] = len(tables[name])
        sizes[name] = (dataset.data.nbytes, path.stat().st_size)
    (output / CARD_FILE).write_text(dataset_card(tables, counts, sizes, corpus.provenance), encoding="utf-8")
    (output / LICENSE_FILE).write_text(LICENSE_NOTE + "\n", encoding="utf-8")
    write_pages(output, report_pages(tables, title=PRETTY_NAME, kinds=corpus.kinds, index=REPORT_FILE, kept=pages), previous)
    return counts


def read_corpus(work: Path, *, command: str, timestamp: bool = False) -> Corpus:
    """The corpus a work folder holds (translated segments, alignment, articles), with its provenance."""
    articles, segments, pairs, facts, settings = read_for_publishing(WorkFolder(work))
    events_file = AlignmentFolder(WorkFolder(work).alignment).events  # none (parallel mode, an older folder): one event
    try:
        events = read_events(events_file) if events_file.is_file() else []
    except RecordError as error:
        raise PublishError(str(error)) from None
    return corpus_of(articles, segments, pairs, facts, settings, events, command=command, timestamp=timestamp)


def corpus_of(articles: Sequence[ArticleInfo], segments: Sequence[Segment], pairs: Sequence[Pair], facts: Sequence[Fact],
              settings: dict[str, Any], events: Sequence[Event], *, command: str, timestamp: bool = False) -> Corpus:
    """The corpus of these records (as a work folder gives them back) and alignment settings, with its provenance:
    `mt build --into` has them in memory, and reading thousands back from the files it has just written costs
    seconds."""
    models = {s.translation_model: s.translation_model_revision for s in segments if s.translation_model}
    created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if timestamp else None
    provenance = Provenance(command=command, toolkit_version=__version__, translation_models=models, alignment=settings,
                            created=created)
    kinds: Sequence[str] = settings.get("kinds") or load_config()["alignment"]["kinds"]
    try:
        return Corpus(articles, segments, pairs, facts, provenance, tuple(kinds), events)
    except ValueError as error:
        raise PublishError(str(error)) from None


def publish(work: Path, output: Path, *, command: str, timestamp: bool = False, force: bool = False) -> dict[str, int]:
    """Turn a work folder (translated segments and alignment) into the dataset folder; row counts per configuration."""
    return write_corpus(output, read_corpus(work, command=command, timestamp=timestamp), force=force)
