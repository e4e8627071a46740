"""Shared fixtures. Tests never reach the network and never read ../shared."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


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
