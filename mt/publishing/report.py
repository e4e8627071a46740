"""The corpus for a reader: one self-contained HTML page, the facts side by side.

Each fact is a row and each article a column (its outlet, language and date
in the header): the original sentence, its English, a language badge. Facts
with disagreements come first, highlighted, with the outlets' values side by
side; every article's sentences that matched nothing can be opened below; a
search box filters everything. No server, no network: the styles and the
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
from mt.records import UNKNOWN, stand_in


def render_report(tables: dict[str, list[dict[str, Any]]], *, title: str, kinds: Sequence[str]) -> str:
    """The HTML page for the tables of a corpus (as `Corpus.tables` gives them or parquet holds them);
    `kinds`: the segment kinds that took part in alignment, whose unpaired sentences are listed as unmatched."""
    environment = jinja2.Environment(loader=jinja2.PackageLoader("mt.publishing", "templates"), autoescape=True,
                                     trim_blocks=True, lstrip_blocks=True)
    environment.filters["csp_hash"] = csp_hash
    return environment.get_template("report.html.j2").render(title=title, **report_context(tables, kinds))


def report_context(tables: dict[str, list[dict[str, Any]]], kinds: Sequence[str]) -> dict[str, Any]:
    """What the template shows: the outlets (columns), the facts (rows), each article's unmatched sentences, and
    why nothing aligned where that is so. An article with no outlet is headed `unknown outlet` with its stand-in."""
    found = article_headlines(tables)
    labels = article_labels(tables)
    articles = [{**a, "label": labels[a["article"]], "language_name": language_name(a["language"]), "link": safe_link(a["url"]),
                 "stand_in": None if a["outlet"] else stand_in(a["article"], a["title"], found.get(a["article"]))}
                for a in tables["articles"]]
    order = [a["article"] for a in articles]
    facts = []
    for fact in tables["facts"]:
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
        facts.append({**fact, "cells": [cells.get(name) for name in order]})
    paired = {i for pair in tables["pairs"] for i in pair["ids_a"] + pair["ids_b"]}
    alone: dict[str, list[dict[str, Any]]] = {}
    for segment in tables["segments"]:
        if segment["kind"] in kinds and segment["id"] not in paired:
            alone.setdefault(segment["article"], []).append(segment)
    unmatched = [{"article": article, "segments": alone.get(article["article"], [])} for article in articles]
    return {"articles": articles, "facts": facts, "unmatched": unmatched, "names": labels,
            "notes": alignment_notes(tables, kinds), "unknown": UNKNOWN,
            "counts": {name: len(rows) for name, rows in tables.items()},
            "n_disagreements": sum(len(f["disagreements"]) for f in tables["facts"])}


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


def read_tables(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Every configuration of a published corpus folder, as lists of rows."""
    tables = {}
    for config in (c.name for c in CONFIGURATIONS):
        path = folder / DATA_FILE.format(config=config)
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
