"""How a dataset configuration is declared: its columns, each a name, a type, how to get its value and what it means.

The parquet schema, the rows, the card's field tables, the corpus check and
the report all read these declarations, so a column lives in one place: one
`Column(...)` line in its configuration's module (mt/publishing/configurations/).

Types are plain data: "string", "int32", "float32", "float64", "bool"; a list
`[T]` is a list of T; a dict `{"field": T, ...}` is a struct.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from mt.publishing.corpus import Corpus
from mt.records import ByIdentity

Type = Any
"""A column type, as above."""


@dataclass(frozen=True)
class Column:
    name: str
    type: Type
    get: Callable[[Any, Corpus], Any]
    """The value for one source record (a Segment, Pair, Fact or ArticleInfo), given the whole corpus."""
    description: str


@dataclass(frozen=True)
class Configuration:
    """One configuration of the dataset: one parquet file, one row per source record."""

    name: str
    summary: Callable[[int], str]
    """The card's paragraph on this configuration, given its row count."""
    records: Callable[[Corpus], Sequence[Any]]
    """The source records in row order (sorted, so that input order does not change the files)."""
    columns: Sequence[Column] = field(default_factory=tuple)
    default: bool = False
    stable_rows: bool = False
    """A row depends only on its record and on the corpus's articles and segments, which never change once added,
    and on the record's event, which is the same whenever the record is (`mt build --into` reuses an old pair or
    fact only in an event of the same articles): a process that publishes the same record again may reuse its row."""

    def rows(self, corpus: Corpus, kept: ByIdentity | None = None) -> list[dict[str, Any]]:
        """One row a record; `kept`: rows made earlier for the same records (used only with `stable_rows`)."""
        def row(record: Any) -> dict[str, Any]:
            return {column.name: column.get(record, corpus) for column in self.columns}

        if kept is None or not self.stable_rows:
            return [row(record) for record in self.records(corpus)]
        return [kept.get(record, row) for record in self.records(corpus)]

    def features(self):
        """The `datasets.Features` of this configuration."""
        from datasets import Features  # lazy on purpose: datasets is heavy, and only writing or checking needs it

        return Features({column.name: feature(column.type) for column in self.columns})


def feature(kind: Type):
    """The `datasets` feature of a column type."""
    from datasets import List, Value  # lazy on purpose, as above

    if isinstance(kind, list):
        return List(feature(kind[0]))
    if isinstance(kind, dict):
        return {name: feature(inner) for name, inner in kind.items()}
    return Value(kind)


def typed_table(rows: Sequence[dict[str, Any]], features):
    """The rows as a `datasets.Dataset` with the declared features, also with no rows: `from_list` takes the columns
    from the rows, so with none it refuses the features ("Keys mismatch"), and zero pairs or facts is a valid corpus."""
    from datasets import Dataset  # lazy on purpose, as above

    if rows:
        import pyarrow as pa  # lazy on purpose, as above

        from datasets import DatasetInfo

        # pyarrow converts the rows in C++; Dataset.from_list encodes every value in Python first (a 5,000-article
        # corpus spent seconds there), with the same table for these plain types
        return Dataset(pa.Table.from_pylist(list(rows), schema=features.arrow_schema), info=DatasetInfo(features=features))
    return Dataset.from_dict({name: [] for name in features}, features=features)


def type_name(kind: Type) -> str:
    """How the card writes a column type: `string`, `list of string`, `list of {article, value}`."""
    if isinstance(kind, list):
        return f"list of {type_name(kind[0])}"
    if isinstance(kind, dict):
        return "{" + ", ".join(kind) + "}"
    return kind
