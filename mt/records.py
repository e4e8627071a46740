"""The data model every stage speaks: segments, translations, pairs and facts.

Each stage reads the previous stage's records and writes its own as JSON Lines,
so any stage can be re-run from the file the stage before it left behind.

Text entering the toolkit follows two rules, here for records and in mt/segmentation
and mt/config.py for articles, sidecars and config files:
- a lone surrogate code point (U+D800-U+DFFF, which JSON and YAML escapes such as `\\ud83d`
  can carry) cannot be written as UTF-8 and breaks every later step: it is replaced with
  U+FFFD, and one warning names the file, the line and how many were replaced;
- a NUL character (U+0000), as a byte or as JSON's `\\u0000`, means binary data, not text:
  the file holding one is refused whole, with one line naming it (and the line, in JSON Lines),
  like a file with any other bad line.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

from mt.atomic import atomic_file
from mt.errors import UserError

log = logging.getLogger(__name__)

KINDS = (
    "body",
    "headline",
    "dateline",
    "caption",
    "social",
    "teaser",
    "boilerplate",
    "duplicate",
)
"""Every kind a segment can have; `alignment.kinds` says which of them take part in alignment."""

TEXT_KINDS = ("body", "headline")
"""The kinds that are an article's own text (not furniture): they decide an article's language."""


@dataclass
class Segment:
    """One sentence (or one non-sentence line such as a caption) of one article.

    `start` and `end` are character offsets into the article as decoded
    (UTF-8, BOM removed, line endings kept), so `original[start:end] == text`.
    The translation fields stay empty until `mt translate` fills them.
    """

    id: str
    article: str
    index: int
    kind: str
    lang: str
    text: str
    start: int
    end: int
    english: str | None = None
    reference: str | None = None
    translation_model: str | None = None
    translation_model_revision: str | None = None
    translation_backend: str | None = None
    translation_compute_type: str | None = None
    mt_score: float | None = None
    mt_flags: list[str] = field(default_factory=list)
    mt_pieces: int | None = None


ARTICLE_FIELDS = ("outlet", "url", "published", "title", "language", "notes")
"""What a user can say about an article (a sidecar `articles.yaml`/`.csv`, JSONL input) or HTML yields."""


UNKNOWN = "unknown"
"""The one word for a missing value wherever a reader sees it (the card, the report, the terminal); data columns keep null."""

STAND_IN_CHARACTERS = 40
"""About how long a stand-in for an unknown outlet may be: long enough to tell articles apart, short enough for a column head."""

HASHED_NAME = re.compile(r"(?P<prefix>[^_]+)_[0-9a-fA-F]{8,}")
"""A file name that is a short prefix and a long hex digest, as the seeds' `000_9f9b6322790e96fd`."""

BARE_HASH = re.compile(r"[0-9a-fA-F]{12,}")
"""A file name that is only a long hex digest."""


def shorten(text: str, limit: int = STAND_IN_CHARACTERS) -> str:
    """`text` on one line, cut at the last word boundary within `limit` characters and ended with an ellipsis;
    a single word longer than half the limit is cut inside it rather than dropped."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    window = text[:limit + 1]
    cut = window.rsplit(" ", 1)[0] if " " in window else ""
    if len(cut) < limit // 2:
        cut = text[:limit]
    return cut.rstrip(" ,;:.-–—") + "…"


def name_stand_in(name: str) -> str:
    """An article's file name as a reader can use it: `article 000` for `000_9f9b6322790e96fd` (the part before the
    first underscore when the rest is 8 or more hex digits), `article 9f9b632` for a bare digest of 12 or more hex
    digits (its first 7), else the name itself, shortened."""
    match = HASHED_NAME.fullmatch(name)
    if match:
        return f"article {match['prefix']}"
    if BARE_HASH.fullmatch(name):
        return f"article {name[:7]}"
    return shorten(name)


def stand_in(name: str, title: str | None = None, headline: str | None = None) -> str:
    """What stands for an article whose outlet is unknown: its title, else its headline, else its file name
    (`name_stand_in`); title and headline shortened to about STAND_IN_CHARACTERS on a word boundary."""
    for text in (title, headline):
        if text and text.strip():
            return shorten(text)
    return name_stand_in(name)


def outlet_label(name: str, outlet: str | None = None, title: str | None = None, headline: str | None = None) -> str:
    """The one label for who published an article, wherever a reader sees an outlet (data columns, card, report,
    terminal): the outlet, or `unknown outlet: ‹stand-in›`, marked so that a title is never read as an outlet."""
    if outlet and outlet.strip():
        return outlet
    return f"{UNKNOWN} outlet: ‹{stand_in(name, title, headline)}›"


def headlines(segments: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Each article's first headline, from (article, kind, text) in reading order: a stand-in for an unknown outlet."""
    found: dict[str, str] = {}
    for article, kind, text in segments:
        if kind == "headline" and article not in found:
            found[article] = text
    return found


