"""Reading article files, with a one-line problem report for each file that cannot be used.

Plain text (`.txt`) is read as it is; HTML (`.html`, `.htm`) through trafilatura; JSON Lines
(`.jsonl`) as one article a line (mt/articles.py). Metadata from a sidecar `articles.yaml` or
`articles.csv` beside the inputs is attached to each article it names.

Whatever the input, a fault is one Problem line naming the file, and the other files are read:
- only regular files are read: a FIFO, a device, a socket or a symbolic link loop, named directly or
  with an article suffix inside a directory, is skipped with a Problem saying what it is (a FIFO is
  never opened for reading in a way that could wait);
- a NUL character means binary data, not an article: a file holding one, as a byte (.txt, .html,
  .jsonl) or as a JSON `\\u0000` escape on any line of a .jsonl, is refused whole;
- a lone surrogate (from a JSON escape such as `\\ud83d`; UTF-8 files cannot hold one) is replaced
  with U+FFFD, and a Problem names the file, the line and how many were replaced; the article is read.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from mt.config import InputFileError, not_a_regular_file, read_regular_file
from mt.segmentation.articles import ArticleMetadataError, article_from_html, articles_from_jsonl, read_sidecar, sidecars_for

ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
"""Files a directory input contributes (sorted by name); any other file there is ignored."""

MAX_FILE_BYTES = 50 * 1024 * 1024
"""Larger files are refused: a scraped article is kilobytes, this is something else."""


@dataclass
class Source:
    """An article's text as decoded: UTF-8, BOM removed, line endings kept."""

    name: str
    path: Path
    text: str
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class Problem:
    """Why one input could not be read; printed as `path: message`."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


def expand_inputs(inputs: Iterable[Path | str]) -> tuple[list[Path], list[Problem]]:
    """Files named directly, plus every article file (ARTICLE_SUFFIXES) of each directory, sorted; anything
    else named directly, or with an article suffix in a directory, is a problem saying what it is."""
    files: list[Path] = []
    problems: list[Problem] = []
    for item in map(Path, inputs):
        if item.is_dir():
            try:
                found = sorted(p for p in item.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)
            except OSError as error:
                problems.append(Problem(item, f"cannot list directory ({error.strerror or error})"))
                continue
            regular = [p for p in found if not_a_regular_file(p) is None]
            problems.extend(skipped(p) for p in found if p not in regular)
            if not regular:
                problems.append(Problem(item, f"directory has no article files ({', '.join(ARTICLE_SUFFIXES)})"))
            files.extend(regular)
        elif not_a_regular_file(item) is None:
            files.append(item)
        else:
            problems.append(skipped(item))
    return files, problems


def skipped(path: Path) -> Problem:
    """Why `path`, not a regular file, is not read."""
    reason = not_a_regular_file(path) or "not a regular file"
    return Problem(path, f"{reason}: skipped" if os.path.lexists(path) else reason)


def read_source(path: Path) -> tuple[list[Source], list[Problem]]:
    """Decode one input (one article, or several for JSONL), with a problem for each thing wrong with it:
    why it cannot be used (then no source), or what was replaced to use it."""
    try:
        data = read_regular_file(path, MAX_FILE_BYTES, " for one article")
    except InputFileError as error:
        return [], [Problem(path, error.reason)]
    if b"\x00" in data:
        return [], [Problem(path, "binary file (contains NUL bytes), not a text article")]
    if path.suffix.lower() in (".html", ".htm"):
        text, metadata = article_from_html(path, data)
        if not text.strip():
            return [], [Problem(path, "no article text found in the HTML (trafilatura extracted nothing)")]
        return [Source(path.stem, path, text, {**metadata, "metadata_from": "html"})], []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return [], [Problem(path, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); re-encode it as UTF-8")]
    if not text.strip():
        return [], [Problem(path, "empty file (no text)")]
    if path.suffix.lower() == ".jsonl":
        try:
            found, notes = articles_from_jsonl(path, text)
        except ArticleMetadataError as error:
            return [], [Problem(path, error.message, error.line)]
        problems = [Problem(path, message, line) for line, message in notes]
        sources = [Source(name, path, body, {**metadata, "metadata_from": path.name} if metadata else {})
                   for name, body, metadata in found if body.strip()]
        if not sources:
            problems.append(Problem(path, "no article with text in this JSON Lines file"))
        return sources, problems
    return [Source(name=path.stem, path=path, text=text)], []


def read_sources(inputs: Iterable[Path | str]) -> tuple[list[Source], list[Problem]]:
    """Every readable article with its metadata; a sidecar entry naming no article is a problem, a bad sidecar an error."""
    inputs = [Path(item) for item in inputs]
    files, problems = expand_inputs(inputs)
    sources: list[Source] = []
    seen: dict[str, Path] = {}
    for path in files:
        found, noted = read_source(path)
        problems.extend(noted)
        for source in found:
            if source.name in seen:
                problems.append(Problem(path, f"article name '{source.name}' already used by {seen[source.name]}; skipped"))
            else:
                seen[source.name] = path
                sources.append(source)
    by_name = {source.name: source for source in sources}
    for sidecar in sidecars_for([p for p in inputs if p.exists()]):
        entries, notes = read_sidecar(sidecar)
        problems.extend(Problem(sidecar, message, line) for line, message in notes)
        for name, metadata in entries.items():
            if name not in by_name:
                if sidecar.parent in inputs:  # a folder given whole: its sidecar should name only its articles
                    problems.append(Problem(sidecar, f"article '{name}' is not among the inputs; its metadata is unused"))
                continue
            source = by_name[name]
            source.metadata = {**source.metadata, **metadata, "metadata_from": sidecar.name}
    return sources, problems
