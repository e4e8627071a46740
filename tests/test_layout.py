"""The floor plan holds: no import loop, no import that climbs to a later stage, defaults written only in the YAML.

The graph is read from the source with `ast` (every import, also those inside
functions and under TYPE_CHECKING), so it is the real one, not the one that
happens to load first.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("mt", "alignments")

LAYERS = [
    ("shared", {"mt", "mt.errors", "mt.config", "mt.records", "mt.atomic", "mt.workfolder", "mt.progress", "mt.languages",
                "mt.configs", "mt.cores"}),
    ("segmentation", {"mt.segmentation"}),
    ("translation", {"mt.translation"}),
    ("alignment and evaluation", {"alignments", "mt.evaluation"}),
    ("engines and publishing", {"mt.engines", "mt.publishing"}),
    ("orchestration", {"mt.pipeline", "mt.streams"}),
    ("adding to a build", {"mt.incremental"}),
    ("watching an inbox", {"mt.watching"}),
    ("command line", {"mt.cli"}),
]
"""Each module may import its own wing and the layers above it in this list, never one below."""


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def imports() -> dict[str, set[str]]:
    """module -> the project modules it imports."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                candidates = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                candidates = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for candidate in candidates:
                while candidate not in known and "." in candidate:
                    candidate = candidate.rsplit(".", 1)[0]
                if candidate in known and candidate != name:
                    targets.add(candidate)
        graph[name] = targets
    return graph


def layer(module: str) -> tuple[int, str]:
    """(rank, wing): the deepest declared prefix of the module decides (`python -m mt` is the command line)."""
    module = "mt.cli" if module == "mt.__main__" else module
    best = None
    for rank, (_, members) in enumerate(LAYERS):
        for prefix in members:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > len(best[1]):
                    best = (rank, prefix)
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return best


def test_every_module_has_a_layer():
    for module in modules():
        layer(module)


def test_no_import_climbs_to_a_later_stage():
    upward = []
    for source, targets in imports().items():
        rank, wing = layer(source)
        for target in targets:
            target_rank, target_wing = layer(target)
            if target_wing != wing and target_rank >= rank and not (rank == 0 and target_rank == 0):
                upward.append(f"{source} -> {target}")
    assert not upward, "imports that climb to a later stage or sideways:\n" + "\n".join(sorted(upward))


def test_no_import_loop():
    graph = imports()
    loops, state = [], {}

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                loops.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in state:
                visit(target, path + [target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not loops, "import loops:\n" + "\n".join(loops)


def test_alignment_takes_only_what_is_shared_from_mt():
    shared = LAYERS[0][1]
    reaching = [f"{source} -> {target}" for source, targets in imports().items() if source.startswith("alignments")
                for target in targets if target.startswith("mt") and target not in shared]
    assert not reaching, "\n".join(reaching)


def yaml_leaves() -> dict[str, object]:
    """Every leaf of the packaged defaults by its key (the last part of its path): only distinctive values."""
    leaves: dict[str, object] = {}

    def walk(node: object, key: str) -> None:
        if isinstance(node, dict):
            for child, value in node.items():
                walk(value, str(child))
        elif isinstance(node, (int, float, str)) and not isinstance(node, bool) and node not in (0, 1, ""):
            leaves[key] = node

    walk(yaml.safe_load((ROOT / "configs" / "defaults.yaml").read_text(encoding="utf-8")), "")
    return leaves


def default_copies(tree: ast.AST, leaves: dict[str, object]) -> list[str]:
    """Places that write a configured default again: `x.get("key", value)`, a constant or field named after a key
    (or DEFAULT_*) holding the key's value, a keyword default of a function parameter named after a key."""
    values = set(map(repr, leaves.values()))
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get"
                and len(node.args) == 2 and isinstance(node.args[0], ast.Constant) and node.args[0].value in leaves
                and isinstance(node.args[1], ast.Constant)):
            found.append(f"line {node.lineno}: .get({node.args[0].value!r}, {node.args[1].value!r})")
        targets: list[tuple[str, ast.AST]] = []
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            targets = [(t.id, node.value) for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(node.value, ast.Constant):
            targets = [(node.target.id, node.value)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.args[len(node.args.args) - len(node.args.defaults):] + node.args.kwonlyargs
            defaults = node.args.defaults + node.args.kw_defaults
            targets = [(a.arg, d) for a, d in zip(arguments, defaults) if isinstance(d, ast.Constant)]
        for name, value in targets:
            key = name.lower().removeprefix("default_")
            if (key in leaves or name.startswith("DEFAULT_")) and repr(value.value) in values and leaves.get(key, value.value) == value.value:
                found.append(f"line {node.lineno}: {name} = {value.value!r}")
    return found


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*.py")))
def test_defaults_are_written_only_in_the_yaml(path):
    copies = default_copies(ast.parse((ROOT / path).read_text(encoding="utf-8")), yaml_leaves())
    assert not copies, f"{path} writes configured defaults again (read them from configs/defaults.yaml):\n" + "\n".join(copies)


@pytest.mark.parametrize("source, copies", [
    ('settings.get("device", "auto")', 1),
    ("class FlagSettings:\n    min_length_ratio: float = 0.35\n", 1),
    ('DEFAULT_EMBEDDER = "bert:sentence-transformers/all-MiniLM-L6-v2"', 1),
    ("def translate(max_batch_tokens=4096): pass", 1),
    ('settings["device"]', 0),
    ("WIDTH = 4096 * 2", 0),
])
def test_the_defaults_check_catches_copies(source, copies):
    assert len(default_copies(ast.parse(source), yaml_leaves())) == copies


@pytest.mark.parametrize("path", sorted(p.relative_to(ROOT).as_posix() for package in PACKAGES for p in (ROOT / package).rglob("*.py")))
def test_an_import_inside_a_function_says_why(path):
    """Imports sit at the top; one inside a function is lazy on purpose (an optional extra, a heavy library on a
    path that does not need it) and says so on the line of the function's first such import."""
    lines = (ROOT / path).read_text(encoding="utf-8").split("\n")
    silent = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inner = [n for n in ast.walk(function) if isinstance(n, (ast.Import, ast.ImportFrom))]
            if inner and not any("lazy on purpose" in lines[n.lineno - 1] for n in inner):
                silent.append(f"line {inner[0].lineno}: {lines[inner[0].lineno - 1].strip()}")
    assert not silent, f"{path}: imports inside functions without a `# lazy on purpose: why` comment:\n" + "\n".join(silent)
