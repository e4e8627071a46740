"""Parallel mode: in-order links of every type on synthetic documents, a sentence left out next to a merge, the banded
search against full matrices, the document's own length ratio and margin scale, linear memory, plain-file input,
vecalign's format."""

from __future__ import annotations

import tracemalloc
from dataclasses import replace

import numpy as np
import pytest
from typer.testing import CliRunner

from alignments import AlignmentSettings
from alignments import parallel
from alignments.evaluation import format_links, parse_links
from alignments.parallel import ParallelSettings, align_in_order, align_windows, link_types
from alignments.synthetic import PLANS, SWAP, bag_of_words, document
from mt.cli import app

SETTINGS = ParallelSettings(**AlignmentSettings().parallel)


@pytest.mark.parametrize("plan", PLANS)
def test_every_link_type_is_found(plan):
    source, target, gold = document(plan)
    links, scores = align_in_order(source, target, bag_of_words, SETTINGS)
    assert links == gold
    assert all((score > 0.9) == bool(s and t) for (s, t), score in zip(links, scores))


def test_a_swap_of_neighbours_is_one_2_2_link():
    source, target, gold = document([(1, 1), SWAP, (1, 1)])
    assert source[1:3] == target[1:3][::-1]
    assert align_in_order(source, target, bag_of_words, SETTINGS)[0] == gold == [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,))]


@pytest.mark.parametrize("merge", [(2, 1), (1, 2)])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_sentence_left_out_next_to_a_merge_is_not_carried_into_it(merge, seed):
    """Every sentence of the document shares six topic words, as the sentences of one news story share its names, so
    the two sentences added after a merge are near it (above `member_floor`): they are still left out, because the
    merge is closer to its counterpart without them (`dilution_weight`; with 0, one of them joins the merge)."""
    plan = [(1, 1)] * 6 + [merge] + [(1, 0) if merge == (1, 2) else (0, 1)] * 2 + [(1, 1)] * 6
    source, target, gold = document(plan, seed)
    topic = " ".join(f"topic{i}" for i in range(6))
    source, target = [f"{topic} {s}" for s in source], [f"{topic} {t}" for t in target]
    assert align_in_order(source, target, bag_of_words, SETTINGS)[0] == gold
    assert align_in_order(source, target, bag_of_words, replace(SETTINGS, dilution_weight=0.0))[0] != gold


