"""Segments in and out of files, stdin and stdout, as the commands and Python users take them.

Input: a JSON Lines file of segments (from `mt segment`), a plain text file
(segmented on the fly, or one segment a line), `-` for stdin (JSON Lines or
text), or whatever the chosen engine reads besides (Ray: parquet and URIs).
Output: JSON Lines or plain English text, to a file (atomically) or stdout.
Any reader that takes a path takes `-` too, through `spooled`: stdin in a
temporary file, with errors that name stdin.
"""

from __future__ import annotations

import contextlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence, TextIO

from alignments.evaluation import format_links
from alignments.parallel import Link
from mt.atomic import atomic_file
from mt.config import not_a_regular_file
from mt.engines import Engine, get_engine
from mt.errors import UserError
from mt.records import Segment, read_segments, to_dict, write_jsonl
from mt.segmentation import SegmentationResult, segment_text
from mt.workfolder import WorkFolderError, articles_beside

STDIO = "-"


def is_remote(source: str) -> bool:
    """A URI or parquet file: only an engine that reads them (Ray) can."""
    return "://" in source or source.endswith(".parquet")


def read_stdin(stdin: TextIO | None = None) -> str:
    """All of stdin as text; bytes that are not UTF-8 are one line."""
    try:
        text = (stdin or sys.stdin).read()
        text.encode("utf-8")  # undecodable bytes arrive as lone surrogates under a C locale
    except (UnicodeDecodeError, UnicodeEncodeError):
        raise WorkFolderError("stdin: not UTF-8 text") from None
    return text


@contextlib.contextmanager
def spooled(source: str | Path, suffix: str = "", stdin: TextIO | None = None) -> Iterator[Path]:
    """`-` as a temporary file holding stdin, for readers that take a path; any other source as its path."""
    if str(source) != STDIO:
        yield Path(source)
        return
    with _as_file(read_stdin(stdin), suffix) as path:
        yield path


@contextlib.contextmanager
def _as_file(text: str, suffix: str) -> Iterator[Path]:
    """Text from stdin in a temporary file named `stdin<suffix>`; an error raised inside names stdin, not the file."""
    with tempfile.TemporaryDirectory(prefix="mt-stdin-") as folder:
        path = Path(folder) / f"stdin{suffix}"
        path.write_text(text, encoding="utf-8")
        try:
            yield path
        except UserError as error:
            error.args = tuple(str(arg).replace(str(path), "stdin") for arg in error.args)
            raise


def read_segments_input(source: str, *, config: dict[str, Any], one_per_line: bool = False,
                        engine: Engine | None = None, stdin: TextIO | None = None) -> tuple[list[Segment], bool]:
    """Segments, and whether the input was plain text (so that the output defaults to plain text too)."""
    engine = engine or get_engine("local")
    if is_remote(source):
        return engine.read_segments(source), False
    path = Path(source)
    problem = None if source == STDIO else not_a_regular_file(path)
    if problem:
        raise WorkFolderError(f"{source}: {problem}")
    if source != STDIO and path.suffix == ".jsonl":
        return engine.read_segments(source), False
    try:
        text = read_stdin(stdin) if source == STDIO else path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise WorkFolderError(f"{source}: not UTF-8 text") from None
    if source == STDIO and text.lstrip().startswith("{"):
        with _as_file(text, ".jsonl") as spooled_text:
            return engine.read_segments(str(spooled_text)), False
    name = "stdin" if source == STDIO else path.stem
    return segment_text(text, name, config, one_per_line=one_per_line).segments, True


def read_translated(source: str | Path, stdin: TextIO | None = None) -> list[Segment]:
    """Segment records (JSON Lines, as `mt translate` writes them) from a file or `-` for stdin."""
    with spooled(source, ".jsonl", stdin) as path:
        return read_segments(path)


def segment_stdin(config: dict[str, Any], stdin: TextIO | None = None) -> SegmentationResult:
    """One article, named `stdin`, read from stdin and segmented like an article file."""
    text = read_stdin(stdin)
    if not text.strip():
        raise WorkFolderError("stdin: empty input, no article to segment")
    return SegmentationResult(articles=[segment_text(text, "stdin", config)], problems=[])


def write_records(output: Path | str, records: Sequence[Any], *, echo: Callable[[str], None] = print) -> int:
    """Records one JSON object a line, to a file (atomically) or, for `-`, to stdout through `echo`."""
    if str(output) != STDIO:
        return write_jsonl(output, records)
    for record in records:
        echo(json.dumps(record if isinstance(record, dict) else to_dict(record), ensure_ascii=False))
    return len(records)


def write_segments_output(output: str, segments: Sequence[Segment], *, as_text: bool,
                          echo: Callable[[str], None] = print) -> None:
    """JSON Lines of the segments, or their English one a line; `-` writes to stdout through `echo`."""
    if not as_text:
        write_records(output, segments, echo=echo)
    elif output == STDIO:
        for segment in segments:
            echo(segment.english)
    else:
        with atomic_file(Path(output)) as staging:
            staging.write_text("".join(f"{s.english}\n" for s in segments), encoding="utf-8")


def write_segmentation(output: Path | str, result: SegmentationResult, articles: Path | str | None = None, *,
                       echo: Callable[[str], None] = print) -> int:
    """The segments (JSON Lines, `-` for stdout through `echo`), and each article's metadata: to `articles`, by
    default articles.jsonl beside a segments file, and nowhere when the segments go to stdout. Returns the segments written."""
    if articles is None and str(output) != STDIO:
        articles = articles_beside(Path(output))
    count = write_records(output, result.segments, echo=echo)
    if articles is not None:
        write_jsonl(articles, [article.info() for article in result.articles])
    return count


def write_links(output: str, links: Sequence[Link], scores: Sequence[float], *,
                echo: Callable[[str], None] = print) -> None:
    """vecalign's `[i, j]:[k]:score` lines, to a file (atomically) or stdout."""
    lines = format_links(links, scores)
    if output == STDIO:
        for line in lines:
            echo(line)
        return
    with atomic_file(Path(output)) as staging:
        staging.write_text("\n".join(lines) + "\n", encoding="utf-8")
