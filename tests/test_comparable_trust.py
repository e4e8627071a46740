"""Scores that can be trusted on any corpus: nothing from unrelated articles, a sentence that repeats a fact pairs
more than once, and the original texts as evidence where the English is a bad translation. Real embedders: the
bundled MiniLM for the English, the multilingual USE v3 for the originals (configs: `alignment.on: both`)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from alignments import AlignmentSettings, align
from alignments.comparable import PairScorer
from alignments.context import SignalContext
from mt.config import load_config
from mt.records import Segment


def article(name, sentences, lang="en", english=None):
    english = english or sentences
    return [Segment(f"{name}:{i:04d}", name, i, "body", lang, text, 0, len(text), english=en)
            for i, (text, en) in enumerate(zip(sentences, english))]


UNRELATED = {
    "rates vs cup final (the issue's case)": (
        ["The central bank raised interest rates by half a point on Thursday.",
         "It was the third increase this year, as inflation reached 7 percent.",
         "The governor said further rises could not be ruled out."],
        ["The football team won the cup final 3-1 on Saturday.",
         "The coach praised the young striker, who scored twice.",
         "More than 60,000 fans watched the match in the national stadium."]),
    "earthquake vs quarterly earnings": (
        ["A magnitude 6.1 earthquake struck the coast early on Monday.",
         "At least 14 people were killed and dozens injured, officials said.",
         "Rescue teams are searching collapsed buildings in the old town."],
        ["The company reported quarterly profit of 2.3 billion dollars.",
         "Revenue rose 12 percent, helped by strong sales of its cloud services.",
         "Its shares gained 4 percent in after-hours trading."]),
    "hospital opening vs tennis": (
        ["The new children's hospital opened its doors on Wednesday.",
         "It has 240 beds and will employ about 900 staff.",
         "The health minister cut the ribbon at the ceremony."],
        ["The top seed was knocked out in the second round of the tournament.",
         "She lost in three sets to a qualifier ranked 143rd in the world.",
         "Her opponent will face the defending champion on Friday."]),
}

UNRELATED_POLISH = {
    "wildfire (pl) vs election (en)": (
        ["Pożar lasu strawił ponad 3 tysiące hektarów w pobliżu granicy.",
         "Ponad 700 strażaków walczyło z ogniem przez całą noc.",
         "Mieszkańcy trzech wsi zostali ewakuowani."],
        ["A forest fire burnt more than 3,000 hectares near the border.",
         "More than 700 firefighters fought the flames all night.",
         "Residents of three villages were evacuated."],
        ["The opposition candidate won the presidential election with 54 percent of the vote.",
         "Turnout was the highest in two decades.",
         "The outgoing president conceded defeat on Sunday evening."]),
    "museum (pl) vs rail strike (en)": (
        ["Muzeum Narodowe otworzyło wystawę obrazów holenderskich mistrzów.",
         "Na wystawie pokazano 80 dzieł z prywatnych kolekcji.",
         "Wystawę można oglądać do końca marca."],
        ["The National Museum opened an exhibition of paintings by Dutch masters.",
         "The exhibition shows 80 works from private collections.",
         "The exhibition can be seen until the end of March."],
        ["Train drivers began a 48-hour strike over pay on Tuesday.",
         "Most regional services were cancelled and commuters crowded onto buses.",
         "The union said talks with the rail operator had broken down."]),
}


@pytest.mark.parametrize("a, b", UNRELATED.values(), ids=list(UNRELATED))
def test_unrelated_english_articles_give_no_pair_and_no_fact(a, b, embedder, settings):
    result = align(article("a", a) + article("b", b), settings, embedder)
    assert (result.pairs, result.facts) == ([], [])


@pytest.mark.parametrize("polish, english, other", UNRELATED_POLISH.values(), ids=list(UNRELATED_POLISH))
@pytest.mark.parametrize("on", ["both", "english", "original"])
def test_unrelated_articles_in_two_languages_give_nothing_on_any_view(polish, english, other, on, embedder, settings):
    chosen = settings if on == "both" else AlignmentSettings.from_config(
        load_config(None), on=on, embedder=settings.multilingual_embedder if on == "original" else None)
    model = embedder.sibling(chosen.embedder)
    result = align(article("pl", polish, "pl", english) + article("en", other), chosen, model)
    assert (result.pairs, result.facts) == ([], [])


class FixedVectors:
    """An embedder whose vectors are given: for a scorer test with the issue's numbers."""

    def __init__(self, vectors):
        self.vectors = np.asarray(vectors, dtype=np.float32)

    def embed(self, texts):
        return self.vectors[: len(texts)]


