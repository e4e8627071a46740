"""Alignment on tiny inputs whose answer is known, with the real (bundled, offline) embedder."""

from __future__ import annotations

import json
from itertools import combinations

import numpy as np
import pytest
from conftest import SEED_REFERENCES
from typer.testing import CliRunner

from alignments import AlignmentInputError, Embedder, EmbeddingCache, align
from alignments.comparable import counting_the_same
from alignments.encoders import split_name
from alignments.encoders.sbert import bundled_model_path
from alignments.evaluation import PRF, fact_pair_ids, parse_links, read_gold_pairs, score_links, score_pairs
from alignments.evidence import EntityAgreement, QuantityAgreement
from alignments.numbers import find_numbers
from alignments.parallel import ParallelSettings, align_in_order
from mt.cli import app
from mt.config import load_config
from mt.records import Fact, Segment, read_facts, read_pairs

QUANTITIES = load_config(None)["alignment"]["quantities"]


def article(name, sentences):
    return [Segment(f"{name}:{i:04d}", name, i, "body", "en", text, 0, len(text), english=text) for i, text in enumerate(sentences)]


# Outlet A and outlet B report the same events in a different order; B splits the casualty
# figures over two sentences, gives another troop number, and each has one sentence of its own.
OUTLET_A = [
    "Russia sent paratroopers to Kazakhstan on Thursday.",
    "The protests started after fuel prices doubled on 2 January.",
    "More than 2,600 soldiers from the alliance are now in the country.",
    "The interior minister said 16 police officers were killed and more than 1,300 people were injured.",
    "The weather in Almaty was cold.",
]
OUTLET_B = [
    "Officially, 3,600 troops of the alliance have been deployed.",
    "Sixteen police officers died, according to the interior minister.",
    "More than 1,300 people were injured in the riots.",
    "Demonstrations began on 2 January when the price of fuel doubled.",
    "Moscow flew airborne troops into Kazakhstan on Thursday.",
    "The central bank closed all branches.",
]


@pytest.fixture(scope="module")
def comparable(embedder, settings):
    return align(article("a", OUTLET_A) + article("b", OUTLET_B), settings, embedder)


def links_of(result):
    return {(tuple(p.ids_a), tuple(p.ids_b)) for p in result.pairs}


def test_default_embedder_is_bundled_and_works_offline(embedder):
    assert bundled_model_path("sentence-transformers/all-MiniLM-L6-v2") is not None
    assert embedder.source == str(bundled_model_path(split_name(embedder.name)[1]))
    vectors = embedder.embed(["Russia sent troops.", "Russia sent troops.", "Fuel prices rose."])
    assert vectors.shape == (3, 384)
    assert vectors[0] @ vectors[1] == pytest.approx(1.0, abs=1e-5) and vectors[0] @ vectors[2] < 0.9


def test_reordered_sentences_pair_with_their_counterparts(comparable):
    assert (("a:0000",), ("b:0004",)) in links_of(comparable)
    assert (("a:0001",), ("b:0003",)) in links_of(comparable)
    assert (("a:0002",), ("b:0000",)) in links_of(comparable)


def test_fact_split_over_two_sentences_is_one_to_two(comparable):
    assert (("a:0003",), ("b:0001", "b:0002")) in links_of(comparable)


def test_sentences_without_counterpart_stay_unpaired(comparable):
    paired = {i for p in comparable.pairs for i in p.ids_a + p.ids_b}
    assert "a:0004" not in paired and "b:0005" not in paired


def test_every_pair_keeps_its_signals_and_belongs_to_a_fact(comparable):
    fact_ids = {f.fact_id for f in comparable.facts}
    for pair in comparable.pairs:
        assert pair.article_a != pair.article_b
        assert set(pair.signals) == {"cosine", "cosine_english", "cosine_original", "margin", "chrf", "entities", "quantities"}
        assert pair.fact_id in fact_ids


