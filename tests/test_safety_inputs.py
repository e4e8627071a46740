"""Safe with any input: a hostile or broken input is one line naming the file, and the rest of the run goes on.

One table of inputs written in tmp_path, each run through the real CLI: lone surrogates, NUL characters,
names that are not text, YAML alias bombs, oversized YAML, FIFOs, device files, symbolic link loops and
damaged caches. Then the caches opened directly, for each kind of damage.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from typer.testing import CliRunner

from alignments.embeddings import EmbeddingCache
from mt.cli import app
from mt.config import CacheError, ConfigError, load_config
from mt.translation.cache import CachedTranslation, TranslationCache

GOOD = "Troops arrived in the capital on Friday. Officials said the situation was calm.\n"

BILLION_LAUGHS = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""
"""Nine levels of nine aliases: 9**9 strings from under 500 bytes."""

FIFO = "<fifo>"
FOLDER = "<folder>"


def link(target: str) -> str:
    return f"<link:{target}>"


def segment_line(text: str) -> str:
    """One segment record whose text is `text`, a JSON fragment written as is (so escapes stay escapes)."""
    return ('{"id": "a:0000", "article": "a", "index": 0, "kind": "body", "lang": "en", '
            f'"text": "{text}", "start": 0, "end": 11}}\n')


def translated_segments() -> str:
    """Two tiny English articles, already 'translated', for `mt align`."""
    articles = {"a": ["Troops arrived in the capital on Friday.", "Officials said the situation was calm."],
                "b": ["Soldiers reached the capital on Friday.", "Fuel prices rose sharply in January."]}
    rows = [{"id": f"{article}:{index:04d}", "article": article, "index": index, "kind": "body", "lang": "en",
             "text": text, "start": 0, "end": len(text), "english": text}
            for article, texts in articles.items() for index, text in enumerate(texts)]
    return "".join(json.dumps(row) + "\n" for row in rows)


def make(tmp: Path, files: dict[str, str | bytes]) -> None:
    """Write each file: text, bytes, a FIFO, a folder or a symbolic link."""
    for name, content in files.items():
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content == FIFO:
            os.mkfifo(path)
        elif content == FOLDER:
            path.mkdir()
        elif isinstance(content, str) and content.startswith("<link:"):
            path.symlink_to(content[len("<link:"):-1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def articles_written(tmp: Path) -> list[str]:
    out = tmp / "out.jsonl"
    return sorted({json.loads(line)["article"] for line in out.read_text(encoding="utf-8").splitlines()}) if out.exists() else []


def article_info(tmp: Path) -> dict[str, dict]:
    return {row["name"]: row for row in map(json.loads, (tmp / "articles.jsonl").read_text(encoding="utf-8").splitlines())}


def texts_written(tmp: Path) -> str:
    return (tmp / "out.jsonl").read_text(encoding="utf-8")


@dataclass
class Case:
    name: str
    files: dict[str, str | bytes]
    command: list[str]
    exit_code: int
    first_line: str
    """What the output (logged warnings first) starts with; {tmp} is the test's folder."""
    after: Callable[[Path], bool] = field(default=lambda tmp: True)


SEGMENT = ["segment", "{tmp}/in", "-o", "{tmp}/out.jsonl", "-q"]
TRANSLATE = ["translate", "{tmp}/seg.jsonl", "-o", "{tmp}/out.jsonl", "--english-from", "reference", "--references", "{tmp}/refs.jsonl", "-q"]
ALIGN = ["align", "{tmp}/translated.jsonl", "-o", "{tmp}/aligned", "--cache-dir", "{tmp}/cache", "-q"]
SURROGATES = "lone surrogate code point"
REPLACED = "(U+D800-U+DFFF) replaced with U+FFFD"
NUL = "contains a NUL character (U+0000): binary data, not text"
ALIASES = "line 1: anchors and aliases (& and *) are not accepted; write the values out"

