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
    """Records the batches it is given; refuses a batch whose a.txt says 'bad'."""

    def __init__(self) -> None:
        self.inputs: list[Path] = []

    def add(self, inputs, **kwargs):
        batch = inputs[0]
        if (batch / "a.txt").read_text() == "bad":
            raise incremental.IncrementalError("bad batch")
        self.inputs.append(batch)


LOOKS = [
    # (why, what happens before each look: (folder, text of its a.txt) or None, the batches added after each look)
    ("a batch is taken once it looks the same twice", [("b1", "x"), None, None], [[], ["b1"], ["b1"]]),
    ("a batch still being written waits", [("b1", "x"), ("b1", "xy"), None], [[], [], ["b1"]]),
    ("a hidden batch is never taken", [(".b1", "x"), None], [[], []]),
    ("batches are taken in name order", [("b2", "x"), ("b1", "x"), None], [[], ["b2"], ["b2", "b1"]]),
    ("a refused batch is tried again only when it changes", [("b1", "bad"), None, None, ("b1", "good"), None],
     [[], [], [], [], ["b1"]]),
]


@pytest.mark.parametrize("why, steps, added", LOOKS, ids=[row[0] for row in LOOKS])
def test_which_batches_a_look_takes(tmp_path, why, steps, added):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    updater, seen, refused = FakeUpdater(), [], []

    def next_look(seconds: float) -> None:
        seen.append([batch.name for batch in updater.inputs])
        if len(seen) == len(steps):
            raise KeyboardInterrupt
        change(steps[len(seen)])

    def change(step) -> None:
        if step:
            (inbox / step[0]).mkdir(exist_ok=True)
            (inbox / step[0] / "a.txt").write_text(step[1])

    change(steps[0])
    with pytest.raises(KeyboardInterrupt):
        watching.watch(inbox, updater, interval=0, sleep=next_look, on_outcome=lambda o: refused.append(o.batch.name) if o.refused else None)
    assert seen == added
    assert len(refused) <= 1, "a refused batch is reported once while it stays the same"


def test_kept_values_belong_to_the_same_record_only():
    kept = ByIdentity()
    record = Pair("a:0001", "b:0001", "a", "b", ["a:0001"], ["b:0001"], 1.0, {})
    assert kept.get(record, lambda r: "made") == "made"
    assert kept.get(record, lambda r: "again") == "made", "the same record: the kept value"
    assert kept.get(Pair("a:0001", "b:0001", "a", "b", ["a:0001"], ["b:0001"], 1.0, {}), lambda r: "other") == "other", \
        "an equal record is another record"
    kept.only([])
    assert kept.get(record, lambda r: "after") == "after", "forgotten records are made again"