def test_conflicting_numbers_are_reported_on_the_fact(comparable):
    [fact] = [f for f in comparable.facts if "a:0002" in f.members.get("a", [])]
    [disagreement] = fact.disagreements
    assert disagreement.quantity == "troops"
    assert disagreement.values == {"a": "More than 2,600", "b": "3,600"}


def test_a_sentence_with_two_counts_pairs_once_per_count(embedder, settings):
    """One outlet gives the dead and the injured in one sentence, the other in two sentences apart:
    both pairs are made, and both disagreements reported (as 16 vs "at least 12" in the seeds)."""
    segments = article("a", ["The interior minister said 16 police officers were killed and more than 1,300 people were injured."]) + \
        article("b", ["About 1000 people were injured in the clashes, 400 were hospitalised.",
                      "The central bank closed all branches.",
                      "At least 12 police officers were killed."])
    result = align(segments, settings, embedder)
    paired_with_a = {i for p in result.pairs for i in p.ids_b}
    assert {"b:0000", "b:0002"} <= paired_with_a and "b:0001" not in paired_with_a
    disagreements = {d.quantity: d.values for f in result.facts for d in f.disagreements}
    assert disagreements == {"injured": {"a": "more than 1,300", "b": "About 1000"}, "police killed": {"a": "16", "b": "At least 12"}}


@pytest.mark.parametrize("a, b, agreement", [
    ("16 police officers were killed and 1,300 were injured.", "At least 12 police officers were killed.", 2 / 3),
    ("Officially, 3,600 troops were deployed.", "More than 2,600 soldiers are in the country.", 1.0),
    ("Officially, 3,600 troops were deployed.", "About 1000 people were injured.", 0.0),
    ("Officially, 3,600 troops were deployed.", "The weather was cold.", 0.0),
])
def test_quantity_agreement_counts_what_is_counted_not_the_value(a, b, agreement):
    assert QuantityAgreement([find_numbers(t, QUANTITIES, parser="rules") for t in (a, b)])((0,), (1,)) == pytest.approx(agreement)


def test_segments_counting_the_same_quantity_are_candidates_whatever_their_rank():
    counted = [frozenset({"troops"}), frozenset(), frozenset({"troops"}), frozenset({"troops", "killed"}), frozenset({"killed"})]
    articles = np.array(["a", "b", "b", "a", "c"])
    vectors = np.eye(5, dtype=np.float32)
    vectors[3] = vectors[2] = np.array([0, 0, 0.6, 0.8, 0], dtype=np.float32)
    extra = counting_the_same(counted, vectors, articles, keep=8)
    assert extra[0] == [2] and 1 not in extra
    assert extra[3] == [2, 4]  # closest first
    assert counting_the_same(counted, vectors, articles, keep=1)[3] == [2]


def test_facts_do_not_chain_unrelated_sentences_through_a_hub(embedder, settings):
    hub = "Russia sent troops to Kazakhstan and the central bank closed all branches."
    segments = article("a", [hub]) + article("b", ["Russia sent troops to Kazakhstan."]) + article("c", ["The central bank closed all branches."])
    result = align(segments, settings, embedder)
    for fact in result.facts:
        assert not {"b", "c"} <= set(fact.members), "troops and banks are not one fact"


@pytest.mark.parametrize("case", ["mine_explosion", "dam_collapse"])
def test_every_two_members_of_a_fact_from_different_articles_are_a_pair_of_that_fact(embedder, settings, case):
    """pairs and facts tell one story: a lead that reports several facts keeps, as pairs, the partners that
    one-to-one linking gave to other sentences of its article."""
    from benchmarks.comparable_quality import HANDWRITTEN, segments_with_english

    result = align(segments_with_english(HANDWRITTEN / case), settings, embedder)
    linked = {frozenset((i, j)) for pair in result.pairs for i in pair.ids_a for j in pair.ids_b}
    assert all(pair.fact_id and pair.score >= settings.fact_coherence for pair in result.pairs if pair.score < settings.threshold), \
        "below the threshold only inside a fact, at fact_coherence"
    members = {fact.fact_id: {i for ids in fact.members.values() for i in ids} for fact in result.facts}
    for fact in result.facts:
        for (_, ids_a), (_, ids_b) in combinations(sorted(fact.members.items()), 2):
            assert any(frozenset((i, j)) in linked for i in ids_a for j in ids_b), (fact.fact_id, ids_a, ids_b)
    for pair in result.pairs:
        assert pair.fact_id is None or {*pair.ids_a, *pair.ids_b} <= members[pair.fact_id], "a pair's fact holds both sides"


