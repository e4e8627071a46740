"""The YAML defaults in `configs/`, merged with a user's file and command-line overrides."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

DEFAULTS_PATH = Path(__file__).resolve().parent.parent / "configs" / "defaults.yaml"


def load_config(path: Path | str | None = None) -> dict[str, Any]:
    """Return the defaults, with `path` (if given) merged over them key by key."""
    if not DEFAULTS_PATH.is_file():
        raise FileNotFoundError(
            f"{DEFAULTS_PATH}: the toolkit's defaults are missing; install from a source checkout "
            "(pip install -e .) so that configs/ sits beside the mt package"
        )
    config = yaml.safe_load(DEFAULTS_PATH.read_text(encoding="utf-8"))
    if path is not None:
        user = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        if not isinstance(user, dict):
            raise ValueError(f"{path}: a config file must be a YAML mapping")
        config = merge(config, user)
    return config


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict merge: mappings merge, every other value replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