def test_link_types_up_to_max_align():
    assert set(link_types(5)) == {(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (4, 1)}


@pytest.mark.parametrize("source, target, links", [
    (["a b"], [], [((0,), ())]),
    ([], ["a b", "c d"], [((), (0,)), ((), (1,))]),
    (["a b"], ["a b"], [((0,), (0,))]),
])
def test_tiny_and_empty_sides(source, target, links):
    assert align_in_order(source, target, bag_of_words, SETTINGS)[0] == links


@pytest.mark.parametrize("factor", [0.25, 1.0, 4.0])
def test_the_length_ratio_is_the_documents_own(factor):
    """Source sentences `factor` times as long in characters as their translations (Chinese against English runs
    about 0.3): the penalty measures length against the document's own ratio, so every plan still aligns."""

    def pad(text: str, times: float) -> str:  # each word `times` as long; the filler does not change the meaning
        return " ".join(w + "~" * int(len(w) * (times - 1)) for w in text.split())

    def embed(texts):
        return bag_of_words([t.replace("~", "") for t in texts])

    for plan in PLANS:
        source, target, gold = document(plan)
        source = [pad(s, factor) for s in source] if factor > 1 else source
        target = [pad(t, 1 / factor) for t in target] if factor < 1 else target
        assert align_in_order(source, target, embed, SETTINGS)[0] == gold, plan


@pytest.mark.parametrize("common", [0.0, 1.0, 2.5])
@pytest.mark.parametrize("plan", PLANS[-3::2])
def test_the_margin_is_in_the_documents_units(common, plan):
    """Every vector shares a common direction, as with multilingual-e5, whose unrelated sentences sit near cosine
    0.75 (common 2.5: about 0.86 here): the margin, divided by the document's own perfect margin, aligns the same
    links. (Documents that are mostly 1-1, as real ones are: in a ten-sentence document made of 1-4 and 4-1 merges,
    the quantile that sets the perfect margin rests on two or three sentences.)"""
    direction = np.ones(512, dtype=np.float32) / np.sqrt(512)

    def embed(texts):
        vectors = bag_of_words(texts) + common * direction
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    unrelated = embed(["w1 w2 w3 w4", "w5 w6 w7 w8"])
    assert common < 2 or unrelated[0] @ unrelated[1] > 0.8
    source, target, gold = document(plan)
    assert align_in_order(source, target, embed, SETTINGS)[0] == gold


def unit_rows(rng, rows, dim=16):
    v = rng.normal(size=(rows, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("shifts, rows_x, rows_y", [
    ([(1, 1)], 40, 50),
    ([(3, 2), (1, 2), (2, 2)], 38, 49),
    ([(2, 4), (2, 1), (2, 3)], 39, 47),
    ([(4, 1), (1, 1)], 37, 50),
])
def test_banded_dot_products_equal_the_full_matrix(shifts, rows_x, rows_y):
    rng = np.random.default_rng(rows_x)
    x, y = unit_rows(rng, rows_x), unit_rows(rng, rows_y)
    links = [((i,), (min(i + i // 4, 49),)) for i in range(40)]
    low, high = parallel._band(links, 40, 50, 3)
    width = int((high - low).max()) + 1
    bands = parallel._band_dots(x, y, shifts, low, width)
    full = x @ y.T
    for (row_shift, col_shift), band in bands.items():
        for i in range(41):
            for c in range(width):
                r, k = i - row_shift, low[i] + c - col_shift
                expected = full[r, k] if 0 <= r < rows_x and 0 <= k < rows_y else np.nan
                np.testing.assert_allclose(band[i, c], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("width", [2, 5, 100])
def test_nearest_in_the_corridor_equals_a_brute_force_search(width):
    rng = np.random.default_rng(width)
    x, y = unit_rows(rng, 70), unit_rows(rng, 90)
    centres = parallel._centres(70, 1, 90)
    values, indices = parallel._nearest(x, y, centres, width, 4)
    only_values, _ = parallel._nearest(x, y, centres, width, 4, with_indices=False)
    full = x @ y.T
    for r in range(70):
        allowed = [c for c in range(90) if np.floor(centres[r] - width) <= c < np.ceil(centres[r] + width)]
        expected = sorted(full[r, allowed], reverse=True)[:4]
        np.testing.assert_allclose(values[r, : len(expected)], expected, rtol=1e-5)
        np.testing.assert_allclose(only_values[r, 0], expected[0], rtol=1e-5)  # the best first, the rest in any order
        np.testing.assert_allclose(sorted(only_values[r, : len(expected)], reverse=True), expected, rtol=1e-5)
        np.testing.assert_allclose(full[r, indices[r, : len(expected)]], expected, rtol=1e-5)


def random_problem(seed: int, n: int, m: int, width: int):
    rng = np.random.default_rng(seed)
    types = link_types(5)
    links = [((i,), (min(m - 1, int(i * m / n)),)) for i in range(n)]
    low, high = parallel._band(links, n, m, width)
    costs = rng.uniform(-0.5, 3.0, size=(len(types), n + 1, int((high - low).max()) + 1)).astype(np.float32)
    costs[rng.uniform(size=costs.shape) < 0.2] = np.inf
    return types, costs, low, high, float(rng.uniform(0.3, 2.0))


@pytest.mark.parametrize("seed, n, m, width", [(0, 30, 36, 3), (1, 50, 40, 8), (2, 7, 20, 2), (3, 25, 25, 30), (4, 1, 6, 2)])
def test_the_two_dynamic_programmes_agree(seed, n, m, width):
    """The numpy rows (without numba), the cell loop in plain Python, and the loop compiled by numba (when installed)
    find the same path and the same costs."""
    types, costs, low, high, skip = random_problem(seed, n, m, width)
    a = np.array([t[0] for t in types])
    b = np.array([t[1] for t in types])
    skip = float(np.float32(skip))
    total_rows, move_rows = parallel._dp_rows(a, b, costs, low, high, skip)
    total_loops, move_loops = parallel._dp_loops(a, b, costs, low, high, skip)
    np.testing.assert_allclose(total_rows, total_loops, rtol=1e-6)
    assert (move_rows == move_loops).all()
    by_rows = parallel._dp(types, costs, low, high, skip, compiled=False)
    assert [i for s, _ in by_rows for i in s] == list(range(n)) and [j for _, t in by_rows for j in t] == list(range(m))
    if parallel._compiled_dp_loops() is not None:
        assert parallel._dp(types, costs, low, high, skip, compiled=True) == by_rows


def test_memory_grows_with_the_band_not_the_square():
    """A 3,000 x 3,600 sentence document: the full matrices of the first version took 10 link types x 3,001 x 3,601
    float64 (860 MiB); inside the corridor and the band it is a few dozen MiB."""
    rng = np.random.default_rng(0)
    n, m, dim = 3000, 3600, 32
    base = unit_rows(rng, n, dim)
    target = base[np.minimum((np.arange(m) * n / m).astype(int), n - 1)] + 0.3 * unit_rows(rng, m, dim)

    def by_size(vectors):
        cumulative = np.concatenate([np.zeros((1, dim), np.float32), np.cumsum(vectors, axis=0)])
        out = {k: cumulative[k:] - cumulative[:-k] for k in range(1, 5)}
        return {k: w / np.linalg.norm(w, axis=1, keepdims=True) for k, w in out.items()}

    tracemalloc.start()
    links, _ = align_windows(["s" * 50] * n, ["t" * 45] * m, by_size(base), by_size(target), SETTINGS)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert sum(len(s) for s, _ in links) == n and sum(len(t) for _, t in links) == m
    assert peak < 120, f"{peak:.0f} MiB"


@pytest.mark.parametrize("lines", [["[0]:[0]", "[1, 2]:[1]", "[3]:[]", "[]:[2]", "[4]:[3, 4, 5]"]])
def test_vecalign_format_round_trips(lines):
    links = parse_links(lines)
    assert format_links(links) == lines
    assert parse_links(format_links(links, [0.5] * len(links))) == links


def test_plain_files_in_links_out(tmp_path):
    """Two plain files, one sentence a line, aligned with the bundled MiniLM; the links file is vecalign's."""
    source = tmp_path / "pl.en.txt"
    target = tmp_path / "en.txt"
    source.write_text("Russian troops arrived in Almaty on Thursday.\nThey guard the airport.\nThe president thanked Moscow.\n"
                      "Prices of fuel doubled in January.\n", encoding="utf-8")
    target.write_text("On Thursday, Russian soldiers landed in Almaty. They are guarding the airport.\n"
                      "President Tokayev thanked Russia for its help.\nFuel prices doubled at the start of the year.\n", encoding="utf-8")
    out = tmp_path / "links.txt"
    result = CliRunner().invoke(app, ["align", str(source), str(target), "--mode", "parallel", "-o", str(out), "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    assert parse_links(out.read_text().splitlines()) == [((0, 1), (0,)), ((2,), (1,)), ((3,), (2,))]
    wrong = CliRunner().invoke(app, ["align", str(source), str(target), "-o", str(out)])
    assert wrong.exit_code == 1 and "--mode parallel" in wrong.output


def test_parallel_defaults_are_the_configured_ones():
    assert ParallelSettings(**AlignmentSettings().parallel).max_align == 5


@pytest.mark.parametrize("deleted, raised", [(0, True), (6, False)])
def test_a_document_that_keeps_everything_pays_more_for_a_deletion(monkeypatch, deleted, raised):
    """The first search's share of deleted sentences is the document's own evidence: under `deletion_rate`, the search
    is run again with skip_cost raised by deletion_weight x log(deletion_rate / that share); at or above it, not."""
    plan = [(1, 1)] * 20 + [(1, 0), (1, 1), (0, 1), (1, 1)] * (deleted // 2) + [(1, 1)] * 20
    source, target, gold = document(plan)
    skips = []
    search = parallel._dp

    def recording(types, costs, low, high, skip, **kwargs):
        if len(types) > 1:
            skips.append(skip)
        return search(types, costs, low, high, skip, **kwargs)

    monkeypatch.setattr(parallel, "_dp", recording)
    assert align_in_order(source, target, bag_of_words, SETTINGS)[0] == gold
    share = (deleted + 0.5) / (len(source) + len(target))
    if raised:
        assert skips == pytest.approx([SETTINGS.skip_cost, SETTINGS.skip_cost + SETTINGS.deletion_weight * np.log(SETTINGS.deletion_rate / share)])
    else:
        assert share >= SETTINGS.deletion_rate and skips == [SETTINGS.skip_cost]
