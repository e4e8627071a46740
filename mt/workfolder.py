"""The work folder: where each stage's output lives, by name, with its reader and writer.

    work/
      segments.jsonl        mt segment     every segment of every article
      articles.jsonl        mt segment     one line per article: its metadata (outlet, url...) and counts
      translated.jsonl      mt translate   the same segments with `english`
      alignment/            mt align       pairs.jsonl, facts.jsonl, alignment.json (settings), links/ (parallel)
      vectors.parquet       mt embed       embeddings of the texts to align (`--engine ray`)
      build.json            mt build       the command that built the folder, its inputs, corpus and settings

Every file is JSON Lines or JSON with stable ids, readable in any editor.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence

from mt.atomic import atomic_file, atomic_folder
from mt.errors import UserError
from mt.records import (
    TEXT_KINDS,
    ArticleInfo,
    Event,
    Fact,
    Lines,
    Pair,
    Segment,
    read_articles,
    read_facts,
    read_pairs,
    read_segments,
    write_jsonl,
)


NAME_PART_CHARACTERS = 80
"""The longest part of a file name made from a user's string (two parts and a suffix stay under 255 bytes)."""


class WorkFolderError(UserError, ValueError):
    """A work folder that lacks a stage's output, or holds a file that cannot be read."""


@dataclass(frozen=True)
class WorkFolder:
    root: Path

    @property
    def segments(self) -> Path:
        return self.root / "segments.jsonl"

    @property
    def articles(self) -> Path:
        return articles_beside(self.segments)

    @property
    def translated(self) -> Path:
        return self.root / "translated.jsonl"

    @property
    def alignment(self) -> Path:
        return self.root / "alignment"

    @property
    def vectors(self) -> Path:
        """`mt build --engine ray`: the embeddings computed on the cluster, read by the align stage."""
        return self.root / "vectors.parquet"

    @property
    def build_record(self) -> Path:
        return self.root / "build.json"


@dataclass(frozen=True)
class AlignmentFolder:
    """`mt align`'s output folder (inside a work folder, or anywhere `-o` puts it)."""

    root: Path

    @property
    def pairs(self) -> Path:
        return self.root / "pairs.jsonl"

    @property
    def facts(self) -> Path:
        return self.root / "facts.jsonl"

    @property
    def settings(self) -> Path:
        return self.root / "alignment.json"

    @property
    def links(self) -> Path:
        return self.root / "links"

    @property
    def events(self) -> Path:
        """The events alignment ran in (mt.records.Event, one a line); without it the corpus is one event."""
        return self.root / "events.jsonl"

    def write(self, pairs: Sequence[Pair], facts: Sequence[Fact], settings: dict[str, Any],
              links: dict[tuple[str, str], list[str]] | None = None, *, events: Sequence[Event] = (),
              force: bool = False, lines: Lines | None = None) -> None:
        """All files at once: written into a temporary sibling folder that then replaces this one (only a folder
        mt wrote, an empty one, or any with `force`; see mt/atomic.py). `lines`: as for `write_jsonl`."""
        with atomic_folder(self.root, force=force) as staging:
            out = AlignmentFolder(staging)
            write_jsonl(out.pairs, pairs, lines)
            write_jsonl(out.facts, facts, lines)
            if events:
                write_jsonl(out.events, events, lines)
            out.settings.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            if links is not None:
                out.links.mkdir()
                for (a, b), found in links.items():
                    file_in(out.links, f"{safe_name(a)}__{safe_name(b)}.txt").write_text("\n".join(found) + "\n", encoding="utf-8")


def safe_name(text: str) -> str:
    """`text` as a part of a file name. Article names come from the user's files (a JSONL `name` can be
    '../../x' or hold a '/'), so only [A-Za-z0-9._-] are kept, others become '_', leading dots go and the length
    is capped; a name that had to change gets a short hash of the original, so different names stay different."""
    kept = re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".")[:NAME_PART_CHARACTERS]
    if kept == text and kept:
        return kept
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"{kept or '_'}-{digest}"


def file_in(folder: Path, name: str) -> Path:
    """`folder / name`, checked to stay directly inside `folder`: no write may leave an output folder."""
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise WorkFolderError(f"{name!r}: not a plain file name inside {folder}")
    return path


def articles_beside(segments_file: Path) -> Path:
    """Where `mt segment` writes the articles' metadata: `articles.jsonl` beside the segments file."""
    return segments_file.with_name("articles.jsonl")


def read_articles_for(work: "WorkFolder", segments: Sequence[Segment]) -> list[ArticleInfo]:
    """The work folder's articles.jsonl; without one (an older work folder), the article names the segments give."""
    if work.articles.is_file():
        articles = read_articles(work.articles)
    else:
        articles = []
    known = {a.name for a in articles}
    own: dict[str, list[Segment]] = {}
    for segment in segments:
        own.setdefault(segment.article, []).append(segment)
    for name, found in own.items():
        if name not in known:
            langs = Counter(s.lang for s in found if s.kind in TEXT_KINDS) or Counter([found[0].lang])
            articles.append(ArticleInfo(name=name, path=name, lang=langs.most_common(1)[0][0], segments=len(found)))
    present = set(own)
    return [a for a in articles if a.name in present]


def read_for_publishing(work: WorkFolder) -> tuple[list[ArticleInfo], list[Segment], list[Pair], list[Fact], dict[str, Any]]:
    """The articles, translated segments, pairs, facts and alignment settings that `mt publish` turns into a dataset."""
    alignment = AlignmentFolder(work.alignment)
    needed = [work.translated, alignment.pairs, alignment.facts]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise WorkFolderError(f"{work.root} is not a work folder: missing {', '.join(missing)} "
                              f"(run `mt build`, or `mt translate` and `mt align -o {alignment.root}`)")
    segments = read_segments(work.translated)
    pairs, facts = read_pairs(alignment.pairs), read_facts(alignment.facts)
    settings = read_alignment_settings(work)
    check_for_publishing(work, segments, pairs, facts)
    return read_articles_for(work, segments), segments, pairs, facts, settings


