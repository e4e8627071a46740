"""Safe with any folder: no command deletes what the user did not ask to replace, faults are one line, modes follow
the umask, a crash mid-swap is repaired by the next run, and no article name writes outside the output folder."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest
from datasets import load_dataset
from typer.testing import CliRunner

from mt import atomic
from mt.cli import app
from mt.records import Segment, write_jsonl
from mt.workfolder import AlignmentFolder, safe_name

runner = CliRunner()

SEED = "000_9f9b6322790e96fd.txt"


@pytest.fixture(scope="module")
def built(seeds_dir, tmp_path_factory):
    """The seeds' corpus and work folder, built once under umask 022 (English from the references, no model)."""
    root = tmp_path_factory.mktemp("safety")
    shutil.copytree(seeds_dir, root / "seeds")
    previous = os.umask(0o022)
    try:
        result = runner.invoke(app, ["build", str(root / "seeds"), "-o", str(root / "corpus"), "--work", str(root / "work"),
                                     "--english-from", "reference", "--cache-dir", str(root / "cache"), "-q"])
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture()
def place(built, tmp_path, monkeypatch):
    """A fresh copy of the seeds, the work folder and the corpus, a user's folder `d` with thesis.docx, an empty
    folder; the current folder is `here`, which holds the user's notes.txt."""
    for name in ("seeds", "work", "corpus"):
        shutil.copytree(built / name, tmp_path / name)
    for folder, file in (("d", "thesis.docx"), ("here", "notes.txt")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / file).write_bytes(b"three years of work")
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "here")
    return tmp_path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def hidden_leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".tmp", ".old")))


def invoke(args: list[str], root: Path, cache: Path):
    filled = [a.format(t=root, cache=cache, seed=SEED) for a in args]
    return runner.invoke(app, filled, terminal_width=400)


def unmark(path: Path) -> None:
    (path / atomic.MARKER).unlink()


BUILD = ["build", "{t}/seeds", "--english-from", "reference", "--cache-dir", "{cache}", "-q"]
KEEP = ["seeds/" + SEED, "seeds/references/references.jsonl", "work/translated.jsonl", "work/alignment/pairs.jsonl",
        "corpus/README.md", "d/thesis.docx", "here/notes.txt"]
"""What every refused command must leave in place."""