def test_parallel_documents_with_a_merge_and_a_deletion(embedder, settings):
    source = ["The minister arrived in Almaty on Monday.", "He met the president.", "They discussed the protests.",
              "Prices for fuel will be frozen.", "The weather was cold.", "Troops will leave next week."]
    target = ["The minister arrived in Almaty on Monday.", "He met the president and they discussed the protests.",
              "Fuel prices will be frozen.", "The troops will leave next week."]
    links, _ = align_in_order(source, target, embedder.embed, ParallelSettings(**settings.parallel))
    assert links == [((0,), (0,)), ((1, 2), (1,)), ((3,), (2,)), ((4,), ()), ((5,), (3,))]


def test_embeddings_are_cached(tmp_path):
    first = Embedder(cache=EmbeddingCache(tmp_path))
    first.embed(["Russia sent troops.", "Fuel prices rose."])
    second = Embedder(cache=EmbeddingCache(tmp_path))
    second.embed(["Fuel prices rose.", "Russia sent troops."])
    assert (first.encoded, second.encoded) == (2, 0)


def test_untranslated_segments_are_a_clear_error(settings, embedder):
    segments = article("a", ["One."]) + [Segment("b:0000", "b", 0, "body", "pl", "Jeden.", 0, 6)]
    with pytest.raises(AlignmentInputError, match="run `mt translate` first"):
        align(segments, settings, embedder)


@pytest.mark.parametrize("text, lang, values", [
    ("more than 2,600 soldiers", "en", [2600]),
    ("2600 soldiers", "en", [2600]),
    ("2 600 soldiers", "en", [2600]),
    ("more than a thousand wounded", "en", [1000]),
    ("Two thousand six hundred soldiers were sent.", "en", [2600]),
    ("Thirteen people died.", "en", [13]),
    ("1.5 million people live in Almaty.", "en", [1_500_000]),
    ("a dozen armoured vehicles", "en", [12]),
    ("on 2 January 2022, Article 4 and the 11th Brigade", "en", []),
    ("a two-fold increase", "en", []),
    ("Speaking to the public channel of Kazakhstan 'Jabar-24', the minister", "en", []),
    ("An An-124 heavy transport and an Il-76 are flying to Kazakhstan.", "en", []),
    ("Posted at 10:47 and again at 3 p.m.", "en", []),
    ("ponad 2 600 żołnierzy", "pl", [2600]),
    ("ponad 2,5 tys. żołnierzy", "pl", [2500]),
    ("zatrzymano 5 135 osób, w tym 3 cudzoziemców", "pl", [5135, 3]),
    ("samolot An-124 i Ił-76", "pl", []),
    ("od 2 stycznia 2022", "pl", []),
])
def test_numbers_are_read_by_value_and_glued_tokens_are_never_counts(text, lang, values):
    assert [m.value for m in find_numbers(text, QUANTITIES, lang, parser="rules")] == values


@pytest.mark.parametrize("text, lang, words, qualifier, counts", [
    ("there are more than 2,600 soldiers in Kazakhstan", "en", "more than 2,600", "more than", "troops"),
    ("At least 12 police officers were killed.", "en", "At least 12", "at least", "police killed"),
    ("about 1000 people were injured", "en", "about 1000", "about", "injured"),
    ("Thirteen people were detained.", "en", "Thirteen", None, "detained"),
    ("w Kazachstanie jest ponad 2 600 żołnierzy", "pl", "ponad 2 600", "ponad", None),
])
def test_a_count_keeps_its_words_qualifier_and_what_it_counts(text, lang, words, qualifier, counts):
    [mention] = find_numbers(text, QUANTITIES, lang, parser="rules")
    assert (mention.text, mention.qualifier, mention.quantity) == (words, qualifier, counts)


