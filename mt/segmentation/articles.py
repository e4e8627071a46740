"""Article metadata (outlet, url, published, title, language, notes) and the inputs that carry it.

Three ways to say who published an article:
- a sidecar next to the inputs, `articles.yaml` (article name -> fields) or `articles.csv`
  (an `article` column, then any of the fields), which wins over anything else;
- JSON Lines input, one article a line: `text`, an optional `name`, and the fields;
- HTML input, from which trafilatura extracts the main text and the page's title, date,
  site name and URL.

A misspelt field or a sidecar entry that names no input is an error naming the file;
"unknown" or an empty value is the same as leaving the field out.

Text rules (mt/records.py): a lone surrogate in a JSONL line or a YAML sidecar (from an escape
such as `\\ud83d`) is replaced with U+FFFD and noted with its line; a NUL character refuses the
whole file. A sidecar is read as a config is (mt.config.read_yaml): no YAML anchors or aliases,
at most MAX_SETTINGS_BYTES, and only if it is a regular file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
from pathlib import Path
from typing import Any, Iterable

from mt.config import MAX_SETTINGS_BYTES, InputFileError, read_regular_file, read_yaml, spelling_hint
from mt.errors import UserError
from mt.records import ARTICLE_FIELDS, NUL_REFUSED, parse_json_line, surrogates_replaced

SIDECARS = ("articles.yaml", "articles.yml", "articles.csv")
"""Sidecar file names looked for in each input folder (and beside each input file)."""
UNKNOWN = {"", "unknown", "?", "n/a"}

Note = tuple[int, str]
"""(line, message): something wrong with one line of a file that did not stop it being read."""


class ArticleMetadataError(UserError, ValueError):
    """A sidecar or JSONL input whose metadata cannot be used; the message names the file and the entry."""

    def __init__(self, where: str, message: str, line: int | None = None) -> None:
        super().__init__(f"{where}: {message}")
        self.message, self.line = message, line


def clean_metadata(values: dict[str, Any], where: str, line: int | None = None) -> dict[str, str]:
    """Known fields as strings, "unknown" dropped; an unknown field is an error naming `where` and the nearest field."""
    cleaned: dict[str, str] = {}
    for key, value in values.items():
        if key not in ARTICLE_FIELDS:
            raise ArticleMetadataError(where, f"unknown field '{key}'{spelling_hint(key, ARTICLE_FIELDS)}", line)
        if isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        if value is None or str(value).strip().lower() in UNKNOWN:
            continue
        if isinstance(value, (dict, list)):
            raise ArticleMetadataError(where, f"field '{key}' must be text, not {type(value).__name__}", line)
        cleaned[key] = str(value).strip()
    return cleaned


def read_sidecar(path: Path) -> tuple[dict[str, dict[str, str]], list[Note]]:
    """Article name (file stem; a file name is accepted too) -> its metadata, and a note for each line whose lone
    surrogates were replaced."""
    try:
        entries, replaced = csv_entries(path) if path.suffix == ".csv" else read_yaml(path)
    except InputFileError as error:
        raise ArticleMetadataError(str(path), error.reason) from None
    entries = entries or {}
    if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
        raise ArticleMetadataError(str(path), f"expected a mapping of article name -> fields ({', '.join(ARTICLE_FIELDS)})")
    metadata = {Path(str(name)).stem: clean_metadata(fields, f"{path}: article '{name}'") for name, fields in entries.items()}
    return metadata, [(line, surrogates_replaced(count)) for line, count in replaced]


def csv_entries(path: Path) -> tuple[dict[str, dict[str, Any]], list[tuple[int, int]]]:
    """A CSV sidecar's rows by their `article` column, and no replaced surrogates: CSV has no escapes, and decoded
    UTF-8 cannot hold a lone surrogate."""
    try:
        text = read_regular_file(path, MAX_SETTINGS_BYTES, " for a sidecar").decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputFileError(path, "not UTF-8 text") from None
    if "\x00" in text:
        raise InputFileError(path, NUL_REFUSED)
    reader = csv.DictReader(io.StringIO(text))
    try:
        rows = list(reader)
    except csv.Error as error:
        raise InputFileError(path, f"not valid CSV (line {reader.line_num}: {error})") from None
    if rows and "article" not in rows[0]:
        raise InputFileError(path, "needs an 'article' column naming each article (its file name)")
    return {row.pop("article"): row for row in rows}, []


def sidecar_in(folder: Path) -> Path | None:
    """The sidecar of `folder`, if any: whatever has a sidecar's name, so that one that is not a regular file (a FIFO,
    a link loop) is an error naming it rather than silently unused."""
    found = [folder / name for name in SIDECARS if os.path.lexists(folder / name)]
    if len(found) > 1:
        raise ArticleMetadataError(str(folder), f"both {found[0].name} and {found[1].name}; keep one sidecar")
    return found[0] if found else None


def sidecars_for(inputs: Iterable[Path]) -> list[Path]:
    """The sidecar of each input folder, and of the folder of each input file, once each."""
    folders = dict.fromkeys(path if path.is_dir() else path.parent for path in inputs)
    return [sidecar for folder in folders if (sidecar := sidecar_in(folder)) is not None]


def articles_from_jsonl(path: Path, text: str) -> tuple[list[tuple[str, str, dict[str, str]]], list[Note]]:
    """(name, text, metadata) of each line of a JSONL input, `name` defaulting to `<file stem>-<line>`, and a note
    for each line whose lone surrogates were replaced. Lines end at \\n, \\r\\n or \\r only: a JSON string may hold
    U+2028, U+2029 and U+0085, at which str.splitlines would also split."""
    articles = []
    notes: list[Note] = []
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record, replaced = parse_json_line(line)
        except ValueError as error:
            raise ArticleMetadataError(where, str(error), number) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ArticleMetadataError(where, "each line needs a 'text' field holding the article", number)
        name = record.pop("name", None)
        if isinstance(name, (list, dict, bool)):
            raise ArticleMetadataError(where, f"field 'name' must be text, not {json.dumps(name)[:40]}", number)
        if replaced:
            notes.append((number, surrogates_replaced(replaced)))
        body = record.pop("text")
        articles.append((str(name or f"{path.stem}-{number:04d}"), body, clean_metadata(record, where, number)))
    return articles, notes


def article_from_html(path: Path, data: bytes) -> tuple[str, dict[str, str]]:
    """The main text of an HTML page and what its metadata says (trafilatura); empty text if none was found."""
    import trafilatura  # lazy on purpose: only HTML input needs it

    text = trafilatura.extract(data, include_comments=False, include_tables=False, deduplicate=False) or ""
    found = trafilatura.extract_metadata(data)
    metadata: dict[str, Any] = {}
    if found is not None:
        metadata = {"outlet": found.sitename or found.hostname, "url": found.url, "published": found.date, "title": found.title}
    return text, clean_metadata(metadata, str(path))
