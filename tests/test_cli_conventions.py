"""Command-line conventions, as tables: plain --help, plain piped output, `-` for stdin and stdout, one-line errors.

CliRunner captures stdout and stderr as non-terminals, as a pipe or a redirect would.
"""

from __future__ import annotations

import json
import re

import pytest
from typer.testing import CliRunner

from mt.cli import app

COMMANDS = ["", "segment", "translate", "build", "align", "align-eval", "embed", "publish", "report", "evaluate"]
PYTHON_TYPES = re.compile(r"list\[|<bool>|\{inputs\}|<(str|int|float|path|file|dir|directory)\b|<int range>")
WIDE = {"COLUMNS": "400"}

ENGLISH = "Troops arrived in Almaty on Thursday.\n\nThe situation is tense, officials said.\n"


def run(args: list[str], stdin: str | None = None):
    return CliRunner().invoke(app, args, input=stdin, env=WIDE)


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A working folder with small inputs: English text, its segments, hypothesis and reference, links."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    segments = [{"id": f"en:{i:04d}", "article": "en", "index": i, "kind": "body", "lang": "en", "text": text,
                 "start": 0, "end": len(text)} for i, text in enumerate(["Troops arrived.", "It is tense."])]
    (tmp_path / "seg.jsonl").write_text("".join(json.dumps(s) + "\n" for s in segments), encoding="utf-8")
    (tmp_path / "opus-mt-pl-en.flores101-devtest.output").write_text("the cat sat on a mat\na dog barked\n", encoding="utf-8")
    (tmp_path / "ref.txt").write_text("the cat sat on the mat\na dog barked loudly\n", encoding="utf-8")
    reference = {"article": "en", "start": 0, "end": 15, "source": "Troops arrived.", "reference": "Troops arrived."}
    (tmp_path / "references.jsonl").write_text(json.dumps(reference) + "\n", encoding="utf-8")
    (tmp_path / "links.txt").write_text("[0]:[0]:0.9\n[1]:[1]:0.8\n", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS)
def test_help_has_metavars_not_python_types(command):
    result = run([command, "--help"] if command else ["--help"])
    assert result.exit_code == 0, result.output
    assert not PYTHON_TYPES.search(result.output), PYTHON_TYPES.search(result.output)


@pytest.mark.parametrize("command, shown", [
    ("translate", "mt-comparable[ray]"), ("build", "mt-comparable[ray]"), ("embed", "mt-comparable[ray]"),
    ("evaluate", "[comet]"), ("align-eval", "[i, j]:[k]"), ("translate", "LANG=HUB_ID[@REVISION]"),
    ("segment", "Usage: mt segment [OPTIONS] INPUT..."), ("evaluate", "Usage: mt evaluate [OPTIONS] [HYPOTHESIS...]"),
    ("build", "--languages"), ("build", "--source-lang"), ("segment", "--source-lang"), ("translate", "--source-lang"),
    ("segment", "--articles"),
])
def test_help_keeps_bracketed_text_and_names_the_options(command, shown):
    assert shown in run([command, "--help"]).output


@pytest.mark.parametrize("args", [
    ["opus-mt-pl-en.flores101-devtest.output", "--ref", "ref.txt", "--bootstrap", "10", "--randomisation", "10"],
    ["-", "--ref", "ref.txt", "--bootstrap", "10", "--randomisation", "10"],
])
def test_piped_evaluate_is_plain_whole_lines(folder, args):
    hypotheses = (folder / "opus-mt-pl-en.flores101-devtest.output").read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", *args], input=hypotheses)  # no COLUMNS: Rich's default would be 80
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert any(re.fullmatch(r"  BLEU\|nrefs:1\|bs:\d+\|seed:12345\|case:mixed\|eff:no\|tok:13a\|smooth:exp\|version:[\d.]+", line) for line in lines)
    assert all(line == line.rstrip(" ") for line in lines), "no padding"
    assert "\x1b[" not in result.stdout and "…" not in result.stdout
    system = "stdin" if args[0] == "-" else args[0]
    assert any(line.split("\t")[0] == system for line in lines), "the whole system name, in a tab-separated row"


def test_piped_align_eval_is_tab_separated(folder):
    result = run(["align-eval", "-", "links.txt", "--mode", "parallel"], stdin=(folder / "links.txt").read_text())
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[1:3] == ["\tprecision\trecall\tF1\tpredicted\tgold\tcorrect",
                                               "strict\t1.000\t1.000\t1.000\t2\t2\t2"]


@pytest.mark.parametrize("args, stdin, records", [
    (["segment", "en.txt", "-o", "-", "--source-lang", "en"], None, 2),
    (["segment", "-", "-o", "-", "--source-lang", "en"], ENGLISH, 2),
    (["translate", "seg.jsonl", "-o", "-"], None, 2),
    (["translate", "-", "-o", "-", "--output-format", "jsonl"], "SEG", 2),
    (["translate", "-", "-o", "-", "--english-from", "reference", "--references", "references.jsonl"], "SEG", 2),
])
def test_dash_reads_stdin_and_writes_json_lines_to_stdout(folder, args, stdin, records):
    stdin = (folder / "seg.jsonl").read_text(encoding="utf-8") if stdin == "SEG" else stdin
    result = run([*args, "-q"], stdin=stdin)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == records and all(json.loads(line)["text"] for line in lines)
    assert not (folder / "-").exists() and not (folder / "articles.jsonl").exists()


