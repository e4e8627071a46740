"""Your own articles, first time right: a corpus where little or nothing aligns is still a corpus.

A table of small article sets, each built with the real `mt build` (English articles, English from the
references), says what exit code to expect, how many rows each configuration has, and what the card and the report
must say. Every corpus that builds passes `mt publish --check`, loads configuration by configuration with
`datasets`, and re-renders its report. Two more tables pin the outlet label rule and the card's statement on
translation.

The two unrelated articles are one sentence each: the ratio margin divides a cosine by its neighbourhood's mean
cosine, so between longer unrelated articles the best of many weak cosines can still stand out and pair.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import load_dataset
from huggingface_hub import DatasetCard
from typer.testing import CliRunner

from mt.cli import app
from mt.publishing.card import dataset_card
from mt.publishing.configurations import CONFIGURATIONS
from mt.publishing.configurations import tables as corpus_tables
from mt.publishing.corpus import Corpus, Provenance
from mt.publishing.report import report_pages
from mt.records import Article, ArticleInfo, Segment, outlet_label

runner = CliRunner()

ARTICLES = {
    "bank": "The central bank raised its main interest rate by half a percentage point on Tuesday.\n",
    "football": "City beat United two goals to one in the cup final at the national stadium on Saturday.\n",
    "002_5d41402abc4b2a76": "Photo: Reuters/John Smith\nBy John Smith and Mary Brown\nSource: Associated Press\n",
    "storm": ("Storm closes airport\n\n"
              "A winter storm closed the main airport of the capital on Monday morning.\n"
              "More than 200 flights were cancelled, the airport operator said.\n"
              "Snow ploughs worked through the night to clear the runways.\n"),
    "coach": ("Snow stops the cup match\n\n"
              "The visiting team could not fly in for Monday's cup match, which was postponed because of the storm.\n"
              "Heavy snow forced the capital's main airport to shut on Monday, cancelling more than 200 flights.\n"
              "The match will be played on Wednesday if the weather allows.\n"),
    "club": ("Football club appoints new coach\n\n"
             "The football club named a former midfielder as its new head coach on Monday.\n"
             "Heavy snow forced the capital's main airport to shut on Monday, cancelling more than 200 flights.\n"
             "The new coach will lead his first training session on Wednesday.\n"),
    "bank_pl": "Bank centralny podniósł we wtorek główną stopę procentową o pół punktu procentowego, do 4,5 procent.\n",
}
"""Small articles; `coach` has an outlet in articles.yaml, the others none. `coach` reports the storm (a match it
stopped); `club` reports another story and mentions the storm in one sentence, so it is an event of its own."""

SIDECAR = "coach:\n  outlet: Daily Sport\n"

NO_PAIRS = "No pairs: no two sentences of different articles reached the threshold"
OWN_EVENTS = "No pairs: the 2 articles with sentences to align report different stories: each is an event of its own"
CAPTIONS = "The article 002_5d41402abc4b2a76 (unknown outlet: ‹article 002›) has no sentence of the kinds that are aligned (body, headline)"

BUILDS = [
    # (case, articles, exit code, rows per configuration, the card and the report must say, neither may say)
    ("two unrelated articles", ["bank", "football"], 0, {"pairs": 0, "facts": 0, "events": 2, "articles": 2, "segments": 2},
     [OWN_EVENTS, "sentences are compared only within an event", "No facts: a fact groups pairs, and there are none.",
      "unknown outlet: ‹bank›"], [NO_PAIRS, "unknown outlet ("]),
    ("a single article", ["bank"], 0, {"pairs": 0, "facts": 0, "events": 1, "articles": 1, "segments": 1},
     ["No pairs: only one article, bank (unknown outlet: ‹bank›), has sentences to align",
      "Add articles that report the same events."], [NO_PAIRS]),
    ("an article of captions and bylines only", ["002_5d41402abc4b2a76"], 0, {"pairs": 0, "facts": 0, "events": 1, "articles": 1, "segments": 3},
     [CAPTIONS, "No pairs: no article has a sentence of the kinds that are aligned (body, headline)."], ["unknown outlet ("]),
    ("captions beside one article", ["002_5d41402abc4b2a76", "bank"], 0, {"pairs": 0, "facts": 0, "events": 2, "articles": 2, "segments": 4},
     [CAPTIONS, "No pairs: only one article, bank (unknown outlet: ‹bank›), has sentences to align"], []),
    ("two articles sharing one fact", ["storm", "coach"], 0, {"pairs": 1, "facts": 1, "events": 1, "articles": 2, "segments": 8},
     ["unknown outlet: ‹Storm closes airport›", "Daily Sport"], ["No pairs", "No facts", "unknown outlet: ‹coach›", "unknown outlet ("]),
    ("another story that mentions this one in a sentence", ["storm", "club"], 0, {"pairs": 0, "facts": 0, "events": 2, "articles": 2, "segments": 8},
     [OWN_EVENTS], [NO_PAIRS, "unknown outlet ("]),
    ("a non-English article without its English", ["bank_pl", "bank"], 1, None,
     ["1 segment(s) to align have no English reference in", "(first: bank_pl:0000, pl:"], []),
]


def build(tmp_path: Path, names: list[str]):
    """The articles in a folder of their own (with an empty references file, as --english-from reference asks), built."""
    articles = tmp_path / "articles"
    (articles / "references").mkdir(parents=True)
    (articles / "references" / "references.jsonl").write_text("", encoding="utf-8")
    (articles / "articles.yaml").write_text(SIDECAR, encoding="utf-8")
    for name in names:
        (articles / f"{name}.txt").write_text(ARTICLES[name], encoding="utf-8")
    corpus, work = tmp_path / "corpus", tmp_path / "work"
    result = runner.invoke(app, ["build", str(articles), "-o", str(corpus), "--work", str(work), "--english-from", "reference",
                                 "--cache-dir", str(tmp_path / "cache"), "-q"])
    return result, corpus, work


def rows(corpus: Path, config: str) -> list[dict]:
    """A configuration's rows through `datasets`. A split with no rows is streamed: datasets (5.2 at least) cannot
    load one otherwise (huggingface/datasets#8401; see test_an_empty_configuration_loads_without_streaming)."""
    card = DatasetCard.load(corpus / "README.md").data.to_dict()
    declared = {info["config_name"]: info["splits"][0]["num_examples"] for info in card["dataset_info"]}
    if declared[config] == 0:
        return list(load_dataset(str(corpus), config, split="train", streaming=True))
    return list(load_dataset(str(corpus), config, split="train"))


def report_files(folder: Path) -> dict[str, bytes]:
    """report.html and its events' pages (report/), by name."""
    found = [folder / "report.html", *sorted((folder / "report").glob("*.html"))]
    return {str(path.relative_to(folder)): path.read_bytes() for path in found}


@pytest.mark.parametrize("case, names, exit_code, counts, said, unsaid", BUILDS, ids=[row[0] for row in BUILDS])
def test_a_corpus_with_little_or_nothing_aligned_is_published_and_says_why(tmp_path, case, names, exit_code, counts, said, unsaid):
    result, corpus, work = build(tmp_path, names)
    assert result.exit_code == exit_code, result.output
    if exit_code:
        assert all(text in " ".join(result.output.split()) for text in said), result.output
        assert not corpus.exists(), "a failed build leaves no corpus"
        return
    card, page = (corpus / "README.md").read_text(encoding="utf-8"), (corpus / "report.html").read_text(encoding="utf-8")
    for text in said:
        assert text in card and text in page, text
    for text in unsaid:
        assert text not in card and text not in page, text
    for event_page in sorted((corpus / "report").glob("*.html")) if counts["events"] > 1 else []:
        shown = event_page.read_text(encoding="utf-8")
        assert "No facts in this corpus" not in shown, "an event's page speaks of its event"
        if counts["facts"] == 0:
            assert "No facts in this event." in shown and "contradict each other come first" not in shown

    checked = runner.invoke(app, ["publish", "--check", str(corpus)])
    assert checked.exit_code == 0, checked.output
    for configuration in CONFIGURATIONS:
        assert len(rows(corpus, configuration.name)) == counts[configuration.name], configuration.name
    again = runner.invoke(app, ["report", str(corpus), "-o", str(tmp_path / "again" / "report.html"), "-q"])
    assert again.exit_code == 0, again.output
    assert report_files(tmp_path / "again") == report_files(corpus), "mt report gives the build's pages"

    republished = runner.invoke(app, ["publish", str(work), "-o", str(tmp_path / "republished"), "-q"])
    assert republished.exit_code == 0, republished.output
    assert (tmp_path / "republished" / "README.md").read_text(encoding="utf-8") == card, "mt publish gives the build's corpus"


def test_outlet_labels_in_the_data_keep_null_where_the_outlet_is_unknown(tmp_path):
    """articles.outlet stays null; every column a reader sees an outlet in holds the label, the same one everywhere."""
    result, corpus, _ = build(tmp_path, ["storm", "coach"])
    assert result.exit_code == 0, result.output
    storm = "unknown outlet: ‹Storm closes airport›"
    assert {row["article"]: row["outlet"] for row in rows(corpus, "articles")} == {"storm": None, "coach": "Daily Sport"}
    assert {(row["outlet_a"], row["outlet_b"]) for row in rows(corpus, "pairs")} == {("Daily Sport", storm)}
    assert {row["article"]: row["outlet"] for row in rows(corpus, "segments")} == {"storm": storm, "coach": "Daily Sport"}
    [fact] = rows(corpus, "facts")
    assert fact["outlets"] == ["Daily Sport", storm]
    assert {m["outlet"] for m in fact["members"]} == {"Daily Sport", storm}
    assert "| unknown outlet: ‹Storm closes airport› | storm | en | unknown |" in (corpus / "README.md").read_text(encoding="utf-8")
    page = (corpus / "report.html").read_text(encoding="utf-8")
    assert '<span class="outlet" dir="auto">unknown outlet</span>' in page and "‹Storm closes airport›</span>" in page


def test_an_empty_configuration_loads_without_streaming(tmp_path):
    """What users will type. datasets 5.2 refuses a split with no rows ("Instruction 'train' corresponds to no
    data!"); when it stops refusing, this passes and the streaming detour in `mt publish --check` can go."""
    result, corpus, _ = build(tmp_path, ["bank"])
    assert result.exit_code == 0, result.output
    try:
        loaded = load_dataset(str(corpus), "pairs", split="train", cache_dir=str(tmp_path / "datasets"))
    except ValueError as error:
        pytest.xfail(f"datasets cannot load a split with no rows: {error}")
    assert loaded.num_rows == 0


NO_PAIR_REASONS = [
    # (case, the events' articles (None: a corpus without an events table), the reason given)
    ("both articles in one event", [["bank", "football"]], NO_PAIRS),
    ("each article an event of its own", [["bank"], ["football"]], OWN_EVENTS),
    ("an older corpus, without events", None, NO_PAIRS),
    ("two aligned articles in one event, captions in another", [["bank", "football"], ["captions"]], NO_PAIRS),
]


@pytest.mark.parametrize("case, events, reason", NO_PAIR_REASONS, ids=[row[0] for row in NO_PAIR_REASONS])
def test_the_reason_for_no_pairs_follows_the_events(case, events, reason):
    """Articles in different events were never compared: saying the threshold is too high would send a reader the
    wrong way."""
    from mt.publishing.notes import alignment_notes

    articles = [{"article": name, "outlet": None, "title": None, "aligned": 0 if name == "captions" else 1}
                for name in ("bank", "football", "captions")]
    tables = {"articles": articles, "segments": [], "pairs": [], "facts": []}
    if events is not None:
        tables["events"] = [{"articles": members} for members in events]
    assert reason in " ".join(alignment_notes(tables))


LONG_TITLE = "Central bank raises interest rates for the third time this year to fight inflation"

LABELS = [
    # (article name, outlet, title, first headline, label)
    ("000_9f9b6322790e96fd", "Gazeta.pl", "Troops arrive", "Headline", "Gazeta.pl"),
    ("000_9f9b6322790e96fd", None, "Troops arrive in Almaty", "Headline", "unknown outlet: ‹Troops arrive in Almaty›"),
    ("000_9f9b6322790e96fd", None, LONG_TITLE, None, "unknown outlet: ‹Central bank raises interest rates for…›"),
    ("000_9f9b6322790e96fd", None, "  Troops\narrive  ", None, "unknown outlet: ‹Troops arrive›"),
    ("000_9f9b6322790e96fd", None, None, "CSTO troops land in Almaty", "unknown outlet: ‹CSTO troops land in Almaty›"),
    ("000_9f9b6322790e96fd", None, None, LONG_TITLE, "unknown outlet: ‹Central bank raises interest rates for…›"),
    ("000_9f9b6322790e96fd", "", "", None, "unknown outlet: ‹article 000›"),
    ("000_9f9b6322790e96fd", None, None, None, "unknown outlet: ‹article 000›"),
    ("kz-news_0a1b2c3d", None, None, None, "unknown outlet: ‹article kz-news›"),
    ("9f9b6322790e96fdab12", None, None, None, "unknown outlet: ‹article 9f9b632›"),
    ("bank", None, None, None, "unknown outlet: ‹bank›"),
    ("reuters_2022_01_06", None, None, None, "unknown outlet: ‹reuters_2022_01_06›"),
    ("x", None, "Supercalifragilisticexpialidocious-and-even-longer-than-that", None,
     "unknown outlet: ‹Supercalifragilisticexpialidocious-and-e…›"),
]


@pytest.mark.parametrize("name, outlet, title, headline, label", LABELS)
def test_the_outlet_label_rule(name, outlet, title, headline, label):
    assert outlet_label(name, outlet, title, headline) == label
    info = ArticleInfo(name, f"{name}.txt", outlet=outlet, title=title)
    assert info.outlet_label(headline) == label
    segments = [Segment(f"{name}:0000", name, 0, "headline", "en", headline, 0, len(headline))] if headline else []
    metadata = {key: value for key, value in (("outlet", outlet), ("title", title)) if value is not None}
    assert Article(name, f"{name}.txt", "en", segments, metadata).label == label, "the terminal shows the same label"


TRANSLATIONS = [
    # (models recorded in the segments, what the card must say, must not say, tags)
    ({}, "No translation was needed: the articles are in English.", "machine-translated", set()),
    ({"reference": None}, "took their English from human reference translations; no machine translation was used",
     "machine-translated", set()),
    ({"Helsinki-NLP/opus-mt-pl-en": "abc123"}, "machine-translated to English with `Helsinki-NLP/opus-mt-pl-en`.",
     "from human reference translations", {"machine-translation", "marian"}),
    ({"Helsinki-NLP/opus-mt-pl-en": "abc123", "reference": None},
     "machine-translated to English with `Helsinki-NLP/opus-mt-pl-en`, and others took their English from human reference translations",
     "No translation was needed", {"machine-translation", "marian"}),
]


@pytest.mark.parametrize("models, said, unsaid, tags", TRANSLATIONS)
def test_the_card_states_the_translation_that_was_done(models, said, unsaid, tags):
    segments = [Segment("a:0000", "a", 0, "body", "en", "Troops arrived.", 0, 15, english="Troops arrived.")]
    segments += [Segment(f"b:{i:04d}", "b", i, "body", "pl", "Przybyli.", 0, 9, english="They arrived.", translation_model=model,
                         translation_model_revision=revision) for i, (model, revision) in enumerate(models.items())]
    articles = [ArticleInfo("a", "a.txt", lang="en", segments=1), ArticleInfo("b", "b.txt", lang="pl", segments=len(models))]
    corpus = Corpus(articles, segments, [], [], Provenance("mt build articles -o corpus", "0.1.0", models), ("body", "headline"))
    tables = corpus_tables(corpus)
    card = dataset_card(tables, {name: len(rows) for name, rows in tables.items()}, {name: (0, 0) for name in tables}, corpus.provenance)
    prose = card.split("\n---\n", 1)[1]
    assert said in prose and unsaid not in prose
    assert {"machine-translation", "marian"} & set(DatasetCard(card).data.tags) == tags
    assert "No pairs" in report_pages(tables, title="Report", kinds=("body", "headline"))["report.html"]
