"""`mt publish --check`: load every configuration of a corpus folder with `datasets` and compare it with the card."""

from __future__ import annotations

import tempfile
from pathlib import Path

from mt.publishing.columns import typed_table
from mt.publishing.configurations import CONFIGURATIONS, default_configuration
from mt.publishing.layout import CARD_FILE, REPORT_FILE, SPLIT
from mt.publishing.report import page_files, pages_folder
from mt.records import KINDS


def check_corpus(folder: Path) -> list[str]:
    """Problems found when loading every configuration and comparing it with the card (empty: all good).

    `datasets` loads the parquet files into a fresh private cache, removed afterwards: a cache shared with
    other folders (or an earlier build of this one) could answer for files that are no longer there.
    """
    with tempfile.TemporaryDirectory(prefix="mt-check-") as private_cache:
        return _check_corpus(folder, Path(private_cache))


def _check_corpus(folder: Path, private_cache: Path) -> list[str]:
    from datasets import Features  # lazy on purpose: datasets is heavy, only the check needs it here
    from huggingface_hub import DatasetCard

    problems: list[str] = []
    card_path = folder / CARD_FILE
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
    default = default_configuration().name
    if [c["config_name"] for c in data.get("configs", []) if c.get("default")] != [default]:
        problems.append(f"card: '{default}' should be the one default configuration")
    loaded = {}
    for configuration in CONFIGURATIONS:
        config = configuration.name
        if config not in configs or config not in declared:
            problems.append(f"card: configuration '{config}' is not declared")
            continue
        rows_declared = declared[config]["splits"][0]["num_examples"]
        try:
            dataset = _load(folder, config, private_cache, streamed=rows_declared == 0)
        except Exception as error:  # datasets raises many kinds; all mean "does not load"
            problems.append(f"{config}: does not load ({type(error).__name__}: {error})")
            continue
        loaded[config] = dataset
        expected = Features._from_yaml_list(declared[config]["features"])
        if dataset.features != expected:
            problems.append(f"{config}: the data's features differ from the card's")
        if dataset.features != configuration.features():
            problems.append(f"{config}: the data's features differ from this toolkit's schema")
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
    elif "events" in loaded and loaded["events"].num_rows > 1:
        pages = folder / pages_folder(REPORT_FILE)
        missing = [name for name in page_files(list(loaded["events"]["event_id"])).values() if not (pages / name).is_file()]
        if missing:
            problems.append(f"{pages.name}/: {len(missing)} event page(s) the list links to are missing (first: {missing[0]}); "
                            f"run `mt report {folder}`")
    return problems


def _load(folder: Path, config: str, private_cache: Path, *, streamed: bool):
    """One configuration as a `datasets.Dataset`. `datasets` (5.2 at least) cannot load a split with no rows
    ("Instruction 'train' corresponds to no data!", huggingface/datasets#8401), so a configuration the card declares
    empty is streamed instead: the same files and features, and any row it does hold is still counted."""
    from datasets import load_dataset  # lazy on purpose, as above

    if not streamed:
        return load_dataset(str(folder), config, split=SPLIT, cache_dir=str(private_cache))
    stream = load_dataset(str(folder), config, split=SPLIT, cache_dir=str(private_cache), streaming=True)
    return typed_table(list(stream), stream.features)
