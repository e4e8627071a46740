"""`facts`: n-way facts in reading order, each with a summary, its members by outlet and the counts they give."""

from __future__ import annotations

from alignments.facts import reading_order
from mt.publishing.columns import Column, Configuration

MEMBER = {"article": "string", "outlet": "string", "id": "string", "lang": "string", "text": "string", "english": "string",
          "central": "bool"}
COUNT = {"article": "string", "outlet": "string", "segment": "string", "counts": "string", "value": "float64",
         "qualifier": "string", "text": "string"}
DISAGREEMENT = {"quantity": "string", "compatible": "bool", "values": [{"article": "string", "outlet": "string", "value": "string"}]}


def _members(f, c) -> list[dict]:
    return [{"article": article, "outlet": c.outlet(article), "id": i, "lang": c.by_id[i].lang, "text": c.by_id[i].text,
             "english": c.by_id[i].english, "central": i in f.central}
            for article, ids in sorted(f.members.items()) for i in ids]


def _counts(f, c) -> list[dict]:
    return [{"article": n.article, "outlet": c.outlet(n.article), "segment": n.segment, "counts": n.counts, "value": n.value,
             "qualifier": n.qualifier, "text": n.text} for n in f.counts]


def _disagreements(f, c) -> list[dict]:
    return [{"quantity": d.quantity, "compatible": d.compatible,
             "values": [{"article": a, "outlet": c.outlet(a), "value": v} for a, v in sorted(d.values.items())]}
            for d in f.disagreements]


CONFIGURATION = Configuration(
    name="facts",
    stable_rows=True,
    summary=lambda rows: (
        f"- `facts` ({rows} rows): n-way facts across two or more articles, disagreements first, then by the "
        "number of outlets. `summary` is the English of the most central member; `members` gives each member's outlet, "
        "language, original text and English; `counts` every number a member gives, as a value, a qualifier "
        "(\"more than\", \"about\") and the original words, with what it counts; `disagreements` the counts of one "
        "quantity on which outlets differ, and whether one true number could satisfy them all given their qualifiers "
        "(`compatible`: \"more than 2,600\" and \"3,600\" can both be right; \"more than 1,300\" and \"about 1000\" cannot). "
        "Contradictions come first."),
    records=lambda corpus: sorted(corpus.facts, key=reading_order),
    columns=(
        Column("fact_id", "string", lambda f, c: f.fact_id, "Stable id of the fact."),
        Column("summary", "string", lambda f, c: c.join(f.central, "english") if f.central else None,
               "The English of the member closest to all the others."),
        Column("event_id", "string", lambda f, c: c.fact_event(f), "The event its articles belong to (see `events`)."),
        Column("n_articles", "int32", lambda f, c: f.n_articles, "How many articles report it."),
        Column("outlets", ["string"], lambda f, c: [c.outlet(article) for article in sorted(f.members)], "Who reports it."),
        Column("n_disagreements", "int32", lambda f, c: len(f.disagreements), "How many quantities the outlets disagree on."),
        Column("members", [MEMBER], _members, "Each member segment: outlet, language, original text, English, whether central."),
        Column("counts", [COUNT], _counts, "Every number a member gives: value, qualifier, the words, what it counts."),
        Column("disagreements", [DISAGREEMENT], _disagreements,
               "Quantities the outlets give different numbers for, and whether the numbers can all be true."),
    ),
)