def test_a_margin_over_near_zero_neighbours_makes_no_pair(settings):
    """Cosine 0.0083 with neighbours near zero gave a ratio margin of 6 and a pair scoring 6.30 (issue 22): under
    the floor a pair scores nothing, whatever its margin."""
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.normal(size=(16, 16)))[0]
    a0 = basis[0]
    b0 = 0.0083 * basis[0] + np.sqrt(1 - 0.0083 ** 2) * basis[1]
    b1, b2 = basis[2], basis[3]  # the other article's other sentences: orthogonal to a0, cosine 0
    vectors = np.stack([a0, b0, b1, b2])
    texts = ["The central bank raised interest rates.", "The football team won the cup final 3-1.",
             "The coach praised the young striker.", "Fans celebrated in the city centre."]
    articles = np.array(["a", "b", "b", "b"])
    english = AlignmentSettings.from_config(load_config(None), on="english")
    context = SignalContext.build(texts, vectors, articles, english, FixedVectors(vectors).embed)
    score, signals = PairScorer(context).score((0,), (1,))
    assert signals["cosine"] == pytest.approx(0.0083, abs=1e-3)
    assert signals["cosine"] < settings.floor and score <= 0 < settings.threshold


# An article that repeats the death toll (headline, lead and a later sentence) and one that gives it once.
REPEATING = {
    "death toll in headline and lead": (
        ["Flash floods kill 12 in eastern Spain",
         "At least 12 people were killed when flash floods swept through the Valmera valley on Monday.",
         "The regional government declared three days of mourning."],
        ["Twelve people died in the flash floods in the Valmera valley, the regional government said.",
         "Schools will stay closed until Thursday."]),
    "fire: headline and lead": (
        ["Fire destroys Norbex paint factory in Lesno",
         "A huge fire destroyed the Norbex paint factory in Lesno on Tuesday night.",
         "Nobody was hurt, the company said."],
        ["A large fire destroyed the Norbex paint factory in Lesno, in western Poland, on Tuesday evening.",
         "Firefighters brought it under control by morning."]),
}


@pytest.mark.parametrize("repeating, once", REPEATING.values(), ids=list(REPEATING))
def test_a_fact_repeated_in_one_article_pairs_with_each_repetition(repeating, once, embedder, settings):
    result = align(article("a", repeating) + article("b", once), settings, embedder)
    pairs = {(p.ids_a[0], p.ids_b[0]) for p in result.pairs}
    assert {("a:0000", "b:0000"), ("a:0001", "b:0000")} <= pairs
    assert ("a:0002", "b:0000") not in pairs


@pytest.mark.parametrize("repeating, once", REPEATING.values(), ids=list(REPEATING))
def test_facts_stay_cliques_with_many_to_many_pairs(repeating, once, embedder, settings):
    """Every two members of a fact from different articles reach fact_coherence, and an article gives one unit."""
    segments = article("a", repeating) + article("b", once) + article("c", [once[0].replace("said", "announced")])
    result = align(segments, settings, embedder)
    assert result.facts
    vectors = {s.id: v for s, v in zip(segments, embedder.embed([s.english for s in segments]))}
    for fact in result.facts:
        assert all(len(unit) <= 2 for unit in fact.members.values())
        for (_, unit_a), (_, unit_b) in combinations(fact.members.items(), 2):
            assert all(vectors[x] @ vectors[y] >= settings.floor for x in unit_a for y in unit_b)


