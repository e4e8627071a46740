"""The corpus for a reader: one self-contained HTML page, the facts side by side.

The page opens on the list of events (the stories the articles were grouped
into); each opens into its own table, where each fact is a row and each of the
event's articles a column (its outlet, language and date in the header): the
original sentence, its English, a language badge. Facts with disagreements come
first, highlighted, with the outlets' values side by side; every article's
sentences that matched nothing can be opened below its event; a search box
filters everything and opens the events it finds something in. A corpus of one
event opens on that event. No server, no network: the styles and the
script are inline (the template is mt/publishing/templates/report.html.j2).

Every value in the page comes from the articles and their sidecars, so none of
it is trusted: Jinja escapes all of it, a URL becomes a link only when it is
http or https, and a Content-Security-Policy lets the browser run the page's
own inline script (by its hash) and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

import jinja2
import pyarrow.parquet as pq
from markupsafe import Markup, escape

from mt.atomic import atomic_file
from mt.languages import language_name
from mt.publishing.configurations import CONFIGURATIONS
from mt.publishing.errors import ReportError
from mt.publishing.layout import DATA_FILE, PRETTY_NAME, REPORT_FILE
from mt.publishing.notes import alignment_notes, article_headlines, article_labels
from mt.records import UNKNOWN, event_id_for, stand_in


def render_report(tables: dict[str, list[dict[str, Any]]], *, title: str, kinds: Sequence[str]) -> str:
    """The HTML page for the tables of a corpus (as `Corpus.tables` gives them or parquet holds them);
    `kinds`: the segment kinds that took part in alignment, whose unpaired sentences are listed as unmatched."""
    environment = jinja2.Environment(loader=jinja2.PackageLoader("mt.publishing", "templates"), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.filters["csp_hash"] = csp_hash
    return environment.get_template("report.html.j2").render(title=title, **report_context(tables, kinds))


def report_context(tables: dict[str, list[dict[str, Any]]], kinds: Sequence[str]) -> dict[str, Any]:
    """What the template shows: the events, each with its articles (columns), its facts (rows) and its articles'
    unmatched sentences, and why nothing aligned where that is so. An article with no outlet is headed `unknown outlet`
    with its stand-in. Each fact row has a cell for the articles of its own event only, so the page grows with the
    articles, not with articles x facts."""
    found = article_headlines(tables)
    labels = article_labels(tables)
    articles = {a["article"]: {**a, "label": labels[a["article"]], "language_name": language_name(a["language"]),
                               "link": safe_link(a["url"]),
                               "stand_in": None if a["outlet"] else stand_in(a["article"], a["title"], found.get(a["article"]))}
                for a in tables["articles"]}
    events = event_rows(tables)
    event_of = {article: event["event_id"] for event in events for article in event["articles"]}
    facts: dict[str, list[dict[str, Any]]] = {}
    for fact in tables["facts"]:
        event_id = fact.get("event_id") or event_of.get(min((m["article"] for m in fact["members"]), default=""))
        facts.setdefault(event_id, []).append(fact)
    paired = {i for pair in tables["pairs"] for i in pair["ids_a"] + pair["ids_b"]}
    alone: dict[str, list[dict[str, Any]]] = {}
    for segment in tables["segments"]:
        if segment["kind"] in kinds and segment["id"] not in paired:
            alone.setdefault(segment["article"], []).append(segment)
    sections = []
    for event in events:
        columns = [articles[name] for name in event["articles"] if name in articles]
        order = [a["article"] for a in columns]
        rows = [_fact_row(fact, order) for fact in facts.get(event["event_id"], [])]
        unmatched = [{"article": article, "segments": alone.get(article["article"], [])} for article in columns]
        sections.append({**event, "title": event.get("title") or _untitled(event, articles), "columns": columns,
                         "facts": rows, "unmatched": unmatched,
                         "languages": event.get("languages") or sorted({a["language"] for a in columns}),
                         "n_disagreements": sum(len(f["disagreements"]) for f in rows)})
    return {"events": sections, "open": len(sections) == 1, "names": labels,
            "notes": alignment_notes(tables, kinds), "unknown": UNKNOWN,
            "counts": {name: len(rows) for name, rows in tables.items()} | {"events": len(sections)},
            "n_disagreements": sum(len(f["disagreements"]) for f in tables["facts"])}


def event_rows(tables: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The `events` rows; a corpus published before events (no such table) is one event of all its articles."""
    if "events" in tables:
        return list(tables["events"])
    names = sorted(a["article"] for a in tables["articles"])
    return [{"event_id": event_id_for(names), "title": None, "articles": names, "dates": []}]


