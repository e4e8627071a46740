"""Shared fixtures. Tests never reach the network; only the quality gate reads ../shared/data (FLORES), and skips without it."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# Every cache in a temporary folder: the tests never touch a user's ~/.cache (translations, embeddings,
# converted models, the quantulum3 classifier, datasets' own cache). Set before any test imports the stages.
_CACHES = tempfile.TemporaryDirectory(prefix="mt-tests-")
os.environ["MT_CACHE_DIR"] = os.path.join(_CACHES.name, "mt")
os.environ["HF_DATASETS_CACHE"] = os.path.join(_CACHES.name, "datasets")

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_REFERENCES = SEEDS / "references" / "references.jsonl"


@pytest.fixture(scope="session", autouse=True)
def quiet_transformers():
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_segmentation():
    from mt.segmentation import segment

    return segment([SEEDS])


@pytest.fixture(scope="session")
def seed_segments(seed_segmentation):
    return seed_segmentation.segments


def _seed_lines(prefixes: tuple[str, ...]) -> list[str]:
    return [
        line.strip()
        for path in sorted(SEEDS.glob("*.txt"))
        if path.name.startswith(prefixes)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A random MarianMT model (init_std 0.5) with SentencePiece models trained on the seeds."""
    from mt.translation.random_model import build_random_marian

    return build_random_marian(
        tmp_path_factory.mktemp("tiny-pl-en"), _seed_lines(("000", "001")), _seed_lines(("002", "003", "004")), seed=1
    )


@pytest.fixture(scope="session")
def other_tiny_model_dir(tmp_path_factory) -> Path:
    """A second random model, for routing tests: different weights, different outputs."""
    from mt.translation.random_model import build_random_marian

    return build_random_marian(
        tmp_path_factory.mktemp("tiny-mul-en"), _seed_lines(("000", "001", "002")), _seed_lines(("003", "004")), seed=2
    )


@pytest.fixture(scope="session")
def polish_lines() -> list[str]:
    """The Polish seeds' raw lines: Polish text without running segmentation (and so without lingua)."""
    return _seed_lines(("000", "001"))


@pytest.fixture(scope="session")
def polish_sentences(seed_segments) -> list[str]:
    return [s.text for s in seed_segments if s.lang == "pl"]


@pytest.fixture(scope="session")
def embedder():
    """The bundled MiniLM, loaded once for every test that aligns (its cache is the session's temporary one)."""
    from alignments import Embedder  # lazy on purpose: only tests that align pay for sentence-transformers

    return Embedder()


@pytest.fixture(scope="session")
def settings():
    """The packaged alignment defaults, as `mt align` reads them."""
    from alignments import AlignmentSettings  # lazy on purpose: conftest imports nothing heavy at collection
    from mt.config import load_config

    return AlignmentSettings.from_config(load_config(None))
