"""`mt watch INBOX --into corpus/`: one resident process that adds each batch folder dropped into an inbox to a corpus.

A monitoring project gets articles all day. `mt build --into` run once a batch pays a process's start every time
(imports, lingua's models, the embedders: several seconds) and reads the whole work folder again; a watcher pays
them once (`mt.incremental.CorpusUpdater`), so an update costs the corpus-sized work alone (docs/scaling.md has
the figures). Each update gives what `mt build --into` gives: byte for byte a full build of all the inputs.

A batch is a subfolder of the inbox, laid out as `mt build` reads a folder (article files, an articles.yaml or
.csv, references/references.jsonl). A folder whose name starts with a dot is not read (write a batch as .name,
then rename it), and a folder is taken only once it looks the same twice in a row, `interval` apart, so that a
copy still running is not read halfway. Batches are added in name order (name them by time). A batch refused (an
article already in the corpus, nothing readable, a model missing) is reported once and tried again only when its
files change.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from mt.errors import UserError
from mt.incremental import CorpusUpdater
from mt.pipeline import BuildReport
from mt.progress import Progress, no_progress

Fingerprint = tuple[tuple[str, int, int], ...]
"""A folder's files as (relative path, size, modification time in ns), sorted: what 'changed' means here."""


@dataclass(frozen=True)
class Outcome:
    """One batch tried: its report when it was added, else the one-line reason it was refused."""

    batch: Path
    report: BuildReport | None = None
    refused: str | None = None


def fingerprint(folder: Path) -> Fingerprint:
    """The folder's files, with their sizes and times; an empty tuple when it vanished meanwhile."""
    found = []
    for path in sorted(folder.rglob("*")):
        try:
            if path.is_file():
                stat = path.stat()
                found.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns))
        except OSError:
            continue
    return tuple(found)


def batches_waiting(inbox: Path, taken: Iterable[Path]) -> list[Path]:
    """The inbox's batch folders not in the corpus yet (not among `taken`: its inputs, its own folders), in name
    order; hidden folders (a batch still being written) are left for later."""
    done = {path.resolve() for path in taken}
    return [folder for folder in sorted(inbox.iterdir()) if folder.is_dir() and not folder.name.startswith(".")
            and folder.resolve() not in done]


def watch(inbox: Path, updater: CorpusUpdater, *, interval: float, once: bool = False,
          on_outcome: Callable[[Outcome], None] = lambda outcome: None, progress: Progress = no_progress,
          on_stage: Callable[[str], None] = lambda name: None, sleep: Callable[[float], None] = time.sleep,
          on_problem: Callable[[str], None] = lambda problem: None) -> list[Outcome]:
    """Add the inbox's batches to the updater's corpus as they arrive, until interrupted; with `once`, add those
    there now (without waiting for them to settle: the caller says they are complete) and return them. Each batch
    tried is passed to `on_outcome` as it ends (a long watch keeps none of them). A work folder that cannot be read
    at a look (a stage being re-run by hand) is passed to `on_problem` once, and looked at again next time."""
    outcomes: list[Outcome] = []
    looked: dict[Path, Fingerprint] = {}
    refused: dict[Path, Fingerprint] = {}
    own = [updater.corpus, updater.folder.root]  # a corpus or work folder inside the inbox is no batch
    said = None
    while True:
        check_inbox(inbox)
        try:
            taken = [*updater.inputs, *own]
            said = None
        except UserError as error:
            if once:
                raise
            if str(error) != said:
                on_problem(f"{error} (looked at again every {interval:g} s)")
            said = str(error)
            sleep(interval)
            continue
        for batch in batches_waiting(inbox, taken):
            now = fingerprint(batch)
            settled, looked[batch] = looked.get(batch) == now, now
            if not now or refused.get(batch) == now or not (once or settled):
                continue
            try:
                outcome = Outcome(batch, report=updater.add([batch], progress=progress, on_stage=on_stage))
                refused.pop(batch, None)
            except UserError as error:
                refused[batch] = now
                outcome = Outcome(batch, refused=str(error))
            on_outcome(outcome)
            if once:
                outcomes.append(outcome)
        if once:
            return outcomes
        sleep(interval)


def check_inbox(inbox: Path) -> None:
    """Refuse to watch a folder that is not there (a typo would otherwise wait forever)."""
    if not inbox.is_dir():
        raise WatchError(f"{inbox}: no such folder to watch (create it, and put each batch of articles in it as a folder)")


class WatchError(UserError, ValueError):
    """`mt watch` cannot start: the inbox is missing."""