@pytest.mark.parametrize("text, quantities", [
    ("At least 12 police officers were killed.", ["police killed"]),
    ("Officially, the number of CSTO peacekeeping forces amounts to 3,600.", ["troops"]),
    ("about 1000 people were injured in clashes, 400 were hospitalized", ["injured", "hospitalized"]),
])
def test_numbers_know_what_they_count(text, quantities):
    assert [m.quantity for m in find_numbers(text, QUANTITIES, parser="rules")] == quantities


@pytest.mark.parametrize("a, b", [
    ("Russia sent paratroopers to Kazakhstan.", "Moscow flew airborne troops into Kazakhstan on Thursday."),
    ("More than 2,600 soldiers.", "More than 2,600 soldiers."),
    ("Fuel prices doubled.", "Zupełnie inne zdanie."),
    ("Ok", "Fuel prices doubled."),  # too short for the higher n-gram orders: one side has none
    ("Fuel prices doubled.", "Ok"),
])
def test_chrf_equals_sacrebleu_sentence_chrf(a, b):
    from sacrebleu.metrics import CHRF

    from alignments.evidence import ChrF

    expected = (CHRF().sentence_score(a, [b]).score + CHRF().sentence_score(b, [a]).score) / 200
    assert ChrF()(a, b) == pytest.approx(expected, abs=1e-9)


def test_name_variants_agree_and_common_names_weigh_little():
    texts = ["Tokayev asked for help.", "Tokáyev asked for help.", "Kazakhstan is big.", "Kazakhstan is cold.", "Kazakhstan votes.", "Tokajew spoke."]
    entities = EntityAgreement(texts, [find_numbers(t, parser="rules") for t in texts])
    assert entities((0,), (1,)) == pytest.approx(1.0)
    assert entities((0,), (3,)) == 0.0
    assert entities((2,), (3,)) == pytest.approx(1.0)  # the only feature both have
    assert entities.features[0] == entities.features[1]


@pytest.mark.parametrize("predicted, gold, expected", [
    ({frozenset("ab"), frozenset("cd")}, {frozenset("ab"), frozenset("ef")}, PRF(0.5, 0.5, 0.5, 2, 2, 1, 1)),
    ({frozenset("ab")}, {frozenset("ab"), frozenset("cd"), frozenset("ef")}, PRF(1.0, 0.3333, 0.5, 1, 3, 1, 1)),
    (set(), {frozenset("ab")}, PRF(0.0, 0.0, 0.0, 0, 1, 0)),
])
def test_pair_scores(predicted, gold, expected):
    assert score_pairs(predicted, gold) == expected


@pytest.mark.parametrize(
    "predicted, gold, deletions, strict, lax",
    [
        # strict: only [0]:[0] is exactly right; lax: [1]:[1] overlaps [1, 2]:[1]; [3]:[2] overlaps nothing.
        # As the field counts: the predicted deletions [2]:[] and [4]:[] are wrong (the gold deletes [3]).
        (["[0]:[0]:0.9", "[1]:[1]:0.8", "[2]:[]", "[3]:[2]", "[4]:[]"], ["[0]:[0]", "[1, 2]:[1]", "[3]:[]", "[4]:[2]"],
         True, (1 / 5, 1 / 4), (2 / 5, 2 / 4)),
        # The earlier convention leaves deletions out of both sides.
        (["[0]:[0]:0.9", "[1]:[1]:0.8", "[2]:[]", "[3]:[2]", "[4]:[]"], ["[0]:[0]", "[1, 2]:[1]", "[3]:[]", "[4]:[2]"],
         False, (1 / 3, 1 / 3), (2 / 3, 2 / 3)),
        # A deletion the gold has is right, strict and lax.
        (["[0]:[0]", "[1]:[]", "[]:[1]"], ["[0]:[0]", "[1]:[]", "[]:[1]"], True, (1.0, 1.0), (1.0, 1.0)),
        # Deleting everything: nothing right under the field's convention.
        (["[0]:[]", "[]:[0]", "[1]:[]", "[]:[1]"], ["[0]:[0]", "[1]:[1]"], True, (0.0, 0.0), (0.0, 0.0)),
        # ... and, wrongly, nothing to count at all under the earlier one.
        (["[0]:[]", "[]:[0]", "[1]:[]", "[]:[1]"], ["[0]:[0]", "[1]:[1]"], False, (0.0, 0.0), (0.0, 0.0)),
    ],
)
def test_strict_and_lax_link_scores(predicted, gold, deletions, strict, lax):
    scores = score_links(parse_links(predicted), parse_links(gold), deletions=deletions)
    assert (scores["strict"].precision, scores["strict"].recall) == (pytest.approx(strict[0], abs=1e-4), pytest.approx(strict[1], abs=1e-4))
    assert (scores["lax"].precision, scores["lax"].recall) == (pytest.approx(lax[0], abs=1e-4), pytest.approx(lax[1], abs=1e-4))


