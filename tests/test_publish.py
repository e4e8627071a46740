"""The published corpus: built offline from the seeds, loaded with `datasets`, checked, deterministic."""

from __future__ import annotations

import shutil

import pytest
from datasets import load_dataset
from huggingface_hub import DatasetCard
from typer.testing import CliRunner

from mt.cli import app
from mt.publishing.configurations import CONFIGURATIONS
from mt.records import read_facts, read_pairs, read_segments

runner = CliRunner()


def build(seeds_dir, corpus, work):
    result = runner.invoke(app, ["build", str(seeds_dir), "-o", str(corpus), "--work", str(work), "--english-from", "reference",
                                 "--cache-dir", str(work / "cache"), "-q"])
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def built(seeds_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("publish")
    build(seeds_dir, root / "corpus", root / "work")
    return root / "corpus", root / "work"


def test_every_configuration_loads_with_the_pipelines_row_counts(built):
    corpus, work = built
    segments = read_segments(work / "translated.jsonl")
    expected = {"segments": len(segments), "pairs": len(read_pairs(work / "alignment" / "pairs.jsonl")),
                "facts": len(read_facts(work / "alignment" / "facts.jsonl")), "events": 1, "articles": 5}
    assert all(n > 0 for n in expected.values())
    default = load_dataset(str(corpus), split="train")
    assert default.num_rows == expected["pairs"] and "text_a" in default.column_names
    for configuration in CONFIGURATIONS:
        config = configuration.name
        dataset = load_dataset(str(corpus), config, split="train")
        assert dataset.num_rows == expected[config]
        assert dataset.features == configuration.features()
    published = load_dataset(str(corpus), "segments", split="train")
    assert sorted(published["id"]) == sorted(s.id for s in segments), "nothing lost: every segment is published"
    import pyarrow as pa
    import pyarrow.parquet as pq

    assert published.to_pandas()["kind"].tolist() == [s.kind for s in sorted(segments, key=lambda s: s.id)], "pandas shows kinds as words"
    assert pq.read_schema(corpus / "data" / "segments" / "train-00000-of-00001.parquet").field("kind").type == pa.string(), \
        "a string column in parquet: DuckDB and polars show words too"


def test_articles_configuration_names_the_outlets(built):
    corpus, _ = built
    articles = {row["article"]: row for row in load_dataset(str(corpus), "articles", split="train")}
    gazeta = articles["001_baf90a9d2919649a"]
    assert (gazeta["outlet"], gazeta["language"], gazeta["metadata_from"]) == ("Gazeta.pl", "pl", "articles.yaml")
    assert articles["002_829cf68b9f031ec6"]["published"] == "2022-01-06T10:47"
    assert articles["000_9f9b6322790e96fd"]["outlet"] is None, "unknown stays unknown: nothing invented"
    assert all(row["segments"] >= row["aligned"] >= row["paired"] for row in articles.values())
    card = (corpus / "README.md").read_text()
    assert "| Gazeta.pl | 001_baf90a9d2919649a | pl |" in card


def test_facts_read_in_order_with_summary_outlets_and_counts(built):
    corpus, _ = built
    facts = load_dataset(str(corpus), "facts", split="train")
    assert all(row["n_articles"] >= 2 and len(row["members"]) >= 2 for row in facts)
    order = [(all(d["compatible"] for d in row["disagreements"]), row["n_disagreements"] == 0, -row["n_articles"]) for row in facts]
    assert order == sorted(order), "contradictions first, then other disagreements, then facts in more outlets"
    verdicts = {d["quantity"]: d["compatible"] for row in facts for d in row["disagreements"]}
    assert verdicts == {"injured": False, "troops": True, "police killed": True}, "more than 1,300 vs about 1000 contradict"
    for row in facts:
        central = [m for m in row["members"] if m["central"]]
        assert central and row["summary"] == " ".join(m["english"] for m in central)
        assert all(m["outlet"] and m["lang"] and m["text"] and m["english"] for m in row["members"])
    injured = [row for row in facts if any(d["quantity"] == "injured" for d in row["disagreements"])]
    assert injured, "the seeds' casualty figures disagree (more than 1,300 vs about 1000)"
    counts = [c for row in facts for c in row["counts"]]
    troops = [c for c in counts if c["text"] == "more than 2,600"]
    assert troops and (troops[0]["value"], troops[0]["qualifier"], troops[0]["counts"], troops[0]["outlet"]) == (2600.0, "more than", "troops", "Gazeta.pl")
    segments = {row["id"]: row for row in load_dataset(str(corpus), "segments", split="train")}
    for count in counts:
        english = segments[count["segment"]]["english"]
        at = english.index(count["text"])
        assert at == 0 or not (english[at - 1] == "-" or english[at - 1].isalnum()), f"{count['text']!r} is glued to a name in {english!r}"


def test_dataset_card_metadata(built):
    corpus, _ = built
    card = DatasetCard.load(corpus / "README.md").data.to_dict()
    assert [c["config_name"] for c in card["configs"] if c.get("default")] == ["pairs"]
    assert {c["config_name"] for c in card["dataset_info"]} == {c.name for c in CONFIGURATIONS}
    assert set(card["language"]) == {"en", "pl", "ru"} and card["multilinguality"] == "multilingual"
    for key in ("task_categories", "size_categories", "pretty_name", "license", "tags"):
        assert card[key]
    assert (card["annotations_creators"], card["language_creators"], card["source_datasets"]) == (["machine-generated"], ["found"], ["original"])
    text = (corpus / "README.md").read_text()
    for needed in ("mt build", "sentence-transformers/all-MiniLM-L6-v2", "## Limitations", "## Citation", "## Statistics", "threshold",
                   "## Personal and sensitive information", "(report.html)"):
        assert needed in text
    command = next(line for line in text.splitlines() if line.startswith("Command:"))
    assert str(corpus.parent) not in command and " /" not in command, f"the card leaks local paths: {command}"
    assert "year" not in text.split("## Citation")[1], "no year in the citation unless the build is timestamped"


@pytest.mark.parametrize("command, portable", [
    ("mt build /home/someone/news/seeds -o /tmp/x/corpus", "mt build seeds -o corpus"),
    ("mt build seeds/ -o corpus/ --work work/", "mt build seeds/ -o corpus/ --work work/"),
    ("mt build --references=/data/refs.jsonl seeds", "mt build --references=refs.jsonl seeds"),
])
def test_card_command_has_no_local_absolute_paths(command, portable):
    from mt.publishing.card import portable_command

    assert portable_command(command) == portable


def test_check_passes_and_catches_a_wrong_card(built, tmp_path):
    corpus, _ = built
    assert runner.invoke(app, ["publish", "--check", str(corpus)]).exit_code == 0
    broken = tmp_path / "broken"
    shutil.copytree(corpus, broken)
    card = (broken / "README.md").read_text()
    (broken / "README.md").write_text(card.replace("config_name: facts", "config_name: facts-renamed", 1))
    result = runner.invoke(app, ["publish", "--check", str(broken)])
    assert result.exit_code == 1 and "facts" in result.output and "Traceback" not in result.output


def test_rebuilding_gives_byte_identical_files(built, seeds_dir):
    corpus, work = built
    before = {p.relative_to(corpus): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    shutil.rmtree(corpus)
    build(seeds_dir, corpus, work)
    after = {p.relative_to(corpus): p.read_bytes() for p in corpus.rglob("*") if p.is_file()}
    assert before.keys() == after.keys() and all(before[k] == after[k] for k in before)


def test_publish_needs_a_work_folder(tmp_path):
    result = runner.invoke(app, ["publish", str(tmp_path), "-o", str(tmp_path / "corpus")])
    assert result.exit_code == 1 and "not a work folder" in result.output


def test_push_to_hub_offline_is_a_clear_message(built, tmp_path):
    _, work = built
    result = runner.invoke(app, ["publish", str(work), "-o", str(tmp_path / "corpus"), "--push-to-hub", "someone/corpus", "-q"])
    assert result.exit_code == 1 and "offline" in result.output and "Nothing was uploaded" in result.output


def test_push_to_hub_without_token_is_a_clear_message(built, tmp_path, monkeypatch):
    from huggingface_hub import constants

    _, work = built
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    monkeypatch.setattr("huggingface_hub.get_token", lambda: None)
    result = runner.invoke(app, ["publish", str(work), "-o", str(tmp_path / "corpus"), "--push-to-hub", "someone/corpus", "-q"])
    assert result.exit_code == 1 and "no Hugging Face token" in result.output


def test_the_card_describes_every_declared_field(built):
    """The card's field tables come from the configurations' declarations: a new column shows up by itself."""
    corpus, _ = built
    card = (corpus / "README.md").read_text(encoding="utf-8")
    fields = card.split("## Fields")[1].split("## How it was built")[0]
    for configuration in CONFIGURATIONS:
        section = fields.split(f"### `{configuration.name}`")[1].split("### ")[0]
        for column in configuration.columns:
            assert f"| `{column.name}` |" in section, f"{configuration.name}.{column.name} is not in the card"


EVENTS = [  # (event's title, its central article's headline and English, what the card's table shows)
    ("Awaria prądu w Talvorze", ("Awaria prądu w Talvorze", "Power cut in Talvora"), "Awaria prądu w Talvorze (English: Power cut in Talvora)"),
    ("Ferry collision in the strait", ("Ferry collision in the strait", "Ferry collision in the strait"), "Ferry collision in the strait"),
    ("Museum reopens", ("Another headline", "Another headline in English"), "Museum reopens"),
]


def test_the_cards_event_table_gives_the_english_of_a_title_in_another_language():
    from mt.publishing.card import event_table
    from mt.publishing.notes import english_titles

    events = [{"event_id": f"e{n}", "title": title, "central_article": f"a{n}", "n_articles": 2, "languages": ["pl", "en"],
               "dates": [], "n_facts": 1, "n_disagreements": 0} for n, (title, _, _) in enumerate(EVENTS)]
    segments = [{"article": f"a{n}", "kind": "headline", "text": text, "english": english}
                for n, (_, (text, english), _) in enumerate(EVENTS)]
    table = event_table(events, english_titles({"events": events, "segments": segments}))
    assert [line.split(" | ")[0].removeprefix("| ") for line in table if line.startswith("| ") and "---" not in line][1:] == \
        [shown for _, _, shown in EVENTS]