CASES = [
    # id, set-up, command, exit code, first line starts with (after `error: {t}/`), what must exist afterwards
    ("build into its own input", None, [*BUILD, "-o", "{t}/seeds", "--work", "{t}/w"], 1, "seeds: is the input;", KEEP),
    ("build into the input's parent", None, [*BUILD, "-o", "{t}", "--work", "{t}/w"], 1, ": holds the input", KEEP),
    ("build into the input, --force", None, [*BUILD, "-o", "{t}/seeds", "--work", "{t}/w", "--force"], 1, "seeds: is the input;", KEEP),
    ("build inside its input", None, [*BUILD, "-o", "{t}/seeds/corpus", "--work", "{t}/w"], 1, "seeds/corpus: is inside the input", KEEP),
    ("build, --work inside -o", None, [*BUILD, "-o", "{t}/corpus", "--work", "{t}/corpus/work"], 1, "corpus: holds the work folder", KEEP),
    ("build, -o inside --work", None, [*BUILD, "-o", "{t}/work/corpus", "--work", "{t}/work"], 1, "work/corpus: is inside the work folder", KEEP),
    ("build, --work is the input", lambda t: (t / "seeds" / "articles.jsonl").write_text('{"text": "Mine."}\n'), [*BUILD, "-o", "{t}/out", "--work", "{t}/seeds"], 1, "seeds/articles.jsonl: is in the input", [*KEEP, "seeds/articles.jsonl"]),
    ("build into a user's folder", None, [*BUILD, "-o", "{t}/d", "--work", "{t}/w"], 1, "d: exists and was not written by mt (it holds thesis.docx); choose another folder, or add --force", KEEP),
    ("build into the current folder", None, [*BUILD, "-o", ".", "--work", "{t}/w"], 1, "here: is the current folder", KEEP),
    ("build into the current folder's parent, --force", None, [*BUILD, "-o", "..", "--work", "{t}/w", "--force"], 1, ": holds the input", KEEP),
    ("build into a user's folder, --force", None, [*BUILD, "-o", "{t}/d", "--work", "{t}/w", "--force"], 0, None, ["d/README.md", "d/.mt-output", "seeds/" + SEED]),
    ("publish into a user's folder", None, ["publish", "{t}/work", "-o", "{t}/d"], 1, "d: exists and was not written by mt (it holds thesis.docx)", KEEP),
    ("publish into the current folder", None, ["publish", "{t}/work", "-o", "."], 1, "here: is the current folder", KEEP),
    ("publish into the current folder, --force", None, ["publish", "{t}/work", "-o", ".", "--force"], 1, "here: is the current folder", KEEP),
    ("publish into the work folder", None, ["publish", "{t}/work", "-o", "{t}/work"], 1, "work: holds the input", KEEP),
    ("publish over the work's alignment", None, ["publish", "{t}/work", "-o", "{t}/work/alignment"], 1, "work/alignment: is the input", KEEP),
    ("publish into a user's folder, --force", None, ["publish", "{t}/work", "-o", "{t}/d", "--force", "-q"], 0, None, ["d/README.md", "work/translated.jsonl"]),
    ("publish over its own corpus", None, ["publish", "{t}/work", "-o", "{t}/corpus", "-q"], 0, None, ["corpus/README.md", "corpus/.mt-output"]),
    ("publish over a corpus from before the marker", lambda t: unmark(t / "corpus"), ["publish", "{t}/work", "-o", "{t}/corpus", "-q"], 0, None, ["corpus/.mt-output"]),
    ("publish into an empty folder", None, ["publish", "{t}/work", "-o", "{t}/empty", "-q"], 0, None, ["empty/README.md"]),
    ("publish into a new folder", None, ["publish", "{t}/work", "-o", "{t}/new/corpus", "-q"], 0, None, ["new/corpus/README.md"]),
    ("align into the work folder", None, ["align", "{t}/work/translated.jsonl", "-o", "{t}/work", "--cache-dir", "{cache}"], 1, "work: holds the input", KEEP),
    ("align into a file", None, ["align", "{t}/work/translated.jsonl", "-o", "{t}/here/notes.txt", "--cache-dir", "{cache}"], 1, "here/notes.txt: is a file, not an output folder of mt; choose another folder, or add --force", KEEP),
    ("align into a user's folder", None, ["align", "{t}/work/translated.jsonl", "-o", "{t}/d", "--cache-dir", "{cache}"], 1, "d: exists and was not written by mt", KEEP),
    ("align over its own alignment", None, ["align", "{t}/work/translated.jsonl", "-o", "{t}/work/alignment", "--cache-dir", "{cache}", "-q"], 0, None, ["work/alignment/.mt-output", "work/translated.jsonl"]),
    ("align over an alignment from before the marker", lambda t: unmark(t / "work" / "alignment"), ["align", "{t}/work/translated.jsonl", "-o", "{t}/work/alignment", "--cache-dir", "{cache}", "-q"], 0, None, ["work/alignment/.mt-output"]),
    ("align two files onto the source", lambda t: [(t / n).write_text("One.\nTwo.\n") for n in ("a.txt", "b.txt")], ["align", "{t}/a.txt", "{t}/b.txt", "--mode", "parallel", "-o", "{t}/a.txt"], 1, "a.txt: is the source file", [*KEEP, "a.txt"]),
    ("segment into the current folder", None, ["segment", "{t}/seeds", "-o", "."], 1, "here: is a folder", KEEP),
    ("segment over a file in the input folder", None, ["segment", "{t}/seeds", "-o", "{t}/seeds/articles.yaml"], 1, "seeds/articles.yaml: is in the input", KEEP),
    ("segment over its input", None, ["segment", "{t}/seeds/{seed}", "-o", "{t}/seeds/{seed}"], 1, "seeds/{seed}: is the input", KEEP),
    ("translate over its input", None, ["translate", "{t}/work/segments.jsonl", "-o", "{t}/work/segments.jsonl"], 1, "work/segments.jsonl: is the input", [*KEEP, "work/segments.jsonl"]),
    ("embed over its input", None, ["embed", "{t}/work/translated.jsonl", "-o", "{t}/work/translated.jsonl"], 1, "work/translated.jsonl: is the input", KEEP),
]


