"""`mt publish`: a work folder (translated segments + alignment) -> a Hugging Face dataset folder."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from mt.atomic import check_output_folder
from mt.cli.common import QUIET_OPTION, console, fail, quiet_datasets, user_errors


def publish_command(
    folder: Path = typer.Argument(..., metavar="FOLDER", help="The work folder (translated.jsonl and alignment/ from `mt build`), or with --check the corpus folder.", exists=True, file_okay=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FOLDER", help="The dataset folder to write (data/<config>/*.parquet, README.md, report.html).", file_okay=False),
    check: bool = typer.Option(False, "--check", help="Load every configuration of the corpus FOLDER with `datasets` and validate schema and card."),
    push_to_hub: Optional[str] = typer.Option(None, metavar="REPO_ID", help="After writing and checking, upload the folder to this Hugging Face dataset repo (owner/name)."),
    private: bool = typer.Option(False, "--private", help="With --push-to-hub: create the repo as private."),
    revision: Optional[str] = typer.Option(None, metavar="BRANCH", help="With --push-to-hub: the branch to upload to (created if missing)."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Write the build date into the card (off by default, so rebuilds are byte-identical)."),
    force: bool = typer.Option(False, "--force", help="Replace the output folder even if mt did not write it (never one that is or holds the work folder's files, nor the current folder)."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Publish the comparison corpus as a dataset that `datasets.load_dataset(FOLDER)` loads.

    Five configurations: `pairs` (default), `facts` (in reading order, with
    outlets, summaries and counts), `events` (the articles that report one
    story, with a title and counts), `articles` (outlet, url, date, event and
    counts) and `segments` (every segment, nothing dropped), with declared
    features; a dataset card that says how the corpus was built, what is in it
    and what its limits are; and report.html, a list of the events with a page
    of facts side by side for each.
    """
    from mt.publishing import publish, upload  # lazy on purpose: `mt --help` must not import the stages
    from mt.workfolder import WorkFolder, build_command_of

    quiet_datasets()
    if check:
        check_folder(folder, quiet)
        return
    if output is None:
        fail("--output is required (or use --check CORPUS_FOLDER)")
    if str(output) == "-":
        fail("-o -: a dataset is a folder of files, not a stream; name a folder for it", code=2)
    work = WorkFolder(folder)
    command = build_command_of(work) or "mt " + " ".join(shlex.quote(a) for a in sys.argv[1:] if a != "--force")
    with user_errors():
        inputs = (work.translated, work.alignment, work.articles, work.build_record)
        check_output_folder(output, protect=[("the input", path) for path in inputs], force=force)
        counts = publish(folder, output, command=command, timestamp=timestamp, force=force)
    if not quiet:
        console.print(f"pairs {counts['pairs']}, facts {counts['facts']}, articles {counts['articles']}, segments {counts['segments']} -> {output} (and report.html)", markup=False)
    if push_to_hub:
        check_folder(output, quiet=True)
        with user_errors():
            upload(output, push_to_hub, private=private, revision=revision)
        if not quiet:
            console.print(f"uploaded to https://huggingface.co/datasets/{push_to_hub}" + (f" (branch {revision})" if revision else ""), markup=False)


def check_folder(folder: Path, quiet: bool) -> None:
    from mt.publishing import check_corpus  # lazy on purpose, as above

    problems = check_corpus(folder)
    if problems:
        fail(f"{escape(str(folder))} has {len(problems)} problem(s):\n" + "\n".join(f"  - {escape(p)}" for p in problems))
    if not quiet:
        console.print(f"{folder}: every configuration loads; schema and card agree", markup=False)
