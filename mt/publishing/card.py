"""The dataset card (README.md of the corpus): the YAML that `datasets` and the hub read, and a page for people.

Configurations, their summaries and their features come from the declarations
in mt/publishing/configurations/; the scoring line names the signals of the
registry in alignments/signals.py.

Outlets, dates, titles, file names and the command come from users and the
pages they scraped, so none of it may act as Markdown or HTML: every such value
goes into the prose and tables through `_text` (escaped, on one line) or into a
code span through `_code`, and the YAML through `yaml.safe_dump`.
"""

from __future__ import annotations

import html
import json
import os
import re
import shlex
from collections import Counter
from pathlib import Path
from typing import Any, Mapping, Sequence

import yaml

from alignments.signals import weighted_signals
from mt.publishing.columns import type_name
from mt.publishing.configurations import CONFIGURATIONS
from mt.publishing.corpus import Provenance
from mt.publishing.layout import DATA_FILE, LICENSE_NOTE, PRETTY_NAME, REPORT_FILE, SPLIT
from mt.publishing.notes import alignment_notes, article_labels, english_titles
from mt.records import UNKNOWN
from mt.translation.references import REFERENCE_MODEL


def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def card_metadata(tables: dict[str, list[dict]], counts: dict[str, int], sizes: dict[str, tuple[int, int]],
                  provenance: Provenance) -> dict[str, Any]:
    languages = sorted({r["lang"] for r in tables["segments"]} | {"en"})
    return {
        "pretty_name": PRETTY_NAME,
        "language": languages,
        "annotations_creators": ["machine-generated"],
        "language_creators": ["found"],
        "source_datasets": ["original"],
        "multilinguality": "multilingual" if len(languages) > 1 else "monolingual",
        "task_categories": ["translation", "sentence-similarity"],
        "size_categories": [size_category(counts["segments"])],
        "license": "other",
        "license_name": "source-articles-copyright",
        "license_link": "LICENSE",
        "tags": ["comparable-corpus", "news", "sentence-alignment", *translation_tags(provenance.translation_models)],
        "configs": [
            {"config_name": c.name, "data_files": [{"split": SPLIT, "path": DATA_FILE.format(config=c.name)}],
             **({"default": True} if c.default else {})}
            for c in CONFIGURATIONS
        ],
        "dataset_info": [
            {"config_name": c.name, "features": c.features()._to_yaml_list(),
             "splits": [{"name": SPLIT, "num_bytes": sizes[c.name][0], "num_examples": counts[c.name]}],
             "download_size": sizes[c.name][1], "dataset_size": sizes[c.name][0]}
            for c in CONFIGURATIONS
        ],
    }


