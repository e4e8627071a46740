"""Publishing: the comparison corpus as a Hugging Face dataset folder (three parquet configurations, a card), checked, uploaded.

`segments` holds every segment of every article (nothing is dropped), `pairs`
(the default) the aligned sentence pairs with every signal, `facts` the n-way
facts with the numbers each outlet gives and the disagreements found. The
output is deterministic: the same inputs give byte-identical files.
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
from mt.records import KINDS, Fact, Pair, Segment

class PublishError(UserError, ValueError):
    """The corpus cannot be written or uploaded."""


CONFIGS = ("pairs", "segments", "facts")
DEFAULT_CONFIG = "pairs"
SPLIT = "train"
DATA_FILE = "data/{config}/train-00000-of-00001.parquet"
LICENSE_NOTE = (
    "The source articles remain the copyright of their publishers; the corpus reproduces sentences from them "
    "for research on cross-lingual news comparison. The toolkit's own annotations (translations, alignments, "
    "facts) may be used freely. Check the publishers' terms before redistributing the texts."
)


def features() -> dict[str, Any]:
    """The `datasets.Features` of each configuration (built on call: no import-time work)."""
    from datasets import ClassLabel, Features, List, Value

    member = {"article": Value("string"), "id": Value("string"), "lang": Value("string"), "text": Value("string"), "english": Value("string")}
    return {
        "segments": Features({
            "id": Value("string"), "article": Value("string"), "index": Value("int32"), "kind": ClassLabel(names=list(KINDS)),
            "lang": Value("string"), "text": Value("string"), "start": Value("int32"), "end": Value("int32"),
            "english": Value("string"), "reference": Value("string"), "translation_model": Value("string"),
            "translation_model_revision": Value("string"), "translation_backend": Value("string"),
            "mt_score": Value("float32"), "mt_flags": List(Value("string")),
        }),
        "pairs": Features({
            "id_a": Value("string"), "id_b": Value("string"), "article_a": Value("string"), "article_b": Value("string"),
            "lang_a": Value("string"), "lang_b": Value("string"), "ids_a": List(Value("string")), "ids_b": List(Value("string")),
            "text_a": Value("string"), "text_b": Value("string"), "english_a": Value("string"), "english_b": Value("string"),
            "score": Value("float32"), **{name: Value("float32") for name in signal_names()}, "fact_id": Value("string"),
        }),
        "facts": Features({
            "fact_id": Value("string"), "n_articles": Value("int32"), "members": List(member),
            "numbers": List({"article": Value("string"), "values": List(Value("string"))}),
            "disagreements": List({"quantity": Value("string"), "values": List({"article": Value("string"), "value": Value("string")})}),
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


def rows(segments: Sequence[Segment], pairs: Sequence[Pair], facts: Sequence[Fact]) -> dict[str, list[dict[str, Any]]]:
    """The three tables, sorted by id so that the output does not depend on input order."""
    by_id = {s.id: s for s in segments}
    missing = sorted({i for p in pairs for i in p.ids_a + p.ids_b} - set(by_id))
    if missing:
        raise ValueError(f"{len(missing)} aligned segment id(s) are not in the segments (first: {missing[0]}); "
                         "were the pairs made from another translated.jsonl?")

    def join(ids: list[str], attribute: str) -> str:
        return " ".join(getattr(by_id[i], attribute) or "" for i in ids)

    segment_rows = [{
        "id": s.id, "article": s.article, "index": s.index, "kind": s.kind, "lang": s.lang, "text": s.text,
        "start": s.start, "end": s.end, "english": s.english, "reference": s.reference,
        "translation_model": s.translation_model, "translation_model_revision": s.translation_model_revision,
        "translation_backend": s.translation_backend, "mt_score": s.mt_score, "mt_flags": list(s.mt_flags),
    } for s in sorted(segments, key=lambda s: (s.article, s.index))]
    pair_rows = [{
        "id_a": p.id_a, "id_b": p.id_b, "article_a": p.article_a, "article_b": p.article_b,
        "lang_a": by_id[p.id_a].lang, "lang_b": by_id[p.id_b].lang, "ids_a": list(p.ids_a), "ids_b": list(p.ids_b),
        "text_a": join(p.ids_a, "text"), "text_b": join(p.ids_b, "text"),
        "english_a": join(p.ids_a, "english"), "english_b": join(p.ids_b, "english"),
        "score": p.score, **{name: p.signals.get(name) for name in signal_names()}, "fact_id": p.fact_id,
    } for p in sorted(pairs, key=lambda p: (p.id_a, p.id_b))]
    fact_rows = [{
        "fact_id": f.fact_id, "n_articles": f.n_articles,
        "members": [{"article": article, "id": i, "lang": by_id[i].lang, "text": by_id[i].text, "english": by_id[i].english}
                    for article, ids in sorted(f.members.items()) for i in ids],
        "numbers": [{"article": article, "values": values} for article, values in sorted(f.numbers.items())],
        "disagreements": [{"quantity": d.quantity, "values": [{"article": a, "value": v} for a, v in sorted(d.values.items())]}
                          for d in f.disagreements],
    } for f in sorted(facts, key=lambda f: f.fact_id)]
    return {"segments": segment_rows, "pairs": pair_rows, "facts": fact_rows}


def write_corpus(output: Path, segments: Sequence[Segment], pairs: Sequence[Pair], facts: Sequence[Fact],
                 provenance: Provenance) -> dict[str, int]:
    """Write data/<config>/*.parquet and README.md, atomically; returns the row count of each configuration.

    Everything is written into a temporary sibling folder that replaces `output`
    only when complete, so a failure leaves the previous corpus untouched.
    """
    from mt.atomic import atomic_folder

    with atomic_folder(output) as staging:
        return _write_corpus(staging, segments, pairs, facts, provenance)


def _write_corpus(output: Path, segments: Sequence[Segment], pairs: Sequence[Pair], facts: Sequence[Fact],
                  provenance: Provenance) -> dict[str, int]:
    from datasets import Dataset

    tables = rows(segments, pairs, facts)
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
        "pretty_name": "Cross-lingual news comparison corpus",
        "language": languages,
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
    articles = Counter(r["article"] for r in segments)
    article_lang = {r["article"]: r["lang"] for r in segments if r["kind"] in ("body", "headline")}
    by_lang_kind = Counter((r["lang"], r["kind"]) for r in segments)
    disagreements = sum(len(f["disagreements"]) for f in tables["facts"])
    unknown = "?"
    lines = ["---", yaml.safe_dump(metadata, sort_keys=False, allow_unicode=True).rstrip(), "---", "",
             "# Cross-lingual news comparison corpus", "",
             "Which sentences in news reports from different outlets, in different languages, report the same fact, "
             "and where the outlets disagree. Non-English articles are machine-translated to English with public "
             "MarianMT models; sentences are then aligned across articles on their English text and grouped into facts.", "",
             "## Configurations", "",
             f"- `pairs` (default, {counts['pairs']} rows): two segments from different articles that report the same fact, "
             "with the original texts, their English, the combined `score` and each signal (`cosine`, `margin`, `chrf`, "
             "`entities`, `quantities`), and the `fact_id` they belong to. `ids_a`/`ids_b` hold two ids where a fact is split over two "
             "adjacent sentences.",
             f"- `segments` ({counts['segments']} rows): every segment of every article, boilerplate included and labelled "
             f"by `kind` ({', '.join(KINDS)}), with its character offsets in the source file, its English text "
             "(`english`), a human `reference` translation where one exists, and the translation's provenance and quality flags.",
             f"- `facts` ({counts['facts']} rows): n-way facts across two or more articles, their member segments, the numbers "
             "each outlet gives and the `disagreements` found (the same quantity, different numbers).", "",
             "```python", "from datasets import load_dataset", "",
             'pairs = load_dataset("path/to/corpus")              # the default configuration',
             'segments = load_dataset("path/to/corpus", "segments")',
             'facts = load_dataset("path/to/corpus", "facts")', "```", "",
             "## How it was built", "",
             f"Command: `{provenance.command}`", "",
             f"- Toolkit: mt-comparable {provenance.toolkit_version}"]
    for model, revision in sorted(provenance.translation_models.items()):
        what = "human reference translations (seeds/references/), not machine translation" if model == "reference" else f"revision `{revision}`"
        lines.append(f"- Translation: `{model}`, {what}")
    alignment = provenance.alignment
    if alignment:
        lines.append(f"- Alignment: mode `{alignment.get('mode')}`, on the `{alignment.get('on')}` text, kinds {', '.join(alignment.get('kinds', []))}; "
                     f"embedder `{alignment.get('embedder')}`")
        weights = ", ".join(f"{name} {alignment.get('weights', {}).get(name)}" for name in weighted_signals())
        lines.append(f"- Scoring: ratio margin over {alignment.get('neighbours')} nearest neighbours (Artetxe and Schwenk 2019) "
                     f"combined with chrF, agreement of names and numbers, and counting the same quantity (weights: {weights}); threshold {alignment.get('threshold')}; "
                     f"split bonus {alignment.get('split_bonus')}; fact coherence {alignment.get('fact_coherence')}")
    if provenance.created:
        lines.append(f"- Built: {provenance.created}")
    lines += ["", "## Statistics", "",
              f"- Articles: {len(articles)} ({', '.join(f'{a} ({article_lang.get(a, unknown)})' for a in sorted(articles))})",
              f"- Segments: {counts['segments']}",
              f"- Pairs: {counts['pairs']}; facts: {counts['facts']} "
              f"({sum(f['n_articles'] >= 3 for f in tables['facts'])} in three or more articles); disagreements: {disagreements}", "",
              "| language | kind | segments |", "|---|---|---|"]
    lines += [f"| {lang} | {kind} | {n} |" for (lang, kind), n in sorted(by_lang_kind.items())]
    if tables["pairs"]:
        example = max(tables["pairs"], key=lambda r: (r["lang_a"] != r["lang_b"], r["score"], r["id_a"]))
        lines += ["", "## Example (`pairs`)", "", "```json", json.dumps(example, ensure_ascii=False, indent=2), "```"]
    lines += ["", "## Limitations", "",
              "- English texts of non-English articles are machine translations (unless marked `reference`); "
              "translation errors, especially in names and numbers, pass into the alignment. `mt_flags` marks suspicious output.",
              "- The articles were scraped: captions, datelines, embedded posts and site boilerplate are kept as segments of "
              "their own kind and are not aligned by default.",
              "- Alignment is automatic: pairs and facts have errors. Scores and every signal are kept so that users can "
              "choose their own threshold. On the hand-made gold for the seed articles the aligner's F1 is far from perfect "
              "(see the toolkit's README for the figures).",
              "- Disagreements are found by matching the words next to numbers; they point to places worth reading, not verdicts.",
              "", "## License", "", LICENSE_NOTE, "", "## Citation", "", "```bibtex",
              "@misc{mt_comparable_corpus,",
              "  title  = {Cross-lingual news comparison corpus},",
              f"  note   = {{Built with mt-comparable {provenance.toolkit_version}}},",
              "  year   = {2026}",
              "}", "```", ""]
    return "\n".join(lines)


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
    return problems


def publish(work: Path, output: Path, *, command: str, timestamp: bool = False) -> dict[str, int]:
    """Turn a work folder (translated segments and alignment) into the dataset folder; row counts per configuration."""
    from mt import __version__
    from mt.workfolder import WorkFolder, read_for_publishing

    segments, pairs, facts, settings = read_for_publishing(WorkFolder(work))
    models = {s.translation_model: s.translation_model_revision for s in segments if s.translation_model}
    created = None
    if timestamp:
        from datetime import datetime, timezone

        created = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    provenance = Provenance(command=command, toolkit_version=__version__, translation_models=models, alignment=settings, created=created)
    try:
        return write_corpus(output, segments, pairs, facts, provenance)
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
