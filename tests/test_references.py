"""Reference translations of the seeds: complete, robust to re-segmentation, usable as English."""

from __future__ import annotations

import pytest
from conftest import SEED_REFERENCES
from typer.testing import CliRunner

from mt.cli import app
from mt.records import Segment, read_segments
from mt.translation.references import REFERENCE_MODEL, check_references, load_references, reference_for


def test_every_non_english_seed_segment_has_a_reference(seed_segments):
    assert check_references(seed_segments, load_references(SEED_REFERENCES)) == []


def test_references_survive_merged_sentences(seed_segments):
    refs = load_references(SEED_REFERENCES)
    first, second = [s for s in seed_segments if s.article.startswith("001")][:2]
    merged = Segment("m", first.article, 0, "body", "pl", f"{first.text} {second.text}", first.start, second.end)
    assert reference_for(merged, refs[first.article]) == f"{reference_for(first, refs[first.article])} {reference_for(second, refs[second.article])}"


def test_a_segment_that_lost_its_reference_is_reported(seed_segments):
    changed = [Segment(**vars(s)) for s in seed_segments]
    victim = next(s for s in changed if s.lang == "pl")
    victim.text = victim.text.replace("Armenia", "Armenja")
    assert check_references(changed, load_references(SEED_REFERENCES)) == [
        f"{victim.id} (pl, body): {victim.text[:60]!r}"
    ]


def test_english_from_reference_is_labelled_and_offline(seeds_dir, tmp_path):
    runner = CliRunner()
    segments, translated = tmp_path / "s.jsonl", tmp_path / "t.jsonl"
    assert runner.invoke(app, ["segment", str(seeds_dir), "-o", str(segments), "-q"]).exit_code == 0
    result = runner.invoke(app, ["translate", str(segments), "-o", str(translated), "--english-from", "reference", "--references", str(SEED_REFERENCES), "-q"])
    assert result.exit_code == 0, result.output
    for s in read_segments(translated):
        if s.lang == "en":
            assert s.english == s.text and s.translation_model is None
        else:
            assert s.translation_model == REFERENCE_MODEL and s.english == s.reference and s.mt_score is None


def split_seeds(seeds_dir, root, groups, references_of):
    """The seeds in folders (`groups`: folder -> article name prefixes), each with references of `references_of`."""
    import shutil

    import yaml

    lines = SEED_REFERENCES.read_text(encoding="utf-8").splitlines()
    sidecar = yaml.safe_load((seeds_dir / "articles.yaml").read_text(encoding="utf-8"))
    for folder, prefixes in groups.items():
        (root / folder / "references").mkdir(parents=True)
        names = [p.stem for p in seeds_dir.glob("*.txt") if p.name.startswith(prefixes)]
        for name in names:
            shutil.copy(seeds_dir / f"{name}.txt", root / folder)
        (root / folder / "articles.yaml").write_text(yaml.safe_dump({n: sidecar[n] for n in names if n in sidecar}), encoding="utf-8")
        keep = references_of[folder]
        (root / folder / "references" / "references.jsonl").write_text(
            "".join(line + "\n" for line in lines if line.startswith(tuple(f'{{"article": "{p}' for p in keep))), encoding="utf-8")


FOLDERS_WITH_REFERENCES = [
    # (why, references each folder holds (article prefixes), exit code, output says)
    ("each folder's references are merged", {"a": ("000", "002"), "b": ("001",)}, 0, "events 1, articles 5"),
    ("an article with references in two folders", {"a": ("000", "001"), "b": ("001",)}, 1, "also has references in"),
    ("a Polish article without its references", {"a": ("000",), "b": ()}, 1,
     "have no English reference in"),
]


@pytest.mark.parametrize("why, references_of, code, says", FOLDERS_WITH_REFERENCES, ids=[row[0] for row in FOLDERS_WITH_REFERENCES])
def test_english_from_each_input_folders_references(seeds_dir, tmp_path, why, references_of, code, says):
    split_seeds(seeds_dir, tmp_path, {"a": ("000", "002", "004"), "b": ("001", "003")}, references_of)
    result = CliRunner().invoke(app, ["build", str(tmp_path / "a"), str(tmp_path / "b"), "-o", str(tmp_path / "corpus"), "--work",
                                      str(tmp_path / "work"), "--english-from", "reference", "--cache-dir", str(tmp_path / "cache")],
                                terminal_width=200)
    assert result.exit_code == code, result.output
    assert says in " ".join(result.output.split())
    if code == 0:
        assert all(s.english for s in read_segments(tmp_path / "work" / "translated.jsonl")), "every segment has its English"


def test_references_under_a_misspelt_article_name_are_named_with_their_file(seeds_dir, tmp_path):
    """The build stops before aligning, on one line that names the references file and the article no input has."""
    import shutil

    shutil.copytree(seeds_dir, tmp_path / "seeds")
    references = tmp_path / "seeds" / "references" / "references.jsonl"
    references.write_text(references.read_text(encoding="utf-8").replace('"001_baf90a9d2919649a"', '"001_baf90a9d2919649"'),
                          encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(tmp_path / "seeds"), "-o", str(tmp_path / "corpus"), "--work", str(tmp_path / "work"),
                                      "--english-from", "reference", "--cache-dir", str(tmp_path / "cache"), "-q"], terminal_width=400)
    said = " ".join(result.output.split())
    assert result.exit_code == 1 and said.startswith("error:") and "Traceback" not in said, result.output
    assert str(references) in said and "(first: 001_baf90a9d2919649a:" in said and "no input has: '001_baf90a9d2919649'" in said
    assert not (tmp_path / "corpus").exists()
