"""`mt publish`: a work folder (translated segments + alignment) -> a Hugging Face dataset folder."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from mt.cli.common import QUIET_OPTION, console, fail, quiet_datasets

TRANSLATED_FILE = "translated.jsonl"
ALIGNMENT_DIR = "alignment"
BUILD_FILE = "build.json"
"""Written by `mt build` into the work folder: the exact command that built it."""


def publish_command(
    folder: Path = typer.Argument(..., help="The work folder (translated.jsonl and alignment/ from `mt build`), or with --check the corpus folder.", exists=True, file_okay=False),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="The dataset folder to write (data/<config>/*.parquet and README.md).", file_okay=False),
    check: bool = typer.Option(False, "--check", help="Load every configuration of the corpus FOLDER with `datasets` and validate schema and card."),
    push_to_hub: Optional[str] = typer.Option(None, help="After writing and checking, upload the folder to this Hugging Face dataset repo (owner/name)."),
    private: bool = typer.Option(False, "--private", help="With --push-to-hub: create the repo as private."),
    revision: Optional[str] = typer.Option(None, help="With --push-to-hub: the branch to upload to (created if missing)."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Write the build date into the card (off by default, so rebuilds are byte-identical)."),
    quiet: bool = QUIET_OPTION,
) -> None:
    """Publish the comparison corpus as a dataset that `datasets.load_dataset(FOLDER)` loads.

    Three configurations: `pairs` (default), `segments` (every segment, nothing
    dropped) and `facts`, with declared features, and a dataset card that says
    how the corpus was built, what is in it and what its limits are.
    """
    quiet_datasets()
    if check:
        _check(folder, quiet)
        return
    if output is None:
        fail("--output is required (or use --check CORPUS_FOLDER)")
    counts = publish(folder, output, command=_command_of(folder), timestamp=timestamp)
    if not quiet:
        console.print(f"pairs {counts['pairs']}, segments {counts['segments']}, facts {counts['facts']} -> {output}")
    if push_to_hub:
        _check(output, quiet=True)
        upload(output, push_to_hub, private=private, revision=revision)
        if not quiet:
            console.print(f"uploaded to https://huggingface.co/datasets/{push_to_hub}" + (f" (branch {revision})" if revision else ""))


def publish(work: Path, output: Path, *, command: str, timestamp: bool = False) -> dict[str, int]:
    from alignments.corpus import Provenance, write_corpus
    from mt import __version__

    quiet_datasets()
    from mt.records import read_facts, read_pairs, read_segments

    alignment = work / ALIGNMENT_DIR
    needed = [work / TRANSLATED_FILE, alignment / "pairs.jsonl", alignment / "facts.jsonl"]
    missing = [str(p) for p in needed if not p.is_file()]
    if missing:
        fail(f"{work} is not a work folder: missing {', '.join(missing)} (run `mt build`, or `mt translate` and `mt align -o {alignment}`)")
    try:
        segments = read_segments(needed[0])
        pairs, facts = read_pairs(needed[1]), read_facts(needed[2])
        settings = json.loads((alignment / "alignment.json").read_text(encoding="utf-8")) if (alignment / "alignment.json").is_file() else {}
    except (ValueError, TypeError, KeyError) as error:
        fail(f"{work}: cannot read the pipeline's output ({error})")
    models = {s.translation_model: s.translation_model_revision for s in segments if s.translation_model}
    created = None
    if timestamp:
        from datetime import datetime, timezone

        created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    provenance = Provenance(command=command, toolkit_version=__version__, translation_models=models, alignment=settings, created=created)
    try:
        return write_corpus(output, segments, pairs, facts, provenance)
    except ValueError as error:
        fail(str(error))


def _command_of(work: Path) -> str:
    """The command that built the work folder (from `mt build`), else this publish command."""
    build = work / BUILD_FILE
    if build.is_file():
        return json.loads(build.read_text(encoding="utf-8"))["command"]
    return "mt " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _check(folder: Path, quiet: bool) -> None:
    from alignments.corpus import check_corpus

    problems = check_corpus(folder)
    if problems:
        fail(f"{folder} has {len(problems)} problem(s):\n" + "\n".join(f"  - {escape(p)}" for p in problems))
    if not quiet:
        console.print(f"{folder}: every configuration loads; schema and card agree")


def upload(folder: Path, repo_id: str, *, private: bool, revision: str | None) -> None:
    """One commit with the whole folder: an upload either lands completely or not at all."""
    from huggingface_hub import HfApi, constants, get_token

    if constants.HF_HUB_OFFLINE:
        fail("cannot upload: offline mode is on (HF_HUB_OFFLINE=1). Nothing was uploaded.")
    token = get_token()
    if not token:
        fail("cannot upload: no Hugging Face token. Run `hf auth login` or set HF_TOKEN. Nothing was uploaded.")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset", revision=revision,
                          commit_message="Publish the comparison corpus with mt publish")
    except Exception as error:  # network, auth and hub errors all end the same way
        fail(f"upload to {repo_id} failed ({type(error).__name__}: {escape(str(error))}). "
             "The upload is a single commit, so no partial upload was left on the hub.")
