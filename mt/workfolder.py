"""The work folder: where each stage's output lives, by name, with its reader and writer.

    work/
      segments.jsonl        mt segment     every segment of every article
      translated.jsonl      mt translate   the same segments with `english`
      alignment/            mt align       pairs.jsonl, facts.jsonl, alignment.json (settings), links/ (parallel)
      build.json            mt build       the command that built the folder

Every file is JSON Lines or JSON with stable ids, readable in any editor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from mt.errors import UserError
from mt.records import Fact, Pair, Segment, read_facts, read_pairs, read_segments, write_jsonl


class WorkFolderError(UserError, ValueError):
    """A work folder that lacks a stage's output, or holds a file that cannot be read."""


@dataclass(frozen=True)
class WorkFolder:
    root: Path

    @property
    def segments(self) -> Path:
        return self.root / "segments.jsonl"

    @property
    def translated(self) -> Path:
        return self.root / "translated.jsonl"

    @property
    def alignment(self) -> Path:
        return self.root / "alignment"

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

    def write(self, pairs: Sequence[Pair], facts: Sequence[Fact], settings: dict[str, Any],
              links: dict[tuple[str, str], list[str]] | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        write_jsonl(self.pairs, pairs)
        write_jsonl(self.facts, facts)
        self.settings.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if links is not None:
            self.links.mkdir(exist_ok=True)
            for (a, b), lines in links.items():
                (self.links / f"{a}__{b}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_segments_file(path: Path) -> list[Segment]:
    """Segments from a JSON Lines file, or one error naming the file and the problem."""
    try:
        return read_segments(path)
    except (ValueError, TypeError, KeyError) as error:
        raise WorkFolderError(f"{path}: not a segments file ({error})") from None


def read_for_publishing(work: WorkFolder) -> tuple[list[Segment], list[Pair], list[Fact], dict[str, Any]]:
    """The translated segments, pairs, facts and alignment settings that `mt publish` turns into a dataset."""
    alignment = AlignmentFolder(work.alignment)
    needed = [work.translated, alignment.pairs, alignment.facts]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        raise WorkFolderError(f"{work.root} is not a work folder: missing {', '.join(missing)} "
                              f"(run `mt build`, or `mt translate` and `mt align -o {alignment.root}`)")
    try:
        segments = read_segments(work.translated)
        pairs, facts = read_pairs(alignment.pairs), read_facts(alignment.facts)
        settings = json.loads(alignment.settings.read_text(encoding="utf-8")) if alignment.settings.is_file() else {}
    except (ValueError, TypeError, KeyError) as error:
        raise WorkFolderError(f"{work.root}: cannot read the pipeline's output ({error})") from None
    return segments, pairs, facts, settings


def build_command_of(work: WorkFolder) -> str | None:
    """The command `mt build` recorded in the work folder, if any."""
    if not work.build_record.is_file():
        return None
    return json.loads(work.build_record.read_text(encoding="utf-8"))["command"]


def record_build_command(work: WorkFolder, command: str) -> None:
    work.build_record.write_text(json.dumps({"command": command}, indent=2) + "\n", encoding="utf-8")