CASES = [
    Case("lone surrogate in JSONL text",
         {"in/batch.jsonl": r'{"name": "x", "text": "Bad \ud83d here. Troops arrived on Friday."}' + "\n"
                            + json.dumps({"name": "y", "text": GOOD}) + "\n"},
         SEGMENT, 0, f"warning: {{tmp}}/in/batch.jsonl:1: 1 {SURROGATES} {REPLACED}",
         lambda tmp: articles_written(tmp) == ["x", "y"] and "Bad \ufffd here." in texts_written(tmp)),
    Case("lone surrogates in a JSONL name and metadata",
         {"in/batch.jsonl": r'{"name": "x\udc00", "outlet": "Out\ud800let", "text": "Troops arrived on Friday."}' + "\n"},
         SEGMENT, 0, f"warning: {{tmp}}/in/batch.jsonl:1: 2 {SURROGATES}s {REPLACED}",
         lambda tmp: article_info(tmp)["x\ufffd"]["outlet"] == "Out\ufffdlet"),
    Case("lone surrogate in a YAML sidecar",
         {"in/news.txt": GOOD, "in/articles.yaml": 'news:\n  outlet: "Daily \\ud83d Example"\n'},
         SEGMENT, 0, f"warning: {{tmp}}/in/articles.yaml:2: 1 {SURROGATES} {REPLACED}",
         lambda tmp: article_info(tmp)["news"]["outlet"] == "Daily \ufffd Example"),
    Case("NUL byte in a .txt",
         {"in/bad.txt": b"Troops arrived\x00 on Friday.\n", "in/good.txt": GOOD},
         SEGMENT, 0, "warning: {tmp}/in/bad.txt: binary file (contains NUL bytes), not a text article",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("NUL escape in a JSONL line",
         {"in/bad.jsonl": json.dumps({"text": GOOD}) + "\n" + r'{"text": "Troops\u0000 arrived."}' + "\n", "in/good.txt": GOOD},
         SEGMENT, 0, f"warning: {{tmp}}/in/bad.jsonl:2: {NUL}",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("JSONL name that is a list",
         {"in/bad.jsonl": json.dumps({"name": ["x", "y"], "text": GOOD}) + "\n", "in/good.txt": GOOD},
         SEGMENT, 0, """warning: {tmp}/in/bad.jsonl:1: field 'name' must be text, not ["x", "y"]""",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("JSONL name that is a mapping",
         {"in/bad.jsonl": json.dumps({"name": {"x": 1}, "text": GOOD}) + "\n", "in/good.txt": GOOD},
         SEGMENT, 0, """warning: {tmp}/in/bad.jsonl:1: field 'name' must be text, not {"x": 1}""",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("billion laughs in a sidecar",
         {"in/news.txt": GOOD, "in/articles.yaml": BILLION_LAUGHS},
         SEGMENT, 1, f"error: {{tmp}}/in/articles.yaml: {ALIASES}",
         lambda tmp: not (tmp / "out.jsonl").exists()),
    Case("billion laughs as --config",
         {"in/news.txt": GOOD, "bomb.yaml": BILLION_LAUGHS},
         [*SEGMENT, "--config", "{tmp}/bomb.yaml"], 1, f"error: {{tmp}}/bomb.yaml: {ALIASES}",
         lambda tmp: not (tmp / "out.jsonl").exists()),
    Case("a lone anchor in --config",
         {"in/news.txt": GOOD, "anchor.yaml": "alignment: &x\n  threshold: 0.5\n"},
         [*SEGMENT, "--config", "{tmp}/anchor.yaml"], 1, f"error: {{tmp}}/anchor.yaml: {ALIASES}"),
    Case("sidecar over 10 MiB",
         {"in/news.txt": GOOD, "in/articles.yaml": b"#" * (10 * 2**20 + 1)},
         SEGMENT, 1, "error: {tmp}/in/articles.yaml: file is 10.0 MiB, over the 10 MiB limit for a YAML file"),
    Case("FIFO in a directory",
         {"in/good.txt": GOOD, "in/pipe.txt": FIFO},
         SEGMENT, 0, "warning: {tmp}/in/pipe.txt: a FIFO (named pipe), not a regular file: skipped",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("FIFO named directly",
         {"in/pipe.txt": FIFO},
         ["segment", "{tmp}/in/pipe.txt", "-o", "{tmp}/out.jsonl", "-q"], 2,
         "warning: {tmp}/in/pipe.txt: a FIFO (named pipe), not a regular file: skipped",
         lambda tmp: not (tmp / "out.jsonl").exists()),
    Case("FIFO as --config",
         {"in/news.txt": GOOD, "pipe.yaml": FIFO},
         [*SEGMENT, "--config", "{tmp}/pipe.yaml"], 1, "error: {tmp}/pipe.yaml: a FIFO (named pipe), not a regular file"),
    Case("FIFO as a sidecar",
         {"in/news.txt": GOOD, "in/articles.yaml": FIFO},
         SEGMENT, 1, "error: {tmp}/in/articles.yaml: a FIFO (named pipe), not a regular file"),
    Case("symbolic link loop in a directory",
         {"in/good.txt": GOOD, "in/loop.txt": link("loop.txt")},
         SEGMENT, 0, "warning: {tmp}/in/loop.txt: a symbolic link loop: skipped",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("device file in a directory",
         {"in/good.txt": GOOD, "in/null.txt": link(os.devnull)},
         SEGMENT, 0, "warning: {tmp}/in/null.txt: a character device, not a regular file: skipped",
         lambda tmp: articles_written(tmp) == ["good"]),
    Case("lone surrogate in `mt translate` input",
         {"seg.jsonl": segment_line(r"Bad \ud83d here."), "refs.jsonl": ""},
         TRANSLATE, 0, f"{{tmp}}/seg.jsonl:1: 1 {SURROGATES} {REPLACED}",
         lambda tmp: json.loads(texts_written(tmp))["english"] == "Bad \ufffd here."),
    Case("NUL escape in `mt translate` input",
         {"seg.jsonl": segment_line(r"Bad \u0000 here."), "refs.jsonl": ""},
         TRANSLATE, 1, f"error: {{tmp}}/seg.jsonl:1: {NUL}",
         lambda tmp: not (tmp / "out.jsonl").exists()),
    Case("damaged embedding cache under `mt align`",
         {"translated.jsonl": translated_segments(), "cache/embeddings.sqlite": b"not a database, just bytes " * 200},
         ALIGN, 0, "{tmp}/cache/embeddings.sqlite: damaged cache (file is not a database), moved to embeddings.sqlite.corrupt-",
         lambda tmp: (tmp / "aligned" / "pairs.jsonl").exists() and len(list((tmp / "cache").glob("embeddings.sqlite.corrupt-*"))) == 1),
    Case("folder in place of the embedding cache",
         {"translated.jsonl": translated_segments(), "cache/embeddings.sqlite": FOLDER},
         ALIGN, 1, "error: {tmp}/cache/embeddings.sqlite: a directory, not a regular file, so it cannot hold the cache; "
                   "move or delete it, or point --cache-dir (or MT_CACHE_DIR) at another folder",
         lambda tmp: not (tmp / "aligned").exists()),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs and symbolic links as on POSIX")
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_bad_input_is_one_line_and_the_rest_goes_on(tmp_path, caplog, case):
    make(tmp_path, case.files)
    result = CliRunner().invoke(app, [part.replace("{tmp}", str(tmp_path)) for part in case.command])
    logged = [record.getMessage() for record in caplog.records if record.name.startswith("mt.")]
    shown = [line for line in logged + result.output.splitlines() if line.strip()]
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == case.exit_code, result.output
    assert shown and shown[0].startswith(case.first_line.replace("{tmp}", str(tmp_path))), shown
    assert case.after(tmp_path)


def test_billion_laughs_is_refused_at_once(tmp_path):
    path = tmp_path / "bomb.yaml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    assert len(BILLION_LAUGHS) < 500
    with pytest.raises(ConfigError, match="anchors and aliases"):
        load_config(path)


def filled_translation_cache(folder: Path) -> Path:
    with TranslationCache(folder) as cache:
        cache.put_many([(f"k{i}", "m", "r", f"source {i}", CachedTranslation("text " * 40, 0.5, 3)) for i in range(400)])
    return folder / "translations.sqlite"


def filled_embedding_cache(folder: Path) -> Path:
    with EmbeddingCache(folder) as cache:
        cache.put_many([(f"k{i}", np.ones(96, dtype=np.float32)) for i in range(400)])
    return folder / "embeddings.sqlite"


def use(cache_class: type, folder: Path) -> None:
    """Write one entry and read it back."""
    with cache_class(folder) as cache:
        if cache_class is TranslationCache:
            cache.put_many([("k", "m", "r", "s", CachedTranslation("t", 1.0, 1))])
            assert cache.get_many(["k"])["k"].text == "t"
        else:
            cache.put_many([("k", np.ones(4, dtype=np.float32))])
            assert list(cache.get_many(["k"])["k"]) == [1.0] * 4


DAMAGE = {
    "truncated": lambda data: data[: len(data) // 2],
    "header only": lambda data: data[:1000],
    "random bytes": lambda data: os.urandom(len(data)),
    "zeros": lambda data: bytes(len(data)),
    "scribbled pages": lambda data: data[:4096] + os.urandom(8192) + data[4096 + 8192:],
}


@pytest.mark.parametrize("fill, cache_class", [(filled_translation_cache, TranslationCache), (filled_embedding_cache, EmbeddingCache)],
                         ids=["translations", "embeddings"])
@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_cache_is_moved_aside_and_rebuilt(tmp_path, caplog, fill, cache_class, damage):
    path = fill(tmp_path)
    broken = DAMAGE[damage](path.read_bytes())
    path.write_bytes(broken)
    (tmp_path / f"{path.name}-wal").write_bytes(b"a stale write-ahead log")
    use(cache_class, tmp_path)
    [aside] = tmp_path.glob(f"{path.name}.corrupt-*[0-9]")
    assert aside.read_bytes() == broken
    [message] = [r.getMessage() for r in caplog.records if r.name == "mt.config"]
    assert message.startswith(f"{path}: damaged cache (") and f"moved to {aside.name}; starting an empty one" in message
    use(cache_class, tmp_path)
    assert len(list(tmp_path.glob(f"{path.name}.corrupt-*[0-9]"))) == 1, "a rebuilt cache is healthy"


@pytest.mark.parametrize("cache_class, name", [(TranslationCache, "translations.sqlite"), (EmbeddingCache, "embeddings.sqlite")])
def test_a_cache_that_cannot_be_moved_aside_is_one_line(tmp_path, monkeypatch, cache_class, name):
    (tmp_path / name).write_bytes(b"garbage " * 512)

    def refuse(self, target):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "rename", refuse)
    with pytest.raises(CacheError) as error:
        cache_class(tmp_path)
    assert str(error.value) == (f"{tmp_path / name}: damaged cache (file is not a database) that cannot be moved aside "
                                "(Permission denied); move or delete it, or point --cache-dir (or MT_CACHE_DIR) at another folder")
