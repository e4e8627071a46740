"""`mt watch INBOX --into corpus/`: each batch folder in the inbox is added as `mt build --into` adds it, and the corpus
equals a full build of everything added, byte for byte; the models load once; a refused batch is reported and the
others go on; a batch is taken only once it has settled, and a hidden one never."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from mt import incremental, pipeline, watching
from mt.cli import app
from mt.records import ByIdentity, Pair
from mt.workfolder import WorkFolder
from tests.test_incremental import WORK_FILES, files_of, mt_build, write_articles

BATCHES = [
    # (why, articles built first, the inbox's batches in name order)
    ("one joins an event, then two start one", ["flood_en", "cup_with_flood_line_en"], [["flood_wire"], ["marathon_en", "marathon_brief_en"]]),
    ("a new event, then an article joins it", ["flood_en", "flood_wire"], [["marathon_en"], ["marathon_brief_en", "cup_with_flood_line_en"]]),
]


@pytest.mark.parametrize("why, old, batches", BATCHES, ids=[row[0] for row in BATCHES])
def test_watching_adds_each_batch_and_equals_a_full_build(tmp_path, monkeypatch, why, old, batches):
    cache, inbox = tmp_path / "cache", tmp_path / "inbox"
    first = write_articles(tmp_path / "old", old)
    names = [write_articles(inbox / f"2026-03-0{k + 1}", batch) for k, batch in enumerate(batches)]
    mt_build(first, *names, "-o", tmp_path / "full" / "corpus", "--work", tmp_path / "full" / "work", "--cache-dir", cache)
    watched = tmp_path / "watched"
    mt_build(first, "-o", watched / "corpus", "--work", watched / "work", "--cache-dir", cache)
    (cache / "embeddings.sqlite").unlink()  # the new articles' sentences are embedded in the watch: the models load
    loaded, real = [], pipeline.Embedder.load

    def counted(self):
        if (self.name, self.device) not in self.loaded:
            loaded.append(self.name)
        return real(self)

    monkeypatch.setattr(pipeline.Embedder, "load", counted)

    result = CliRunner().invoke(app, ["watch", str(inbox), "--into", str(watched / "corpus"), "--work", str(watched / "work"),
                                      "--english-from", "reference", "--cache-dir", str(cache), "--once"])

    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert [f"{name}: added {len(batch)} articles" in said for name, batch in zip(names, batches)] == [True] * len(batches)
    assert "articles 5" in said.rsplit("added", 1)[1], "each batch says what the corpus holds now"
    assert len(loaded) == len(set(loaded)), "each model is loaded once for the whole watch"
    assert files_of(watched / "corpus") == files_of(tmp_path / "full" / "corpus")
    for name in WORK_FILES:
        assert (watched / "work" / name).read_bytes() == (tmp_path / "full" / "work" / name).read_bytes(), name


def test_a_refused_batch_is_reported_and_the_next_one_is_added(tmp_path):
    cache, inbox = tmp_path / "cache", tmp_path / "inbox"
    first = write_articles(tmp_path / "old", ["flood_en", "flood_wire"])
    write_articles(inbox / "a", ["flood_en"])  # already in the corpus
    later = write_articles(inbox / "b", ["marathon_en"])
    mt_build(first, later, "-o", tmp_path / "full" / "corpus", "--work", tmp_path / "full" / "work", "--cache-dir", cache)
    mt_build(first, "-o", tmp_path / "corpus", "--work", tmp_path / "work", "--cache-dir", cache)

    result = CliRunner().invoke(app, ["watch", str(inbox), "--into", str(tmp_path / "corpus"), "--work", str(tmp_path / "work"),
                                      "--english-from", "reference", "--cache-dir", str(cache), "--once", "-q"])

    said = " ".join(result.output.split())
    assert result.exit_code == 1, "with --once, a refused batch is a failure"
    assert f"{inbox / 'a'}: not added: article 'flood_en' is already in" in said
    assert files_of(tmp_path / "corpus") == files_of(tmp_path / "full" / "corpus")


@pytest.mark.parametrize("args, says", [
    (["ROOT/missing", "--into", "ROOT/corpus", "--work", "ROOT/work"], "no such folder to watch"),
    (["ROOT/inbox", "--into", "ROOT/inbox", "--work", "ROOT/work"], "not a corpus built by mt build"),
    (["ROOT/inbox", "--into", "ROOT/corpus", "--work", "ROOT/inbox"], "holds no build record"),
], ids=["no inbox", "not a corpus", "not its work folder"])
def test_a_watch_that_cannot_start_says_why_in_one_line(tmp_path, args, says):
    mt_build(write_articles(tmp_path / "old", ["flood_en"]), "-o", tmp_path / "corpus", "--work", tmp_path / "work", "--cache-dir", tmp_path / "cache")
    (tmp_path / "inbox").mkdir()
    result = CliRunner().invoke(app, ["watch", *(a.replace("ROOT", str(tmp_path)) for a in args), "--english-from", "reference",
                                      "--cache-dir", str(tmp_path / "cache"), "--once", "-q"])
    assert result.exit_code == 1 and result.output.startswith("error:") and says in " ".join(result.output.split()), result.output


class FakeUpdater:
    """Records the batches it is given; refuses a batch whose a.txt says 'bad'. Its corpus and work folder are in
    the inbox."""

    def __init__(self, inbox: Path) -> None:
        self.inputs: list[Path] = []
        self.corpus = inbox / "corpus"
        self.folder = WorkFolder(inbox / "work")

    def add(self, inputs, **kwargs):
        batch = inputs[0]
        if (batch / "a.txt").read_text() == "bad":
            raise incremental.IncrementalError("bad batch")
        self.inputs.append(batch)


LOOKS = [
    # (why, before each look: the folders written then ({folder: text of its a.txt}), the batches added after each
    #  look, how many times a refusal is reported)
    ("a batch is taken once it looks the same twice", [{"b1": "x"}, {}, {}], [[], ["b1"], ["b1"]], 0),
    ("a batch still being written waits", [{"b1": "x"}, {"b1": "xy"}, {}], [[], [], ["b1"]], 0),
    ("a hidden batch is never taken", [{".b1": "x"}, {}], [[], []], 0),
    ("batches are taken in name order", [{"b2": "x", "b1": "x"}, {}], [[], ["b1", "b2"]], 0),
    ("the corpus and work folder are no batches", [{"corpus": "x", "work": "x"}, {}], [[], []], 0),
    ("a refused batch is reported once, and tried again only when it changes",
     [{"b1": "bad"}, {}, {}, {"b1": "good"}, {}], [[], [], [], [], ["b1"]], 1),
]


@pytest.mark.parametrize("why, steps, added, refusals", LOOKS, ids=[row[0] for row in LOOKS])
def test_which_batches_a_look_takes(tmp_path, why, steps, added, refusals):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    updater, seen, refused = FakeUpdater(inbox), [], []

    def next_look(seconds: float) -> None:
        seen.append([batch.name for batch in updater.inputs])
        if len(seen) == len(steps):
            raise KeyboardInterrupt
        change(steps[len(seen)])

    def change(step: dict[str, str]) -> None:
        for folder, text in step.items():
            (inbox / folder).mkdir(exist_ok=True)
            (inbox / folder / "a.txt").write_text(text)

    change(steps[0])
    with pytest.raises(KeyboardInterrupt):
        watching.watch(inbox, updater, interval=0, sleep=next_look, on_outcome=lambda o: refused.append(o.batch.name) if o.refused else None)
    assert seen == added
    assert len(refused) == refusals


def test_a_watch_whose_inbox_disappears_stops_with_one_line(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with pytest.raises(watching.WatchError, match="no such folder to watch"):
        watching.watch(inbox, FakeUpdater(inbox), interval=0, sleep=lambda seconds: inbox.rmdir())


def test_kept_values_belong_to_the_same_record_only():
    kept = ByIdentity()
    record = Pair("a:0001", "b:0001", "a", "b", ["a:0001"], ["b:0001"], 1.0, {})
    assert kept.get(record, lambda r: "made") == "made"
    assert kept.get(record, lambda r: "again") == "made", "the same record: the kept value"
    assert kept.get(Pair("a:0001", "b:0001", "a", "b", ["a:0001"], ["b:0001"], 1.0, {}), lambda r: "other") == "other", \
        "an equal record is another record"
    kept.only([])
    assert kept.get(record, lambda r: "after") == "after", "forgotten records are made again"
    other = Pair("a:0002", "b:0002", "a", "b", ["a:0002"], ["b:0002"], 1.0, {})
    kept._kept[id(other)] = (record, "another record's")  # as if `other` had taken the id of a record gone
    assert kept.get(other, lambda r: "its own") == "its own", "a kept value is only ever its own record's"


def test_each_update_equals_a_full_build_of_what_was_added_so_far_and_reuses_the_old_lines(tmp_path, monkeypatch):
    from mt import records

    cache, inbox = tmp_path / "cache", tmp_path / "inbox"
    first = write_articles(tmp_path / "old", ["flood_en", "cup_with_flood_line_en", "marathon_en"])
    batches = [write_articles(inbox / "b1", ["flood_wire"]), write_articles(inbox / "b2", ["marathon_brief_en"])]
    options = pipeline.BuildOptions(english_from="reference", align=pipeline.AlignOptions(cache_dir=cache))
    mt_build(first, "-o", tmp_path / "corpus", "--work", tmp_path / "work", "--cache-dir", cache)
    made, real = [], records._json_line
    monkeypatch.setattr(records, "_json_line", lambda record: made.append(record) or real(record))
    with incremental.CorpusUpdater(tmp_path / "corpus", tmp_path / "work", options=options) as updater:
        updater.warm_up()
        for k, batch in enumerate(batches, start=1):
            made.clear()
            old = [*updater.built.articles, *updater.built.pairs, *updater.built.facts]
            updater.add([batch])
            assert {id(record) for record in made} & {id(record) for record in old} == set(), \
                "no line of a record the corpus held is made again: they are reused"
            full = tmp_path / f"full{k}"
            mt_build(first, *batches[:k], "-o", full / "corpus", "--work", full / "work", "--cache-dir", cache)
            assert files_of(tmp_path / "corpus") == {**files_of(full / "corpus"), "README.md": files_of(tmp_path / "corpus")["README.md"]}
            for name in WORK_FILES:
                assert (tmp_path / "work" / name).read_bytes() == (full / "work" / name).read_bytes(), (k, name)


def test_an_update_that_fails_late_changes_nothing_and_the_next_one_is_whole(built_for_watch, monkeypatch):
    root, options = built_for_watch
    before = files_of(root / "corpus"), files_of(root / "work")
    with incremental.CorpusUpdater(root / "corpus", root / "work", options=options) as updater:
        updater.warm_up()

        def killed(*args, **kwargs):
            raise KeyboardInterrupt

        with monkeypatch.context() as patch:
            patch.setattr(incremental, "write_corpus", killed)
            with pytest.raises(KeyboardInterrupt):
                updater.add([root / "inbox" / "b1"])
        assert (files_of(root / "corpus"), files_of(root / "work")) == before
        updater.add([root / "inbox" / "b1"])
    assert files_of(root / "corpus") == {**files_of(root / "full" / "corpus"), "README.md": files_of(root / "corpus")["README.md"]}


def test_a_work_file_changed_behind_its_back_is_read_again(built_for_watch):
    root, options = built_for_watch
    with incremental.CorpusUpdater(root / "corpus", root / "work", options=options) as updater:
        first = updater.built
        assert updater.built is first, "nothing changed: the corpus in memory"
        articles = root / "work" / "articles.jsonl"
        articles.write_bytes(articles.read_bytes())  # a stage re-run by hand, writing the same
        assert updater.built is not first, "a work file was written: read again"


def test_what_segmentation_skips_in_a_batch_is_said_even_when_quiet(built_for_watch):
    root, _ = built_for_watch
    (root / "inbox" / "b1" / "broken.txt").write_bytes(b"\x00\x01binary\xff")
    result = CliRunner().invoke(app, ["watch", str(root / "inbox"), "--into", str(root / "corpus"), "--work", str(root / "work"),
                                      "--english-from", "reference", "--cache-dir", str(root / "cache"), "--once", "-q"])
    said = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert said.startswith("warning:") and "broken.txt" in said, result.output


@pytest.fixture
def built_for_watch(tmp_path) -> tuple[Path, pipeline.BuildOptions]:
    """A corpus of two flood articles, an inbox with one batch (the marathon), and the full build of both."""
    cache = tmp_path / "cache"
    first, batch = write_articles(tmp_path / "old", ["flood_en", "flood_wire"]), write_articles(tmp_path / "inbox" / "b1", ["marathon_en"])
    mt_build(first, "-o", tmp_path / "corpus", "--work", tmp_path / "work", "--cache-dir", cache)
    mt_build(first, batch, "-o", tmp_path / "full" / "corpus", "--work", tmp_path / "full" / "work", "--cache-dir", cache)
    return tmp_path, pipeline.BuildOptions(english_from="reference", align=pipeline.AlignOptions(cache_dir=cache))


def test_a_service_manager_stops_a_watch_as_ctrl_c_does(built_for_watch):
    """SIGTERM (systemd, docker, kill) ends the watch cleanly: a message, exit status 0, the corpus whole."""
    import signal
    import subprocess
    import sys
    import time

    root, _ = built_for_watch
    (root / "inbox" / "b1").rename(root / "inbox" / ".b1")  # nothing to add: the watch waits
    before = files_of(root / "corpus")
    watch = subprocess.Popen([sys.executable, "-m", "mt", "watch", str(root / "inbox"), "--into", str(root / "corpus"), "--work",
                              str(root / "work"), "--english-from", "reference", "--cache-dir", str(root / "cache"), "--interval", "0.2"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = ""
    deadline = time.monotonic() + 120
    while "watching" not in said and time.monotonic() < deadline:
        said += watch.stdout.readline()
    watch.send_signal(signal.SIGTERM)
    rest, _ = watch.communicate(timeout=60)
    assert watch.returncode == 0, said + rest
    assert "stopped; the corpus holds every batch added so far" in rest
    assert files_of(root / "corpus") == before


@pytest.mark.parametrize("stop", ["SIGINT", "SIGTERM"])
def test_a_stop_while_the_corpus_and_work_files_are_swapped_waits_for_both(stop):
    import signal

    number, caught = getattr(signal, stop), []
    previous = signal.signal(number, lambda signum, frame: caught.append(signum))
    try:
        with incremental._not_interrupted():
            signal.raise_signal(number)
            assert caught == [], "held while the corpus and the work files are swapped"
        assert caught == [number], "delivered, to the program's own handler, once both are"
    finally:
        signal.signal(number, previous)


class UnreadableAtFirst(FakeUpdater):
    """A work folder that cannot be read at the first two looks (a stage re-run by hand), then can."""

    def __init__(self, inbox: Path) -> None:
        super().__init__(inbox)
        self.looks = 0
        self.added: list[Path] = []

    @property
    def inputs(self) -> list[Path]:
        self.looks += 1
        if self.looks <= 2:
            raise incremental.IncrementalError("work: segments.jsonl, translated.jsonl and articles.jsonl do not match")
        return self.added

    @inputs.setter
    def inputs(self, value: list[Path]) -> None:
        self.added = value

    def add(self, inputs, **kwargs):
        self.added.append(inputs[0])


def test_a_work_folder_unreadable_at_a_look_is_said_once_and_looked_at_again(tmp_path):
    inbox = tmp_path / "inbox"
    (inbox / "b1").mkdir(parents=True)
    (inbox / "b1" / "a.txt").write_text("x")
    updater, problems, looks = UnreadableAtFirst(inbox), [], []

    def next_look(seconds: float) -> None:
        looks.append(seconds)
        if len(looks) == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        watching.watch(inbox, updater, interval=0, sleep=next_look, on_problem=problems.append)
    assert len(problems) == 1 and "do not match" in problems[0], problems
    assert [batch.name for batch in updater.added] == ["b1"], "the watch goes on once the folder reads again"