@pytest.mark.parametrize("setup, args, code, first, keep", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_commands_replace_only_what_mt_wrote(place, built, setup, args, code, first, keep):
    if setup:
        setup(place)
    seeds_before = snapshot(place / "seeds")
    result = invoke(args, place, built / "cache")
    assert result.exit_code == code, result.output
    if first is None:
        assert "error" not in result.output
    else:
        lines = result.output.strip().splitlines()
        expected = "error: " + str(place) + ("" if first.startswith(":") else "/") + first.format(seed=SEED)
        assert len(lines) == 1 and lines[0].startswith(expected), result.output
    for name in keep:
        assert (place / name).exists(), f"{name} is gone"
    assert snapshot(place / "seeds") == seeds_before
    assert hidden_leftovers(place) == [] and hidden_leftovers(place / "work") == []


def test_the_marker_changes_nothing_a_reader_loads(built):
    corpus = built / "corpus"
    files = sorted(snapshot(corpus))
    assert [f for f in files if not f.startswith("data/")] == [atomic.MARKER, "LICENSE", "README.md", "report.html"]
    assert all(f.endswith("/train-00000-of-00001.parquet") for f in files if f.startswith("data/"))
    marker = (corpus / atomic.MARKER).read_text(encoding="utf-8")
    assert marker.count("\n") == 1 and json.loads(marker)["written_by"].startswith("mt ")
    assert (built / "work" / "alignment" / atomic.MARKER).is_file()
    assert runner.invoke(app, ["publish", "--check", str(corpus)]).exit_code == 0
    pairs = load_dataset(str(corpus), split="train")
    assert pairs.num_rows == sum(1 for _ in (built / "work" / "alignment" / "pairs.jsonl").open())


def test_outputs_follow_the_umask(place, built):
    work, corpus = built / "work", built / "corpus"
    for path in (work / "segments.jsonl", work / "translated.jsonl", work / "alignment" / "pairs.jsonl",
                 corpus / "README.md", corpus / atomic.MARKER):
        assert oct(path.stat().st_mode & 0o777) == oct(0o644), path
    for path in (corpus, corpus / "data", work / "alignment"):
        assert oct(path.stat().st_mode & 0o777) == oct(0o755), path
    previous = os.umask(0o027)
    try:
        assert runner.invoke(app, ["report", str(place / "corpus"), "-q"]).exit_code == 0
        assert runner.invoke(app, ["publish", str(place / "work"), "-o", str(place / "corpus"), "-q"]).exit_code == 0
        assert runner.invoke(app, ["report", str(place / "corpus"), "-q"]).exit_code == 0
    finally:
        os.umask(previous)
    assert oct((place / "corpus").stat().st_mode & 0o777) == oct(0o750)
    assert oct((place / "corpus" / "report.html").stat().st_mode & 0o777) == oct(0o640)


def raising(code: int):
    """A stand-in for a system call that fails with `code` (ENOSPC: a full disk, EROFS: a read-only file system)."""
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return fail


def failing_on(calls: set[int], real=os.replace):
    """os.replace that fails on the given calls (1-based), as a crash between the renames of a swap would."""
    count = {"n": 0}

    def replace(source, target, **kwargs):
        count["n"] += 1
        if count["n"] in calls:
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return real(source, target, **kwargs)

    return replace


def test_a_failed_swap_puts_the_old_corpus_back(place, monkeypatch):
    before = snapshot(place / "corpus")
    monkeypatch.setattr(os, "replace", failing_on({2}))
    result = runner.invoke(app, ["publish", str(place / "work"), "-o", str(place / "corpus")], terminal_width=400)
    assert result.exit_code == 1 and result.output.startswith(f"error: {place / 'corpus'}: cannot write (Input/output error)")
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(place / "corpus") == before and hidden_leftovers(place) == []


def test_the_next_run_recovers_from_a_crash_between_the_renames(place, monkeypatch):
    before = snapshot(place / "corpus")
    monkeypatch.setattr(os, "replace", failing_on({2, 3, 4}))
    result = runner.invoke(app, ["publish", str(place / "work"), "-o", str(place / "corpus")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert not (place / "corpus").exists() and [p.endswith(".old") for p in hidden_leftovers(place)] == [True]
    monkeypatch.undo()
    (place / "work" / "translated.jsonl").unlink()
    result = runner.invoke(app, ["publish", str(place / "work"), "-o", str(place / "corpus")])
    assert result.exit_code == 1 and "not a work folder" in result.output
    assert snapshot(place / "corpus") == before, "the old corpus is back"
    assert hidden_leftovers(place) == []


def test_leftovers_of_other_folders_and_user_files_are_kept(place):
    orphan = place / ".corpus.abcd1234.tmp"
    orphan.mkdir()
    (place / ".corpus.notes.old").mkdir()
    (place / ".other.abcd1234.tmp").mkdir()
    atomic.recover_folder(place / "corpus")
    assert not orphan.exists() and (place / ".corpus.notes.old").is_dir() and (place / ".other.abcd1234.tmp").is_dir()


@pytest.mark.parametrize("owner, name, code, args, target", [
    (Path, "write_text", errno.ENOSPC, ["publish", "{t}/work", "-o", "{t}/corpus"], "corpus"),
    (atomic.tempfile, "mkdtemp", errno.ENOSPC, ["publish", "{t}/work", "-o", "{t}/corpus"], "corpus"),
    (atomic.tempfile, "mkstemp", errno.ENOSPC, ["segment", "{t}/seeds", "-o", "{t}/work/segments.jsonl", "-q"], "work/segments.jsonl"),
    (atomic.tempfile, "mkdtemp", errno.EROFS, ["publish", "{t}/work", "-o", "{t}/corpus"], "corpus"),
    (atomic.tempfile, "mkstemp", errno.EROFS, ["report", "{t}/corpus"], "corpus/report.html"),
], ids=["full disk: the card", "full disk: the staging folder", "full disk: the segments file",
        "read-only file system: publish", "read-only file system: report"])
def test_system_faults_are_one_line_and_keep_the_old_output(place, built, monkeypatch, owner, name, code, args, target):
    before = snapshot(place)
    monkeypatch.setattr(owner, name, raising(code))
    result = invoke(args, place, built / "cache")
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"error: {place / target}: cannot write ({os.strerror(code)}); the previous output, if any, is unchanged"]
    assert snapshot(place) == before and hidden_leftovers(place) == [] and hidden_leftovers(place / "work") == []


def test_a_read_only_output_folder_is_refused_before_any_work(place, monkeypatch):
    corpus = place / "corpus"
    before = snapshot(corpus)
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **k: (Path(path) != corpus or mode != os.W_OK) and real(path, mode, **k))
    result = runner.invoke(app, ["publish", str(place / "work"), "-o", str(corpus), "--force"], terminal_width=400)
    monkeypatch.undo()
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [f"error: {corpus}: is read-only; make it writable or choose another folder"]
    assert snapshot(corpus) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("locked", ["corpus", "."])
def test_read_only_folders_are_one_line(place, locked):
    before = snapshot(place / "corpus")
    folder = place / locked
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, ["publish", str(place / "work"), "-o", str(place / "corpus")], terminal_width=400)
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 1 and result.output.startswith(f"error: {place / 'corpus'}: ")
    assert len(result.output.strip().splitlines()) == 1 and snapshot(place / "corpus") == before


