"""Reading article files, with a one-line problem report for each file that cannot be used."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger files are refused: a scraped article is kilobytes, this is something else."""


@dataclass
class Source:
    """An article's text as decoded: UTF-8, BOM removed, line endings kept."""

    name: str
    path: Path
    text: str


@dataclass
class Problem:
    """Why one input could not be read; printed as `path: message`."""

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}"


def expand_inputs(inputs: Iterable[Path | str]) -> tuple[list[Path], list[Problem]]:
    """Files named directly, plus every `.txt` of each directory, sorted."""
    files: list[Path] = []
    problems: list[Problem] = []
    for item in map(Path, inputs):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.suffix == ".txt" and p.is_file())
            if not found:
                problems.append(Problem(item, "directory has no .txt files"))
            files.extend(found)
        elif item.is_file():
            files.append(item)
        else:
            problems.append(Problem(item, "no such file or directory"))
    return files, problems


def read_source(path: Path) -> Source | Problem:
    """Decode one article, or say in one line why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(path, f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit for one article")
        data = path.read_bytes()
    except OSError as error:
        return Problem(path, f"cannot read file ({error.strerror})")
    if b"\x00" in data:
        return Problem(path, "binary file (contains NUL bytes), not a text article")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(path, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); re-encode it as UTF-8")
    if not text.strip():
        return Problem(path, "empty file (no text)")
    return Source(name=path.stem, path=path, text=text)


def read_sources(inputs: Iterable[Path | str]) -> tuple[list[Source], list[Problem]]:
    files, problems = expand_inputs(inputs)
    sources: list[Source] = []
    seen: dict[str, Path] = {}
    for path in files:
        result = read_source(path)
        if isinstance(result, Problem):
            problems.append(result)
        elif result.name in seen:
            problems.append(Problem(path, f"article name '{result.name}' already used by {seen[result.name]}; skipped"))
        else:
            seen[result.name] = path
            sources.append(result)
    return sources, problems
