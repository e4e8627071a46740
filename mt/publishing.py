"""Publishing: the comparison corpus as a Hugging Face dataset folder (four parquet configurations, a card,
a readable report), checked, uploaded.

`articles` holds one row per article with its outlet, url, date and counts,
`segments` every segment of every article (nothing is dropped), `pairs` (the
default) the aligned sentence pairs with every signal, `facts` the n-way facts
in reading order (disagreements first), each with a summary, its members by
outlet and the counts each gives. `report.html` (mt/report.py) shows the facts
side by side. The output is deterministic: the same inputs give byte-identical files.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import yaml

from alignments.signals import signal_names, weighted_signals
from mt.errors import UserError
from mt.records import KINDS, ArticleInfo, Fact, Pair, Segment


class PublishError(UserError, ValueError):
    """The corpus cannot be written or uploaded."""


CONFIGS = ("pairs", "facts", "articles", "segments")
DEFAULT_CONFIG = "pairs"
SPLIT = "train"
DATA_FILE = "data/{config}/train-00000-of-00001.parquet"
REPORT_FILE = "report.html"
PRETTY_NAME = "Cross-lingual news comparison corpus"
LICENSE_NOTE = (
    "The source articles remain the copyright of their publishers; the corpus reproduces sentences from them "
    "for research on cross-lingual news comparison. The toolkit's own annotations (translations, alignments, "
    "facts) may be used freely. Check the publishers' terms before redistributing the texts."
)


def features() -> dict[str, Any]:
    """The `datasets.Features` of each configuration (built on call: no import-time work).

    Labels such as `kind` are plain strings, so that pandas and DuckDB show them as words, not class numbers.
    """
    from datasets import Features, List, Value

    text = Value("string")
    member = {"article": text, "outlet": text, "id": text, "lang": text, "text": text, "english": text, "central": Value("bool")}
    count = {"article": text, "outlet": text, "segment": text, "counts": text, "value": Value("float64"),
             "qualifier": text, "text": text}
    return {
        "articles": Features({
            "article": text, "outlet": text, "url": text, "published": text, "title": text, "language": text,
            "detected_language": text, "notes": text, "metadata_from": text, "segments": Value("int32"),
            "aligned": Value("int32"), "paired": Value("int32"), "facts": Value("int32"),
        }),
        "segments": Features({
            "id": text, "article": text, "outlet": text, "index": Value("int32"), "kind": text,
            "lang": text, "text": text, "start": Value("int32"), "end": Value("int32"),
            "english": text, "reference": text, "translation_model": text,
            "translation_model_revision": text, "translation_backend": text,
            "mt_score": Value("float32"), "mt_flags": List(text),
        }),
        "pairs": Features({
            "id_a": text, "id_b": text, "article_a": text, "article_b": text, "outlet_a": text, "outlet_b": text,
            "lang_a": text, "lang_b": text, "ids_a": List(text), "ids_b": List(text),
            "text_a": text, "text_b": text, "english_a": text, "english_b": text,
            "score": Value("float32"), **{name: Value("float32") for name in signal_names()}, "fact_id": text,
        }),
        "facts": Features({
            "fact_id": text, "summary": text, "n_articles": Value("int32"), "outlets": List(text),
            "n_disagreements": Value("int32"), "members": List(member), "counts": List(count),
            "disagreements": List({"quantity": text, "compatible": Value("bool"),
                                   "values": List({"article": text, "outlet": text, "value": text})}),
        }),
    }


@dataclass
class Provenance:
    """How the corpus was built, for the card: every setting that changes the data."""

    command: str
    toolkit_version: str
    translation_models: dict[str, str | None] = field(default_factory=dict)
    alignment: dict[str, Any] = field(default_factory=dict)
    created: str | None = None


def rows(articles: Sequence[ArticleInfo], segments: Sequence[Segment], pairs: Sequence[Pair],
         facts: Sequence[Fact]) -> dict[str, list[dict[str, Any]]]:
    """The four tables; segments and pairs sorted by id, facts in reading order, so that input order does not matter."""
    from alignments.facts import reading_order

    by_id = {s.id: s for s in segments}
    missing = sorted({i for p in pairs for i in p.ids_a + p.ids_b} - set(by_id))
    if missing:
        raise ValueError(f"{len(missing)} aligned segment id(s) are not in the segments (first: {missing[0]}); "
                         "were the pairs made from another translated.jsonl?")
    outlet = {a.name: a.label for a in articles}

    def join(ids: list[str], attribute: str) -> str:
        return " ".join(getattr(by_id[i], attribute) or "" for i in ids)

    segment_rows = [{
        "id": s.id, "article": s.article, "outlet": outlet.get(s.article, s.article), "index": s.index, "kind": s.kind,
        "lang": s.lang, "text": s.text, "start": s.start, "end": s.end, "english": s.english, "reference": s.reference,
        "translation_model": s.translation_model, "translation_model_revision": s.translation_model_revision,
        "translation_backend": s.translation_backend, "mt_score": s.mt_score, "mt_flags": list(s.mt_flags),
    } for s in sorted(segments, key=lambda s: (s.article, s.index))]
    pair_rows = [{
        "id_a": p.id_a, "id_b": p.id_b, "article_a": p.article_a, "article_b": p.article_b,
        "outlet_a": outlet.get(p.article_a, p.article_a), "outlet_b": outlet.get(p.article_b, p.article_b),
        "lang_a": by_id[p.id_a].lang, "lang_b": by_id[p.id_b].lang, "ids_a": list(p.ids_a), "ids_b": list(p.ids_b),
        "text_a": join(p.ids_a, "text"), "text_b": join(p.ids_b, "text"),
        "english_a": join(p.ids_a, "english"), "english_b": join(p.ids_b, "english"),
        "score": p.score, **{name: p.signals.get(name) for name in signal_names()}, "fact_id": p.fact_id,
    } for p in sorted(pairs, key=lambda p: (p.id_a, p.id_b))]
    fact_rows = [{
        "fact_id": f.fact_id,
        "summary": join(f.central, "english") if f.central else None,
        "n_articles": f.n_articles,
        "outlets": [outlet.get(article, article) for article in sorted(f.members)],
        "n_disagreements": len(f.disagreements),
        "members": [{"article": article, "outlet": outlet.get(article, article), "id": i, "lang": by_id[i].lang,
                     "text": by_id[i].text, "english": by_id[i].english, "central": i in f.central}
                    for article, ids in sorted(f.members.items()) for i in ids],
        "counts": [{"article": c.article, "outlet": outlet.get(c.article, c.article), "segment": c.segment, "counts": c.counts,
                    "value": c.value, "qualifier": c.qualifier, "text": c.text} for c in f.counts],
        "disagreements": [{"quantity": d.quantity, "compatible": d.compatible,
                           "values": [{"article": a, "outlet": outlet.get(a, a), "value": v}
                                                              for a, v in sorted(d.values.items())]}
                          for d in f.disagreements],
    } for f in sorted(facts, key=reading_order)]
    aligned_kinds = ("body", "headline")
    paired = {i for p in pairs for i in p.ids_a + p.ids_b}
    n_segments = Counter(s.article for s in segments)
    n_aligned = Counter(s.article for s in segments if s.kind in aligned_kinds)
    n_paired = Counter(s.article for s in segments if s.id in paired)
    n_facts = Counter(article for f in facts for article in f.members)
    article_rows = [{
        "article": a.name, "outlet": a.outlet, "url": a.url, "published": a.published, "title": a.title,
        "language": a.language or a.lang, "detected_language": a.lang, "notes": a.notes, "metadata_from": a.metadata_from,
        "segments": n_segments[a.name], "aligned": n_aligned[a.name], "paired": n_paired[a.name], "facts": n_facts[a.name],
    } for a in sorted(articles, key=lambda a: a.name)]
    return {"articles": article_rows, "segments": segment_rows, "pairs": pair_rows, "facts": fact_rows}


def write_corpus(output: Path, articles: Sequence[ArticleInfo], segments: Sequence[Segment], pairs: Sequence[Pair],
                 facts: Sequence[Fact], provenance: Provenance) -> dict[str, int]:
    """Write data/<config>/*.parquet, README.md and report.html, atomically; returns the row count of each configuration.

    Everything is written into a temporary sibling folder that replaces `output`
    only when complete, so a failure leaves the previous corpus untouched.
    """
    from mt.atomic import atomic_folder

    with atomic_folder(output) as staging:
        return _write_corpus(staging, articles, segments, pairs, facts, provenance)


def _write_corpus(output: Path, articles: Sequence[ArticleInfo], segments: Sequence[Segment], pairs: Sequence[Pair],
                  facts: Sequence[Fact], provenance: Provenance) -> dict[str, int]:
    from datasets import Dataset

    from mt.report import render_report

    tables = rows(articles, segments, pairs, facts)
    schema = features()
    counts, sizes = {}, {}
    for config in CONFIGS:
        path = output / DATA_FILE.format(config=config)
        path.parent.mkdir(parents=True, exist_ok=True)
        dataset = Dataset.from_list(tables[config], features=schema[config])
        dataset.to_parquet(str(path))
        counts[config] = len(tables[config])
        sizes[config] = (dataset.data.nbytes, path.stat().st_size)
    (output / "README.md").write_text(dataset_card(tables, schema, counts, sizes, provenance), encoding="utf-8")
    (output / "LICENSE").write_text(LICENSE_NOTE + "\n", encoding="utf-8")
    (output / REPORT_FILE).write_text(render_report(tables, title=PRETTY_NAME), encoding="utf-8")
    return counts


def size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if n < limit:
            return name
    return "1M<n<10M"


def card_metadata(tables: dict[str, list[dict]], schema: dict[str, Any], counts: dict[str, int],
                  sizes: dict[str, tuple[int, int]]) -> dict[str, Any]:
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
        "tags": ["comparable-corpus", "news", "sentence-alignment", "machine-translation", "marian"],
        "configs": [
            {"config_name": config, "data_files": [{"split": SPLIT, "path": DATA_FILE.format(config=config)}],
             **({"default": True} if config == DEFAULT_CONFIG else {})}
            for config in CONFIGS
        ],
        "dataset_info": [
            {"config_name": config, "features": schema[config]._to_yaml_list(),
             "splits": [{"name": SPLIT, "num_bytes": sizes[config][0], "num_examples": counts[config]}],
             "download_size": sizes[config][1], "dataset_size": sizes[config][0]}
            for config in CONFIGS
        ],
    }


def dataset_card(tables: dict[str, list[dict]], schema: dict[str, Any], counts: dict[str, int],
                 sizes: dict[str, tuple[int, int]], provenance: Provenance) -> str:
    metadata = card_metadata(tables, schema, counts, sizes)
    segments = tables["segments"]
    by_lang_kind = Counter((r["lang"], r["kind"]) for r in segments)
    disagreements = sum(f["n_disagreements"] for f in tables["facts"])
    unknown = "unknown"
    lines = ["---", yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
             f"# {PRETTY_NAME}", "",
             "Which sentences in news reports from different outlets, in different languages, report the same fact, "
             "and where the outlets disagree. Non-English articles are machine-translated to English with public "
             "MarianMT models; sentences are then aligned across articles on their English text and grouped into facts.", "",
             f"**[Read it side by side]({REPORT_FILE})**: every fact as a row with the outlets as columns, "
             "disagreements highlighted, unmatched sentences per article, a search box (one HTML file, works offline).", "",
             "## Configurations", "",
             f"- `pairs` (default, {counts['pairs']} rows): two segments from different articles that report the same fact, "
             "with the outlets, the original texts, their English, the combined `score` and each signal "
             f"({', '.join(f'`{name}`' for name in signal_names())}), and the `fact_id` they belong to (null for a pair too weak "
             "to stand as a fact of its own). `ids_a`/`ids_b` hold two ids where a fact is split over two adjacent sentences.",
             f"- `facts` ({counts['facts']} rows): n-way facts across two or more articles, disagreements first, then by the "
             "number of outlets. `summary` is the English of the most central member; `members` gives each member's outlet, "
             "language, original text and English; `counts` every number a member gives, as a value, a qualifier "
             "(\"more than\", \"about\") and the original words, with what it counts; `disagreements` the counts of one "
             "quantity on which outlets differ, and whether one true number could satisfy them all given their qualifiers "
             "(`compatible`: \"more than 2,600\" and \"3,600\" can both be right; \"more than 1,300\" and \"about 1000\" cannot). "
             "Contradictions come first.",
             f"- `articles` ({counts['articles']} rows): one row per article: outlet, url, publication date, title, language, "
             "notes, where that metadata came from, and how many of its segments were aligned, paired and put in facts.",
             f"- `segments` ({counts['segments']} rows): every segment of every article, boilerplate included and labelled "
             f"by `kind` ({', '.join(KINDS)}), with its character offsets in the source text, its English text "
             "(`english`), a human `reference` translation where one exists, and the translation's provenance and quality flags.", "",
             "```python", "from datasets import load_dataset", "",
             'pairs = load_dataset("path/to/corpus")              # the default configuration',
             'facts = load_dataset("path/to/corpus", "facts")',
             'articles = load_dataset("path/to/corpus", "articles")',
             'segments = load_dataset("path/to/corpus", "segments")', "```", "",
             "## How it was built", "",
             f"Command: `{portable_command(provenance.command)}`", "",
             f"- Toolkit: mt-comparable {provenance.toolkit_version}"]
    for model, revision in sorted(provenance.translation_models.items()):
        what = "human reference translations, not machine translation" if model == "reference" else f"revision `{revision}`"
        lines.append(f"- Translation: `{model}`, {what}")
    alignment = provenance.alignment
    if alignment:
        lines.append(f"- Alignment: mode `{alignment.get('mode')}`, on the `{alignment.get('on')}` text, kinds {', '.join(alignment.get('kinds', []))}; "
                     f"embedder `{alignment.get('embedder')}`")
        weights = ", ".join(f"{name} {alignment.get('weights', {}).get(name)}" for name in weighted_signals())
        lines.append(f"- Scoring: ratio margin over {alignment.get('neighbours')} nearest neighbours (Artetxe and Schwenk 2019) "
                     f"combined with chrF, agreement of names and numbers, and counting the same quantity (weights: {weights}); threshold {alignment.get('threshold')}; "
                     f"split bonus {alignment.get('split_bonus')}; fact coherence {alignment.get('fact_coherence')}; "
                     f"a refused pair stands alone as a fact from {alignment.get('fact_alone_score')}")
    if provenance.created:
        lines.append(f"- Built: {provenance.created}")
    lines += ["", "## Statistics", "",
              f"- Articles: {counts['articles']}; segments: {counts['segments']}",
              f"- Pairs: {counts['pairs']}; facts: {counts['facts']} "
              f"({sum(f['n_articles'] >= 3 for f in tables['facts'])} in three or more articles); disagreements: {disagreements}", "",
              "| outlet | article | language | published | segments | paired | in facts |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {_cell(a['outlet'] or unknown)} | {a['article']} | {a['language']} | {_cell(a['published'] or unknown)} | "
              f"{a['segments']} | {a['paired']} | {a['facts']} |" for a in tables["articles"]]
    lines += ["", "| language | kind | segments |", "|---|---|---|"]
    lines += [f"| {lang} | {kind} | {n} |" for (lang, kind), n in sorted(by_lang_kind.items())]
    if tables["facts"]:
        example = tables["facts"][0]
        lines += ["", "## Example (`facts`, the first row)", "", "```json", json.dumps(example, ensure_ascii=False, indent=2), "```"]
    lines += ["", "## Personal and sensitive information", "",
              "The articles are published news and name public figures. Scraped pages also carry embedded social-media "
              "posts (`kind` `social`) with account handles and hashtags, bylines naming journalists, and photo credits. "
              "They are kept because they are part of what the outlets published; they are labelled by `kind` so that "
              "users can leave them out (`segments.filter(lambda r: r['kind'] != 'social')`). No other personal data was added.",
              "", "## Limitations", "",
              "- English texts of non-English articles are machine translations (unless marked `reference`); "
              "translation errors, especially in names and numbers, pass into the alignment. `mt_flags` marks suspicious output.",
              "- The articles were scraped: captions, datelines, embedded posts and site boilerplate are kept as segments of "
              "their own kind and are not aligned by default.",
              "- Alignment is automatic: pairs and facts have errors. Scores and every signal are kept so that users can "
              "choose their own threshold. On the hand-made gold for the seed articles the aligner's F1 is far from perfect "
              "(see the toolkit's README for the figures).",
              "- Outlet, date and URL come from the publisher's page or from what the user wrote in a sidecar; `unknown` "
              "where neither said. Disagreements are found by reading the words next to numbers; they point to places "
              "worth reading, not verdicts.",
              "", "## License", "", LICENSE_NOTE, "", "## Citation", "", "```bibtex",
              "@misc{mt_comparable_corpus,",
              f"  title  = {{{PRETTY_NAME}}},",
              f"  note   = {{Built with mt-comparable {provenance.toolkit_version}}}" + ("," if provenance.created else ""),
              *([f"  year   = {{{provenance.created[:4]}}}"] if provenance.created else []),
              "}", "```", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def portable_command(command: str) -> str:
    """The command with local absolute paths made relative (under the working folder) or cut to their last part."""
    import os
    import shlex

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


def check_corpus(folder: Path) -> list[str]:
    """Problems found when loading every configuration and comparing it with the card (empty: all good).

    `datasets` loads the parquet files into a fresh private cache, removed afterwards: a cache shared with
    other folders (or an earlier build of this one) could answer for files that are no longer there.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="mt-check-") as private_cache:
        return _check_corpus(folder, Path(private_cache))


def _check_corpus(folder: Path, private_cache: Path) -> list[str]:
    from datasets import Features, load_dataset
    from huggingface_hub import DatasetCard

    problems: list[str] = []
    card_path = folder / "README.md"
    if not card_path.is_file():
        return [f"{card_path}: no dataset card"]
    try:
        card = DatasetCard.load(card_path)
    except Exception as error:  # the card parser raises several kinds for bad YAML
        return [f"{card_path}: the card's YAML cannot be read ({error})"]
    data = card.data.to_dict()
    for key in ("configs", "dataset_info", "language", "license", "pretty_name", "task_categories", "size_categories", "tags"):
        if not data.get(key):
            problems.append(f"card: '{key}' is missing")
    declared = {info["config_name"]: info for info in data.get("dataset_info", [])}
    configs = [c["config_name"] for c in data.get("configs", [])]
    if [c["config_name"] for c in data.get("configs", []) if c.get("default")] != [DEFAULT_CONFIG]:
        problems.append(f"card: '{DEFAULT_CONFIG}' should be the one default configuration")
    loaded = {}
    for config in CONFIGS:
        if config not in configs or config not in declared:
            problems.append(f"card: configuration '{config}' is not declared")
            continue
        try:
            dataset = load_dataset(str(folder), config, split=SPLIT, cache_dir=str(private_cache))
        except Exception as error:  # datasets raises many kinds; all mean "does not load"
            problems.append(f"{config}: does not load ({type(error).__name__}: {error})")
            continue
        loaded[config] = dataset
        expected = Features._from_yaml_list(declared[config]["features"])
        if dataset.features != expected:
            problems.append(f"{config}: the data's features differ from the card's")
        if dataset.features != features()[config]:
            problems.append(f"{config}: the data's features differ from this toolkit's schema")
        rows_declared = declared[config]["splits"][0]["num_examples"]
        if dataset.num_rows != rows_declared:
            problems.append(f"{config}: {dataset.num_rows} rows, the card says {rows_declared}")
    if {"segments", "pairs", "facts"} <= set(loaded):
        ids = set(loaded["segments"]["id"])
        unknown = {i for column in ("ids_a", "ids_b") for row in loaded["pairs"][column] for i in row} - ids
        unknown |= {m["id"] for members in loaded["facts"]["members"] for m in members} - ids
        if unknown:
            problems.append(f"pairs/facts refer to {len(unknown)} segment id(s) missing from segments (first: {sorted(unknown)[0]})")
        if len(ids) != loaded["segments"].num_rows:
            problems.append("segments: ids are not unique")
        odd_kinds = set(loaded["segments"]["kind"]) - set(KINDS)
        if odd_kinds:
            problems.append(f"segments: unknown kind(s) {', '.join(sorted(odd_kinds))}")
    if {"segments", "articles"} <= set(loaded):
        named = set(loaded["articles"]["article"])
        unnamed = set(loaded["segments"]["article"]) - named
        if unnamed:
            problems.append(f"articles: {len(unnamed)} article(s) of the segments have no row (first: {sorted(unnamed)[0]})")
    if not (folder / REPORT_FILE).is_file():
        problems.append(f"{REPORT_FILE}: missing (the card links to it); run `mt report {folder}`")
    return problems


def publish(work: Path, output: Path, *, command: str, timestamp: bool = False) -> dict[str, int]:
    """Turn a work folder (translated segments and alignment) into the dataset folder; row counts per configuration."""
    from mt import __version__
    from mt.workfolder import WorkFolder, read_for_publishing

    articles, segments, pairs, facts, settings = read_for_publishing(WorkFolder(work))
    models = {s.translation_model: s.translation_model_revision for s in segments if s.translation_model}
    created = None
    if timestamp:
        from datetime import datetime, timezone

        created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    provenance = Provenance(command=command, toolkit_version=__version__, translation_models=models, alignment=settings, created=created)
    try:
        return write_corpus(output, articles, segments, pairs, facts, provenance)
    except ValueError as error:
        raise PublishError(str(error)) from None


def upload(folder: Path, repo_id: str, *, private: bool = False, revision: str | None = None) -> None:
    """One commit with the whole folder: an upload either lands completely or not at all."""
    from huggingface_hub import HfApi, constants, get_token

    if constants.HF_HUB_OFFLINE:
        raise PublishError("cannot upload: offline mode is on (HF_HUB_OFFLINE=1). Nothing was uploaded.")
    token = get_token()
    if not token:
        raise PublishError("cannot upload: no Hugging Face token. Run `hf auth login` or set HF_TOKEN. Nothing was uploaded.")
    api = HfApi(token=token)
    try:
        api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
        if revision:
            api.create_branch(repo_id, repo_type="dataset", branch=revision, exist_ok=True)
        api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="dataset", revision=revision,
                          commit_message="Publish the comparison corpus with mt publish")
    except Exception as error:  # network, auth and hub errors all end the same way
        raise PublishError(f"upload to {repo_id} failed ({type(error).__name__}: {error}). "
                           "The upload is a single commit, so no partial upload was left on the hub.") from None
