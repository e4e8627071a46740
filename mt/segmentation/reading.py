"""Reading article files, with a one-line problem report for each file that cannot be used.

Plain text (`.txt`) is read as it is; HTML (`.html`, `.htm`) through trafilatura; JSON Lines
(`.jsonl`) as one article a line (mt/articles.py). Metadata from a sidecar `articles.yaml` or
`articles.csv` beside the inputs is attached to each article it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

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
    """Files named directly, plus every article file (ARTICLE_SUFFIXES) of each directory, sorted."""
    files: list[Path] = []
    problems: list[Problem] = []
    for item in map(Path, inputs):
        if item.is_dir():
            found = sorted(p for p in item.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES and p.is_file())
            if not found:
                problems.append(Problem(item, f"directory has no article files ({', '.join(ARTICLE_SUFFIXES)})"))
            files.extend(found)
        elif item.is_file():
            files.append(item)
        else:
            problems.append(Problem(item, "no such file or directory"))
    return files, problems


def read_source(path: Path) -> list[Source] | Problem:
    """Decode one input (one article, or several for JSONL), or say in one line why it cannot be used."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return Problem(path, f"file is {size / 2**20:.0f} MiB, over the {MAX_FILE_BYTES // 2**20} MiB limit for one article")
        data = path.read_bytes()
    except OSError as error:
        return Problem(path, f"cannot read file ({error.strerror})")
    if b"\x00" in data:
        return Problem(path, "binary file (contains NUL bytes), not a text article")
    if path.suffix.lower() in (".html", ".htm"):
        text, metadata = article_from_html(path, data)
        if not text.strip():
            return Problem(path, "no article text found in the HTML (trafilatura extracted nothing)")
        return [Source(path.stem, path, text, {**metadata, "metadata_from": "html"})]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return Problem(path, f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); re-encode it as UTF-8")
    if not text.strip():
        return Problem(path, "empty file (no text)")
    if path.suffix.lower() == ".jsonl":
        try:
            found = articles_from_jsonl(path, text)
        except ArticleMetadataError as error:
            return Problem(path, error.message, error.line)
        sources = [Source(name, path, body, {**metadata, "metadata_from": path.name} if metadata else {})
                   for name, body, metadata in found if body.strip()]
        return sources or Problem(path, "no article with text in this JSON Lines file")
    return [Source(name=path.stem, path=path, text=text)]


def read_sources(inputs: Iterable[Path | str]) -> tuple[list[Source], list[Problem]]:
    """Every readable article with its metadata; a sidecar entry naming no article is a problem, a bad sidecar an error."""
    inputs = [Path(item) for item in inputs]
    files, problems = expand_inputs(inputs)
    sources: list[Source] = []
    seen: dict[str, Path] = {}
    for path in files:
        result = read_source(path)
        if isinstance(result, Problem):
            problems.append(result)
            continue
        for source in result:
            if source.name in seen:
                problems.append(Problem(path, f"article name '{source.name}' already used by {seen[source.name]}; skipped"))
            else:
                seen[source.name] = path
                sources.append(source)
    by_name = {source.name: source for source in sources}
    for sidecar in sidecars_for([p for p in inputs if p.exists()]):
        for name, metadata in read_sidecar(sidecar).items():
            if name not in by_name:
                if sidecar.parent in inputs:  # a folder given whole: its sidecar should name only its articles
                    problems.append(Problem(sidecar, f"article '{name}' is not among the inputs; its metadata is unused"))
                continue
            source = by_name[name]
            source.metadata = {**source.metadata, **metadata, "metadata_from": sidecar.name}
    return sources, problems
