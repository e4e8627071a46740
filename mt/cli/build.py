"""`mt build`: articles -> the published corpus, every stage in one command."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import List, Optional

import typer

from mt.cli.common import CONFIG_OPTION, QUIET_OPTION, console, fail
from mt.cli.publish import ALIGNMENT_DIR, BUILD_FILE, TRANSLATED_FILE, publish


def build_command(
    inputs: List[Path] = typer.Argument(..., help="Article files or directories (e.g. seeds/)."),
    output: Path = typer.Option(..., "--output", "-o", help="The dataset folder to write.", file_okay=False),
    work: Path = typer.Option(Path("work"), help="Folder for each stage's output: segments.jsonl, translated.jsonl, alignment/."),
    english_from: str = typer.Option("model", help="'model' translates with MarianMT; 'reference' uses the human references (offline on the seeds)."),
    model: List[str] = typer.Option([], "--model", "-m", help="Route a language to a model: LANG=HUB_ID\\[@REVISION] or LANG=FOLDER. Repeatable."),
    backend: Optional[str] = typer.Option(None, help="Translation backend: transformers or ctranslate2 (default: configs)."),
    device: Optional[str] = typer.Option(None, help="Device for translation: auto, cpu, cuda, mps."),
    cache_dir: Optional[Path] = typer.Option(None, help="Translation and embedding cache folder (default: the user cache dir)."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Write the build date into the card."),
    config: Optional[Path] = CONFIG_OPTION,
    quiet: bool = QUIET_OPTION,
) -> None:
    """Segment, translate, align and publish in one go, reusing the caches.

    Each stage writes its output into the work folder, so any stage can be
    re-run on its own from there (`mt translate`, `mt align`, `mt publish`).
    """
    from mt.cli import app

    work.mkdir(parents=True, exist_ok=True)
    common = (["--config", str(config)] if config else []) + (["-q"] if quiet else [])
    cache = ["--cache-dir", str(cache_dir)] if cache_dir else []
    translate = ["translate", str(work / "segments.jsonl"), "-o", str(work / TRANSLATED_FILE), "--english-from", english_from]
    for item in model:
        translate += ["--model", item]
    if english_from == "model":
        translate += cache + (["--backend", backend] if backend else []) + (["--device", device] if device else [])
    stages = [
        ("segment", ["segment", *map(str, inputs), "-o", str(work / "segments.jsonl")]),
        ("translate", translate),
        ("align", ["align", str(work / TRANSLATED_FILE), "-o", str(work / ALIGNMENT_DIR), *cache]),
    ]
    for name, args in stages:
        if not quiet:
            console.rule(f"[bold]{name}")
        code = app(args + common, standalone_mode=False)
        if code:
            fail(f"stage '{name}' failed; its input is in {work}, fix it and re-run `mt {name}` or `mt build`", code)
    command = "mt " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:2] == ["build"] else _as_command(inputs, output, english_from, model)
    (work / BUILD_FILE).write_text(json.dumps({"command": command}, indent=2) + "\n", encoding="utf-8")
    if not quiet:
        console.rule("[bold]publish")
    counts = publish(work, output, command=command, timestamp=timestamp)
    if not quiet:
        console.print(f"pairs {counts['pairs']}, segments {counts['segments']}, facts {counts['facts']} -> {output}")


def _as_command(inputs: List[Path], output: Path, english_from: str, model: List[str]) -> str:
    """The equivalent command line, when build runs from Python rather than the shell."""
    parts = ["mt", "build", *map(str, inputs), "-o", str(output), "--english-from", english_from]
    for item in model:
        parts += ["--model", item]
    return " ".join(shlex.quote(p) for p in parts)