@dataclass
class ArticleInfo:
    """Who published an article, where and when: one line of `articles.jsonl`; None where nobody said.

    `lang` is the language detected in its text; `language` the one its metadata states.
    `metadata_from` names where the metadata came from (a sidecar file, the HTML, a JSONL input).
    """

    name: str
    path: str
    lang: str = "und"
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    title: str | None = None
    language: str | None = None
    notes: str | None = None
    metadata_from: str | None = None
    segments: int = 0
    kinds: dict[str, int] = field(default_factory=dict)
    event_id: str | None = None
    """The event (story) the article was grouped into (alignments/events.py); None: events were not computed."""

    def outlet_label(self, headline: str | None = None) -> str:
        """How a reader sees who published it (see `outlet_label`); `headline`: its first headline segment."""
        return outlet_label(self.name, self.outlet, self.title, headline)


@dataclass
class Article:
    """One input file and what segmentation found in it."""

    name: str
    path: str
    lang: str
    segments: list[Segment]
    metadata: dict[str, str] = field(default_factory=dict)
    """ARTICLE_FIELDS given for it, and `metadata_from`."""

    @property
    def label(self) -> str:
        """How a reader sees who published it (see `outlet_label`), as the terminal shows it after `mt segment`."""
        return outlet_label(self.name, self.metadata.get("outlet"), self.metadata.get("title"),
                            headlines((s.article, s.kind, s.text) for s in self.segments).get(self.name))

    def info(self) -> ArticleInfo:
        return ArticleInfo(name=self.name, path=self.path, lang=self.lang, **self.metadata,
                           segments=len(self.segments), kinds=self.kind_counts())

    def kind_counts(self) -> dict[str, int]:
        counts = {kind: 0 for kind in KINDS}
        for segment in self.segments:
            counts[segment.kind] += 1
        return {kind: n for kind, n in counts.items() if n}


@dataclass
class Pair:
    """Two segments from different articles that report the same fact.

    `ids_a`/`ids_b` hold one id each, or two adjacent ids where a fact is
    split over two sentences on one side. `signals` keeps every score that
    went into `score`, so users can re-weigh them.
    """

    id_a: str
    id_b: str
    article_a: str
    article_b: str
    ids_a: list[str]
    ids_b: list[str]
    score: float
    signals: dict[str, float]
    fact_id: str | None = None
    event_id: str | None = None
    """The event both articles belong to; None when events were not computed (the whole corpus is one event)."""


@dataclass
class Disagreement:
    """Outlets giving different numbers for what looks like the same quantity.

    `quantity` names what is counted as the outlets say it ("firefighters", "troops", "police killed").

    `compatible` says whether one true number could satisfy them all, given their qualifiers
    ("more than 2,600" and "3,600" can both be right; 16 and 12 cannot); None when not assessed.
    """

    quantity: str
    values: dict[str, str]
    compatible: bool | None = None


