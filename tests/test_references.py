"""Reference translations of the seeds: complete, robust to re-segmentation, usable as English."""

from __future__ import annotations

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