def _untitled(event: dict[str, Any], articles: dict[str, dict[str, Any]]) -> str:
    """What stands for an event with no headline: its first article's stand-in."""
    first = articles.get(event["articles"][0]) if event["articles"] else None
    return f"‹{first['stand_in'] or first['label']}›" if first else "untitled event"


def _fact_row(fact: dict[str, Any], order: Sequence[str]) -> dict[str, Any]:
    """A fact with its members' cells, one per article of its event (None: the article says nothing of it)."""
    disputed = {d["quantity"] for d in fact["disagreements"]}
    marks: dict[str, list[str]] = {}
    for count in fact["counts"]:
        if count["counts"] in disputed:
            marks.setdefault(count["segment"], []).append(count["text"])
    cells: dict[str, list[dict[str, Any]]] = {}
    for member in fact["members"]:
        cells.setdefault(member["article"], []).append({
            **member, "english_html": _marked(member["english"] or "", marks.get(member["id"], [])),
            "translated": (member["english"] or "") != member["text"],
        })
    return {**fact, "cells": [cells.get(name) for name in order]}


LINK_SCHEMES = ("http", "https")
"""The only URL schemes the report makes links of: javascript:, data:, vbscript: and the rest would run or embed code."""


def safe_link(url: str | None) -> str | None:
    """`url` when it may be a link (http or https, with a host), else None and the page shows it as text.

    Browsers drop tabs and newlines inside a URL and skip leading control characters, so "java", a tab, "script:"
    runs as javascript:; a URL with any whitespace, control or invisible format character is therefore never a link.
    A protocol-relative "//host/path" has no scheme and is refused too.
    """
    if not url or any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # a malformed host, such as an unclosed IPv6 bracket
        return None
    return url if parts.scheme.lower() in LINK_SCHEMES and parts.netloc else None


def csp_hash(source: str) -> str:
    """`sha256-<base64>`: the Content-Security-Policy hash that allows exactly this inline script or style text."""
    return "sha256-" + base64.b64encode(hashlib.sha256(str(source).encode("utf-8")).digest()).decode("ascii")


def _marked(text: str, words: list[str]) -> Markup:
    """`text` escaped, with each of `words` (the disputed counts) wrapped in <mark>."""
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)))
    pieces, last = [], 0
    for match in pattern.finditer(text):
        pieces += [escape(text[last:match.start()]), Markup("<mark>"), escape(match.group(0)), Markup("</mark>")]
        last = match.end()
    pieces.append(escape(text[last:]))
    return Markup("").join(pieces)


OPTIONAL_TABLES = ("events",)
"""Configurations a corpus published by an earlier version lacks: its report is rendered without them."""


def read_tables(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Every configuration of a published corpus folder, as lists of rows."""
    tables = {}
    for config in (c.name for c in CONFIGURATIONS):
        path = folder / DATA_FILE.format(config=config)
        if config in OPTIONAL_TABLES and not path.is_file():
            continue
        if not path.is_file():
            raise ReportError(f"{folder}: not a corpus folder of this toolkit ({DATA_FILE.format(config=config)} is missing; "
                              "run `mt publish` or `mt build`)")
        try:
            tables[config] = pq.read_table(path).to_pylist()
        except Exception as error:  # pyarrow raises several kinds for a damaged file
            raise ReportError(f"{path}: cannot read the parquet file ({error})") from None
    return tables


def write_report(folder: Path, output: Path | None = None, *, kinds: Sequence[str]) -> Path:
    """Render the report of a corpus folder into `output` (default: report.html inside it), atomically."""
    output = output or folder / REPORT_FILE
    page = render_report(read_tables(folder), title=PRETTY_NAME, kinds=kinds)
    with atomic_file(output) as staging:
        staging.write_text(page, encoding="utf-8")
    return output
