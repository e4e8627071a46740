"""The published corpus: built offline from the seeds, loaded with `datasets`, checked, deterministic."""

from __future__ import annotations

import shutil

import pytest
from datasets import load_dataset
from huggingface_hub import DatasetCard
from typer.testing import CliRunner

from mt.publishing import CONFIGS, features
from mt.cli import app
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
                "facts": len(read_facts(work / "alignment" / "facts.jsonl"))}
    assert all(n > 0 for n in expected.values())
    default = load_dataset(str(corpus), split="train")
    assert default.num_rows == expected["pairs"] and "text_a" in default.column_names
    for config in CONFIGS:
        dataset = load_dataset(str(corpus), config, split="train")
        assert dataset.num_rows == expected[config]
        assert dataset.features == features()[config]
    published = load_dataset(str(corpus), "segments", split="train")
    assert sorted(published["id"]) == sorted(s.id for s in segments), "nothing lost: every segment is published"
    assert published.features["kind"].int2str(published[0]["kind"]) == segments[0].kind


def test_facts_keep_members_numbers_and_disagreements(built):
    corpus, _ = built
    facts = load_dataset(str(corpus), "facts", split="train")
    assert all(row["n_articles"] >= 2 and len(row["members"]) >= 2 for row in facts)
    injured = [row for row in facts if any(d["quantity"] == "injured" for d in row["disagreements"])]
    assert injured, "the seeds' casualty figures disagree (more than 1,300 vs about 1000)"


def test_dataset_card_metadata(built):
    corpus, _ = built
    card = DatasetCard.load(corpus / "README.md").data.to_dict()
    assert [c["config_name"] for c in card["configs"] if c.get("default")] == ["pairs"]
    assert {c["config_name"] for c in card["dataset_info"]} == set(CONFIGS)
    assert set(card["language"]) == {"en", "pl", "ru"} and card["multilinguality"] == "multilingual"
    for key in ("task_categories", "size_categories", "pretty_name", "license", "tags"):
        assert card[key]
    text = (corpus / "README.md").read_text()
    for needed in ("mt build", "sentence-transformers/all-MiniLM-L6-v2", "## Limitations", "## Citation", "## Statistics", "threshold"):
        assert needed in text


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