def test_gold_facts_stand_for_their_cross_article_pairs(tmp_path):
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"members": ["a:0001", "a:0002", "b:0003"]}) + "\n" + json.dumps({"id_a": "c:0001", "id_b": "a:0004"}) + "\n")
    assert read_gold_pairs(gold) == {frozenset(("a:0001", "b:0003")), frozenset(("a:0002", "b:0003")), frozenset(("c:0001", "a:0004"))}


def test_facts_are_scored_as_every_cross_article_pair_of_their_members():
    fact = Fact(fact_id="f", members={"a": ["a:0001"], "b": ["b:0001", "b:0002"], "c": ["c:0007"]})
    assert fact_pair_ids([fact]) == {frozenset(p) for p in [("a:0001", "b:0001"), ("a:0001", "b:0002"), ("a:0001", "c:0007"),
                                                             ("b:0001", "c:0007"), ("b:0002", "c:0007")]}


def test_cli_align_and_align_eval_on_the_seeds(seeds_dir, tmp_path):
    runner = CliRunner()
    segments, translated, out = tmp_path / "segments.jsonl", tmp_path / "translated.jsonl", tmp_path / "alignment"
    assert runner.invoke(app, ["segment", str(seeds_dir), "-o", str(segments), "-q"]).exit_code == 0
    assert runner.invoke(app, ["translate", str(segments), "-o", str(translated), "--english-from", "reference", "--references", str(SEED_REFERENCES), "-q"]).exit_code == 0
    result = runner.invoke(app, ["align", str(translated), "-o", str(out), "--cache-dir", str(tmp_path / "cache"), "-q"])
    assert result.exit_code == 0, result.output
    pairs, facts = read_pairs(out / "pairs.jsonl"), read_facts(out / "facts.jsonl")
    settings = json.loads((out / "alignment.json").read_text())
    assert pairs and facts and {p.fact_id for p in pairs if p.fact_id} == {f.fact_id for f in facts}
    assert all(p.fact_id or p.score < settings["fact_alone_score"] for p in pairs), "only weak refused pairs have no fact"
    assert any(f.n_articles >= 3 for f in facts)
    assert settings["embedder"] == "bert:sentence-transformers/all-MiniLM-L6-v2" and settings["mode"] == "comparable"
    scored = runner.invoke(app, ["align-eval", str(out), str(seeds_dir / "gold" / "alignment.jsonl"), "--json", "-"])
    assert scored.exit_code == 0, scored.output
    report = json.loads(scored.stdout)
    assert report["pairs"]["predicted"] >= len(pairs) and report["pairs"]["gold"] > 0 and 0 < report["pairs"]["f1"] <= 1
    assert report["facts"]["predicted"] == len(fact_pair_ids(facts)) and 0 < report["facts"]["f1"] <= 1
    assert report["fact_purity"]["facts"] == len(facts) and 0 < report["fact_purity"]["purity"] <= 1


