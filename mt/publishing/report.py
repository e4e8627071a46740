"""The corpus for a reader: self-contained HTML pages, the facts side by side.

report.html lists the events (the stories the articles were grouped into), with
their outlets, languages, dates and counts, and a search box over them; each
event has its own page in report/ (a table where each fact is a row and each of
the event's articles a column: the original sentence, its English, a language
badge). Facts with disagreements come first, highlighted, with the outlets'
values side by side; every article's sentences that matched nothing can be
opened below; a search box filters the facts. A corpus of one event is that
event's page alone, in report.html. So no page grows with the corpus: the list
grows by a row an event, and an event's page with its own articles. No server,
no network: the styles and the scripts are inline (the templates are in
mt/publishing/templates/).

Every value in the page comes from the articles and their sidecars, so none of
it is trusted: Jinja escapes all of it, a URL becomes a link only when it is
http or https, and a Content-Security-Policy lets the browser run the page's
own inline script (by its hash) and nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any, NamedTuple, Sequence
from urllib.parse import urlsplit

import jinja2
import pyarrow.parquet as pq
from markupsafe import Markup, escape

from mt.atomic import atomic_file, atomic_folder, is_own_output, mark_as_own, remove_tree
from mt.languages import language_name
from mt.publishing.configurations import CONFIGURATIONS
from mt.publishing.errors import ReportError
from mt.publishing.layout import DATA_FILE, PRETTY_NAME, REPORT_FILE
from mt.publishing.notes import alignment_notes, article_headlines, article_labels, english_title, headline_rows
from mt.records import UNKNOWN, event_id_for, stand_in


class KeptPage(NamedTuple):
    """An event's page as a call of `report_pages` made it."""

    rows: tuple
    """What its section was made from: the event's row, its articles, facts and unmatched segments, its headline."""
    section: dict[str, Any]
    html: str
    made_for: tuple[str, str]
    """The corpus title and the index the page was rendered under."""


KeptPages = dict[str, KeptPage]
"""Each event's page as the last call made it, by event id."""


