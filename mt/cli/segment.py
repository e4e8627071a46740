"""`mt segment`: articles -> segments.jsonl (or stdout) and articles.jsonl."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.markup import escape

from mt.atomic import check_output_file
from mt.cli.common import (CONFIG_OPTION, LANGUAGES_OPTION, QUIET_OPTION, SOURCE_LANG_OPTION, choose_languages, config_from,
                           console, fail, print_segmentation, progress_bars, user_errors, warn)


def segment_command(
    inputs: List[Path] = typer.Argument(..., metavar="INPUT...", help="Article files (UTF-8 .txt, .html, .jsonl with one article a line) or directories (every such file inside, sorted), or - for one article on stdin. An articles.yaml or articles.csv beside them gives each article's outlet, url, published, title, language and notes.", allow_dash=True),
    output: Path = typer.Option(..., "--output", "-o", metavar="FILE", help="Where to write the segments (JSON Lines), - for stdout; articles.jsonl (each article's metadata) goes beside a file.", allow_dash=True),
    articles: Optional[Path] = typer.Option(None, "--articles", metavar="FILE", help="Where to write each article's metadata (JSON Lines; default: articles.jsonl beside --output, and not written with -o - unless given)."),
    languages: Optional[str] = LANGUAGES_OPTION,
    source_lang: Optional[str] = SOURCE_LANG_OPTION,
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
    choose_languages(settings, languages, source_lang)
    from_stdin = [str(path) for path in inputs] == [streams.STDIO]
    if not from_stdin and streams.STDIO in map(str, inputs):
        fail("- (one article on stdin) cannot be mixed with other inputs", code=2)
    to_stdout = str(output) == streams.STDIO
    if articles is not None and str(articles) == streams.STDIO:
        fail("--articles needs a file: stdout is for the segments (-o -)", code=2)
    with user_errors():
        given = [("the input", path) for path in inputs]
        check_output_file(output, protect=given)
        if articles is None and not to_stdout:
            articles = articles_beside(output)
        if articles is not None:
            check_output_file(articles, protect=given)
        if from_stdin:
            result = streams.segment_stdin(settings)
        else:
            result = pipeline.segment(inputs, settings, progress=progress_bars(quiet))
    for problem in result.problems:
        warn(escape(str(problem)))
    if not result.articles:
        fail("no article could be read", code=2)
    with user_errors():
        count = streams.write_segmentation(str(output), result, articles, echo=typer.echo)
    if quiet:
        return
    if to_stdout and articles is None:
        console.print("note: the articles' metadata was not written (-o -); add --articles FILE to keep it", markup=False)
    print_segmentation(result, f"{count} segments -> {'stdout' if to_stdout else output}")
