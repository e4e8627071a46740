"""Bad inputs: one clear line naming the file; the other files are still processed."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from mt.cli import app

GOOD = "Wojska przybyły do Kazachstanu. Protesty trwają.\n"


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"  \n\n", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "binary file"),
        ("latin2.txt", "Żołnierze przybyli.".encode("iso-8859-2"), "not valid UTF-8"),
    ],
)
def test_bad_file_is_reported_and_others_processed(tmp_path, name, content, message):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / name).write_bytes(content)
    out = tmp_path / "segments.jsonl"
    result = CliRunner().invoke(app, ["segment", str(tmp_path), "-o", str(out), "-q"])
    assert result.exit_code == 0
    assert f"{tmp_path / name}: " in result.output.replace("\n", "")
    assert message in result.output
    assert out.read_text(encoding="utf-8").count("\n") == 2


@pytest.mark.parametrize("make_input, message", [
    (lambda tmp: tmp / "missing.txt", "no such file or directory"),
    (lambda tmp: (tmp / "empty_dir").mkdir() or tmp / "empty_dir", "directory has no article files"),
])
def test_nothing_readable_exits_non_zero(tmp_path, make_input, message):
    target = make_input(tmp_path)
    result = CliRunner().invoke(app, ["segment", str(target), "-o", str(tmp_path / "o.jsonl")])
    assert result.exit_code != 0
    assert message in result.output
    assert "no article could be read" in result.output


def test_help_and_version():
    runner = CliRunner()
    assert "segment" in runner.invoke(app, ["--help"]).output
    assert runner.invoke(app, ["--version"]).output.startswith("mt ")
    assert "--output" in runner.invoke(app, ["segment", "--help"]).output


@pytest.mark.parametrize("command, shown", [
    ("align", "[i, j]:[k]"),
    ("align-eval", "[i, j]:[k]"),
    ("translate", "LANG=HUB_ID[@REVISION]"),
    ("build", "LANG=HUB_ID[@REVISION]"),
    ("evaluate", "[comet] extra"),
])
def test_help_shows_square_brackets(command, shown):
    """rich reads [...] in help texts as markup and drops it unless escaped."""
    result = CliRunner().invoke(app, [command, "--help"], terminal_width=250)
    assert result.exit_code == 0 and shown in " ".join(result.output.replace("│", " ").split())
