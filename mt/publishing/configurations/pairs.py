"""`pairs` (the default): two segments of different articles that report the same fact, with every signal."""

from __future__ import annotations

from alignments.signals import SIGNALS, describe_signal, signal_names
from mt.publishing.columns import Column, Configuration


def _signal(name: str) -> Column:
    return Column(name, "float32", lambda p, c: p.signals.get(name), f"Signal: {describe_signal(name)}")


CONFIGURATION = Configuration(
    name="pairs",
    stable_rows=True,
    default=True,
    summary=lambda rows: (
        f"- `pairs` (default, {rows} rows): two segments from different articles that report the same fact, "
        "with the outlets, the original texts, their English, the combined `score` and each signal "
        f"({', '.join(f'`{name}`' for name in signal_names())}), and the `fact_id` they belong to (null for a pair too weak "
        "to stand as a fact of its own). Two members of a fact from different articles are a pair where they reach "
        "the fact coherence, not the threshold. `ids_a`/`ids_b` hold two ids where a fact is split over two adjacent sentences."),
    records=lambda corpus: sorted(corpus.pairs, key=lambda p: (p.id_a, p.id_b)),
    columns=(
        Column("id_a", "string", lambda p, c: p.id_a, "The first segment of side a."),
        Column("id_b", "string", lambda p, c: p.id_b, "The first segment of side b."),
        Column("article_a", "string", lambda p, c: p.article_a, "Side a's article."),
        Column("article_b", "string", lambda p, c: p.article_b, "Side b's article."),
        Column("outlet_a", "string", lambda p, c: c.outlet(p.article_a), "Who published side a."),
        Column("outlet_b", "string", lambda p, c: c.outlet(p.article_b), "Who published side b."),
        Column("lang_a", "string", lambda p, c: c.by_id[p.id_a].lang, "Side a's language."),
        Column("lang_b", "string", lambda p, c: c.by_id[p.id_b].lang, "Side b's language."),
        Column("ids_a", ["string"], lambda p, c: list(p.ids_a), "Side a's segments: one, or two adjacent ones."),
        Column("ids_b", ["string"], lambda p, c: list(p.ids_b), "Side b's segments."),
        Column("text_a", "string", lambda p, c: c.join(p.ids_a, "text"), "Side a's original text."),
        Column("text_b", "string", lambda p, c: c.join(p.ids_b, "text"), "Side b's original text."),
        Column("english_a", "string", lambda p, c: c.join(p.ids_a, "english"), "Side a's English."),
        Column("english_b", "string", lambda p, c: c.join(p.ids_b, "english"), "Side b's English."),
        Column("score", "float32", lambda p, c: p.score, "The combined score: the weighted sum of the weighted signals."),
        *(_signal(name) for name in SIGNALS),
        Column("fact_id", "string", lambda p, c: p.fact_id, "The fact the pair belongs to (null: too weak to stand as a fact)."),
        Column("event_id", "string", lambda p, c: c.pair_event(p), "The event both articles belong to (see `events`)."),
    ),
)