def dataset_card(tables: dict[str, list[dict]], counts: dict[str, int], sizes: dict[str, tuple[int, int]],
                 provenance: Provenance) -> str:
    """The card: YAML metadata that `datasets` reads, then what a person needs to know, all from the declarations."""
    metadata = card_metadata(tables, counts, sizes, provenance)
    segments = tables["segments"]
    by_lang_kind = Counter((r["lang"], r["kind"]) for r in segments)
    disagreements = sum(f["n_disagreements"] for f in tables["facts"])
    alignment = provenance.alignment
    labels = article_labels(tables)
    notes = alignment_notes(tables, alignment.get("kinds") or (), alignment)
    compared = {"original": "original", "english": "English"}.get(alignment.get("on"), "English and original")
    lines = ["---", yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
             f"# {PRETTY_NAME}", "",
             "Which sentences in news reports from different outlets, in different languages, report the same fact, "
             f"and where the outlets disagree. {translation_statement(provenance.translation_models)} Sentences are "
             f"aligned across articles on their {compared} text and grouped into facts.", "",
             f"**[Read it side by side]({REPORT_FILE})**: the events (the stories the articles were grouped into), each "
             "with a page of its facts, one row each with the event's outlets as columns, disagreements highlighted, "
             "unmatched sentences per article, a search box (static HTML, works offline).", "",
             *(["## What did not align", "", *(f"- {_text(note)}" for note in notes), ""] if notes else []),
             "## Configurations", "",
             *(c.summary(counts[c.name]) for c in CONFIGURATIONS), "",
             "```python", "from datasets import load_dataset", "",
             *(f'{c.name} = load_dataset("path/to/corpus")              # the default configuration' if c.default
               else f'{c.name} = load_dataset("path/to/corpus", "{c.name}")' for c in CONFIGURATIONS), "```", "",
             *empty_configurations(counts),
             *field_tables(),
             "## How it was built", "",
             f"Command: {_code(portable_command(provenance.command))}", "",
             f"- Toolkit: mt-comparable {provenance.toolkit_version}"]
    for model, revision in sorted(provenance.translation_models.items()):
        what = "human reference translations, not machine translation" if model == REFERENCE_MODEL else f"revision {_code(revision)}"
        lines.append(f"- Translation: {_code(model)}, {what}")
    if not provenance.translation_models:
        lines.append("- Translation: none, no translation was needed (the articles are in English)")
    if alignment:
        lines.append(f"- Alignment: mode {_code(alignment.get('mode'))}, on the {_code(alignment.get('on'))} text, "
                     f"kinds {', '.join(_text(kind) for kind in alignment.get('kinds', []))}; embedder {_code(alignment.get('embedder'))}"
                     + (f", multilingual embedder {_code(alignment.get('multilingual_embedder'))}" if alignment.get("on") == "both" else ""))
        weights = ", ".join(f"`{name}` {_text(alignment.get('weights', {}).get(name))}" for name in weighted_signals())
        lines.append(f"- Scoring: the weighted sum of the signals (weights: {weights}; each signal is described under "
                     f"Fields, `pairs`), the margin over {_text(alignment.get('neighbours'))} nearest neighbours; raw cosine floor {_text(alignment.get('floor'))}; "
                     f"threshold {_text(alignment.get('threshold'))}; split bonus {_text(alignment.get('split_bonus'))}; fact coherence "
                     f"{_text(alignment.get('fact_coherence'))}; a refused pair stands alone as a fact from {_text(alignment.get('fact_alone_score'))}")
    if provenance.created:
        lines.append(f"- Built: {provenance.created}")
    lines += ["", "## Statistics", "",
              f"- Events: {counts['events']} ({sum(e['n_articles'] >= 2 for e in tables['events'])} reported by two or more "
              f"articles; sentences are aligned only within an event); articles: {counts['articles']}; segments: {counts['segments']}",
              f"- Pairs: {counts['pairs']}; facts: {counts['facts']} "
              f"({sum(f['n_articles'] >= 3 for f in tables['facts'])} in three or more articles); disagreements: {disagreements}", "",
              *event_table(tables["events"], english_titles(tables)),
              "| outlet | article | language | published | segments | paired | in facts |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {_text(labels[a['article']])} | {_text(a['article'])} | {_text(a['language'])} | {_text(a['published'] or UNKNOWN)} | "
              f"{a['segments']} | {a['paired']} | {a['facts']} |" for a in tables["articles"]]
    lines += ["", "| language | kind | segments |", "|---|---|---|"]
    lines += [f"| {_text(lang)} | {_text(kind)} | {n} |" for (lang, kind), n in sorted(by_lang_kind.items())]
    if tables["facts"]:
        lines += ["", "## Example (`facts`, the first row)", "", "```json", _json(tables["facts"][0]), "```"]
    lines += ["", "## Personal and sensitive information", "",
              "The articles are published news and name public figures. Scraped pages also carry embedded social-media "
              "posts (`kind` `social`) with account handles and hashtags, bylines naming journalists, and photo credits. "
              "They are kept because they are part of what the outlets published; they are labelled by `kind` so that "
              "users can leave them out (`segments.filter(lambda r: r['kind'] != 'social')`). No other personal data was added.",
              "", "## Limitations", "",
              *(["- English texts of non-English articles are machine translations (unless marked `reference`); "
                 "translation errors, especially in names and numbers, pass into the alignment. `mt_flags` marks suspicious output."]
                if machine_translated(provenance.translation_models) else []),
              "- The articles were scraped: captions, datelines, embedded posts and site boilerplate are kept as segments of "
              "their own kind and are not aligned by default.",
              "- Alignment is automatic: pairs and facts have errors. Scores and every signal are kept so that users can "
              "choose their own threshold. On the hand-made gold for the seed articles the aligner's F1 is far from perfect "
              "(see the toolkit's README for the figures).",
              "- Outlet, date and URL come from the publisher's page or from what the user wrote in a sidecar; `unknown` "
              "where neither said (null in the data). Where a reader sees an outlet, an article with none is shown as "
              "`unknown outlet: ‹…›` with a stand-in: its title, else its headline, else its file name "
              "(`article 000` for `000_9f9b6322790e96fd`). Disagreements are found by reading the words next to "
              "numbers; they point to places worth reading, not verdicts.",
              "", "## License", "", LICENSE_NOTE, "", "## Citation", "", "```bibtex",
              "@misc{mt_comparable_corpus,",
              f"  title  = {{{PRETTY_NAME}}},",
              f"  note   = {{Built with mt-comparable {provenance.toolkit_version}}}" + ("," if provenance.created else ""),
              *([f"  year   = {{{provenance.created[:4]}}}"] if provenance.created else []),
              "}", "```", ""]
    return "\n".join(lines)


CARD_EVENTS = 20
"""The largest events the card lists by title; the `events` configuration and report.html have them all."""


