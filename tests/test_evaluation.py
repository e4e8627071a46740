"""`mt evaluate` agrees with the sacrebleu command line, and its tests are deterministic."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SEED_REFERENCES
from typer.testing import CliRunner

from mt.cli import app
from mt.evaluation import EvalSet, evaluate, from_files, from_segments
from mt.records import Segment, write_jsonl
from mt.translation.references import load_references


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """References from the project's seed references; two degraded 'systems'."""
    refs = [r.reference for refs in load_references(SEED_REFERENCES).values() for r in refs]
    sys_a = [" ".join(r.split()[:-2]) or r for r in refs]
    sys_b = [r.replace("the ", "a ").replace("Kazakhstan", "Kazakstan") for r in refs]
    folder = tmp_path_factory.mktemp("eval")
    for name, lines in (("ref.txt", refs), ("a.txt", sys_a), ("b.txt", sys_b)):
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def sacrebleu_cli(ref, hyp, metric, extra=()):
    out = subprocess.run([sys.executable, "-m", "sacrebleu", str(ref), "-i", str(hyp), "-m", metric, "-b", "-w", "4", *extra],
                         capture_output=True, text=True, check=True).stdout
    return float(out.split()[0])


@pytest.mark.parametrize("metric, cli_metric, extra", [
    ("bleu", "bleu", ()), ("chrf", "chrf", ()), ("chrf++", "chrf", ("--chrf-word-order", "2")), ("ter", "ter", ()),
])
def test_scores_equal_sacrebleu_command_line(files, metric, cli_metric, extra):
    report = evaluate(from_files([files / "a.txt"], files / "ref.txt"), metrics=[metric], n_bootstrap=1, worst=0)
    assert round(report.systems[0].scores[metric].score, 4) == sacrebleu_cli(files / "ref.txt", files / "a.txt", cli_metric, extra)


def test_signatures_intervals_and_paired_tests(files):
    evalset = from_files([files / "a.txt", files / "b.txt"], files / "ref.txt")
    report = evaluate(evalset, metrics=["bleu", "chrf"], n_bootstrap=200, n_randomisation=200, worst=3)
    first, second = report.systems
    assert first.scores["bleu"].signature.startswith("BLEU|nrefs:1|bs:200|seed:12345|case:mixed|eff:no|tok:13a|smooth:exp")
    assert first.scores["chrf"].signature.startswith("chrF2|")
    assert first.scores["bleu"].ci > 0
    assert set(second.paired) == {"bleu", "chrf"}
    paired = second.paired["bleu"]
    assert 0 <= paired.p_bootstrap <= 1 and 0 <= paired.p_randomisation <= 1
    assert paired.difference == pytest.approx(second.scores["bleu"].score - first.scores["bleu"].score, abs=0.01)
    again = evaluate(evalset, metrics=["bleu", "chrf"], n_bootstrap=200, n_randomisation=200, worst=3)
    assert again.systems[1].paired == second.paired and again.systems[0].scores == first.scores, "seeded: deterministic"
    assert [w.chrf for w in report.worst] == sorted(w.chrf for w in report.worst)


def test_segments_breakdown_per_article_and_language(tmp_path):
    segments = [
        Segment("x:0", "x", 0, "body", "pl", "Ala ma kota.", 0, 12, english="Ala has a cat.", reference="Ala has a cat.", translation_model="m"),
        Segment("y:0", "y", 0, "body", "ru", "Фото", 0, 4, english="Photos", reference="Photo", translation_model="m"),
        Segment("y:1", "y", 1, "body", "en", "Hello.", 5, 11, english="Hello.", translation_model=None),
        Segment("y:2", "y", 2, "body", "pl", "Tak.", 12, 16, english="Yes.", reference="Yes.", translation_model="reference"),
    ]
    write_jsonl(tmp_path / "t.jsonl", segments)
    evalset = from_segments(tmp_path / "t.jsonl")
    assert evalset.ids == ["x:0", "y:0"], "English and reference-filled segments are not scored"
    report = evaluate(evalset, metrics=["chrf"], n_bootstrap=1, worst=1)
    assert set(report.breakdown["article"]) == {"x", "y"} and set(report.breakdown["lang"]) == {"pl", "ru"}
    assert report.breakdown["article"]["x"]["m"]["chrf"] == 100.0
    assert report.worst[0].id == "y:0" and report.worst[0].source == "Фото"


def test_cli_json_has_every_number(files, tmp_path):
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["evaluate", str(files / "a.txt"), str(files / "b.txt"), "--ref", str(files / "ref.txt"),
                                      "--bootstrap", "100", "--randomisation", "100", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert [s["name"] for s in data["systems"]] == ["a.txt", "b.txt"]
    assert set(data["systems"][0]["scores"]) == {"bleu", "chrf", "chrf++", "ter"}
    assert data["systems"][1]["paired"]["ter"]["p_randomisation"] is not None


@pytest.mark.parametrize("args, message", [
    (["--ref", "REF", "SHORT"], "lines, but the reference"),
    ([], "give hypothesis files"),
    (["--test-set", "no-such-set", "-l", "pl-en", "HYP"], "unknown sacrebleu test set"),
])
def test_cli_errors_are_one_clear_line(files, tmp_path, args, message):
    (tmp_path / "short.txt").write_text("only one line\n", encoding="utf-8")
    args = [a.replace("REF", str(files / "ref.txt")).replace("SHORT", str(tmp_path / "short.txt")).replace("HYP", str(files / "a.txt")) for a in args]
    result = CliRunner().invoke(app, ["evaluate", *args])
    assert result.exit_code != 0
    assert message in result.output and "Traceback" not in result.output


def test_empty_references_are_refused():
    with pytest.raises(ValueError):
        EvalSet(references=[], systems={"a": []})


def test_comet_without_the_extra_says_why(files, tmp_path):
    pytest.importorskip("sacrebleu")
    try:
        import comet  # noqa: F401
        pytest.skip("COMET is installed here")
    except ImportError:
        pass
    out = tmp_path / "r.json"
    result = CliRunner().invoke(app, ["evaluate", str(files / "a.txt"), "--ref", str(files / "ref.txt"), "--source", str(files / "a.txt"),
                                      "--bootstrap", "1", "--comet", "Unbabel/wmt22-comet-da", "--json", str(out)])
    assert result.exit_code == 0
    assert json.loads(out.read_text())["comet"].startswith("not computed: COMET is not installed")
