"""What a number counts, read from the sentence: a table of English sentences and of Polish, Russian and Spanish
ones as a machine translation reads them, each with its value, the thing counted and the qualifier; years, dates
and times that count nothing; and disagreements on any counted thing through the real facts code.

Every row runs with the rules and, where the `counts` extra (spaCy's English pipeline) is installed, with spaCy.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from alignments import AlignmentInputError, align
from alignments.facts import group_facts
from alignments.numbers import _spacy_english, find_numbers
from mt.config import load_config
from mt.records import Pair, Segment

QUANTITIES = load_config(None)["alignment"]["quantities"]

PARSERS = ["rules", pytest.param("spacy", marks=pytest.mark.skipif(_spacy_english() is None,
                                                                  reason="the counts extra (spacy, en_core_web_sm) is not installed"))]

# (sentence, [(value, what is counted as a reader sees it, qualifier)]); the sentence's origin in the comment.
TABLE = [
    # English as written
    ("More than 600 firefighters were battling the blaze on Sunday.", [(600, "firefighters", "more than")]),
    ("About 500 firefighters are fighting the fire.", [(500, "firefighters", "about")]),
    ("At least one person has died, the regional governor said.", [(1, "killed", "at least")]),
    ("A dozen armoured vehicles were seen near the airport.", [(12, "vehicles", None)]),
    ("Two thousand six hundred troops were sent to Kazakhstan.", [(2600, "troops", None)]),
    ("More than 700 fire fighters tackled the flames.", [(700, "fire fighters", "more than")]),
    ("Over 5,000 residents have been evacuated from the valley.", [(5000, "residents", "over")]),
    ("The interior minister said 16 police officers were killed and more than 1,300 people were injured.",
     [(16, "police killed", None), (1300, "injured", "more than")]),
    ("About 1000 people were injured in clashes, 400 were hospitalized.", [(1000, "injured", "about"), (400, "hospitalized", None)]),
    ("Officially, the number of CSTO peacekeeping forces amounts to 3,600.", [(3600, "troops", None)]),
    ("The death toll rose to 18.", [(18, "killed", None)]),
    ("Nearly 300 houses were flooded when the river burst its banks.", [(300, "houses", "nearly")]),
    ("The striker scored 2 goals in the first half.", [(2, "goals", None)]),
    ("Some 40,000 spectators watched the final.", [(40000, "spectators", "some")]),
    # Polish, machine-translated: "Ponad 700 strażaków walczyło z ogniem."
    ("More than 700 firefighters fought the fire.", [(700, "firefighters", "more than")]),
    # "Według MSW zginęło 16 policjantów, a ponad 1300 osób zostało rannych."
    ("According to the Ministry of Internal Affairs, 16 policemen were killed and over 1,300 people were injured.",
     [(16, "police killed", None), (1300, "injured", "over")]),
    # "W Kazachstanie jest już ponad 2,5 tys. żołnierzy."
    ("There are already more than 2.5 thousand soldiers in Kazakhstan.", [(2500, "troops", "more than")]),
    # "Zatrzymano około 500 osób."
    ("About 500 people were detained.", [(500, "detained", "about")]),
    # Russian, machine-translated: "Около 500 пожарных тушат пожар."
    ("About 500 firefighters are extinguishing the fire.", [(500, "firefighters", "about")]),
    # "В результате беспорядков погибли 18 сотрудников правоохранительных органов."
    ("As a result of the riots, 18 law enforcement officers died.", [(18, "police killed", None)]),
    # "Задержаны более 4 тысяч человек."
    ("More than 4 thousand people were detained.", [(4000, "detained", "more than")]),
    # "Погиб как минимум один человек."
    ("At least one person was killed.", [(1, "killed", "at least")]),
    # Spanish, machine-translated: "Al menos 164 personas murieron en los disturbios."
    ("At least 164 people died in the riots, according to state media.", [(164, "killed", "at least")]),
    # "Una docena de soldados resultaron heridos."
    ("A dozen soldiers were wounded.", [(12, "troops injured", None)]),
    # "Unos 2.000 efectivos de la OTSC llegaron al país."
    ("Some 2,000 troops from the CSTO arrived in the country.", [(2000, "troops", "some")]),
    # "Más de un millar de heridos."
    ("More than a thousand wounded.", [(1000, "injured", "more than")]),
    # Amounts with a unit: what they measure is the unit (time is left out: ages and durations say when)
    ("About 800 miles of the pipeline were closed down.", [(800, "mile", "about")]),
    # "Około 80% dochodów pochodzi z eksportu ropy."
    ("About 80% of its income comes from oil exports.", [(80, "percent", "about")]),
    ("A one-day pass costs $10, the operator said.", [(10, "dollar", None)]),
    ("The economy has grown by 54 times since then.", [(54, "times", None)]),
    # An age is a fact outlets can disagree on ("28-year-old" / "42-year-old"); a duration is not
    ("The 42-year-old striker scored twice in 3 hours of play.", [(42, "age", None)]),
    ("Posted at 10:47 and again at 3 p.m.", []),
    # The head noun of the phrase after the number, past words that say which ones ("other", "more")
    ("Hall, along with 51 other education officials, was indicted in 2013.", [(51, "education officials", None)]),
    ("20 more people were evacuated on Monday.", [(20, "evacuated", None)]),
    # Multiplier words and decimals: "50 million speakers" are 50,000,000 speakers; "or more" after a number
    ("The world has over 5,000 languages, including more than twenty with 50 million or more speakers.",
     [(5000, "languages", "over"), (20, None, "more than"), (50_000_000, "speakers", "or more")]),
    ("Some 1.5 million people live in the region.", [(1_500_000, "people", "some")]),
    ("Around 2,000 or so fans gathered outside.", [(2000, "fans", "around")]),
    # Ranges: both ends, of the thing after the upper one; a multiplier on the upper end is both ends'
    ("Estimates range from 204 million to 500 million speakers.",
     [(204_000_000, "speakers", "at least"), (500_000_000, "speakers", "at most")]),
    ("Estimates range from 510 million to 500 million speakers.",  # written backwards: quantulum3 reads nothing
     [(510_000_000, "speakers", "at least"), (500_000_000, "speakers", "at most")]),
    ("Between 20 and 30 people were injured.", [(20, "injured", "at least"), (30, "injured", "at most")]),
    ("The death toll rose from 12 to 14.", [(14, "killed", None)]),  # a change: the count is now 14
    # Polish, machine-translated: "Według szacunków językiem posługuje się od 340 do 500 mln osób."
    ("According to estimates, from 340 to 500 million people speak the language.",
     [(340_000_000, "people", "at least"), (500_000_000, "people", "at most")]),
    # "Zginęło co najmniej 11 osób."
    ("At least 11 people were killed.", [(11, "killed", "at least")]),
    # Russian, machine-translated: "По данным МВД, задержаны более 300 участников беспорядков."
    ("According to the Interior Ministry, more than 300 rioters have been detained.", [(300, "rioters detained", "more than")]),
    # Spanish, machine-translated: "Nueve pasajeros murieron y otros 40 resultaron heridos."
    ("Nine passengers died and another 40 were injured.", [(9, "passengers killed", None), (40, "injured", None)]),
    # What happened, past a word that says who knows it
    ("Four miners were confirmed dead.", [(4, "miners killed", None)]),
    ("At least 30 people are feared dead after the landslide.", [(30, "killed", "at least")]),
    ("Two workers were reported injured.", [(2, "workers injured", None)]),
    # People said by a participle before them
    ("Hospitals are treating about 60 injured people.", [(60, "injured", "about")]),
    ("Rescuers are still looking for 38 missing persons.", [(38, "missing", None)]),
    ("The company employs 500 skilled people.", [(500, "people", None)]),
    ("Three people were taken to hospital.", [(3, "hospitalized", None)]),
    ("Four miners died and 23 others remain trapped.", [(4, "miners killed", None), (23, "trapped", None)]),
    ("25 miners are still trapped underground.", [(25, "miners trapped", None)]),
    # A range that is the subject: both ends count what happened
    ("Between 10 and 20 were killed.", [(10, "killed", "at least"), (20, "killed", "at most")]),
    ("Between 10 and 20 are missing.", [(10, "missing", "at least"), (20, "missing", "at most")]),
    ("From 10 to 20 were injured.", [(10, "injured", "at least"), (20, "injured", "at most")]),
    ("At least 30 are missing after the flood.", [(30, "missing", "at least")]),
    ("Twelve people were reported killed.", [(12, "killed", None)]),
    ("Between 30 and 40 were reported killed.", [(30, "killed", "at least"), (40, "killed", "at most")]),
    # A figure in a report of what officials had said (the facts tests set it aside as superseded)
    ("Earlier on Wednesday, officials had put the number of dead at 11.", [(11, "killed", None)]),
    ("Officials had initially reported 11 dead.", [(11, "killed", None)]),
    # Not an amount: "-high" after a bare number
    ("The 12-high stack fell.", []),
    # "La empresa perdió 2,5 millones de euros."
    ("The company lost 2.5 million euros.", [(2_500_000, "euro", None)]),
    # "El tren circulaba a 110 kilómetros por hora."
    ("The train was travelling at 110 kilometres per hour.", [(110, "kilometre per hour", None)]),
    # Rates: a speed is not a distance; a rate quantulum3 has no name for measures its numerator
    ("Winds reached 40 mph (64 kph) about 3,000 miles from the coast.",
     [(40, "mile per hour", None), (64, "kilometre per hour", None), (3000, "mile", "about")]),
    ("In some areas more than 250 litres per square metre fell.", [(250, "litre", "more than")]),
    ("A man aged 64 was arrested.", [(64, "age", None)]),
    # A unit's power is what it measures; a word after a unit is not another unit ("at": ampere-turn); "-long"
    ("The reservoir held about 80 million cubic metres of water.", [(80_000_000, "cubic metre", "about")]),
    ("Fog had cut visibility to less than 200 metres at the time.", [(200, "metre", "less than")]),
    ("A four-metre-long hole was torn in the hull.", [(4, "metre", None)]),
    # Nothing counted: years, dates, times, ordinals, names with numbers, "one of"
    ("From 2010 to 2015 the club won the league for the third time.", []),
    ("The 2013-14 season ended on 5 May with a 3-1 win.", []),
    ("The alphabet was invented during the reign of King Sejong (1418 – 1450).", []),
    ("The protest started around 11:00 local time (UTC+1); a 4x4 is advised.", []),
    ("It affects 3 to 5 percent of all children.", [(3, "percent", "at least"), (5, "percent", "at most")]),
    ("On 5 January 2022, at 10:30 local time, the 11th brigade left.", []),
    ("In 2021 the Covid-19 rules were lifted on 1 March.", []),
    ("One of the officers said that no one was hurt.", []),
]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("text, expected", TABLE)
def test_what_a_number_counts_is_read_from_the_sentence(text, expected, parser):
    found = [(m.value, m.counted, m.qualifier) for m in find_numbers(text, QUANTITIES, "en", parser=parser)]
    assert found == expected


@pytest.mark.parametrize("parser", PARSERS)
def test_compounds_and_plurals_give_one_key(parser):
    keys = {find_numbers(text, QUANTITIES, "en", parser=parser)[0].quantity
            for text in ("More than 600 firefighters came.", "700 fire fighters came.", "One firefighter came.",
                         "500 fire-fighters came.")}
    assert keys == {"firefighter"}


@pytest.mark.parametrize("parser", PARSERS)
def test_a_synonym_group_merges_soldiers_and_troops_and_nothing_else_needs_one(parser):
    soldiers, troops = "More than 2,600 soldiers are in the country.", "Officially, 3,600 troops were deployed."
    assert {find_numbers(t, QUANTITIES, "en", parser=parser)[0].quantity for t in (soldiers, troops)} == {"troops"}
    assert [find_numbers(t, {}, "en", parser=parser)[0].quantity for t in (soldiers, troops)] == ["soldier", "troop"]


def test_polish_keeps_its_number_forms():
    [mention] = find_numbers("Ponad 700 strażaków walczyło z ogniem.", QUANTITIES, "pl", parser="rules")
    assert (mention.value, mention.text, mention.qualifier) == (700, "Ponad 700", "ponad")


def test_numbers_are_read_once_per_distinct_text():
    text = "Exactly 4,321 volunteers registered for the cleanup this week."
    first = find_numbers(text, QUANTITIES, parser="rules")
    assert find_numbers(text, QUANTITIES, parser="rules") == first and find_numbers(text, QUANTITIES, parser="rules") is not first, "a fresh list"
    assert find_numbers(text, QUANTITIES, parser="rules")[0] is first[0], "the same mention, not a new parse"


def segment(article: str, text: str) -> Segment:
    return Segment(f"{article}:0000", article, 0, "body", "en", text, 0, len(text), english=text)


def facts_of(texts: dict[str, str], quantities=QUANTITIES, parser: str = "rules"):
    segments = [segment(a, t) for a, t in texts.items()]
    names = list(texts)
    pairs = [Pair(id_a=f"{a}:0000", id_b=f"{b}:0000", article_a=a, article_b=b, ids_a=[f"{a}:0000"], ids_b=[f"{b}:0000"],
                  score=2.0, signals={}) for a, b in zip(names, names[1:])]
    return group_facts(pairs, segments, lambda i, j: 2.0, 1.2, quantities, parser=parser)


def test_three_outlets_disagree_on_firefighters_through_the_facts():
    [fact] = facts_of({"a": "More than 600 firefighters were sent to the forest fire.",     # English
                       "b": "More than 700 firefighters fought the forest fire.",            # Polish, translated
                       "c": "About 500 firefighters are extinguishing the forest fire."})    # Russian, translated
    [disagreement] = fact.disagreements
    assert disagreement.quantity == "firefighters"
    assert disagreement.values == {"a": "More than 600", "b": "More than 700", "c": "About 500"}
    assert disagreement.compatible is False, "about 500 cannot be more than 700"
    assert {c.counts for c in fact.counts} == {"firefighter"}


def test_fire_fighters_and_firefighters_are_compared():
    [fact] = facts_of({"a": "More than 600 firefighters were sent.", "b": "About 800 fire fighters were sent."})
    assert [(d.quantity, d.values) for d in fact.disagreements] == [("firefighters", {"a": "More than 600", "b": "About 800"})]


def test_soldiers_and_troops_are_compared_through_their_group_and_not_without_it():
    texts = {"a": "More than 2,600 soldiers are in the country.", "b": "Officially, 3,600 troops were deployed."}
    [fact] = facts_of(texts)
    assert [(d.quantity, d.values, d.compatible) for d in fact.disagreements] == \
        [("troops", {"a": "More than 2,600", "b": "3,600"}, True)]
    [fact] = facts_of(texts, quantities={})
    assert fact.disagreements == []


def test_the_dead_are_compared_whoever_they_are_said_to_be_but_a_configured_group_stays_apart():
    [fact] = facts_of({"a": "Nine passengers were killed, police said.", "b": "At least 11 people were killed."})
    assert [(d.quantity, d.values, d.compatible) for d in fact.disagreements] == \
        [("passengers killed", {"a": "Nine", "b": "At least 11"}, False)]
    [fact] = facts_of({"a": "16 police officers were killed in the riots.", "b": "164 people were killed in the riots."})
    assert fact.disagreements == []


def test_ranges_and_multipliers_disagree_through_the_facts():
    [fact] = facts_of({"a": "Estimates range from 204 million to 500 million speakers.",
                       "b": "Estimates range from 340 million to 500 million speakers."})
    [disagreement] = fact.disagreements
    assert disagreement.values == {"a": "from 204 million to 500 million", "b": "from 340 million to 500 million"}
    assert disagreement.compatible is True, "two ranges that overlap can both be true"
    assert {c.value for c in fact.counts if c.article == "a"} == {204e6, 500e6}


def test_different_things_in_one_fact_are_not_compared():
    [fact] = facts_of({"a": "600 firefighters and 40 fire engines were sent.", "b": "700 soldiers and 40 fire engines were sent."})
    assert {d.quantity for d in fact.disagreements} == set()


PARTS = [
    # (two outlets in one fact, the disagreements compared: what is counted and each side's words)
    ({"a": "About 250 flights were cancelled.", "b": "Three flights to Frankfurt and Munich were also cancelled."}, []),
    ({"a": "12 flights to Poland were cancelled.", "b": "Three flights to Frankfurt were cancelled."}, []),
    ({"a": "About 600 Spanish tourists were evacuated.", "b": "About 200 Russian tourists were evacuated."}, []),
    ({"a": "About 600 Spanish tourists were evacuated.", "b": "Some 650 Spanish tourists were evacuated."},
     [("Spanish tourists", {"a": "About 600", "b": "Some 650"})]),
    ({"a": "More than 2,600 Russian soldiers arrived.", "b": "Officially, 3,600 troops were deployed."},
     [("troops", {"a": "More than 2,600", "b": "3,600"})]),
    ({"a": "Three flights to New York were cancelled.", "b": "Five flights to New Delhi were cancelled."}, []),
    # a name on one side only is still the whole
    ({"a": "40 Palestinian civilians were killed.", "b": "At least 60 civilians were killed."},
     [("civilians killed", {"a": "40", "b": "At least 60"})]),
    ({"a": "Three Spanish tourists were killed.", "b": "Five Russian tourists were killed.", "c": "At least 20 people died."}, []),
]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("texts, compared", PARTS)
def test_a_part_named_by_a_name_is_not_compared_with_the_whole_or_another_part(texts, compared, parser):
    """"Three flights to Frankfurt" are not all the flights, nor "600 Spanish tourists" the Russian ones; a synonym
    group ("soldiers" = "troops") stays one thing whatever its names."""
    [fact] = facts_of(texts, parser=parser)
    assert [(d.quantity, d.values) for d in fact.disagreements] == compared


EARLIER_FIGURES = [
    # (two outlets in one fact, the disagreements compared)
    ({"a": "At least 17 people were killed.", "b": "Earlier on Wednesday, officials had put the number of dead at 11."}, []),
    ({"a": "At least 17 people were killed.", "b": "Officials had initially reported 11 dead."}, []),
    ({"a": "At least 17 people were killed.", "b": "Officials said 11 people were killed."},
     [("killed", {"a": "At least 17", "b": "11"})]),
    ({"a": "At least 17 people were killed.", "b": "At least 19 people had been killed earlier on Wednesday, police said."},
     [("killed", {"a": "At least 17", "b": "At least 19"})]),
    ({"a": "At least 17 people were killed.", "b": "Earlier, officials had said 11 had died; now 19 people were killed."},
     [("killed", {"a": "At least 17", "b": "19"})]),
]


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("texts, compared", EARLIER_FIGURES)
def test_a_figure_a_live_report_has_replaced_is_not_a_disagreement(texts, compared, parser):
    """"Earlier, officials had put the number of dead at 11" (a figure stated in the past perfect, before now) is
    history, not a claim against today's 17; its count stays on the fact (it still says what the sentence is about).
    What happened in the past perfect ("had been killed earlier") is today's figure."""
    [fact] = facts_of(texts, parser=parser)
    assert [(d.quantity, d.values) for d in fact.disagreements] == compared
    assert {c.counts for c in fact.counts} == {"killed"}


@pytest.mark.parametrize("parser, message", [
    ("spacey", "unknown alignment.counts_parser 'spacey' (choose from rules, spacy)"),
    pytest.param("spacy", "alignment.counts_parser is spacy, but spaCy or its English model is not installed",
                 marks=pytest.mark.skipif(_spacy_english() is not None, reason="the counts extra is installed here")),
])
def test_a_counts_parser_that_cannot_run_stops_alignment_on_one_line(parser, message, settings, embedder):
    """A misspelt parser, or spaCy without its extra, is an error before anything is embedded, never a quiet fallback
    to the rules (the same settings must give the same counts on every machine)."""
    segments = [segment("a", "Five people died."), segment("b", "Six people died.")]
    with pytest.raises(AlignmentInputError) as raised:
        align(segments, replace(settings, counts_parser=parser), embedder)
    assert message in str(raised.value) and "\n" not in str(raised.value)
