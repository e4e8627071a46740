"""Parallel-alignment development sets from ../shared/data: the easy one (MT against human) and the hard one.

**The easy set** (`tune`, `devtest`, `newstest`; unchanged since it was first
built). The published opus-mt-pl-en output on FLORES devtest and on
newstest2020 is an MT-versus-human English pair of documents, line by line.
Adjacent lines are joined on one side or the other, and a few are dropped from
one side, so that the gold links follow the mix of a literary benchmark (1-1
62%, 1-2 21%, 1-3 6.5%, 2-1 4%, 1-4 2%, 2-2 1.5%, 2-3 1%, deletions 1%). Each
document is `--lines` consecutive lines. Splits: `tune` (the first half of
FLORES devtest's documents: FLORES dev has no published MT output), `devtest`
(the other half) and `newstest` (all of newstest2020). More tuning documents of this
kind: `tune-s11` to `tune-s14`, the lines of `tune` cut again with other seeds, and
`tune-dev`, the same mix on FLORES dev (the original against the English: FLORES dev
has no published MT output).

**The hard set** (`hard-*`): fewer 1-1 links (about 45%), merges on both sides
(2-2, 2-3, 3-2 that split the content differently on each side, 1-4, 4-1),
swaps of neighbouring sentences (gold: one 2-2 link), deletions of runs of 1 to
3 sentences on either side (about 8% of the links), and documents of 20 to 160
lines. Every document has the same gold in every *view*, which only changes the
source side:

- original against original: the Polish, Russian or Spanish FLORES text (one
  language per document, in turn) against the English, no machine translation
  in between: `hard-tune` (FLORES dev, for choosing constants), `hard-devtest`
  (FLORES devtest), `hard-newstest` (newstest2020's Polish original against its
  English reference);
- MT against human: the opus-mt-pl-en output against the English, on the same
  documents: `hard-devtest-mt`, `hard-newstest-mt`.

Gold is vecalign's `[i, j]:[k]` format; file stems name the source language.

    python benchmarks/parallel_devset.py -o parallel-devset/     # seeded: the same files every time
"""

from __future__ import annotations

import argparse
import ast
import random
from collections import Counter
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MIX = {(1, 1): 62.0, (1, 2): 21.0, (1, 3): 6.5, (2, 1): 4.0, (1, 4): 2.0, (2, 2): 1.5, (2, 3): 1.0, "deletion": 1.0}
"""Share of gold links by type (m source x n target sentences), as in the literary benchmark."""
PAIRS_NEEDED = {(1, 1): 1, (1, 2): 2, (1, 3): 3, (1, 4): 4, (2, 1): 2, (2, 2): 3, (2, 3): 4, "deletion": 1}


def make_document(pairs: list[tuple[str, str]], rng: random.Random) -> tuple[list[str], list[str], list[str]]:
    """Source (MT) and target (human) sentences and the gold links of one document."""
    source: list[str] = []
    target: list[str] = []
    gold: list[str] = []
    k = 0
    kinds, weights = list(MIX), list(MIX.values())
    while k < len(pairs):
        kind = rng.choices(kinds, weights)[0]
        need = PAIRS_NEEDED[kind]
        if k + need > len(pairs):
            kind, need = (1, 1), 1
        mt, ref = [p[0] for p in pairs[k : k + need]], [p[1] for p in pairs[k : k + need]]
        k += need
        s0, t0 = len(source), len(target)
        if kind == "deletion":
            if rng.random() < 0.5:
                source.append(mt[0])
                gold.append(f"[{s0}]:[]")
            else:
                target.append(ref[0])
                gold.append(f"[]:[{t0}]")
            continue
        if kind == (2, 2):
            new_source, new_target = [f"{mt[0]} {mt[1]}", mt[2]], [ref[0], f"{ref[1]} {ref[2]}"]
        elif kind == (2, 3):
            new_source, new_target = [f"{mt[0]} {mt[1]}", f"{mt[2]} {mt[3]}"], [ref[0], f"{ref[1]} {ref[2]}", ref[3]]
        elif kind[0] == 1:
            new_source, new_target = [" ".join(mt)], ref
        else:
            new_source, new_target = mt, [" ".join(ref)]
        source += new_source
        target += new_target
        gold.append(f"{list(range(s0, len(source)))}:{list(range(t0, len(target)))}")
    return source, target, gold


