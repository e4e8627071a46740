"""The packaged defaults (configs/defaults.yaml, installed as `mt.configs`), merged with a user's file and checked.

The defaults are the only place a default is written. A user's file may set any
subset of them; every key and type is checked against the defaults' shape, so
a misspelt key or a wrong type is one clear line naming the file and the key.

Also what every stage shares to read a user's file and open a cache safely:
- `read_regular_file`: only a regular file is read, opened so that a FIFO can never block, and up to a size limit;
- `read_yaml` (configs and sidecars): anchors and aliases are refused, since a few hundred bytes of nested aliases
  ("billion laughs") expand to gigabytes; files over MAX_SETTINGS_BYTES are refused; lone surrogates are replaced
  and a NUL refuses the file (the text rules in mt/records.py);
- `open_cache_db` (the translation and embedding caches): a damaged SQLite file is moved aside and the cache
  starts empty, with a warning, instead of breaking every later run.
"""

from __future__ import annotations

import copy
import difflib
import errno
import logging
import os
import sqlite3
import stat
import time
from dataclasses import field
from importlib import resources
from pathlib import Path
from typing import Any

import platformdirs
import yaml

from mt.errors import UserError
from mt.records import NUL_REFUSED, replace_surrogates, surrogates_replaced

log = logging.getLogger(__name__)

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


MAX_SETTINGS_BYTES = 10 * 2**20
"""Larger config and sidecar files (YAML, or the CSV sidecar) are refused: a real one is a few kilobytes."""


class InputFileError(UserError, ValueError):
    """A file that cannot be read safely: not a regular file, too large, not UTF-8, bad YAML, YAML aliases."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path, self.reason = Path(path), reason


class CacheError(UserError):
    """A cache file that can neither be used nor moved aside (a folder in its place, a read-only folder, a lock)."""


def not_a_regular_file(path: Path | str) -> str | None:
    """Why `path` cannot be read as a file (a FIFO, a device, a symbolic link loop, missing...), or None if it can.
    Reading a FIFO would wait for a writer forever and a device may never end, so only regular files are read."""
    try:
        mode = os.stat(path).st_mode
    except OSError as error:
        if error.errno == errno.ELOOP:
            return "a symbolic link loop"
        if error.errno == errno.ENOENT and os.path.islink(path):
            return f"a broken symbolic link (to {os.readlink(path)})"
        if error.errno == errno.ENOENT:
            return "no such file or directory"
        return f"cannot read ({error.strerror or error})"
    kinds = [(stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")]
    for test, kind in kinds:
        if test(mode):
            return f"{kind}, not a regular file"
    return None if stat.S_ISREG(mode) else "not a regular file"


def read_regular_file(path: Path | str, max_bytes: int, what: str = "") -> bytes:
    """The bytes of a regular file of at most `max_bytes` (`what` says for what, in the message); InputFileError
    otherwise. Opened non-blocking and checked again once open, so a FIFO swapped in meanwhile cannot block."""
    reason = not_a_regular_file(path)
    if reason:
        raise InputFileError(path, reason)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputFileError(path, "not a regular file")
            data = file.read(max_bytes + 1) if info.st_size <= max_bytes else b""
            size = max(info.st_size, len(data))
            if size > max_bytes:
                raise InputFileError(path, f"file is {size / 2**20:.1f} MiB, over the {max_bytes / 2**20:.0f} MiB limit{what}")
            return data
    except OSError as error:
        raise InputFileError(path, f"cannot read file ({error.strerror or error})") from None


class RefusedYaml(yaml.YAMLError):
    """Something SafeYamlLoader will not load, at a line."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line, self.problem = line, problem


