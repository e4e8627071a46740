"""A parallel-alignment development set from ../shared/data: machine translation against human translation.

The published opus-mt-pl-en output on FLORES devtest and on newstest2020 is an
MT-versus-human English pair of documents, line by line. Adjacent lines are
joined on one side or the other, and a few are dropped from one side, so that
the gold links follow the mix of a literary benchmark (1-1 62%, 1-2 21%,
1-3 6.5%, 2-1 4%, 1-4 2%, 2-2 1.5%, 2-3 1%, deletions 1%). Each document is
`--lines` consecutive lines; gold is vecalign's `[i, j]:[k]` format.

Splits: `tune` (the first half of FLORES devtest's documents: FLORES dev has no
published MT output, so the tuning documents come from devtest and are never
reported), `devtest` (the other half) and `newstest` (all of newstest2020).

    python benchmarks/parallel_devset.py -o parallel-devset/     # seeded: the same files every time
"""

from __future__ import annotations

import argparse
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
            folder = out / split
            folder.mkdir(parents=True, exist_ok=True)
            stem = f"{name}-{number:02d}"
            (folder / f"{stem}.src").write_text("\n".join(source) + "\n", encoding="utf-8")
            (folder / f"{stem}.tgt").write_text("\n".join(target) + "\n", encoding="utf-8")
            (folder / f"{stem}.gold").write_text("\n".join(gold) + "\n", encoding="utf-8")
            counts = mix.setdefault(split, Counter())
            for line in gold:
                s, t = line.split(":")
                a, b = len(eval(s)), len(eval(t))
                counts["deletion" if 0 in (a, b) else f"{a}-{b}"] += 1
    return mix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("-o", "--output", type=Path, default=Path("parallel-devset"))
    parser.add_argument("--lines", type=int, default=80, help="parallel lines per document")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for split, counts in build(args.data_dir, args.output, args.lines, args.seed).items():
        total = sum(counts.values())
        shares = ", ".join(f"{kind} {100 * n / total:.1f}%" for kind, n in counts.most_common())
        print(f"{split}: {len(list((args.output / split).glob('*.gold')))} documents, {total} gold links: {shares}")


if __name__ == "__main__":
    main()
