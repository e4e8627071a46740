"""Article metadata (outlet, url, published, title, language, notes) and the inputs that carry it.

Three ways to say who published an article:
- a sidecar next to the inputs, `articles.yaml` (article name -> fields) or `articles.csv`
  (an `article` column, then any of the fields), which wins over anything else;
- JSON Lines input, one article a line: `text`, an optional `name`, and the fields;
- HTML input, from which trafilatura extracts the main text and the page's title, date,
  site name and URL.

A misspelt field or a sidecar entry that names no input is an error naming the file;
"unknown" or an empty value is the same as leaving the field out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any, Iterable

import yaml

from mt.config import spelling_hint
from mt.errors import UserError
from mt.records import ARTICLE_FIELDS

SIDECARS = ("articles.yaml", "articles.yml", "articles.csv")
"""Sidecar file names looked for in each input folder (and beside each input file)."""
UNKNOWN = {"", "unknown", "?", "n/a"}


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


def read_sidecar(path: Path) -> dict[str, dict[str, str]]:
    """Article name (file stem; a file name is accepted too) -> its metadata."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ArticleMetadataError(str(path), f"cannot read ({getattr(error, 'strerror', None) or error})") from None
    if path.suffix == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and "article" not in rows[0]:
            raise ArticleMetadataError(str(path), "needs an 'article' column naming each article (its file name)")
        entries = {row.pop("article"): row for row in rows}
    else:
        try:
            entries = yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            raise ArticleMetadataError(str(path), f"not valid YAML ({str(error).splitlines()[0]})") from None
        if not isinstance(entries, dict) or not all(isinstance(v, dict) for v in entries.values()):
            raise ArticleMetadataError(str(path), f"expected a mapping of article name -> fields ({', '.join(ARTICLE_FIELDS)})")
    return {Path(str(name)).stem: clean_metadata(fields, f"{path}: article '{name}'") for name, fields in entries.items()}


def sidecar_in(folder: Path) -> Path | None:
    found = [folder / name for name in SIDECARS if (folder / name).is_file()]
    if len(found) > 1:
        raise ArticleMetadataError(str(folder), f"both {found[0].name} and {found[1].name}; keep one sidecar")
    return found[0] if found else None


def sidecars_for(inputs: Iterable[Path]) -> list[Path]:
    """The sidecar of each input folder, and of the folder of each input file, once each."""
    folders = dict.fromkeys(path if path.is_dir() else path.parent for path in inputs)
    return [sidecar for folder in folders if (sidecar := sidecar_in(folder)) is not None]


def articles_from_jsonl(path: Path, text: str) -> list[tuple[str, str, dict[str, str]]]:
    """(name, text, metadata) of each line of a JSONL input; `name` defaults to `<file stem>-<line>`."""
    articles = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise ArticleMetadataError(where, f"not a JSON line ({error.msg})", number) from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise ArticleMetadataError(where, "each line needs a 'text' field holding the article", number)
        name = str(record.pop("name", None) or f"{path.stem}-{number:04d}")
        body = record.pop("text")
        articles.append((name, body, clean_metadata(record, where, number)))
    return articles


def article_from_html(path: Path, data: bytes) -> tuple[str, dict[str, str]]:
    """The main text of an HTML page and what its metadata says (trafilatura); empty text if none was found."""
    import trafilatura  # lazy on purpose: only HTML input needs it

    text = trafilatura.extract(data, include_comments=False, include_tables=False, deduplicate=False) or ""
    found = trafilatura.extract_metadata(data)
    metadata: dict[str, Any] = {}
    if found is not None:
        metadata = {"outlet": found.sitename or found.hostname, "url": found.url, "published": found.date, "title": found.title}
    return text, clean_metadata(metadata, str(path))
