"""Check that `mt evaluate` reproduces the published opus-mt-pl-en scores (the `.eval` files).

    python benchmarks/published_scores.py [--data-dir ../shared/data]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from mt.evaluation import evaluate, from_files

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SETS = {"flores101-devtest": ("flores200/devtest/eng.devtest",), "newstest2020": ("wmt20/newstest2020.pl-en.eng",)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    data = parser.parse_args().data_dir
    print("| test set | BLEU (ours / published) | chrF (ours / published) | match |")
    print("|---|---|---|---|")
    for name, (reference,) in SETS.items():
        published = (data / "published" / f"opus-mt-pl-en.{name}.eval").read_text()
        bleu = float(re.search(r"BLEU\S* = ([\d.]+)", published).group(1))
        chrf = 100 * float(re.search(r"chrF2\S* = ([\d.]+)", published).group(1))
        report = evaluate(from_files([data / "published" / f"opus-mt-pl-en.{name}.output"], data / reference), ["bleu", "chrf"], n_bootstrap=1, worst=0)
        ours = report.systems[0].scores
        match = f"{ours['bleu'].score:.1f}" == f"{bleu:.1f}" and f"{ours['chrf'].score:.2f}" == f"{chrf:.2f}"
        print(f"| {name} | {ours['bleu'].score:.2f} / {bleu} | {ours['chrf'].score:.2f} / {chrf:.2f} | {'yes' if match else 'NO'} |")


if __name__ == "__main__":
    main()
