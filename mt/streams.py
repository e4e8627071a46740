"""Segments in and out of files, stdin and stdout, as the commands and Python users take them.

Input: a JSON Lines file of segments (from `mt segment`), a plain text file
(segmented on the fly, or one segment a line), `-` for stdin (JSON Lines or
text), or whatever the chosen engine reads besides (Ray: parquet and URIs).
Output: JSON Lines or plain English text, to a file (atomically) or stdout.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from alignments.evaluation import format_links
from alignments.parallel import Link
from mt.atomic import atomic_file
from mt.config import not_a_regular_file
from mt.engines import Engine, get_engine
from mt.records import Segment, to_dict, write_jsonl
from mt.segmentation import SegmentationResult, segment_text
from mt.workfolder import WorkFolderError, articles_beside

STDIO = "-"


def is_remote(source: str) -> bool:
    """A URI or parquet file: only an engine that reads them (Ray) can."""
    return "://" in source or source.endswith(".parquet")


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
        text = (stdin or sys.stdin).read() if source == STDIO else path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise WorkFolderError(f"{source}: not UTF-8 text") from None
    if source == STDIO and text.lstrip().startswith("{"):
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", encoding="utf-8") as spooled:
            spooled.write(text)
            spooled.flush()
            return engine.read_segments(spooled.name), False
    name = "stdin" if source == STDIO else path.stem
    return segment_text(text, name, config, one_per_line=one_per_line).segments, True


def write_segments_output(output: str, segments: Sequence[Segment], *, as_text: bool,
                          echo: Callable[[str], None] = print) -> None:
    """JSON Lines of the segments, or their English one a line; `-` writes to stdout through `echo`."""
    if output == STDIO:
        for segment in segments:
            echo(segment.english if as_text else json.dumps(to_dict(segment), ensure_ascii=False))
    elif as_text:
        with atomic_file(Path(output)) as staging:
            staging.write_text("".join(f"{s.english}\n" for s in segments), encoding="utf-8")
    else:
        write_jsonl(output, segments)


def write_segmentation(output: Path, result: SegmentationResult) -> int:
    """segments.jsonl, and articles.jsonl (each article's metadata) beside it; returns the segments written."""
    count = write_jsonl(output, result.segments)
    write_jsonl(articles_beside(output), [article.info() for article in result.articles])
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