def event_table(events: Sequence[Mapping[str, Any]], english: Mapping[str, str] = {}) -> list[str]:
    """The largest events (most articles first) as a Markdown table with a line above it, so that the card says
    which stories the corpus holds; a title in another language is followed by its English (`english`, by event id)."""
    if len(events) < 2:
        return []
    largest = sorted(events, key=lambda e: -e["n_articles"])[:CARD_EVENTS]
    said = "The events" if len(largest) == len(events) else f"The {len(largest)} largest of the {len(events)} events"
    return [f"{said}, by number of articles:", "", "| event | articles | languages | dates | facts | disagreements |",
            "|---|---|---|---|---|---|",
            *(f"| {_text(_titled(e, english))} | {e['n_articles']} | {_text(', '.join(e['languages']))} | "
              f"{_text(', '.join(e['dates']) or UNKNOWN)} | {e['n_facts']} | {e['n_disagreements']} |" for e in largest), ""]


def _titled(event: Mapping[str, Any], english: Mapping[str, str]) -> str:
    """An event's title for the card's table, with its English after it where the title is in another language."""
    title = event["title"] or "untitled"
    return f"{title} (English: {english[event['event_id']]})" if event["event_id"] in english else title


def empty_configurations(counts: Mapping[str, int]) -> list[str]:
    """How to read a configuration with no rows: `datasets` (5.2 at least) refuses to load an empty split
    (huggingface/datasets#8401), and a reader should not take that error for a broken corpus."""
    empty = [c.name for c in CONFIGURATIONS if not counts[c.name]]
    if not empty:
        return []
    names = ", ".join(f"`{name}`" for name in empty)
    one = len(empty) == 1
    return [f"{names} {'has' if one else 'have'} no rows. `datasets` cannot load an empty split yet "
            f"(\"Instruction 'train' corresponds to no data!\"); `load_dataset(..., streaming=True)` reads "
            f"{'it' if one else 'them'}, with {'its' if one else 'their'} features and no rows.", ""]


def machine_translated(models: Mapping[str, str | None]) -> list[str]:
    """The models that translated something (`reference` stands for human references, not a model)."""
    return sorted(model for model in models if model != REFERENCE_MODEL)


def translation_statement(models: Mapping[str, str | None]) -> str:
    """What was done to get English, from the models recorded in the segments, so the card never claims a
    machine translation that did not happen."""
    machine = ", ".join(_code(model) for model in machine_translated(models))
    human = REFERENCE_MODEL in models
    if machine and human:
        return (f"Non-English sentences were machine-translated to English with {machine}, and others took their "
                "English from human reference translations.")
    if machine:
        return f"Non-English sentences were machine-translated to English with {machine}."
    if human:
        return "Non-English sentences took their English from human reference translations; no machine translation was used."
    return "No translation was needed: the articles are in English."


def translation_tags(models: Mapping[str, str | None]) -> list[str]:
    """The card's tags on translation, from the same facts as its statement (every model the toolkit runs is MarianMT)."""
    return ["machine-translation", "marian"] if machine_translated(models) else []


def field_tables() -> list[str]:
    """A table of each configuration's columns (name, type, meaning), from the declarations."""
    lines = ["## Fields", ""]
    for configuration in CONFIGURATIONS:
        lines += [f"### `{configuration.name}`", "", "| field | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | {_cell(type_name(c.type))} | {_cell(c.description)} |" for c in configuration.columns]
        lines.append("")
    return lines


def _cell(text: str) -> str:
    """The toolkit's own text (a column declaration, which may hold code spans) as one table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


_BREAKS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
"""Whitespace and control characters, line and paragraph separators among them: a value stays on its line or in its cell."""
_MARKDOWN = str.maketrans({"|": "&#124;", "`": "&#96;", "[": "&#91;", "]": "&#93;", "\\": "&#92;"})
"""Markdown's cell separator, code span, link brackets and escape character, as references Markdown shows as text."""


def _one_line(value: object) -> str:
    return _BREAKS.sub(" ", str(value)).strip()


def _text(value: object) -> str:
    """A value from the data as Markdown text: one line, no HTML (< > & and quotes escaped), and no table cell,
    code span or link of its own."""
    return html.escape(_one_line(value), quote=True).translate(_MARKDOWN)


def _code(value: object) -> str:
    """A value from the data as an inline code span, which Markdown shows as it is, HTML included: on one line, and
    inside a run of backticks longer than any run it holds, so that its own backticks cannot close the span."""
    text = _one_line(value)
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _json(row: dict[str, Any]) -> str:
    """A row as indented JSON for a code block, with < > & as \\u escapes: the same JSON, and no markup in the card."""
    text = json.dumps(row, ensure_ascii=False, indent=2)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def portable_command(command: str) -> str:
    """The command with local absolute paths made relative (under the working folder) or cut to their last part."""
    def portable(token: str) -> str:
        key, sep, value = token.partition("=") if token.startswith("--") and "=" in token else ("", "", token)
        if value.startswith(("/", "~")) or (len(value) > 2 and value[1] == ":" and value[2] in "\\/"):
            path = Path(os.path.expanduser(value))
            try:
                value = str(path.relative_to(Path.cwd()))
            except ValueError:
                value = path.name or value
        return key + sep + value

    try:
        tokens = shlex.split(command)
    except ValueError:
        return command
    return " ".join(shlex.quote(portable(token)) for token in tokens)