def read_alignment_settings(work: WorkFolder) -> dict[str, Any]:
    """alignment.json: the settings the alignment ran with ({} when there is none); not JSON is one named error."""
    path = AlignmentFolder(work.alignment).settings
    try:
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    except (ValueError, OSError) as error:
        raise WorkFolderError(f"{path}: not JSON ({error})") from None


def check_for_publishing(work: WorkFolder, segments: Sequence[Segment], pairs: Sequence[Pair], facts: Sequence[Fact]) -> None:
    """What the dataset needs: unique ids, English for every segment, and pairs and facts naming known segments."""
    seen: set[str] = set()
    for number, segment in enumerate(segments, start=1):
        if segment.id in seen:
            raise WorkFolderError(f"{work.translated}:{number}: segment id '{segment.id}' appears twice")
        seen.add(segment.id)
        if segment.english is None:
            raise WorkFolderError(f"{work.translated}:{number}: segment '{segment.id}' has no English; run `mt translate` on it first")
    alignment = AlignmentFolder(work.alignment)
    for number, pair in enumerate(pairs, start=1):
        unknown = [i for i in [pair.id_a, pair.id_b, *pair.ids_a, *pair.ids_b] if i not in seen]
        if unknown:
            raise WorkFolderError(f"{alignment.pairs}:{number}: names segment '{unknown[0]}', which {work.translated} does not have")
    for number, fact in enumerate(facts, start=1):
        unknown = [i for ids in fact.members.values() for i in ids if i not in seen]
        if unknown:
            raise WorkFolderError(f"{alignment.facts}:{number}: fact '{fact.fact_id}' names segment '{unknown[0]}', which {work.translated} does not have")


def build_command_of(work: WorkFolder) -> str | None:
    """The command `mt build` recorded in the work folder, if any."""
    if not work.build_record.is_file():
        return None
    return json.loads(work.build_record.read_text(encoding="utf-8"))["command"]


try:
    import fcntl
except ImportError:  # Windows: no flock; one writer at a time is then the user's to keep
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def writing_alone(folder: WorkFolder) -> Iterator[None]:
    """Refuse a second writer of a whole work folder while one runs (`mt build`, `mt build --into`, `mt watch`: an
    update would remove the other's staging folder, a watch would hold records the other replaced): an exclusive
    flock on the folder itself, which leaves no file behind. It holds among the processes of one machine (POSIX);
    where there is no flock (Windows, a file system without locks, a folder it cannot open) nothing is locked."""
    if fcntl is None or not folder.root.is_dir():
        yield
        return
    try:
        handle = os.open(folder.root, os.O_RDONLY)
    except OSError:
        yield
        return
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(handle)
        raise WorkFolderError(f"{folder.root}: another mt process (mt build, mt build --into or mt watch) is writing this work "
                              "folder; wait for it to end, or stop the watch") from None
    except OSError:
        pass  # no locks on this file system: as on Windows
    try:
        yield
    finally:
        os.close(handle)


MOVING = ".mt-moving"
"""In the work folder while `mt build --into` moves staged files in: names the staging folder, so that a run killed
during the move is finished by the next `--into` before it reads the work folder (and dropped by a full build)."""


def unfinished_move(folder: WorkFolder) -> Path | None:
    """The staging folder a killed `--into` left a MOVING note for, or None when there is no note."""
    note = folder.root / MOVING
    return Path(note.read_text(encoding="utf-8").strip()) if note.is_file() else None


def drop_unfinished_move(folder: WorkFolder) -> None:
    """A full build replaces every work file: the staged files of a killed `--into` would overwrite its own later."""
    staging = unfinished_move(folder)
    if staging is not None:
        if staging.name.endswith(".incoming") and staging.parent == folder.root.resolve().parent:
            shutil.rmtree(staging, ignore_errors=True)
        (folder.root / MOVING).unlink()


def record_build_command(work: WorkFolder, command: str, details: dict[str, Any] | None = None) -> None:
    """build.json: the command, and `details` (inputs, corpus, settings) that `mt build --into` checks against."""
    with atomic_file(work.build_record) as staging:
        staging.write_text(json.dumps({"command": command, **(details or {})}, indent=2, ensure_ascii=False, default=str) + "\n",
                           encoding="utf-8")


def read_build_record(work: WorkFolder) -> dict[str, Any] | None:
    """build.json as written by `mt build`, or None when the folder has none."""
    if not work.build_record.is_file():
        return None
    try:
        record = json.loads(work.build_record.read_text(encoding="utf-8"))
    except (ValueError, OSError) as error:
        raise WorkFolderError(f"{work.build_record}: cannot read the build record ({error})") from None
    if not isinstance(record, dict) or not isinstance(record.get("command"), str):
        raise WorkFolderError(f"{work.build_record}: not a build record of mt build (no command)")
    return record


def write_vectors(output: Path, model: str, texts: Sequence[str], vectors: Sequence) -> int:
    """The vectors file of `mt embed` (parquet: model, text, vector), read back by `Embedder.preload`; atomic."""
    import pyarrow as pa  # lazy on purpose: only `mt embed` and the Ray engine write vectors
    import pyarrow.parquet as pq

    table = pa.table({"model": [model] * len(texts), "text": list(texts),
                      "vector": pa.array([list(map(float, v)) for v in vectors], pa.list_(pa.float32()))})
    with atomic_file(output) as staging:
        pq.write_table(table, staging)
    return len(texts)
