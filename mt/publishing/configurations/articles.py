"""`articles`: one row per article, with who published it, where, when, and how much of it was aligned."""

from __future__ import annotations

from mt.publishing.columns import Column, Configuration

CONFIGURATION = Configuration(
    name="articles",
    summary=lambda rows: (
        f"- `articles` ({rows} rows): one row per article: outlet, url, publication date, title, language, "
        "notes, where that metadata came from, and how many of its segments were aligned, paired and put in facts."),
    records=lambda corpus: sorted(corpus.articles, key=lambda a: a.name),
    columns=(
        Column("article", "string", lambda a, c: a.name, "The article's name (its file name without extension)."),
        Column("event_id", "string", lambda a, c: c.event_of[a.name], "The event (story) it was grouped into (see `events`)."),
        Column("outlet", "string", lambda a, c: a.outlet, "Who published it (null: unknown)."),
        Column("url", "string", lambda a, c: a.url, "Where it was published."),
        Column("published", "string", lambda a, c: a.published, "When, as the source gives it."),
        Column("title", "string", lambda a, c: a.title, "Its headline."),
        Column("language", "string", lambda a, c: a.language or a.lang, "Its language, as stated, else as detected."),
        Column("detected_language", "string", lambda a, c: a.lang, "The language detected in its text."),
        Column("notes", "string", lambda a, c: a.notes, "Free notes from the metadata."),
        Column("metadata_from", "string", lambda a, c: a.metadata_from, "Where the metadata came from (a sidecar, the HTML, JSON Lines)."),
        Column("segments", "int32", lambda a, c: c.per_article["segments"][a.name], "Its segments."),
        Column("aligned", "int32", lambda a, c: c.per_article["aligned"][a.name], "Its segments of the kinds that take part in alignment."),
        Column("paired", "int32", lambda a, c: c.per_article["paired"][a.name], "Its segments in at least one pair."),
        Column("facts", "int32", lambda a, c: c.per_article["facts"][a.name], "The facts it is in."),
    ),
)
