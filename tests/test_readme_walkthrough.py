"""The README's walkthrough on your own articles, run as written: the commands and the Python it shows.

tests/test_docs.py parses every documented command against the CLI; this file runs
the walkthrough's offline path end to end, so the page a new user follows cannot drift.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mt.cli import app

README = Path(__file__).resolve().parent.parent / "README.md"


def fenced(language: str) -> list[str]:
    """The bodies of the README's fenced blocks in `language`."""
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def walkthrough_command(needle: str) -> list[str]:
    lines = [line.strip() for block in fenced("bash") for line in block.splitlines()]
    found = [line for line in lines if line.startswith("mt build my-articles/") and needle in line]
    assert found, f"the README's walkthrough has no `mt build my-articles/ ... {needle}` command"
    return shlex.split(found[0], comments=True)[1:]


@pytest.fixture()
def my_articles(seeds_dir, tmp_path, monkeypatch) -> Path:
    """A user's folder laid out as the walkthrough says: articles, articles.yaml, references/references.jsonl."""
    shutil.copytree(seeds_dir, tmp_path / "my-articles", ignore=shutil.ignore_patterns("README.md", "gold"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "my-articles"


def test_the_offline_walkthrough_runs_as_written(my_articles):
    result = CliRunner().invoke(app, walkthrough_command("--english-from reference"), terminal_width=200)
    assert result.exit_code == 0, result.output
    corpus = Path("corpus")
    assert (corpus / "report.html").is_file() and Path("work/translated.jsonl").is_file()
    [snippet] = [block for block in fenced("python") if "load_dataset" in block]
    namespace: dict = {}
    exec(snippet, namespace)  # the README's own loading code, on the corpus it just built
    assert namespace["pairs"]["train"].num_rows > 0 and namespace["facts"]["train"].num_rows > 0
    assert CliRunner().invoke(app, ["publish", "--check", str(corpus)]).exit_code == 0


def test_the_walkthrough_yaml_is_the_seeds_format(seeds_dir):
    """The articles.yaml the README shows is read by the toolkit's own sidecar reader."""
    from mt.segmentation.articles import read_sidecar

    [example] = [block for block in fenced("yaml") if "outlet:" in block]
    path = Path(os.environ["MT_CACHE_DIR"]).parent / "articles.yaml"
    path.write_text(example, encoding="utf-8")
    metadata, _ = read_sidecar(path)
    assert metadata["001_baf90a9d2919649a"]["outlet"] == "Gazeta.pl"
