"""What the card and the report tell a reader beyond the rows: who an article with no outlet is, and why the
corpus has no pairs or no facts.

Both read the published tables (a corpus being written, or one read back from parquet by `mt report`), so a
reader finds the same labels and the same reasons in both. Zero pairs is a valid result, not an error: the
notes say whether to add articles, lower the threshold or look at the input.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from mt.records import headlines, outlet_label

Tables = Mapping[str, Sequence[Mapping[str, Any]]]


def article_headlines(tables: Tables) -> dict[str, str]:
    """Each article's first headline segment, from the `segments` rows (in reading order)."""
    return headlines((row["article"], row["kind"], row["text"]) for row in tables["segments"])


def headline_rows(tables: Tables) -> dict[str, Mapping[str, Any]]:
    """Each article's first headline row (`article_headlines`, with its English and the rest of the row)."""
    found: dict[str, Mapping[str, Any]] = {}
    for row in tables["segments"]:
        if row["kind"] == "headline":
            found.setdefault(row["article"], row)
    return found


def english_title(event: Mapping[str, Any], headline: Mapping[str, Any]) -> str | None:
    """The English of an event's title where the title is its central article's headline (`headline`) in another
    language, so that a reader of the report and of the card can tell what the story is; else None."""
    english = headline.get("english") if event.get("title") and event.get("title") == headline.get("text") else None
    return english if english and english != event["title"] else None


def english_titles(tables: Tables) -> dict[str, str]:
    """`english_title` of every event that has one, by event id."""
    first = headline_rows(tables)
    found = {e["event_id"]: english_title(e, first.get(e.get("central_article") or "", {})) for e in tables["events"]}
    return {event_id: english for event_id, english in found.items() if english}


def article_labels(tables: Tables) -> dict[str, str]:
    """Each article's outlet as a reader sees it (mt.records.outlet_label), by article name."""
    found = article_headlines(tables)
    return {a["article"]: outlet_label(a["article"], a["outlet"], a["title"], found.get(a["article"]))
            for a in tables["articles"]}


def alignment_notes(tables: Tables, kinds: Sequence[str] = (), alignment: Mapping[str, Any] | None = None) -> list[str]:
    """Plain sentences (no markup) on what did not align and why: articles with nothing to align, sentences left
    out for flagged translations, no pairs, no facts. `alignment`: the settings the alignment recorded (the card
    has them; `mt report` does not), for the threshold and the flagged counts."""
    alignment = alignment or {}
    kinds = list(kinds or alignment.get("kinds") or [])
    of_kinds = f" ({', '.join(kinds)})" if kinds else ""
    labels = article_labels(tables)
    taking_part = [a for a in tables["articles"] if a["aligned"]]
    notes = [f"The article {_named(a['article'], labels)} has no sentence of the kinds that are aligned{of_kinds}: "
             "it was compared with nothing." for a in tables["articles"] if not a["aligned"]]
    flagged = alignment.get("skipped_for_flags") or {}
    if sum(flagged.values()):
        by_flag = ", ".join(f"{flag} {n}" for flag, n in sorted(flagged.items()) if n)
        notes.append(f"{sum(flagged.values())} sentence(s) were left out of alignment because their translation is flagged ({by_flag}).")
    if not tables["pairs"]:
        notes.append(_why_no_pairs(taking_part, labels, of_kinds, alignment.get("threshold"), tables.get("events", ())))
    if not tables["facts"]:
        notes.append("No facts: a fact groups pairs, and there are none." if not tables["pairs"] else
                     "No facts: no pair was strong enough to stand as a fact of its own (alignment.fact_alone_score).")
    return notes


def _why_no_pairs(taking_part: Sequence[Mapping[str, Any]], labels: Mapping[str, str], of_kinds: str,
                  threshold: float | None, events: Sequence[Mapping[str, Any]] = ()) -> str:
    """The likely reason for zero pairs, from how many articles had sentences to align and how they were grouped
    into events (sentences are compared only within one)."""
    if not taking_part:
        return f"No pairs: no article has a sentence of the kinds that are aligned{of_kinds}."
    if len(taking_part) == 1:
        return (f"No pairs: only one article, {_named(taking_part[0]['article'], labels)}, has sentences to align, and a pair needs "
                "sentences from two different articles. Add articles that report the same events.")
    aligned = {a["article"] for a in taking_part}
    if events and all(len(aligned.intersection(e["articles"])) <= 1 for e in events):
        return (f"No pairs: the {len(aligned)} articles with sentences to align report different stories: each is an "
                "event of its own, and sentences are compared only within an event (events.min_similarity in a "
                "--config file sets how alike two articles must be to be one event).")
    sentences = sum(a["aligned"] for a in taking_part)
    reached = f"the threshold ({threshold})" if threshold is not None else "the threshold"
    return (f"No pairs: no two sentences of different articles reached {reached}. Likely reasons: the articles share "
            "no event; the threshold is too high for them (alignment.threshold in a --config file, or mt align --threshold); "
            f"too few alignable sentences ({sentences} in {len(taking_part)} articles) to compare.")


def _named(article: str, labels: Mapping[str, str]) -> str:
    """An article as the notes name it: its name (the file a user can open) and who published it."""
    return f"{article} ({labels[article]})"