class SafeYamlLoader(yaml.SafeLoader):
    """yaml.SafeLoader that refuses anchors and aliases (& and *) and NUL characters, and replaces lone
    surrogates with U+FFFD, counting them per line in `replaced` as (line, count)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self.replaced: list[tuple[int, int]] = []

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise RefusedYaml(event.start_mark.line + 1, "anchors and aliases (& and *) are not accepted; write the values out")
        return super().compose_node(parent, index)

    def construct_scalar(self, node: Any) -> Any:
        value, count = replace_surrogates(super().construct_scalar(node))
        line = node.start_mark.line + 1
        if "\x00" in value:
            raise RefusedYaml(line, NUL_REFUSED)
        if count:
            self.replaced.append((line, count))
        return value


def parse_yaml(text: str) -> tuple[Any, list[tuple[int, int]]]:
    """The document in `text` (SafeYamlLoader) and the (line, count) of the surrogates it replaced."""
    loader = SafeYamlLoader(text)
    try:
        return loader.get_single_data(), loader.replaced
    finally:
        loader.dispose()


def read_yaml(path: Path | str) -> tuple[Any, list[tuple[int, int]]]:
    """A user's YAML file (a config, a sidecar) as `parse_yaml` gives it; InputFileError, one line naming the file,
    for anything that cannot be used."""
    data = read_regular_file(path, MAX_SETTINGS_BYTES, " for a YAML file")
    try:
        return parse_yaml(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InputFileError(path, "not UTF-8 text") from None
    except RefusedYaml as error:
        raise InputFileError(path, str(error)) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise InputFileError(path, f"not valid YAML ({where}{problem})") from None
    except RecursionError:
        raise InputFileError(path, "not valid YAML (nested too deeply)") from None


def default_cache_dir() -> Path:
    """The translation, embedding and model-conversion caches: $MT_CACHE_DIR, else the user cache dir
    (~/.cache/mt-comparable on Linux). Read on each call, so a changed environment is seen."""
    return Path(os.environ.get(CACHE_ENV) or platformdirs.user_cache_dir("mt-comparable"))


CACHE_ADVICE = f"move or delete it, or point --cache-dir (or {CACHE_ENV}) at another folder"


def open_cache_db(path: Path | str, *statements: str) -> sqlite3.Connection:
    """The SQLite cache at `path`, checked (PRAGMA quick_check) and set up by `statements` (CREATE TABLE ...).

    A cache only saves work, so a damaged one (truncated, overwritten, not a database) is moved aside to
    NAME.corrupt-<time> with a warning and an empty one is started, rather than breaking every later run.
    What cannot be fixed that way (a folder in its place, a read-only folder, a lock) is one CacheError line.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CacheError(f"{path.parent}: cannot create the cache folder ({error.strerror or error}); "
                         f"point --cache-dir (or {CACHE_ENV}) at a writable folder") from None
    reason = not_a_regular_file(path) if os.path.lexists(path) else None
    if reason:
        raise CacheError(f"{path}: {reason}, so it cannot hold the cache; {CACHE_ADVICE}")
    try:
        return connect_cache(path, statements)
    except sqlite3.OperationalError as error:
        raise CacheError(f"{path}: cannot open the cache ({error}); {CACHE_ADVICE}") from None
    except sqlite3.DatabaseError as error:
        damage = str(error).splitlines()[0]
    aside = move_aside(path, damage)
    log.warning("%s: damaged cache (%s), moved to %s; starting an empty one", path, damage, aside.name)
    try:
        return connect_cache(path, statements)
    except sqlite3.DatabaseError as error:
        raise CacheError(f"{path}: cannot create the cache ({error}); {CACHE_ADVICE}") from None


def connect_cache(path: Path, statements: tuple[str, ...]) -> sqlite3.Connection:
    """A connection whose database passed quick_check and ran `statements`; sqlite3.DatabaseError if damaged."""
    db = sqlite3.connect(path)
    try:
        found = db.execute("PRAGMA quick_check").fetchone()
        if found is None or found[0] != "ok":
            details = [line for line in (found[0] if found else "no answer").splitlines() if not line.startswith("***")]
            raise sqlite3.DatabaseError(f"quick_check: {details[0] if details else 'failed'}")
        for statement in statements:
            db.execute(statement)
        db.commit()
    except sqlite3.Error:
        db.close()
        raise
    return db


def move_aside(path: Path, damage: str) -> Path:
    """Rename a damaged cache (and its -wal, -shm and -journal files, which SQLite would replay into a new one)
    to NAME.corrupt-<time>; CacheError when it cannot be moved."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.corrupt-{stamp}")
    number = 1
    while os.path.lexists(aside):
        number += 1
        aside = path.with_name(f"{path.name}.corrupt-{stamp}-{number}")
    try:
        path.rename(aside)
        for suffix in ("-wal", "-shm", "-journal"):
            companion = path.with_name(path.name + suffix)
            if os.path.lexists(companion):
                companion.rename(aside.with_name(aside.name + suffix))
    except OSError as error:
        raise CacheError(f"{path}: damaged cache ({damage}) that cannot be moved aside ({error.strerror or error}); "
                         f"{CACHE_ADVICE}") from None
    return aside


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
    config = plain_keys(parse_yaml(defaults_text())[0])
    if path is None:
        return config
    path = Path(path)
    try:
        user, replaced = read_yaml(path)
    except InputFileError as error:
        raise ConfigError(str(error)) from None
    for line, count in replaced:
        log.warning("%s:%d: %s", path, line, surrogates_replaced(count))
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
