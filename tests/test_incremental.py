"""`mt build NEW/ --into corpus/`: adding articles to a built corpus equals a full build of old and new inputs, byte
for byte; only the events the new articles touch are aligned again; a killed update leaves the old corpus; refusals
are one line."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from mt import incremental, pipeline
from mt.cli import app
from mt.workfolder import MOVING

DEV = Path(__file__).parent / "data" / "events" / "dev.yaml"
STORIES = ["flood_en", "flood_wire", "cup_with_flood_line_en", "marathon_en", "marathon_brief_en"]
"""English dev articles (tests/test_events.py): a flood, a marathon, and a cup match with one line on the flood."""
WORK_FILES = ["segments.jsonl", "articles.jsonl", "translated.jsonl", "alignment/pairs.jsonl", "alignment/facts.jsonl",
              "alignment/events.jsonl", "alignment/alignment.json"]


def write_articles(folder: Path, names: list[str]) -> Path:
    """The dev articles as .txt files with an articles.yaml (English, dated), as a user's folder holds them."""
    articles = yaml.safe_load(DEV.read_text(encoding="utf-8"))["articles"]
    folder.mkdir(parents=True)
    for name in names:
        headline, *body = articles[name].get("english", articles[name]["sentences"])
        (folder / f"{name}.txt").write_text(headline + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    (folder / "articles.yaml").write_text("".join(f"{name}:\n  language: en\n  published: 2026-03-0{1 + STORIES.index(name) % 2}\n"
                                                  for name in names), encoding="utf-8")
    return folder


def mt_build(*args: object) -> str:
    result = CliRunner().invoke(app, ["build", *map(str, args), "--english-from", "reference"])
    assert result.exit_code == 0, result.output
    return result.output


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


SPLITS = [
    # (why, old articles, new articles, events aligned again: their articles)
    ("a new article joins an event", ["flood_en", "cup_with_flood_line_en", "marathon_en", "marathon_brief_en"], ["flood_wire"],
     [["flood_en", "flood_wire"]]),
    ("new articles start a new event", ["flood_en", "flood_wire", "cup_with_flood_line_en"], ["marathon_en", "marathon_brief_en"],
     [["marathon_brief_en", "marathon_en"]]),
    ("a lone new article", ["flood_en", "flood_wire", "marathon_en", "marathon_brief_en"], ["cup_with_flood_line_en"],
     [["cup_with_flood_line_en"]]),
]


@pytest.mark.parametrize("why, old, new, realigned", SPLITS, ids=[row[0] for row in SPLITS])
def test_adding_articles_equals_a_full_build_and_aligns_only_the_touched_events(tmp_path, monkeypatch, why, old, new, realigned):
    cache = tmp_path / "cache"
    first, second = write_articles(tmp_path / "old", old), write_articles(tmp_path / "new", new)
    full = tmp_path / "full"
    mt_build(first, second, "-o", full / "corpus", "--work", full / "work", "--cache-dir", cache)

    added = tmp_path / "added"
    mt_build(first, "-o", added / "corpus", "--work", added / "work", "--cache-dir", cache)
    aligned: list[list[str]] = []
    real = pipeline._align_part
    monkeypatch.setattr(pipeline, "_align_part", lambda part, **kw: aligned.append(sorted({s.article for s in part})) or real(part, **kw))
    output = mt_build(second, "--into", added / "corpus", "--work", added / "work", "--cache-dir", cache)

    assert sorted(aligned) == realigned, "only the events holding a new article, or changed, are aligned again"
    assert "events 3, articles 5, pairs " in " ".join(output.split())
    assert "took " in output and ", align " in output, "the summary says what each stage took"
    total = len((added / "work" / "segments.jsonl").read_text(encoding="utf-8").splitlines())
    assert f"new segments -> {added / 'work' / 'segments.jsonl'} ({total} in all)" in " ".join(output.split()), output
    assert files_of(added / "corpus") == files_of(full / "corpus")
    for name in WORK_FILES:
        assert (added / "work" / name).read_bytes() == (full / "work" / name).read_bytes(), name
    assert not list(tmp_path.glob("added/.work.*")), "no staging folder is left behind"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A corpus of the flood articles, built once; tests copy it before changing anything."""
    root = tmp_path_factory.mktemp("built")
    mt_build(write_articles(root / "old", STORIES[:2]), "-o", root / "corpus", "--work", root / "work", "--cache-dir", root / "cache")
    write_articles(root / "new", STORIES[3:])
    write_articles(root / "again", STORIES[:1])
    write_articles(root / "old" / "later", STORIES[4:])
    (root / "plain").mkdir()
    (root / "plain" / "notes.txt").write_text("mine\n", encoding="utf-8")
    (root / "embedder.yaml").write_text("alignment:\n  embedder: sentence-transformers/all-MiniLM-L6-v2\n", encoding="utf-8")
    return root


REFUSALS = [
    # (why, arguments after `mt build` (ROOT: the built folder), exit code, the first line says)
    ("neither -o nor --into", ["ROOT/new"], 2, "needs -o FOLDER (a new corpus) or --into FOLDER"),
    ("both -o and --into", ["ROOT/new", "-o", "ROOT/x", "--into", "ROOT/corpus"], 2, "not both"),
    ("not a corpus mt built", ["ROOT/new", "--into", "ROOT/plain", "--work", "ROOT/work"], 1, "not a corpus built by mt build"),
    ("an article already in the corpus", ["ROOT/again", "--into", "ROOT/corpus", "--work", "ROOT/work"], 1,
     "article 'flood_en' is already in"),
    ("an input folder of the build, again", ["ROOT/old", "--into", "ROOT/corpus", "--work", "ROOT/work"], 1,
     "is already an input of"),
    ("new articles inside an input folder of the build", ["ROOT/old/later", "--into", "ROOT/corpus", "--work", "ROOT/work"], 1,
     "is inside"),
    ("another work folder", ["ROOT/new", "--into", "ROOT/corpus", "--work", "ROOT/elsewhere"], 1, "holds no build record"),
    ("other settings than the build's", ["ROOT/new", "--into", "ROOT/corpus", "--work", "ROOT/work", "--languages", "en,pl"], 1,
     "was built with another config.segmentation.languages (--config, --languages) than this command's (built with ["),
    ("another embedder than the build's", ["ROOT/new", "--into", "ROOT/corpus", "--work", "ROOT/work", "--config", "ROOT/embedder.yaml"], 1,
     ("config.alignment.embedder (--config, --languages) than this command's (built with 'bert:sentence-transformers/all-MiniLM-L6-v2', "
      "this command 'sentence-transformers/all-MiniLM-L6-v2')")),
]


@pytest.mark.parametrize("why, args, code, says", REFUSALS, ids=[row[0] for row in REFUSALS])
def test_refusals_are_one_line_and_change_nothing(built, why, args, code, says):
    before = files_of(built / "corpus"), files_of(built / "work")
    result = CliRunner().invoke(app, ["build", *(a.replace("ROOT", str(built)) for a in args), "--english-from", "reference",
                                      "--cache-dir", str(built / "cache"), "-q"])
    assert result.exit_code == code, result.output
    assert result.output.startswith("error:") and says in " ".join(result.output.split()), result.output
    assert (files_of(built / "corpus"), files_of(built / "work")) == before


@pytest.mark.parametrize("edit", [lambda lines: lines[:-1], lambda lines: lines[1:] + lines[:1]], ids=["a segment short", "reordered"])
def test_work_files_of_different_runs_are_refused(built, edit):
    """segments.jsonl is copied into the update, not parsed into records: its ids must still match translated.jsonl."""
    segments = built / "work" / "segments.jsonl"
    kept = segments.read_text(encoding="utf-8")
    segments.write_text("".join(edit(kept.splitlines(keepends=True))), encoding="utf-8")
    try:
        result = CliRunner().invoke(app, ["build", str(built / "new"), "--into", str(built / "corpus"), "--work", str(built / "work"),
                                          "--english-from", "reference", "--cache-dir", str(built / "cache"), "-q"])
    finally:
        segments.write_text(kept, encoding="utf-8")  # the built corpus serves the module's other tests
    assert result.exit_code == 1 and "do not match" in " ".join(result.output.split()), result.output


@pytest.mark.parametrize("revision", [None, 1])
def test_a_corpus_an_older_aligner_built_is_refused_with_the_rebuild_to_run(built, revision):
    """Its untouched events would keep the older aligner's pairs and facts: the result would equal no build."""
    record = built / "work" / "build.json"
    kept = record.read_text(encoding="utf-8")
    older = json.loads(kept)
    if revision is None:
        del older["settings"]["aligner"]  # recorded before the revision was
    else:
        older["settings"]["aligner"] = revision
    record.write_text(json.dumps(older), encoding="utf-8")
    before = files_of(built / "corpus")
    try:
        result = CliRunner().invoke(app, ["build", str(built / "new"), "--into", str(built / "corpus"), "--work", str(built / "work"),
                                          "--english-from", "reference", "--cache-dir", str(built / "cache"), "-q"])
    finally:
        record.write_text(kept, encoding="utf-8")  # the built corpus serves the module's other tests
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and f"by another version of the aligner (revision {revision or 1}, this one" in said, result.output
    assert "rebuild it with -o" in said and files_of(built / "corpus") == before


def test_a_killed_update_leaves_the_old_corpus_and_work_folder(built, monkeypatch):
    before = files_of(built / "corpus"), files_of(built / "work")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(incremental, "write_corpus", killed)
    with pytest.raises(KeyboardInterrupt):
        incremental.add_to_corpus([built / "new"], built / "corpus", built / "work", options=pipeline.BuildOptions(english_from="reference"))
    assert (files_of(built / "corpus"), files_of(built / "work")) == before
    assert not list(built.glob(".work.*")), "the staging folder is removed"


def test_an_update_killed_while_moving_into_the_work_folder_is_finished_by_the_next(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first, second, third = (write_articles(tmp_path / name, stories) for name, stories in
                            [("old", STORIES[:3]), ("new", STORIES[3:4]), ("more", STORIES[4:])])
    mt_build(first, second, third, "-o", tmp_path / "full" / "corpus", "--work", tmp_path / "full" / "work", "--cache-dir", cache)
    added = tmp_path / "added"
    mt_build(first, "-o", added / "corpus", "--work", added / "work", "--cache-dir", cache)

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(incremental, "swap_folder", killed)  # after the corpus is published and some files have moved
    options = pipeline.BuildOptions(english_from="reference", align=pipeline.AlignOptions(cache_dir=cache))
    with pytest.raises(KeyboardInterrupt):
        incremental.add_to_corpus([second], added / "corpus", added / "work", options=options)
    assert (added / "work" / MOVING).is_file(), "the note that names the staged files is left"
    monkeypatch.undo()

    mt_build(third, "--into", added / "corpus", "--work", added / "work", "--cache-dir", cache)
    assert files_of(added / "corpus") == files_of(tmp_path / "full" / "corpus")
    assert not (added / "work" / MOVING).exists() and not list(added.glob(".work.*"))


WRITERS = [
    # (a second writer of the work folder while one holds it: `mt build --into`, `mt watch`, a rebuild with -o)
    ["build", "ROOT/new", "--into", "ROOT/corpus", "--work", "ROOT/work"],
    ["watch", "ROOT/inbox", "--into", "ROOT/corpus", "--work", "ROOT/work", "--once"],
    ["build", "ROOT/new", "-o", "ROOT/corpus", "--work", "ROOT/work", "--force"],
]


@pytest.mark.parametrize("args", WRITERS, ids=["build --into", "watch", "build -o"])
def test_a_second_writer_while_one_runs_is_refused(built, args):
    fcntl = pytest.importorskip("fcntl", reason="flock is POSIX")
    (built / "inbox").mkdir(exist_ok=True)
    before = files_of(built / "corpus"), files_of(built / "work")
    running = os.open(built / "work", os.O_RDONLY)
    try:
        fcntl.flock(running, fcntl.LOCK_EX)  # as a running `mt build --into` or `mt watch` holds it
        result = CliRunner().invoke(app, [*(a.replace("ROOT", str(built)) for a in args), "--english-from", "reference",
                                          "--cache-dir", str(built / "cache"), "-q"])
    finally:
        os.close(running)
    assert result.exit_code == 1 and "another mt process (mt build, mt build --into or mt watch) is writing this work folder" \
        in " ".join(result.output.split()), result.output
    assert (files_of(built / "corpus"), files_of(built / "work")) == before


def test_a_corpus_moved_with_its_work_folder_takes_new_articles(tmp_path):
    import shutil

    cache = tmp_path / "cache"
    first, second = write_articles(tmp_path / "old", STORIES[:2]), write_articles(tmp_path / "new", STORIES[2:3])
    mt_build(first, "-o", tmp_path / "project" / "corpus", "--work", tmp_path / "project" / "work", "--cache-dir", cache)
    shutil.move(tmp_path / "project", tmp_path / "moved")
    output = mt_build(second, "--into", tmp_path / "moved" / "corpus", "--work", tmp_path / "moved" / "work", "--cache-dir", cache)
    assert "articles 3" in " ".join(output.split())


def test_adding_through_ray_aligns_the_touched_events_as_tasks_and_equals_a_local_full_build(tmp_path, monkeypatch):
    ray = pytest.importorskip("ray", reason="the [ray] extra (ray[data]) is not installed")
    from mt.engines import ray as ray_engine

    ray_engine.connect(num_cpus=2)
    try:
        _, old, new, realigned = SPLITS[0]
        cache = tmp_path / "cache"
        first, second = write_articles(tmp_path / "old", old), write_articles(tmp_path / "new", new)
        mt_build(first, second, "-o", tmp_path / "full" / "corpus", "--work", tmp_path / "full" / "work", "--cache-dir", cache)
        mt_build(first, "-o", tmp_path / "added" / "corpus", "--work", tmp_path / "added" / "work", "--cache-dir", cache)
        sent: list[list[str]] = []
        real = ray_engine.RayAlignMapper.__call__
        monkeypatch.setattr(ray_engine.RayAlignMapper, "__call__",
                            lambda self, align, parts: sent.extend(sorted({s.article for s in p}) for p in parts) or real(self, align, parts))
        mt_build(second, "--into", tmp_path / "added" / "corpus", "--work", tmp_path / "added" / "work", "--cache-dir", cache,
                 "--engine", "ray")
        assert sent == realigned, "only the touched events travel to Ray tasks"
        assert files_of(tmp_path / "added" / "corpus") == files_of(tmp_path / "full" / "corpus")
    finally:
        ray.shutdown()


def test_a_full_build_drops_what_a_killed_update_left_to_move(built, tmp_path):
    """A note left by an `--into` killed while moving files in names staged files older than the rebuild: the next
    `--into` would move them over it. The rebuild removes both."""
    work = tmp_path / "work"
    staging = tmp_path / ".work.abc.incoming"
    (staging / "alignment").mkdir(parents=True)
    work.mkdir()
    (work / MOVING).write_text(str(staging) + "\n", encoding="utf-8")
    mt_build(built / "old", "-o", tmp_path / "corpus", "--work", work, "--cache-dir", built / "cache", "-q")
    assert not (work / MOVING).exists() and not staging.exists()


@pytest.mark.parametrize("error, refused", [(BlockingIOError, True), (OSError, False)],
                         ids=["another writer holds it: refused", "a file system without locks: built unlocked"])
def test_the_work_folders_lock(built, tmp_path, monkeypatch, error, refused):
    fcntl = pytest.importorskip("fcntl", reason="flock is POSIX")

    def flock(handle, operation):
        raise error(37, "no locks")

    monkeypatch.setattr(fcntl, "flock", flock)
    (tmp_path / "work").mkdir()
    result = CliRunner().invoke(app, ["build", str(built / "old"), "-o", str(tmp_path / "corpus"), "--work", str(tmp_path / "work"),
                                      "--english-from", "reference", "--cache-dir", str(built / "cache"), "-q"])
    assert (result.exit_code == 1 and "is writing this work folder" in " ".join(result.output.split())) if refused else \
        (result.exit_code == 0 and (tmp_path / "corpus" / "README.md").is_file()), result.output