@pytest.mark.parametrize("name, expected", [
    ("001_baf90a9d2919649a", "001_baf90a9d2919649a"),
    ("a-b.c_d", "a-b.c_d"),
    ("../../../../tmp/PWNED", None),
    ("a/b", None),
    (".hidden", None),
    ("..", None),
    ("", None),
    ("Gazeta.pl: news/2022", None),
    ("x" * 300, None),
])
def test_safe_name(name, expected):
    safe = safe_name(name)
    if expected is not None:
        assert safe == expected
    else:
        assert safe != name and not safe.startswith(".") and "/" not in safe and "\\" not in safe
        assert set(safe) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") and len(safe) <= 90
    assert safe_name(name + "!") != safe_name(name + "?"), "different names stay different"


def test_no_article_name_writes_outside_the_alignment_folder(tmp_path):
    out = tmp_path / "x" / "y" / "alignment"
    names = ["../../../PWNED", "zz", "a/b", "..", "/etc/passwd"]
    links = {(a, b): ["[0]:[0]:1.0"] for a in names for b in names if a != b}
    AlignmentFolder(out).write([], [], {"mode": "parallel"}, links)
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert all(p.parent in (out, out / "links") for p in written), written
    assert len(list((out / "links").iterdir())) == len(links)


def test_parallel_mode_on_hostile_article_names(tmp_path):
    text = ["The minister arrived in Almaty on Monday.", "He met the president."]
    rows = [Segment(f"{name}:{i}", name, i, "body", "en", t, 0, len(t), english=t)
            for name in ("../../../PWNED", "zz/yy") for i, t in enumerate(text)]
    write_jsonl(tmp_path / "translated.jsonl", rows)
    out = tmp_path / "x" / "y" / "out"
    result = runner.invoke(app, ["align", str(tmp_path / "translated.jsonl"), "-o", str(out), "--mode", "parallel", "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    [links] = list((out / "links").iterdir())
    assert "PWNED" in links.name and "zz_yy-" in links.name and not links.name.startswith(".")
    assert links.read_text().splitlines()[0].startswith("[0]:[0]:")
    assert not [p for p in tmp_path.rglob("*PWNED*") if p.parent != out / "links"]
