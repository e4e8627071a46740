"""The packaged defaults (configs/defaults.yaml, installed as `mt.configs`), merged with a user's file and checked.

The defaults are the only place a default is written. A user's file may set any
subset of them; every key and type is checked against the defaults' shape, so
a misspelt key or a wrong type is one clear line naming the file and the key.
"""

from __future__ import annotations

import copy
import difflib
import os
from dataclasses import field
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from mt.errors import UserError

CACHE_ENV = "MT_CACHE_DIR"
"""Where the caches live when set (tests point it at a temporary folder)."""

OPEN_MAPPINGS = {
    "segmentation.abbreviations": list,
    "segmentation.never_final": list,
    "segmentation.year_abbreviations": list,
    "translation.models": str,
    "alignment.quantities": list,
}
"""Mappings whose keys the user chooses (a language, a quantity name), with the type of their values."""

POSITIVE = {
    "translation.max_batch_tokens", "translation.max_batch_tokens_cuda", "translation.max_loaded_models",
    "alignment.neighbours", "alignment.candidates", "alignment.block_size", "evaluation.bootstrap",
    "evaluation.randomisation",
}
"""Integers that must be at least 1."""

UNIT_INTERVAL = {"segmentation.min_language_confidence"}
"""Numbers that must lie in [0, 1]."""


class ConfigError(UserError, ValueError):
    """A config file that cannot be used: bad YAML, an unknown key, a wrong type or range."""


def default_cache_dir() -> Path:
    """The translation, embedding and model-conversion caches: $MT_CACHE_DIR, else the user cache dir
    (~/.cache/mt-comparable on Linux). Read on each call, so a changed environment is seen."""
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("mt-comparable"))


def configured(*path: str) -> Any:
    """A dataclass field whose default is the packaged value at `path` (e.g. "translation", "flags", "min_length_ratio"):
    settings objects take their defaults from the YAML, read when an object is made (no global state)."""
    def value() -> Any:
        node: Any = load_config()
        for key in path:
            node = node[key]
        return node

    return field(default_factory=value)


def defaults_text() -> str:
    return resources.files("mt.configs").joinpath("defaults.yaml").read_text(encoding="utf-8")


def plain_keys(data: Any) -> Any:
    """YAML 1.1 reads a bare `on`/`off` key (as in `alignment.on`) as true/false: give those keys back their names."""
    if isinstance(data, dict):
        return {({True: "on", False: "off"}.get(k, k) if isinstance(k, bool) else k): plain_keys(v) for k, v in data.items()}
    return data


def load_config(path: Path | str | None = None) -> dict[str, Any]:
    """The defaults, with `path` (if given) checked and merged over them key by key."""
    config = plain_keys(yaml.safe_load(defaults_text()))
    if path is None:
        return config
    path = Path(path)
    try:
        user = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ConfigError(f"{path}: not valid YAML ({where}{problem})") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    if user is None:
        return config
    user = plain_keys(user)
    if not isinstance(user, dict):
        raise ConfigError(f"{path}: a config file must be a YAML mapping of sections ({', '.join(config)})")
    check(user, config, path)
    return merge(config, user)


def spelling_hint(key: Any, known: Any, prefix: str = "") -> str:
    """" (did you mean 'x'?)" for the nearest known key, else the list of valid ones."""
    near = difflib.get_close_matches(str(key), [str(k) for k in known], n=1)
    return f" (did you mean '{prefix}{near[0]}'?)" if near else f" (valid: {', '.join(map(str, known))})"


def check(user: dict[str, Any], defaults: dict[str, Any], path: Path, prefix: str = "") -> None:
    """Raise ConfigError for the first key of `user` that the defaults do not have or whose value has the wrong type."""
    for key, value in user.items():
        name = f"{prefix}{key}"
        if key not in defaults:
            raise ConfigError(f"{path}: unknown key '{name}'{spelling_hint(key, defaults, prefix)}")
        check_value(name, value, defaults[key], path)


def check_value(name: str, value: Any, default: Any, path: Path) -> None:
    if name in OPEN_MAPPINGS:
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{name}' must be a mapping, not {describe(value)}")
        for key, item in value.items():
            if not isinstance(item, OPEN_MAPPINGS[name]):
                wanted = "a list" if OPEN_MAPPINGS[name] is list else "a string"
                raise ConfigError(f"{path}: '{name}.{key}' must be {wanted}, not {describe(item)}")
        return
    if isinstance(default, dict):
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: '{name}' must be a mapping of {', '.join(map(str, default))}, not {describe(value)}")
        check(value, default, path, prefix=f"{name}.")
        return
    if default is None:
        if value is not None and not isinstance(value, str):
            raise ConfigError(f"{path}: '{name}' must be a string or null, not {describe(value)}")
        return
    if isinstance(default, bool):
        ok, wanted = isinstance(value, bool), "true or false"
    elif isinstance(default, int):
        ok, wanted = isinstance(value, int) and not isinstance(value, bool), "a whole number"
    elif isinstance(default, float):
        ok, wanted = isinstance(value, (int, float)) and not isinstance(value, bool), "a number"
    elif isinstance(default, list):
        ok, wanted = isinstance(value, list), "a list"
    else:
        ok, wanted = isinstance(value, str), "a string"
    if not ok:
        raise ConfigError(f"{path}: '{name}' must be {wanted}, not {describe(value)}")
    if name in POSITIVE and value < 1:
        raise ConfigError(f"{path}: '{name}' must be at least 1, not {value}")
    if name in UNIT_INTERVAL and not 0 <= value <= 1:
        raise ConfigError(f"{path}: '{name}' must be between 0 and 1, not {value}")


def describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40]}{'…' if len(text) > 40 else ''}"


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict merge: mappings merge, every other value replaces."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged
