"""Parallel mode: in-order links of every type on synthetic documents, plain-file input, vecalign's format."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from alignments import AlignmentSettings
from alignments.evaluation import format_links, parse_links
from alignments.parallel import ParallelSettings, align_in_order, link_types
from alignments.synthetic import PLANS, bag_of_words, document
from mt.cli import app

SETTINGS = ParallelSettings(**AlignmentSettings().parallel)


@pytest.mark.parametrize("plan", PLANS)
def test_every_link_type_is_found(plan):
    source, target, gold = document(plan)
    links, scores = align_in_order(source, target, bag_of_words, SETTINGS)
    assert links == gold
    assert all((score > 0.9) == bool(s and t) for (s, t), score in zip(links, scores))


def test_link_types_up_to_max_align():
    assert set(link_types(5)) == {(1, 1), (1, 2), (1, 3), (1, 4), (2, 1), (2, 2), (2, 3), (3, 1), (3, 2), (4, 1)}


def test_empty_side_is_all_deletions():
    assert align_in_order(["a b"], [], bag_of_words, SETTINGS)[0] == [((0,), ())]


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
