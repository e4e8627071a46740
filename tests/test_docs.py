"""The documentation must not drift from the code.

- Every `mt ...` command in a fenced code block of README.md or docs/*.md parses with
  the real CLI: no unknown option, no missing argument, no bad choice. Nothing runs.
- Every `python benchmarks/NAME.py ...` command names a script that exists, and every
  `--option` it uses appears in that script.
- Every key of configs/defaults.yaml is in docs/configuration.md.
- README.md stays under 20,000 bytes and links every page in docs/; relative links
  between the pages point at files and headings that exist.
"""

from __future__ import annotations

import re
import shlex
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOCS = ROOT / "docs"
README_LIMIT = 20_000

FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
SHELL_LANGUAGES = {"", "bash", "sh", "shell", "console"}
SHELL_OPERATORS = {"|", "||", "&&", ";", "&"}
REDIRECTIONS = {">", ">>", "<", "<<", ">&", "<&", "&>"}
BENCHMARK = re.compile(r"(?:^|[\s/])python3?\s+(benchmarks/[\w./-]+\.py)\b(.*)$")
MISSING_PATH = re.compile(r"^(file|dir|directory|path) '(.+)' does not exist\.?$", re.IGNORECASE)


def doc_files() -> list[Path]:
    return [README, *sorted(DOCS.glob("*.md"))]


def shell_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, command) for every line of a shell-like fenced block; backslash continuations joined."""
    found: list[tuple[int, str]] = []
    fence: str | None = None
    shell = False
    pending: tuple[int, str] | None = None
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        opening = FENCE.match(line)
        if fence is None:
            if opening:
                fence, shell = opening.group(1), opening.group(2).lower() in SHELL_LANGUAGES
            continue
        if opening and line.strip().startswith(fence[0] * len(fence)) and not opening.group(2):
            fence, pending = None, None
            continue
        if not shell:
            continue
        text = line.strip()
        if pending is not None:
            start, joined = pending
            text = joined + " " + text
        else:
            start = number
        if text.endswith("\\"):
            pending = (start, text[:-1].rstrip())
            continue
        pending = None
        found.append((start, text))
    return found


def collect() -> tuple[list, list]:
    commands, benchmarks = [], []
    for path in doc_files():
        name = path.relative_to(ROOT).as_posix()
        for number, text in shell_lines(path):
            if text.startswith("$ "):
                text = text[2:].lstrip()
            if text.startswith("mt "):
                commands.append(pytest.param(text, id=f"{name}:{number}"))
            match = BENCHMARK.search(text)
            if match:
                benchmarks.append(pytest.param(match.group(1), match.group(2), id=f"{name}:{number}"))
    return commands, benchmarks


COMMANDS, BENCHMARKS = collect()


def mt_invocations(text: str) -> list[list[str]]:
    """The argument lists of every `mt` command on a shell line, shell operators and redirections removed."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    pieces: list[list[str]] = [[]]
    for token in tokens:
        if token in SHELL_OPERATORS:
            pieces.append([])
        else:
            pieces[-1].append(token)
    invocations = []
    for piece in pieces:
        if not piece or piece[0] != "mt":
            continue
        args: list[str] = []
        skip = False
        for token in piece[1:]:
            if skip:
                skip = False
                continue
            if token in REDIRECTIONS:
                skip = True
                if args and args[-1].isdigit():
                    args.pop()
                continue
            args.append(token)
        invocations.append(args)
    return invocations


@pytest.fixture(scope="module")
def cli():
    import typer.main

    from mt.cli import app

    return typer.main.get_command(app)