def build(data: Path, out: Path, lines_per_document: int = 80, seed: int = 1) -> dict[str, Counter]:
    corpora = {
        "flores": (data / "published" / "opus-mt-pl-en.flores101-devtest.output", data / "flores200" / "devtest" / "eng.devtest"),
        "newstest": (data / "published" / "opus-mt-pl-en.newstest2020.output", data / "wmt20" / "newstest2020.pl-en.eng"),
    }
    rng = random.Random(seed)
    mix: dict[str, Counter] = {}
    for name, (mt_file, ref_file) in corpora.items():
        mt = mt_file.read_text(encoding="utf-8").splitlines()
        ref = ref_file.read_text(encoding="utf-8").splitlines()
        assert len(mt) == len(ref), f"{mt_file} and {ref_file} differ in length"
        documents = [list(zip(mt[i : i + lines_per_document], ref[i : i + lines_per_document])) for i in range(0, len(mt), lines_per_document)]
        for number, pairs in enumerate(documents):
            split = "newstest" if name == "newstest" else ("tune" if number < len(documents) // 2 else "devtest")
            source, target, gold = make_document(pairs, rng)
            write_document(out / split, f"{name}-{number:02d}", source, target, gold, mix.setdefault(split, Counter()))
    return mix


RECUT_SEEDS = (11, 12, 13, 14)
"""Seeds of `tune-s11` to `tune-s14`: the lines of `tune`, cut again into links of the same mix."""


def write_document(folder: Path, stem: str, source: list[str], target: list[str], gold: list[str], counts: Counter) -> None:
    """`stem`.src, .tgt and .gold (vecalign's format) in `folder`, and each gold link's kind counted in `counts`."""
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, lines in ((".src", source), (".tgt", target), (".gold", gold)):
        (folder / f"{stem}{suffix}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for line in gold:
        s, t = (ast.literal_eval(side) for side in line.split(":"))
        counts["deletion" if not s or not t else f"{len(s)}-{len(t)}"] += 1


def build_tune_recuts(data: Path, out: Path, lines_per_document: int = 80, seeds: tuple[int, ...] = RECUT_SEEDS) -> dict[str, Counter]:
    """`tune-s<seed>`: the same MT-against-human lines as `tune` (FLORES devtest's first half), joined and dropped
    afresh with another seed: more tuning documents of the easy kind, from no line that `devtest` or `newstest`
    uses (what `build` would make of its first documents with that seed)."""
    mt = (data / "published" / "opus-mt-pl-en.flores101-devtest.output").read_text(encoding="utf-8").splitlines()
    ref = (data / "flores200" / "devtest" / "eng.devtest").read_text(encoding="utf-8").splitlines()
    documents = [list(zip(mt[i : i + lines_per_document], ref[i : i + lines_per_document])) for i in range(0, len(mt), lines_per_document)]
    mix: dict[str, Counter] = {}
    for seed in seeds:
        rng = random.Random(seed)
        folder = out / f"tune-s{seed}"
        counts = mix.setdefault(folder.name, Counter())
        for number, pairs in enumerate(documents[: len(documents) // 2]):
            write_document(folder, f"flores-{number:02d}", *make_document(pairs, rng), counts)
    return mix


def build_easy_dev(data: Path, out: Path, lines_per_document: int = 80, seed: int = 3) -> dict[str, Counter]:
    """`tune-dev`: the easy set's mix (mostly 1-1, 1% deletions) on FLORES dev, the Polish, Russian or Spanish original
    (one per document, in turn) against the English: a second tuning split of the easy kind, from lines that no
    reported split uses (FLORES dev has no published MT output, so the source is the original)."""
    flores = data / "flores200" / "dev"
    languages = ("pol", "rus", "spa")
    english = (flores / "eng.dev").read_text(encoding="utf-8").splitlines()
    originals = {lang: (flores / f"{lang}.dev").read_text(encoding="utf-8").splitlines() for lang in languages}
    rng = random.Random(seed)
    counts: Counter = Counter()
    folder = out / "tune-dev"
    for number, start in enumerate(range(0, len(english), lines_per_document)):
        language = languages[number % len(languages)]
        pairs = list(zip(originals[language][start : start + lines_per_document], english[start : start + lines_per_document]))
        write_document(folder, f"dev-{number:02d}-{language}", *make_document(pairs, rng), counts)
    return {"tune-dev": counts}


HARD_MIX = {(1, 1): 46.0, (1, 2): 7.0, (2, 1): 7.0, (1, 3): 3.0, (3, 1): 3.0, (1, 4): 2.5, (4, 1): 2.5, (2, 2): 4.0,
            "swap": 4.0, (2, 3): 2.5, (3, 2): 2.5, "deletion": 6.5}
"""Share of the hard set's steps by kind; a deletion step drops a run of 1 to 3 lines from one side."""
HARD_LINES = {"swap": 2, (2, 2): 3, (2, 3): 4, (3, 2): 4}
"""Lines a step consumes, where that is not max(m, n)."""
HARD_LENGTHS = (20, 160)
"""Lines per hard document: drawn uniformly from this range."""


def hard_document(rows: list[tuple[tuple[str, ...], str]], rng: random.Random) -> tuple[list[list[str]], list[str], list[str]]:
    """One hard document: its source side in each view, its target side and its gold links.

    `rows`: parallel lines as (the source text in each view, the target text); every view gets the same
    merges, swaps and deletions, so the target and the gold are shared."""
    views = len(rows[0][0])
    sources: list[list[str]] = [[] for _ in range(views)]
    target: list[str] = []
    gold: list[str] = []
    kinds, weights = list(HARD_MIX), list(HARD_MIX.values())
    k = 0

    def add(source_groups: list[list[int]], target_groups: list[list[int]]) -> None:
        s0, t0 = len(sources[0]), len(target)
        for view in range(views):
            sources[view] += [" ".join(rows[line][0][view] for line in group) for group in source_groups]
        target.extend(" ".join(rows[line][1] for line in group) for group in target_groups)
        gold.append(f"{list(range(s0, len(sources[0])))}:{list(range(t0, len(target)))}")

    while k < len(rows):
        kind = rng.choices(kinds, weights)[0]
        need = HARD_LINES.get(kind, 1 if kind == "deletion" else max(kind))
        if k + need > len(rows):
            kind, need = (1, 1), 1
        lines = list(range(k, k + need))
        if kind == "deletion":
            run = min(rng.choices([1, 2, 3], [70, 20, 10])[0], len(rows) - k)
            on_source = rng.random() < 0.5
            for line in range(k, k + run):
                add([[line]], []) if on_source else add([], [[line]])
            k += run
            continue
        k += need
        if kind == "swap":
            add([[lines[0]], [lines[1]]], [[lines[1]], [lines[0]]])
        elif kind == (2, 2):
            add([lines[:2], lines[2:]], [lines[:1], lines[1:]])
        elif kind == (2, 3):
            add([lines[:2], lines[2:]], [lines[:1], lines[1:3], lines[3:]])
        elif kind == (3, 2):
            add([lines[:1], lines[1:3], lines[3:]], [lines[:2], lines[2:]])
        elif kind[0] == 1:
            add([lines], [[line] for line in lines])
        else:
            add([[line] for line in lines], [lines])
    return sources, target, gold


def build_hard(data: Path, out: Path, seed: int = 2) -> dict[str, Counter]:
    """The hard set's folders (see the module's docstring); returns the gold link mix of each."""
    flores = data / "flores200"
    languages = ("pol", "rus", "spa")
    corpora = {  # name -> (each view's source files by language, the views' folders, the target file)
        "hard-tune": ([{lang: flores / "dev" / f"{lang}.dev" for lang in languages}], ["hard-tune"], flores / "dev" / "eng.dev"),
        "hard-devtest": ([{lang: flores / "devtest" / f"{lang}.devtest" for lang in languages},
                          {"mt": data / "published" / "opus-mt-pl-en.flores101-devtest.output"}],
                         ["hard-devtest", "hard-devtest-mt"], flores / "devtest" / "eng.devtest"),
        "hard-newstest": ([{"pol": data / "wmt20" / "newstest2020.pl-en.pol"},
                           {"mt": data / "published" / "opus-mt-pl-en.newstest2020.output"}],
                          ["hard-newstest", "hard-newstest-mt"], data / "wmt20" / "newstest2020.pl-en.eng"),
    }
    rng = random.Random(seed)
    mix: dict[str, Counter] = {}
    for name, (view_files, folders, target_file) in corpora.items():
        target_lines = target_file.read_text(encoding="utf-8").splitlines()
        view_lines = [[f.read_text(encoding="utf-8").splitlines() for f in files.values()] for files in view_files]
        assert all(len(lines) == len(target_lines) for files in view_lines for lines in files), f"{name}: lengths differ"
        start, number = 0, 0
        while start < len(target_lines):
            size = rng.randint(*HARD_LENGTHS)
            if len(target_lines) - start - size < HARD_LENGTHS[0]:
                size = len(target_lines) - start
            # One source language per document, in turn; the other views have one language each.
            chosen = [number % len(files) for files in view_lines]
            rows = [(tuple(view_lines[v][chosen[v]][line] for v in range(len(view_lines))), target_lines[line])
                    for line in range(start, start + size)]
            sources, target, gold = hard_document(rows, rng)
            for view, folder_name in enumerate(folders):
                language = list(view_files[view])[chosen[view]]
                write_document(out / folder_name, f"{name.removeprefix('hard-')}-{number:02d}-{language}", sources[view], target,
                               gold, mix.setdefault(folder_name, Counter()))
            start += size
            number += 1
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("-o", "--output", type=Path, default=Path("parallel-devset"))
    parser.add_argument("--lines", type=int, default=80, help="parallel lines per document")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--hard-seed", type=int, default=2)
    args = parser.parse_args()
    mixes = (build(args.data_dir, args.output, args.lines, args.seed) | build_tune_recuts(args.data_dir, args.output, args.lines)
             | build_easy_dev(args.data_dir, args.output, args.lines) | build_hard(args.data_dir, args.output, args.hard_seed))
    for split, counts in mixes.items():
        total = sum(counts.values())
        shares = ", ".join(f"{kind} {100 * n / total:.1f}%" for kind, n in counts.most_common())
        print(f"{split}: {len(list((args.output / split).glob('*.gold')))} documents, {total} gold links: {shares}")


if __name__ == "__main__":
    main()