@dataclass
class Count:
    """A number one member of a fact gives: "more than 2,600 soldiers" is value 2600, qualifier "more than",
    text "more than 2,600", counts "troops"; `counts` is the key of what is counted, read from the sentence
    ("600 firefighters": "firefighter"; "soldiers" is "troops" through a synonym group of `alignment.quantities`),
    None when the number counts nothing said."""

    article: str
    segment: str
    value: float
    text: str
    qualifier: str | None
    counts: str | None


@dataclass
class Fact:
    """Segments in two or more articles reporting one fact.

    `central` is the member unit closest to all the others: its English is the fact's summary.
    """

    fact_id: str
    members: dict[str, list[str]]
    central: list[str] = field(default_factory=list)
    counts: list[Count] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    event_id: str | None = None
    """The event its articles belong to (a fact never spans two); None when events were not computed."""

    @property
    def n_articles(self) -> int:
        return len(self.members)


@dataclass
class Event:
    """Articles that report the same story, across outlets and languages (alignments/events.py groups them).

    Sentences are aligned only within an event, so a fact never spans two. `event_id` is `event_id_for` its
    article names, so the same articles give the same id in every run; `central` is the article closest to all the
    others (its headline is the event's title), None when unknown.
    """

    event_id: str
    articles: list[str]
    central: str | None = None


def event_id_for(articles: Iterable[str]) -> str:
    """The id of the event made of these articles: `event-` and 12 hex digits of a hash of their sorted names."""
    digest = hashlib.sha256("\x00".join(sorted(articles)).encode("utf-8", "surrogatepass")).hexdigest()
    return f"event-{digest[:12]}"


Record = TypeVar("Record", Segment, Pair, Fact, ArticleInfo, Event)

SURROGATE = re.compile("[\ud800-\udfff]")
RISKY_ESCAPE = re.compile(r"\\u(?:[dD][89a-fA-F]|0000)")
"""A JSON escape that may give a surrogate or a NUL: only lines holding one are searched for them (a cheap test)."""
NUL_REFUSED = "contains a NUL character (U+0000): binary data, not text"


def replace_surrogates(value: Any) -> tuple[Any, int]:
    """`value` (a string, or the strings in a parsed JSON or YAML value, keys too) with every lone surrogate
    replaced by U+FFFD, and how many were replaced. Such a string cannot be encoded as UTF-8, so it would
    fail far from its source (in the language detector, in every writer) and take the whole run down."""
    if isinstance(value, str):
        return SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        items = [replace_surrogates(item) for item in value]
        return [item for item, _ in items], sum(n for _, n in items)
    if isinstance(value, dict):
        pairs = [(replace_surrogates(key), replace_surrogates(item)) for key, item in value.items()]
        return {key: item for (key, _), (item, _) in pairs}, sum(m + n for (_, m), (_, n) in pairs)
    return value, 0


