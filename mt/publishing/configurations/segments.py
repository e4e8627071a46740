"""`segments`: every segment of every article, nothing dropped."""

from __future__ import annotations

from mt.publishing.columns import Column, Configuration
from mt.records import KINDS

CONFIGURATION = Configuration(
    name="segments",
    stable_rows=True,
    summary=lambda rows: (
        f"- `segments` ({rows} rows): every segment of every article, boilerplate included and labelled "
        f"by `kind` ({', '.join(KINDS)}), with its character offsets in the source text, its English text "
        "(`english`), a human `reference` translation where one exists, and the translation's provenance and quality flags."),
    records=lambda corpus: sorted(corpus.segments, key=lambda s: (s.article, s.index)),
    columns=(
        Column("id", "string", lambda s, c: s.id, "Stable id: the article's name and the segment's index."),
        Column("article", "string", lambda s, c: s.article, "The article's name (its file name without extension)."),
        Column("outlet", "string", lambda s, c: c.outlet(s.article), "Who published the article."),
        Column("index", "int32", lambda s, c: s.index, "Position in the article, from 0."),
        Column("kind", "string", lambda s, c: s.kind, f"What the segment is: {', '.join(KINDS)}."),
        Column("lang", "string", lambda s, c: s.lang, "Detected language (ISO 639-1)."),
        Column("text", "string", lambda s, c: s.text, "The original text, exactly as in the article."),
        Column("start", "int32", lambda s, c: s.start, "Character offset where the text starts in the article."),
        Column("end", "int32", lambda s, c: s.end, "Character offset where it ends."),
        Column("english", "string", lambda s, c: s.english, "The English: the text itself, a machine translation or a human reference."),
        Column("reference", "string", lambda s, c: s.reference, "A human reference translation, where one exists."),
        Column("translation_model", "string", lambda s, c: s.translation_model, "The model that translated it (`reference` for a human one)."),
        Column("translation_model_revision", "string", lambda s, c: s.translation_model_revision, "The model's revision."),
        Column("translation_backend", "string", lambda s, c: s.translation_backend, "transformers or ctranslate2."),
        Column("mt_score", "float32", lambda s, c: s.mt_score, "The model's mean log-probability of its output."),
        Column("mt_flags", ["string"], lambda s, c: list(s.mt_flags), "Quality flags on the translation (empty, repetition, length_ratio...)."),
    ),
)
