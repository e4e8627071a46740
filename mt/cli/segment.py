"""`mt segment`: articles -> segments.jsonl."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from mt.atomic import check_output_file
from mt.cli.common import (CONFIG_OPTION, QUIET_OPTION, config_from, fail, print_segmentation, progress_bars, split_list,
                           user_errors, warn)


def segment_command(
    inputs: List[Path] = typer.Argument(..., help="Article files (UTF-8 .txt, .html, .jsonl with one article a line) or directories (every such file inside, sorted). An articles.yaml or articles.csv beside them gives each article's outlet, url, published, title, language and notes."),
    output: Path = typer.Option(..., "--output", "-o", help="Where to write the segments (JSON Lines); articles.jsonl (each article's metadata) goes beside it."),
    languages: Optional[str] = typer.Option(None, help="Comma-separated ISO 639-1 codes the detector may choose from (default: configs)."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Split articles into typed, language-tagged segments with stable ids and offsets.

    Every non-whitespace character of every input lands in exactly one segment;
    captions, datelines, embedded posts, teasers, boilerplate and duplicates are
    labelled by `kind` rather than dropped.
    """
    from mt import pipeline, streams  # lazy on purpose: `mt --help` must not import the stages
    from mt.workfolder import articles_beside

    settings = config_from(config)
    if languages:
        settings["segmentation"]["languages"] = split_list(languages)
    with user_errors():
        given = [("the input", path) for path in inputs]
        check_output_file(output, protect=given)
        check_output_file(articles_beside(output), protect=given)
        result = pipeline.segment(inputs, settings, progress=progress_bars(quiet))
    for problem in result.problems:
        warn(escape(str(problem)))
    if not result.articles:
        fail("no article could be read", code=2)
    with user_errors():
        count = streams.write_segmentation(output, result)
    if not quiet:
        print_segmentation(result, f"{count} segments -> {output}")
