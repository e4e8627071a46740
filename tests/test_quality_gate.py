"""The quality gate: alignment figures pinned in benchmarks/quality_floors.json, recomputed, and failed below a floor.

The sets (docs/quality.md): the seeds' gold with the oracle English, the hand-written comparable cases
(tests/data/comparable/), the pairs of unrelated articles (tests/data/unrelated/: every pair or fact found there is
wrong) and the FLORES-200 comparable dev set (benchmarks/comparable_devset.py, its gate corpora, on the original
texts with the multilingual embedder). The FLORES part needs ../shared/data beside the repository (or
$MT_SHARED_DATA) and skips, saying where it looked, without it; everything else always runs. The whole gate takes
under a minute on two cores.

Also here: the disagreement scoring formulas (alignments.evaluation.score_disagreements) and the dev set's own
checks (seeded, gold consistent with the segments).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from alignments.evaluation import GoldDisagreement, read_gold_disagreements, read_gold_facts, read_gold_pairs, score_disagreements
from mt.records import Count, Disagreement, Fact, read_segments

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmarks/ is scripts, not an installed package: import it from the checkout

from benchmarks import comparable_devset, comparable_quality

FLOORS = json.loads(comparable_quality.FLOORS.read_text(encoding="utf-8"))
ALWAYS = ("seeds", "handwritten", "unrelated")


@pytest.fixture(scope="module")
def one_thread():
    """One torch thread while the gate runs: on a shared two-core machine two threads spin against each other (an
    embedding call goes from 0.1 s to 2.4 s); the figures do not depend on it."""
    import torch  # lazy on purpose: only to set the thread count; the embedder imports torch anyway

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def embedders():
    return {}


@pytest.fixture(scope="module")
def figures(one_thread, embedders):
    return comparable_quality.evaluate(ALWAYS, embedders=embedders)


@pytest.fixture(scope="module")
def flores_figures(one_thread, embedders):
    split = FLOORS["measured_with"]["flores_split"]
    if not comparable_devset.available(split):
        where = comparable_devset.flores_files(split)["eng"].parent
        pytest.skip(f"FLORES-200 {split} not found in {where} (../shared/data beside the repository, or $MT_SHARED_DATA)")
    return comparable_quality.evaluate(["flores"], split=split, sizes=FLOORS["measured_with"]["flores_sizes"],
                                       flores_embedder=FLOORS["measured_with"]["flores_embedder"], embedders=embedders)


def pinned(names):
    return [pytest.param(name, figure, limits, id=f"{name}-{figure}")
            for name, block in FLOORS["figures"].items() if name in names for figure, limits in block.items()]


def check(figures, name, figure, limits):
    value = comparable_quality.gate_figures(figures)[name][figure]
    if "floor" in limits:
        assert value is not None and value >= limits["floor"], (
            f"{name} {figure} = {value}: below its floor {limits['floor']} (pinned at {limits['measured']}); "
            f"python benchmarks/comparable_quality.py --gate shows every figure")
    if "ceiling" in limits:
        assert value is not None and value <= limits["ceiling"], (
            f"{name} {figure} = {value}: above its ceiling {limits['ceiling']} (pinned at {limits['measured']})")


@pytest.mark.parametrize("name, figure, limits", pinned(ALWAYS + ("near_facts", "seeds_style")))
def test_figure_holds_its_floor(figures, name, figure, limits):
    check(figures, name, figure, limits)


@pytest.mark.parametrize("name, figure, limits", pinned(("flores",)))
def test_flores_figure_holds_its_floor(flores_figures, name, figure, limits):
    check(flores_figures, name, figure, limits)


def test_every_floor_is_below_what_it_pins():
    for name, block in FLOORS["figures"].items():
        for figure, limits in block.items():
            assert ("floor" in limits) != ("ceiling" in limits), f"{name} {figure}: a floor or a ceiling"
            if "floor" in limits:
                assert limits["floor"] <= limits["measured"], f"{name} {figure}"
            else:
                assert limits["ceiling"] >= limits["measured"], f"{name} {figure}"


def test_the_floors_check_reports_a_drop():
    figures = {"seeds": {"pairs": {"f1": 0.1}, "purity": {"purity": 0.99}}}
    floors = {"figures": {"seeds": {"pairs_f1": {"measured": 0.5, "floor": 0.45}, "purity": {"measured": 0.8, "floor": 0.75}}}}
    failures = comparable_quality.check_floors(figures, floors)
    assert len(failures) == 1 and failures[0].startswith("seeds pairs_f1 = 0.1, below its floor 0.45")


# The disagreement score.

def fact(members, counts, disagreements):
    return Fact("fact-x", members, counts=counts, disagreements=disagreements)


FIRE = GoldDisagreement(fact="fire", segments={"en": "en:0001", "pl": "pl:0002", "ru": "ru:0001"},
                        values={"en": 600.0, "pl": 700.0, "ru": 500.0}, counts="firefighters")


@pytest.mark.parametrize("members, counts, disagreement, found", [
    # the right fact, the numbers read from its counts: found
    ({"en": ["en:0001"], "pl": ["pl:0002"]},
     [Count("en", "en:0001", 600, "More than 600", "more than", "firefighters"), Count("pl", "pl:0002", 700, "700", None, "firefighters")],
     Disagreement("firefighters", {"en": "More than 600", "pl": "700"}), True),
    # no counts: the numbers are read from the quoted text
    ({"en": ["en:0001"], "ru": ["ru:0001"]}, [], Disagreement("firefighters", {"en": "600", "ru": "about 500"}), True),
    # a wrong value for one side: not found
    ({"en": ["en:0001"], "pl": ["pl:0002"]}, [], Disagreement("firefighters", {"en": "600", "pl": "800"}), False),
    # the right numbers in a fact without the gold segments: not found
    ({"en": ["en:0009"], "pl": ["pl:0002"]}, [], Disagreement("firefighters", {"en": "600", "pl": "700"}), False),
    # one article only agrees with itself
    ({"en": ["en:0001"], "pl": ["pl:0002"]}, [], Disagreement("firefighters", {"en": "600, 700"}), False),
])
def test_a_gold_disagreement_is_found_only_with_its_values_and_segments(members, counts, disagreement, found):
    score = score_disagreements([fact(members, counts, [disagreement])], [FIRE])
    assert (score.found, score.correct, score.predicted) == ((1, 1, 1) if found else (0, 0, 1))
    assert score.recall == (1.0 if found else 0.0) and score.precision == score.recall


def test_disagreement_recall_and_precision_count_each_side():
    dead = GoldDisagreement(fact="dead", segments={}, values={"en": 12.0, "es": 14.0})
    right = fact({"en": ["en:0001"], "es": ["es:0001"]}, [], [Disagreement("killed", {"en": "12", "es": "14"})])
    wrong = fact({"en": ["en:0003"], "es": ["es:0004"]}, [], [Disagreement("injured", {"en": "3", "es": "4"})])
    score = score_disagreements([right, wrong], [dead, FIRE])
    assert (score.gold, score.found, score.predicted, score.correct) == (2, 1, 2, 1)
    assert (score.recall, score.precision) == (0.5, 0.5)
    empty = score_disagreements([], [])
    assert (empty.recall, empty.precision) == (0.0, 0.0)


# The hand-written gold and the dev set.

@pytest.mark.parametrize("case", sorted(p.name for p in (ROOT / "tests" / "data" / "comparable").iterdir()))
def test_hand_written_gold_names_real_segments(case):
    folder = ROOT / "tests" / "data" / "comparable" / case
    segments = {s.id: s for s in comparable_quality.segments_with_english(folder)}  # raises when English is missing
    facts = read_gold_facts(folder / "gold" / "alignment.jsonl")
    assert facts and all(ids <= segments.keys() and len({segments[i].article for i in ids}) >= 2 for ids in facts)
    for gold in read_gold_disagreements(folder / "gold" / "disagreements.jsonl"):
        assert set(gold.segments) == set(gold.values) and len(set(gold.values.values())) >= 2
        assert all(segments[i].article == article for article, i in gold.segments.items())


def test_unrelated_pairs_are_two_articles_with_english():
    cases = sorted(p for p in (ROOT / "tests" / "data" / "unrelated").iterdir() if p.is_dir())
    assert len(cases) >= 5
    for case in cases:
        segments = comparable_quality.segments_with_english(case)
        assert len({s.article for s in segments}) == 2 and all(s.english for s in segments)


@pytest.fixture(scope="module")
def flores_available():
    if not comparable_devset.available("dev"):
        pytest.skip(f"FLORES-200 dev not found in {comparable_devset.flores_files('dev')['eng'].parent}")


def test_the_dev_set_is_seeded_and_its_gold_follows_from_the_lines(flores_available):
    first, again = comparable_devset.build_size("small"), comparable_devset.build_size("small")
    assert first.segments == again.segments and first.gold_disagreements == again.gold_disagreements
    assert comparable_devset.build("dev", seed=1, events=3).segments != first.segments
    by_id = {s.id: s for s in first.segments}
    assert len(by_id) == len(first.segments) and all(s.kind == "body" and s.english for s in first.segments)
    for ids in first.gold_facts:
        assert len({by_id[i].article for i in ids}) == len(ids) >= 2
        assert len({by_id[i].english for i in ids}) <= 2  # one FLORES English line (and its changed copy)
    assert first.gold_disagreements
    for gold in first.gold_disagreements:
        changed = by_id[gold.segments[gold.changed]]
        written = [n for n in comparable_devset.NUMBER.findall(changed.english)
                   if float(n) * comparable_devset.scale_after(changed.english, n) == gold.values[gold.changed]]
        assert written and written[0] in changed.text, "the changed value, as written with its multiplier, in both texts"
        assert len(set(gold.values.values())) == 2


def test_the_dev_set_writes_what_mt_align_eval_reads(flores_available, tmp_path):
    devset = comparable_devset.build_size("pair")
    comparable_devset.write(devset, tmp_path)
    assert read_gold_pairs(tmp_path / "gold.jsonl") == devset.gold_pairs
    assert [s.id for s in read_segments(tmp_path / "segments.jsonl")] == [s.id for s in devset.segments]
    assert read_gold_disagreements(tmp_path / "disagreements.jsonl") == devset.gold_disagreements
