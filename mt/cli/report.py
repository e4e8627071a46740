"""`mt report`: a corpus folder -> report.html and a page per event, the facts side by side for a reader."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from mt.cli.common import CONFIG_OPTION, QUIET_OPTION, config_from, console, fail, split_list, user_errors


def report_command(
    corpus: Path = typer.Argument(..., metavar="CORPUS", help="The corpus folder that `mt build` or `mt publish` wrote.", exists=True, file_okay=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Where to write the list of events (default: report.html inside CORPUS, where the card links to it); each event's page goes into the folder of the same name without .html (report/).", dir_okay=False),
    kinds: Optional[str] = typer.Option(None, metavar="KINDS", help="Comma-separated segment kinds that took part in alignment, listed as unmatched when unpaired (default: configs, alignment.kinds)."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Write self-contained HTML pages that show the corpus side by side.

    report.html lists the events (the stories the articles were grouped into)
    with their outlets, dates and counts, and a search box; each event has its
    own page, where each fact is a row and each outlet a column (original
    sentence, English, language); disagreements come first, highlighted with
    the values side by side; each article's unmatched sentences can be opened;
    a search box filters the facts. A corpus of one event is that page alone.
    It works offline: open report.html in any browser.
    `mt build` and `mt publish` already write it; this re-renders it, for
    example for a corpus downloaded from the hub.
    """
    from mt.publishing import write_report  # lazy on purpose: `mt --help` must not import the stages

    if str(output) == "-":
        fail("-o -: the report is an HTML page for a browser; name a file for it (-o report.html)", code=2)
    chosen = split_list(kinds) or config_from(config)["alignment"]["kinds"]
    with user_errors():
        written = write_report(corpus, output, kinds=chosen)
    if not quiet:
        console.print(f"report -> {written}", markup=False)