def report_pages(tables: dict[str, list[dict[str, Any]]], *, title: str, kinds: Sequence[str],
                 index: str = REPORT_FILE, kept: KeptPages | None = None) -> dict[str, str]:
    """The report's HTML pages by their path relative to the index's folder, for the tables of a corpus (as
    `Corpus.tables` gives them or parquet holds them): `index` and, with several events, one page per event in the
    folder named after the index (report.html -> report/). `kinds`: the segment kinds that took part in alignment,
    whose unpaired sentences are listed as unmatched. `kept`: the pages an earlier call made, by a process that
    publishes again and again (`mt watch`): an event whose rows are all equal to the earlier ones is not made
    again; it is replaced by this call's pages."""
    environment = jinja2.Environment(loader=jinja2.PackageLoader("mt.publishing", "templates"), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.filters["csp_hash"] = csp_hash
    made: dict[str, tuple[tuple, dict[str, Any]]] = {}
    context = report_context(tables, kinds, kept, made)
    event_page = environment.get_template("report.html.j2")
    if len(context["events"]) <= 1:
        return {index: event_page.render(title=title, **context, back=None)}
    folder = pages_folder(index)
    pages, now = {}, {}
    for event in context["events"]:
        event["page"] = f"{folder}/{event['file']}"
        earlier = kept.get(event["event_id"]) if kept is not None else None
        if earlier is not None and earlier.section is event and earlier.made_for == (title, index):
            pages[event["page"]] = earlier.html
        else:
            pages[event["page"]] = event_page.render(
                title=event["title"], corpus_title=title, events=[event], open=True, names=context["names"], notes=[],
                unknown=UNKNOWN, counts=event["counts"], n_disagreements=event["n_disagreements"], back=f"../{index}")
        rows, section = made[event["event_id"]]
        now[event["event_id"]] = KeptPage(rows, section, pages[event["page"]], (title, index))
    if kept is not None:
        kept.clear()
        kept.update(now)
    return {index: environment.get_template("report_index.html.j2").render(title=title, **context), **pages}


def pages_folder(index: str) -> str:
    """The folder beside the index that holds the events' pages: the index's name without .html."""
    return index[:-len(".html")] if index.endswith(".html") and len(index) > len(".html") else f"{index}-events"


def report_context(tables: dict[str, list[dict[str, Any]]], kinds: Sequence[str], kept: KeptPages | None = None,
                   made: dict[str, tuple[tuple, dict[str, Any]]] | None = None) -> dict[str, Any]:
    """What the template shows: the events, each with its articles (columns), its facts (rows) and its articles'
    unmatched sentences, and why nothing aligned where that is so. An event titled by a headline in another language
    also gets that headline's English. An article with no outlet is headed `unknown outlet` with its stand-in. Each
    fact row has a cell for the articles of its own event only, so a page grows with its event, not the corpus.
    `kept`: as for `report_pages`, whose event sections are reused where made from equal rows; `made` receives
    what this call's sections were made from, and the sections."""
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
    first_headline = headline_rows(tables)
    segments: Counter[str] = Counter()
    for segment in tables["segments"]:
        segments[segment["article"]] += 1
        if segment["kind"] in kinds and segment["id"] not in paired:
            alone.setdefault(segment["article"], []).append(segment)
    pairs = Counter(event_of.get(pair["article_a"]) for pair in tables["pairs"])
    sections = []
    files = page_files([event["event_id"] for event in events])
    for event in events:
        columns = [articles[name] for name in event["articles"] if name in articles]
        order = [a["article"] for a in columns]
        headline = first_headline.get(event.get("central_article") or "", {})
        made_from = (event, columns, facts.get(event["event_id"], []), [alone.get(name, []) for name in order], headline,
                     files[event["event_id"]], pairs[event["event_id"]], [segments[a] for a in order])
        earlier = kept.get(event["event_id"]) if kept is not None else None
        if earlier is not None and earlier.rows == made_from:
            section = earlier.section
        else:
            rows = [_fact_row(fact, order) for fact in made_from[2]]
            unmatched = [{"article": article, "segments": alone.get(article["article"], [])} for article in columns]
            section = {**event, "title": event.get("title") or _untitled(event, articles), "columns": columns,
                       "title_english": english_title(event, headline),
                       "facts": rows, "unmatched": unmatched, "file": files[event["event_id"]],
                       "outlet_names": list(dict.fromkeys(a["label"] for a in columns)),
                       "languages": event.get("languages") or sorted({a["language"] for a in columns}),
                       "n_disagreements": sum(len(f["disagreements"]) for f in rows),
                       "counts": {"events": 1, "articles": len(columns), "facts": len(rows),
                                  "pairs": pairs[event["event_id"]], "segments": sum(segments[a] for a in order)}}
        if made is not None:
            made[event["event_id"]] = (made_from, section)
        sections.append(section)
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


SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
"""An event id used as it is for its page's file name (the toolkit's ids are `event-` and 12 hex digits)."""


def page_files(event_ids: Sequence[str]) -> dict[str, str]:
    """Each event's page file name: its id, unless the id (from a corpus read back, so untrusted) is no safe file
    name or is repeated case-insensitively, then a hash of it."""
    files: dict[str, str] = {}
    taken: set[str] = set()
    for event_id in event_ids:
        name = event_id if SAFE_FILE_NAME.fullmatch(event_id) else event_id_for([event_id])
        while name.lower() in taken:
            name = event_id_for([name])
        taken.add(name.lower())
        files[event_id] = f"{name}.html"
    return files


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


def write_pages(folder: Path, pages: dict[str, str], previous: Path | None = None) -> None:
    """Write `pages` (report_pages' paths and texts) into `folder`; the events' folder is marked as the toolkit's,
    so that a later `mt report` may replace it. A page that `previous` (the folder this one replaces) holds with the
    same bytes is hard-linked instead: after `mt build --into` most events' pages are unchanged, and removing the
    old folder then frees no blocks (on a disk mounted with `discard`, about 4 ms a freed file)."""
    for name, text in pages.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if previous is None or not _linked_if_same(previous, name, path, data):
            path.write_bytes(data)
    for subfolder in {folder / Path(name).parent for name in pages} - {folder}:
        mark_as_own(subfolder)


def _linked_if_same(previous: Path, name: str, path: Path, data: bytes) -> bool:
    """Hard-link `previous`/`name` at `path` when it is a plain file there (no link on the way) holding `data`;
    False when it is not, or cannot be linked."""
    old = previous / name
    try:
        if os.path.realpath(old) != os.path.join(os.path.realpath(previous), *Path(name).parts) or not old.is_file() \
                or old.stat().st_size != len(data) or old.read_bytes() != data:
            return False
        os.link(old, path)
    except OSError:
        return False
    return True


def write_report(folder: Path, output: Path | None = None, *, kinds: Sequence[str]) -> Path:
    """Render the report of a corpus folder into `output` (default: report.html inside it) and its events' pages
    into the folder beside it, each atomically: the pages first, so the index never links to a missing page."""
    output = output or folder / REPORT_FILE
    pages = report_pages(read_tables(folder), title=PRETTY_NAME, kinds=kinds, index=output.name)
    events = output.parent / pages_folder(output.name)
    if len(pages) > 1:
        with atomic_folder(events) as staging:
            write_pages(staging, {Path(name).name: text for name, text in pages.items() if name != output.name},
                        previous=events if events.is_dir() else None)
    elif events.is_dir() and is_own_output(events):
        remove_tree(events)  # the pages of an earlier report, when the corpus had several events
    with atomic_file(output) as staging:
        staging.write_text(pages[output.name], encoding="utf-8")
    return output