def test_segment_to_stdout_keeps_the_articles_only_when_asked(folder):
    result = run(["segment", "en.txt", "-o", "-", "--articles", "articles-meta.jsonl", "--source-lang", "en"])
    assert result.exit_code == 0, result.output
    assert json.loads((folder / "articles-meta.jsonl").read_text(encoding="utf-8"))["name"] == "en"
    without = run(["segment", "en.txt", "-o", "-", "--source-lang", "en"])
    assert "--articles FILE" in without.stderr and not (folder / "-").exists()


@pytest.mark.parametrize("args, stdin, code, first_line", [
    (["segment", "missing.txt", "-o", "s.jsonl"], None, 2, "warning: missing.txt: no such file or directory"),
    (["segment", "-", "en.txt", "-o", "s.jsonl"], None, 2, "error: - (one article on stdin) cannot be mixed with other inputs"),
    (["segment", "-", "-o", "-"], "", 1, "error: stdin: empty input, no article to segment"),
    (["segment", "en.txt", "-o", "-", "--articles", "-"], None, 2, "error: --articles needs a file"),
    (["segment", "en.txt", "-o", "s.jsonl", "--languages", "en", "--source-lang", "en"], None, 2, "error: --source-lang LANG is --languages LANG"),
    (["build", "en.txt", "-o", "c", "--languages", "en", "--source-lang", "en"], None, 2, "error: --source-lang LANG is --languages LANG"),
    (["translate", "en.txt", "-o", "-", "--source-lang", "en,pl"], None, 2, "error: --source-lang takes one ISO 639-1 code"),
    (["translate", "missing.jsonl", "-o", "-"], None, 1, "error: missing.jsonl: no such file or directory"),
    (["translate", "seg.jsonl", "-o", "-", "--model", "bad"], None, 1, "error: --model expects LANG=MODEL, got 'bad'"),
    (["translate", "-", "-o", "-"], "{not json\n", 1, "error: stdin:1:"),
    (["evaluate"], None, 1, "error: give hypothesis files with --ref"),
    (["evaluate", "-", "--ref", "-"], "x\n", 2, "error: stdin can be read once"),
    (["evaluate", "ref.txt", "--ref", "missing.txt"], None, 1, "error: missing.txt: cannot read"),
    (["evaluate", "ref.txt", "--ref", "ref.txt", "--metrics", "bleu,nope"], None, 1, "error: unknown metric 'nope'"),
    (["align", "seg.jsonl", "seg.jsonl", "-o", "x"], None, 1, "error: two input files are aligned in order: add --mode parallel"),
    (["align", "-", "-o", "-"], "[1, 2]\n", 1, "error: stdin:1: not a segment record"),
    (["align", "missing.jsonl", "-o", "out"], None, 1, "error: missing.jsonl: cannot read"),
    (["align-eval", "links.txt", "links.txt"], None, 1, "error: cannot read the alignments"),
    (["embed", "seg.jsonl", "-o", "-"], None, 2, "error: -o -: the vectors are parquet"),
    (["embed", "missing.jsonl", "-o", "v.parquet"], None, 1, "error: missing.jsonl: cannot read"),
    (["publish", "empty", "-o", "-"], None, 2, "error: -o -: a dataset is a folder"),
    (["publish", "empty", "-o", "out"], None, 1, "error: empty is not a work folder"),
    (["report", "empty", "-o", "-"], None, 2, "error: -o -: the report is an HTML page"),
    (["report", "empty"], None, 1, "error: empty: not a corpus folder"),
    (["build", "en.txt", "-o", "-"], None, 2, "error: mt build writes folders"),
    (["build", "-", "-o", "c"], None, 2, "error: mt build reads article files and folders, not stdin"),
])
def test_bad_arguments_are_one_line(folder, args, stdin, code, first_line):
    result = run(args, stdin=stdin)
    assert result.exit_code == code, result.output
    assert result.stderr.splitlines()[0].startswith(first_line), result.stderr
    assert "Traceback" not in result.output and not (folder / "-").exists()


@pytest.mark.parametrize("argv, recorded", [
    (["mt", "build", "articles/", "-o", "corpus/"], "mt build articles/ -o corpus/"),
    (["mt", "build", "articles/", "-o", "corpus/", "-q", "--force"], "mt build articles/ -o corpus/"),
    (["mt", "build", "my articles", "--quiet", "-o", "corpus/", "--english-from", "reference"],
     "mt build 'my articles' -o corpus/ --english-from reference"),
])
def test_the_card_records_the_build_command_without_how_it_printed(argv, recorded, monkeypatch):
    """A rebuild from the card's command gives the same corpus: -q and --force changed only the screen and the old folder."""
    from mt.cli.build import _shell_command

    monkeypatch.setattr("sys.argv", argv)
    assert _shell_command() == recorded