def has_nul(value: Any) -> bool:
    """Whether a string in `value` (a parsed JSON value) holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    if isinstance(value, dict):
        return any(has_nul(key) or has_nul(item) for key, item in value.items())
    return False


def surrogates_replaced(count: int) -> str:
    """The warning for `count` replaced surrogates (after `path:line: `)."""
    return f"{count} lone surrogate code point{'s' if count != 1 else ''} (U+D800-U+DFFF) replaced with U+FFFD"


def parse_json_line(line: str) -> tuple[Any, int]:
    """The value of one JSON line with its lone surrogates replaced, and how many were; ValueError when the line is
    not JSON, nests too deeply, or holds a NUL character."""
    try:
        value = json.loads(line)
        if not RISKY_ESCAPE.search(line):
            return value, 0
        value, replaced = replace_surrogates(value)
        if has_nul(value):
            raise ValueError(NUL_REFUSED)
        return value, replaced
    except json.JSONDecodeError as error:
        raise ValueError(f"not a JSON line ({error.msg})") from None
    except RecursionError:
        raise ValueError("not a JSON line (nested too deeply)") from None


def to_dict(record: Any) -> dict[str, Any]:
    """The record as JSON-ready values: what dataclasses.asdict gives, without its deep copy of every list (writing a
    corpus of 100,000 records spent most of its time copying)."""
    return {name: _plain(getattr(record, name)) for name in _field_names(type(record))}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_dict(value)
    if isinstance(value, (list, tuple)) and value and dataclasses.is_dataclass(value[0]):  # a record's lists hold one type
        return [_plain(item) for item in value]
    return value


@functools.cache
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls))


@functools.cache
def _field_set(cls: type) -> frozenset[str]:
    return frozenset(_field_names(cls))


class RecordError(UserError, ValueError):
    """A JSON line that is not a valid record: its message names the file, the line and the field."""


FIELD_TYPES = {"str": str, "int": int, "float": (int, float), "list": list, "dict": dict}


@dataclasses.dataclass(frozen=True)
class _FieldCheck:
    name: str
    required: bool
    nullable: bool
    types: tuple[type, ...]
    """What the value must be an instance of (empty: anything)."""
    says: str
    """The type as the error names it."""


@functools.cache
def _field_checks(cls: type) -> tuple[_FieldCheck, ...]:
    """Each field's check, read once per record class from its annotations."""
    checks = []
    for f in dataclasses.fields(cls):
        options = [option.strip() for option in str(f.type).split("|")]
        wanted = [FIELD_TYPES[o.split("[")[0]] for o in options if o.split("[")[0] in FIELD_TYPES]
        nullable = "None" in options
        checks.append(_FieldCheck(f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
                                  nullable, tuple(t for w in wanted for t in (w if isinstance(w, tuple) else (w,))),
                                  " or ".join(o for o in options if o != "None") + (" or null" if nullable else "")))
    return tuple(checks)


def check_fields(cls: type, data: Any) -> None:
    """Raise ValueError naming the first missing field or wrong type (annotations are checked, not trusted)."""
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, got {type(data).__name__ if data is not None else 'null'}")
    for check in _field_checks(cls):
        if check.name not in data:
            if check.required:
                raise ValueError(f"field '{check.name}' is missing")
            continue
        value = data[check.name]
        if value is None and check.nullable:
            continue
        if check.types and (not isinstance(value, check.types) or isinstance(value, bool)):
            raise ValueError(f"field '{check.name}' must be {check.says}, not {json.dumps(value)[:40]}")
    if cls is Segment and data["kind"] not in KINDS:
        raise ValueError(f"field 'kind' is '{data['kind']}', not one of {', '.join(KINDS)}")


def from_dict(cls: type[Record], data: dict[str, Any]) -> Record:
    """Build a record, ignoring unknown keys so that newer files stay readable."""
    check_fields(cls, data)
    names = _field_set(cls)
    values = {k: v for k, v in data.items() if k in names} if not data.keys() <= names else dict(data)
    if cls is Fact:
        values["disagreements"] = [Disagreement(**d) for d in values.get("disagreements", [])]
        values["counts"] = [Count(**c) for c in values.get("counts", [])]
    return cls(**values)


def as_read_back(records: Iterable[Record], lines: Lines | None = None) -> list[Record]:
    """The records as writing them to JSONL and reading them back gives them, without a file: `mt build --into` adds
    new segments to thousands read from the work folder, and re-reading all of them cost seconds. `lines` keeps
    each copy's line (the line it was read back from)."""
    copies = []
    for record in records:
        line = _json_line(record)
        copies.append(from_dict(type(record), json.loads(line)))
        if lines is not None:
            lines.keep(copies[-1], line)
    return copies


def _json_line(record: Any) -> str:
    """One record (or dict) as the JSON object of its line in a work file, without the newline."""
    return json.dumps(record if isinstance(record, dict) else to_dict(record), ensure_ascii=False)


