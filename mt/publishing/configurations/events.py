"""`events`: one row per event, the articles that report one story (alignments/events.py groups them), with its
title, outlets, languages, dates and how many pairs, facts and disagreements were found in it."""

from __future__ import annotations

from mt.publishing.columns import Column, Configuration
from mt.publishing.corpus import Corpus
from mt.records import Event


def central(event: Event, corpus: Corpus) -> str:
    """The event's most central article: the one grouping found closest to all the others, else (no vectors at
    publishing time) the one in most of its facts, then the first by name."""
    if event.central:
        return event.central
    in_facts = corpus.per_article["facts"]
    return min(event.articles, key=lambda article: (-in_facts[article], article))


def title(event: Event, corpus: Corpus) -> str | None:
    """The central article's title, else its first headline; None when it has neither."""
    article = central(event, corpus)
    info = corpus.info.get(article)
    return (info.title if info and info.title else None) or corpus.headlines.get(article)


def _languages(event: Event, corpus: Corpus) -> list[str]:
    return sorted({(corpus.info[a].language or corpus.info[a].lang) if a in corpus.info else "und" for a in event.articles})


def _dates(event: Event, corpus: Corpus) -> list[str]:
    return sorted({corpus.info[a].published for a in event.articles if a in corpus.info and corpus.info[a].published})


CONFIGURATION = Configuration(
    name="events",
    summary=lambda rows: (
        f"- `events` ({rows} rows): one row per event, the articles that report one story across outlets and languages; "
        "sentences were aligned only within an event, so a fact never spans two. `title` is the headline of its most "
        "central article; `articles`, `outlets`, `languages` and `dates` say who reported it and when; `n_pairs`, "
        "`n_facts` and `n_disagreements` what was found in it. `event_id` links it to `articles`, `pairs` and `facts`."),
    records=lambda corpus: corpus.event_list,
    columns=(
        Column("event_id", "string", lambda e, c: e.event_id, "Stable id: a hash of its articles' sorted names."),
        Column("title", "string", title, "The headline (title, else first headline) of its most central article."),
        Column("central_article", "string", central,
               "Its most central article: the closest to all the others, else the one in most of its facts."),
        Column("n_articles", "int32", lambda e, c: len(e.articles), "How many articles report it."),
        Column("articles", ["string"], lambda e, c: list(e.articles), "Its articles' names, sorted."),
        Column("outlets", ["string"], lambda e, c: [c.outlet(a) for a in e.articles], "Who published each article, in the same order."),
        Column("languages", ["string"], _languages, "The languages of its articles."),
        Column("dates", ["string"], _dates, "Its articles' publication dates, as the sources give them (unknown ones left out)."),
        Column("n_pairs", "int32", lambda e, c: c.per_event["pairs"][e.event_id], "Pairs between its articles."),
        Column("n_facts", "int32", lambda e, c: c.per_event["facts"][e.event_id], "Facts among its articles."),
        Column("n_disagreements", "int32", lambda e, c: c.per_event["disagreements"][e.event_id],
               "Quantities its outlets give different numbers for, summed over its facts."),
    ),
)