def test_cli_parallel_mode_writes_vecalign_links(tmp_path):
    runner = CliRunner()
    segments = article("a", ["The minister arrived in Almaty on Monday.", "He met the president.", "They discussed the protests."]) + \
        article("b", ["The minister arrived in Almaty on Monday.", "He met the president and they discussed the protests."])
    translated = tmp_path / "translated.jsonl"
    translated.write_text("".join(json.dumps(s.__dict__) + "\n" for s in segments))
    result = runner.invoke(app, ["align", str(translated), "-o", str(tmp_path / "out"), "--mode", "parallel", "--no-cache", "-q"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "links" / "a__b.txt").read_text().splitlines()[1].startswith("[1, 2]:[1]:")
    gold = tmp_path / "gold.txt"
    gold.write_text("[0]:[0]\n[1, 2]:[1]\n")
    scored = runner.invoke(app, ["align-eval", str(tmp_path / "out" / "links" / "a__b.txt"), str(gold), "--mode", "parallel", "--json", "-"])
    assert json.loads(scored.stdout)["strict"]["f1"] == 1.0



@pytest.mark.parametrize("counts, possible", [
    ([(2600, "more than"), (3600, None)], True),
    ([(1300, "more than"), (1000, "about")], False),
    ([(1000, "about"), (1100, None)], True),
    ([(16, None), (12, "at least")], True),
    ([(16, None), (12, None)], False),
    ([(5000, "up to"), (6000, None)], False),
    ([(3000, "nearly"), (2900, None)], True),
    ([(2600, "ponad"), (2500, "około")], True),
])
def test_qualified_counts_can_all_be_true_or_contradict(counts, possible):
    from alignments.numbers import can_all_be_true

    assert can_all_be_true(counts) is possible


@pytest.mark.parametrize("members, purity, pure_facts", [
    ({"a": ["a:1"], "b": ["b:1"], "c": ["c:1"]}, 1.0, 1),       # all three report gold fact 1
    ({"a": ["a:1"], "b": ["b:1"], "c": ["c:9"]}, 2 / 3, 0),     # c reports something else
    ({"a": ["a:1"], "b": ["b:2"]}, 0.0, 0),                     # two members, two different gold facts
    ({"a": ["a:1", "a:2"], "b": ["b:2"]}, 1.0, 1),              # a two-sentence unit counts once, by either sentence
])
def test_fact_purity_is_the_share_of_members_that_share_one_gold_fact(members, purity, pure_facts):
    from alignments.evaluation import fact_purity

    gold = [{"a:1", "b:1", "c:1"}, {"a:2", "b:2"}]
    found = fact_purity([Fact("f", members)], gold)
    assert (found.purity, found.pure_facts) == (pytest.approx(purity, abs=1e-4), pure_facts)


@pytest.mark.parametrize("models, used, refused", [
    (["EMBEDDER", "EMBEDDER"], 2, False),
    (["EMBEDDER", "sentence-transformers/all-MiniLM-L6-v2"], 1, False),
    (["sentence-transformers/all-MiniLM-L6-v2"], 0, True),  # made with the plain name before `bert:` was the default
    ([], 0, False),
])
def test_a_vectors_file_of_another_embedder_is_refused_not_ignored(embedder, models, used, refused, tmp_path):
    """`--vectors` that hold none of this embedder's vectors would be silently embedded again: it says so instead."""
    from alignments.embeddings import VectorsFileError
    from mt.workfolder import write_vectors

    path = tmp_path / "vectors.parquet"
    if models:
        for n, model in enumerate(models):
            write_vectors(tmp_path / f"{n}.parquet", model.replace("EMBEDDER", embedder.name), [f"text {n}"], [np.ones(384)])
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.concat_tables([pq.read_table(tmp_path / f"{n}.parquet") for n in range(len(models))]), path)
    else:
        write_vectors(path, embedder.name, [], [])
    fresh = Embedder(embedder.name)
    if refused:
        with pytest.raises(VectorsFileError, match=f"none of {embedder.name}; embed again"):
            fresh.preload(path)
    else:
        assert fresh.preload(path) == used