class ByIdentity:
    """Values made from records, kept by the records' identity, for a process that writes the same records at
    every update (`mt watch`: the corpus stays in memory, and an update rewrites thousands of old pairs beside a
    few new ones). It holds each record with its value, so no other object can take a kept id. A record must not
    change once its value is kept: the work folder's records are not changed after they are read, but for the
    `event_id` that `align_by_event` sets again on reused pairs and facts, to the value they have."""

    def __init__(self) -> None:
        self._kept: dict[int, tuple[Any, Any]] = {}

    def get(self, record: Any, make: Callable[[Any], Any]) -> Any:
        """The record's value: kept, or made now and kept."""
        kept = self._kept.get(id(record))
        if kept is not None and kept[0] is record:
            return kept[1]
        value = make(record)
        self._kept[id(record)] = (record, value)
        return value

    def keep(self, record: Any, value: Any) -> None:
        """Keep `value` as the record's (made elsewhere, as `as_read_back` makes a copy's line)."""
        self._kept[id(record)] = (record, value)

    def only(self, records: Iterable[Any]) -> None:
        """Forget every value but those of `records` (the records still held), so that dropped records can go."""
        held = {id(record) for record in records}
        self._kept = {key: value for key, value in self._kept.items() if key in held}


class Lines(ByIdentity):
    """Records' JSON lines in the work files, kept by identity."""

    def line(self, record: Any) -> str:
        """The record's JSON line, without the newline."""
        return self.get(record, _json_line)


def write_jsonl(path: Path | str, records: Iterable[Any], lines: Lines | None = None) -> int:
    """Write records one JSON object a line, atomically; returns how many were written. `lines`: lines made
    earlier for some of the records, reused, and kept for those made now."""
    line = _json_line if lines is None else lines.line
    n = 0
    with atomic_file(path) as staging, staging.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(line(record) + "\n")
            n += 1
    return n


def extend_jsonl(path: Path | str, earlier: Path | str, records: Iterable[Any]) -> int:
    """Write `earlier`'s lines (a file write_jsonl wrote) and then `records`, atomically, without parsing `earlier`
    again: `mt build --into` grows a work file of thousands of segments by a few. Returns how many were added."""
    n = 0
    with atomic_file(path) as staging:
        shutil.copyfile(earlier, staging)
        with staging.open("rb+") as out:
            size = out.seek(0, 2)
            if size:
                out.seek(size - 1)
                if out.read(1) != b"\n":  # a last line without its newline
                    out.write(b"\n")
            for record in records:
                out.write((_json_line(record) + "\n").encode("utf-8"))
                n += 1
    return n


def iter_jsonl(path: Path | str) -> Iterator[tuple[int, Any]]:
    """(line number, parsed value) for each non-blank line; a bad line is a RecordError naming file and line.
    A line whose lone surrogates were replaced is logged as a warning naming file and line."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                try:
                    value, replaced = parse_json_line(line)
                except ValueError as error:
                    raise RecordError(f"{path}:{number}: {error}") from None
                if replaced:
                    log.warning("%s:%d: %s", path, number, surrogates_replaced(replaced))
                yield number, value
    except UnicodeDecodeError:
        raise RecordError(f"{path}: not UTF-8 text") from None
    except OSError as error:
        raise RecordError(f"{path}: cannot read ({error.strerror or error})") from None


def read_records(path: Path | str, cls: type[Record]) -> list[Record]:
    records = []
    for number, data in iter_jsonl(path):
        try:
            records.append(from_dict(cls, data))
        except (ValueError, TypeError) as error:
            raise RecordError(f"{path}:{number}: not a {cls.__name__.lower()} record: {error}") from None
    return records


def read_segments(path: Path | str) -> list[Segment]:
    return read_records(path, Segment)


def read_pairs(path: Path | str) -> list[Pair]:
    return read_records(path, Pair)


def read_facts(path: Path | str) -> list[Fact]:
    return read_records(path, Fact)


def read_articles(path: Path | str) -> list[ArticleInfo]:
    return read_records(path, ArticleInfo)


def read_events(path: Path | str) -> list[Event]:
    return read_records(path, Event)