# A sentence with no partner of its own in the other article, beside the sentence that has one and shares its names
# (one event, near facts): it must not become a second partner (alignment.also_repeat), while a repeated fact still
# does (the table above). (its article, the other article, the right pair, the second partner refused)
NEAR_FACTS = {
    "route beside services suspended": (
        ["The train, operated by Alpina Rail, was travelling from Villach to Vienna.",
         "The company suspended all services between Villach and Vienna until Thursday.",
         "Nine passengers were killed, police said."],
        ["Alpina Rail suspended the service between Villach and Vienna until Thursday.",
         "The train was travelling at 110 kilometres per hour, according to Alpina Rail."],
        ("a:0001", "b:0000"), ("a:0000", "b:0000")),
}


@pytest.mark.parametrize("first, second, right, refused", NEAR_FACTS.values(), ids=list(NEAR_FACTS))
def test_a_neighbouring_fact_that_shares_names_is_not_a_second_partner(first, second, right, refused, embedder, settings):
    pairs = {(p.ids_a[0], p.ids_b[0]) for p in align(article("a", first) + article("b", second), settings, embedder).pairs}
    assert right in pairs and refused not in pairs


# Polish originals whose English is a bad machine translation (word for word, or with source words left in, as weak
# models do), and the English outlet's sentence that reports the same fact: on the English alone the pair is lost;
# with both views the originals show it.
GARBLED = {
    "troops, word for word": ("Do Kazachstanu przyleciało ponad 2500 rosyjskich spadochroniarzy.",
                              "In Kazachstanu it flew above the umbrella of the Rossi jumpers.",
                              "More than 2,500 Russian paratroopers have arrived in Kazakhstan."),
    "fuel prices, source words left in": ("Protesty wybuchły po tym, jak ceny gazu skroplonego wzrosły dwukrotnie.",
                                          "Protesty wybuchły after this, how the ceny of gaz skroplony grew dwukrotnie.",
                                          "The protests broke out after the price of liquefied gas doubled."),
    "airport, source words left in": ("Demonstranci zajęli lotnisko w Ałmaty i podpalili budynek administracji.",
                                      "Demonstranci zajęli the lotnisko w Ałmaty and podpalili the budynek.",
                                      "Protesters seized Almaty airport and set fire to the city administration building."),
}
FILLER_PL = [("Rząd podał się do dymisji w środę.", "The government resigned on Wednesday."),
             ("Internet był wyłączony w całym kraju.", "The internet was shut down across the country.")]
FILLER_EN = ["The president declared a state of emergency.", "Banks in the country stayed closed on Thursday."]


@pytest.mark.parametrize("polish, garbled, english", GARBLED.values(), ids=list(GARBLED))
def test_the_originals_rescue_a_pair_whose_english_is_garbled(polish, garbled, english, embedder, settings):
    segments = article("pl", [polish] + [p for p, _ in FILLER_PL], "pl", [garbled] + [e for _, e in FILLER_PL]) + \
        article("en", FILLER_EN + [english])
    on_english = align(segments, AlignmentSettings.from_config(load_config(None), on="english"), embedder)
    both = align(segments, settings, embedder)
    found = {(p.ids_a[0], p.ids_b[0]) for p in both.pairs}
    assert ("en:0002", "pl:0000") in found
    [pair] = [p for p in both.pairs if (p.ids_a[0], p.ids_b[0]) == ("en:0002", "pl:0000")]
    assert pair.signals["cosine_original"] > pair.signals["cosine_english"]
    assert ("en:0002", "pl:0000") not in {(p.ids_a[0], p.ids_b[0]) for p in on_english.pairs}


def test_both_views_record_each_views_cosine_and_one_view_leaves_the_other_null(embedder, settings):
    segments = article("pl", ["Rosyjscy żołnierze przylecieli do Ałmaty."], "pl", ["Russian soldiers flew to Almaty."]) + \
        article("en", ["Russian troops landed in Almaty."])
    [pair] = align(segments, settings, embedder).pairs
    assert {"cosine", "cosine_english", "cosine_original"} <= set(pair.signals)
    assert pair.signals["cosine"] == max(pair.signals["cosine_english"], pair.signals["cosine_original"])
    [english_only] = align(segments, AlignmentSettings.from_config(load_config(None), on="english"), embedder).pairs
    assert "cosine_original" not in english_only.signals and "cosine_english" in english_only.signals
