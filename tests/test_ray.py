"""--engine ray on a local 2-CPU Ray: the same bytes as the local engine, the cache honoured, clear errors."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from typer.testing import CliRunner

from mt.cli import app
from mt.records import read_segments, write_jsonl

runner = CliRunner()


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray", reason="the [ray] extra (ray[data]) is not installed")
    from mt.engines.ray import connect

    connect(num_cpus=2)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def segments_file(seed_segments, tmp_path_factory):
    """The seeds, then the same Polish segments again under other ids: duplicates far apart in the input."""
    path = tmp_path_factory.mktemp("ray") / "segments.jsonl"
    again = [s for s in seed_segments if s.lang == "pl"]
    copies = [type(s)(**{**vars(s), "id": f"copy:{n:04d}", "article": "copy", "index": n}) for n, s in enumerate(again)]
    write_jsonl(path, list(seed_segments) + copies)
    return path


def translate(segments_file, model, out, cache, *extra):
    args = ["translate", str(segments_file), "-o", str(out), "-m", f"pl={model}", "-m", f"ru={model}", "--max-new-tokens", "6",
            "--cache-dir", str(cache), *extra]
    result = runner.invoke(app, args, terminal_width=200)
    assert result.exit_code == 0, result.output
    return out.read_bytes(), result.output


def test_ray_output_is_byte_identical_to_local_and_the_cache_holds(local_ray, segments_file, tiny_model_dir, tmp_path):
    local, _ = translate(segments_file, tiny_model_dir, tmp_path / "local.jsonl", tmp_path / "c-local", "-q")
    on_ray, printed = translate(segments_file, tiny_model_dir, tmp_path / "ray.jsonl", tmp_path / "c-ray", "--engine", "ray", "--workers", "1")
    assert on_ray == local
    assert len({json.loads(line)["id"] for line in on_ray.splitlines()}) == len(read_segments(segments_file)), "nothing lost"
    distinct = len({s.text for s in read_segments(segments_file) if s.lang != "en"})
    assert f"{distinct} distinct text(s) sent" in printed, "duplicates across the input are translated once"

    from mt.config import load_config
    from mt.engines import ray as ray_engine
    from mt.pipeline import TranslateOptions

    segments = read_segments(segments_file)
    options = TranslateOptions(models={"pl": str(tiny_model_dir), "ru": str(tiny_model_dir)}, max_new_tokens=6, cache_dir=tmp_path / "c-ray")
    summary, run = ray_engine.translate(segments, load_config(), options, workers=1)
    assert (run.sent, summary.model_calls) == (0, 0), "a second run sends nothing and makes no model call"
    assert summary.from_cache == summary.translated


def test_bad_input_through_ray_is_the_local_error(local_ray, tmp_path, tiny_model_dir):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a:0"}\n', encoding="utf-8")
    messages = []
    for engine in ("local", "ray"):
        result = runner.invoke(app, ["translate", str(bad), "-o", str(tmp_path / "o.jsonl"), "--engine", engine, "-q"])
        assert result.exit_code == 1
        messages.append(result.output)
    assert messages[0] == messages[1] and "field 'article' is missing" in messages[0]


def test_embeddings_on_ray_equal_local_and_feed_align(local_ray, tmp_path, seeds_dir):
    work = tmp_path / "work"
    segments = work / "segments.jsonl"
    translated = work / "translated.jsonl"
    assert runner.invoke(app, ["segment", str(seeds_dir), "-o", str(segments), "-q"]).exit_code == 0
    assert runner.invoke(app, ["translate", str(segments), "-o", str(translated), "--english-from", "reference",
                               "--references", str(seeds_dir / "references" / "references.jsonl"), "-q"]).exit_code == 0
    for engine in ("local", "ray"):
        result = runner.invoke(app, ["embed", str(translated), "-o", str(tmp_path / f"{engine}.parquet"), "--engine", engine,
                                     "--workers", "1", "-q"])
        assert result.exit_code == 0, result.output
    import pyarrow.parquet as pq

    local, ray = (pq.read_table(tmp_path / f"{e}.parquet").to_pydict() for e in ("local", "ray"))
    assert local["text"] == ray["text"] and len(local["text"]) > 50
    assert np.allclose(np.array(local["vector"]), np.array(ray["vector"]), atol=1e-5)
    plain = runner.invoke(app, ["align", str(translated), "-o", str(tmp_path / "a1"), "--no-cache", "-q"])
    with_vectors = runner.invoke(app, ["align", str(translated), "-o", str(tmp_path / "a2"), "--no-cache", "-q",
                                       "--vectors", str(tmp_path / "ray.parquet")])
    assert plain.exit_code == with_vectors.exit_code == 0
    assert (tmp_path / "a1" / "pairs.jsonl").read_bytes() == (tmp_path / "a2" / "pairs.jsonl").read_bytes()


def test_missing_extra_is_one_line(tmp_path, monkeypatch, tiny_model_dir):
    monkeypatch.setitem(sys.modules, "ray", None)
    path = tmp_path / "s.jsonl"
    path.write_text(json.dumps({"id": "a:0", "article": "a", "index": 0, "kind": "body", "lang": "pl", "text": "Ala ma kota.",
                                "start": 0, "end": 12}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["translate", str(path), "-o", str(tmp_path / "o.jsonl"), "-m", f"pl={tiny_model_dir}", "--engine", "ray"])
    assert result.exit_code == 1
    assert "pip install 'mt-comparable[ray]'" in " ".join(result.output.split()) and "Traceback" not in result.output


ALIGN_CASES = [
    # (case, segments per task at least, vectors from `embed`, articles left out of every event)
    ("one task per event", 1, False, 0),
    ("every event in one task", 10_000, False, 0),
    ("vectors preloaded, as mt build --engine ray reads them", 1, True, 0),
    ("an article that no event names", 1, False, 1),
]


@pytest.mark.parametrize("case, least, vectors, left_out", ALIGN_CASES, ids=[row[0] for row in ALIGN_CASES])
def test_events_aligned_as_ray_tasks_are_the_local_bytes(local_ray, embedder, settings, tmp_path, case, least, vectors,
                                                         left_out):
    from test_events import segments_of

    from alignments import align
    from alignments.events import align_by_event, articles_for_events, group_events
    from mt.engines.local import LocalEngine
    from mt.engines.ray import RayEngine
    from mt.pipeline import texts_to_embed

    segments = segments_of(["troops_en", "troops_pl", "troops_en2", "football_en", "football_en2"])
    events = group_events(articles_for_events(segments, [], settings), embedder.embed)
    assert len(events) == 2, "a multi-event corpus"
    if left_out:
        last = events[-1]
        events[-1] = type(last)(last.event_id, last.articles[:-left_out], last.central)
    path = None
    if vectors:
        path = tmp_path / "vectors.parquet"
        LocalEngine().embed(texts_to_embed(segments, settings), settings.embedder, path)
    written = []
    for engine in (LocalEngine(), RayEngine()):
        mapper = engine.align_mapper(settings, "comparable", vectors=path)
        if isinstance(engine, RayEngine):
            mapper.least = least
        result = align_by_event(segments, events, lambda part: align(part, settings, embedder), map_parts=mapper)
        folder = tmp_path / type(engine).__name__
        folder.mkdir()
        write_jsonl(folder / "pairs.jsonl", result.pairs)
        write_jsonl(folder / "facts.jsonl", result.facts)
        written.append([(folder / name).read_bytes() for name in ("pairs.jsonl", "facts.jsonl")])
    local, on_ray = written
    assert on_ray == local and local[0] and local[1], case
    assert mapper.tasks == (1 if least > 1000 else len(events) + left_out)


@pytest.mark.parametrize("sizes, least, expected", [
    ([], 5, []),
    ([1, 1, 1], 5, [range(0, 3)]),
    ([3, 3, 3], 5, [range(0, 2), range(2, 3)]),
    ([9, 1, 9], 5, [range(0, 1), range(1, 3)]),
    ([2, 2], 1, [range(0, 1), range(1, 2)]),
])
def test_small_events_share_a_task_and_order_is_kept(sizes, least, expected):
    from mt.engines.ray import task_batches

    assert task_batches(sizes, least) == expected