def parse(cli, args: list[str], workdir: Path) -> None:
    """Parse `mt ARGS` with the real CLI without running it; raise what the CLI would say.

    Paths that the CLI requires to exist are made, empty, under `workdir` (the current
    directory during the test), so that only the command line itself is judged.
    """
    assert args, "`mt` with no command"
    position = 0
    while position < len(args) and args[position].startswith("-"):
        known = {opt for param in cli.params for opt in (*param.opts, *param.secondary_opts)}
        assert args[position] in known, f"unknown option of `mt`: {args[position]}"
        position += 1
    if position == len(args):
        return
    name, rest = args[position], args[position + 1:]
    sub = cli.commands.get(name)
    assert sub is not None, f"`mt {name}`: no such command (commands: {', '.join(sorted(cli.commands))})"
    for _ in range(20):
        try:
            with sub.make_context(name, list(rest), resilient_parsing=False):
                return
        except Exception as error:  # the CLI's own UsageError family; anything else fails as it is
            missing = MISSING_PATH.match(str(getattr(error, "message", "")) or str(error))
            if not missing:
                raise
            kind, value = missing.group(1).lower(), missing.group(2)
            target = Path(value)
            assert not target.is_absolute() and ".." not in target.parts, (
                f"`mt {name}`: {value} must exist; use a relative path in the documentation")
            target = workdir / target
            if kind.startswith("dir") or value.endswith("/") or (kind == "path" and not target.suffix):
                target.mkdir(parents=True, exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.touch()
    raise AssertionError(f"`mt {name}`: too many paths to make")


@pytest.mark.parametrize("line", COMMANDS)
def test_documented_command_parses(cli, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    invocations = mt_invocations(line)
    assert invocations, f"no mt command found in {line!r}"
    for args in invocations:
        parse(cli, args, tmp_path)


@pytest.mark.parametrize(("script", "rest"), BENCHMARKS)
def test_documented_benchmark_exists(script, rest):
    path = ROOT / script
    assert path.is_file(), f"{script} does not exist"
    source = path.read_text(encoding="utf-8")
    command = rest.split("#", 1)[0]
    for option in re.findall(r"(?<![\w-])(--[A-Za-z][\w-]*)", command):
        assert option in source, f"{script} has no option {option}"


def test_commands_were_found():
    assert len(COMMANDS) >= 20
    assert len(BENCHMARKS) >= 8


def test_readme_is_short():
    size = README.stat().st_size
    assert size < README_LIMIT, f"README.md is {size} bytes; move detail into docs/ (limit {README_LIMIT})"


def test_readme_links_every_doc_page():
    readme = README.read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)(?:#[^)]*)?\)", readme))
    pages = {page.relative_to(ROOT).as_posix() for page in DOCS.glob("*.md")}
    assert pages, "docs/ has no pages"
    assert not pages - linked, f"README.md does not link: {', '.join(sorted(pages - linked))}"


def github_anchor(heading: str) -> str:
    text = re.sub(r"`|\*\*|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading.strip()).lower()
    text = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found, fence = set(), False
    for line in path.read_text(encoding="utf-8").splitlines():
        if FENCE.match(line):
            fence = not fence
        elif not fence and line.startswith("#"):
            found.add(github_anchor(line.lstrip("#")))
    return found


@pytest.mark.parametrize("page", doc_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_resolve(page):
    text = page.read_text(encoding="utf-8")
    broken = []
    for target, anchor in re.findall(r"\]\(([^)#\s:]*)(?:#([^)\s]*))?\)", text):
        if target and not target.endswith(".md"):
            continue
        file = (page.parent / target).resolve() if target else page
        if not file.is_file():
            broken.append(f"{target} (no such file)")
        elif anchor and anchor not in anchors(file):
            broken.append(f"{target}#{anchor} (no such heading)")
    assert not broken, f"{page.name}: broken links: {', '.join(broken)}"


def config_keys(data: dict, prefix: str, open_mappings: set[str]) -> list[str]:
    keys = []
    for key, value in data.items():
        key = {True: "on", False: "off"}.get(key, key) if isinstance(key, bool) else key
        dotted = f"{prefix}{key}"
        if isinstance(value, dict) and dotted not in open_mappings:
            keys += config_keys(value, dotted + ".", open_mappings)
        else:
            keys.append(dotted)
    return keys


def test_every_configuration_key_is_documented():
    from mt import config

    open_mappings = set(getattr(config, "OPEN_MAPPINGS", ()))
    defaults = yaml.safe_load((ROOT / "configs" / "defaults.yaml").read_text(encoding="utf-8"))
    documented = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [key for key in config_keys(defaults, "", open_mappings) if f"`{key}`" not in documented]
    assert not missing, f"docs/configuration.md does not document: {', '.join(missing)}"
