"""Progress of segmentation: one total (the characters of every input), steps that add up to it, often enough on a
long article for a bar to move, and nothing called when no progress is asked for."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

import mt.segmentation.segmenter as segmenter_module
from mt.segmentation import Segmenter, segment
from mt.segmentation.reading import Source, read_sources


class Recorder:
    """A progress factory (mt/progress.py) that keeps what it is given."""

    def __init__(self) -> None:
        self.opened: list[tuple[str, int]] = []
        self.steps: list[int] = []

    def __call__(self, description: str, total: int):
        self.opened.append((description, total))
        return contextlib.nullcontext(self.steps.append)


@pytest.fixture(scope="module")
def segmenter() -> Segmenter:
    return Segmenter()


def long_article(seeds_dir: Path, characters: int) -> Source:
    """The seeds' articles one after another, repeated until the text has `characters` characters."""
    seeds = "\n\n".join(path.read_text(encoding="utf-8") for path in sorted(seeds_dir.glob("*.txt")))
    text = (seeds + "\n\n") * (characters // len(seeds) + 1)
    return Source("long", Path("long.txt"), text[:characters])


def test_total_is_every_input_character_and_steps_add_up_to_it(seeds_dir, seed_segments):
    progress = Recorder()
    result = segment([seeds_dir], progress=progress)
    sources, _ = read_sources([seeds_dir])
    total = sum(len(source.text) for source in sources)
    assert progress.opened == [("segmenting", total)]
    assert sum(progress.steps) == total
    assert all(step > 0 for step in progress.steps)
    assert result.segments == seed_segments


def test_every_article_reports_its_own_characters(seeds_dir, segmenter):
    sources, _ = read_sources([seeds_dir])
    for source in sources:
        steps: list[int] = []
        segmenter.segment_source(source, steps.append)
        assert steps and sum(steps) == len(source.text), source.name


def test_a_long_article_reports_many_small_steps(seeds_dir, segmenter):
    source = long_article(seeds_dir, 5 * segmenter_module.MIN_CHUNK_CHARS)
    steps: list[int] = []
    segmenter.segment_source(source, steps.append)
    longest_line = max(len(line) for line in source.text.split("\n"))
    assert sum(steps) == len(source.text)
    assert len(steps) >= 8
    assert max(steps) <= segmenter_module.MIN_CHUNK_CHARS // 2 + longest_line


def test_steps_come_every_percent_when_chunks_may_be_small(seeds_dir, segmenter, monkeypatch):
    monkeypatch.setattr(segmenter_module, "MIN_CHUNK_CHARS", 0)
    source = long_article(seeds_dir, 30_000)
    steps: list[int] = []
    segmenter.segment_source(source, steps.append)
    longest_line = max(len(line) for line in source.text.split("\n"))
    assert sum(steps) == len(source.text)
    assert len(steps) >= 100
    assert max(steps) <= len(source.text) // 100 // 2 + longest_line


def test_no_progress_asked_none_given(seeds_dir, seed_segments, monkeypatch):
    given = []
    original = Segmenter.segment_source

    def spy(self, source, progress=None):
        given.append(progress)
        return original(self, source, progress)

    monkeypatch.setattr(Segmenter, "segment_source", spy)
    assert segment([seeds_dir]).segments == seed_segments
    assert given and all(progress is None for progress in given)
