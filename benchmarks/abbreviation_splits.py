"""Sentence splits after abbreviations, on every Polish, Russian and Spanish FLORES line (dev and devtest).

Each FLORES line is one sentence (a few hold two), so a line split into pieces
is mostly a wrong split. For each language: how many pieces the splitter
makes with the configured abbreviation rules and without the never-final and
year rules (what the rules undo), and the splits that remain where a piece
ends in a word of at most three characters and a full stop (the suspects, printed
for reading: most are real sentence ends such as 'na Io.').

    python benchmarks/abbreviation_splits.py [--show 15]
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LANGUAGES = {"pol": "pl", "rus": "ru", "spa": "es"}
SUSPECT = re.compile(r"(?:^|[\s(])[^\s.]{1,3}\.$")


def main() -> None:
    from mt.config import load_config
    from mt.segmentation.sentences import SentenceSplitter

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--show", type=int, default=15, help="suspect splits to print per language")
    args = parser.parse_args()
    settings = load_config()["segmentation"]
    rules = SentenceSplitter(settings["abbreviations"], settings["never_final"], settings["year_abbreviations"],
                             settings["max_words_before_year_split"])
    without = SentenceSplitter(settings["abbreviations"], structural_rules=False)
    print("| language | lines | pieces without the rules | pieces with them | splits undone | suspect splits left |")
    print("|---|---|---|---|---|---|")
    shown = []
    for code, lang in LANGUAGES.items():
        lines = []
        for split in ("dev/{}.dev", "devtest/{}.devtest"):
            lines += (args.data_dir / "flores200" / split.format(code)).read_text(encoding="utf-8").splitlines()
        before = after = 0
        suspects = []
        for line in lines:
            old, new = without.split(line, lang), rules.split(line, lang)
            before, after = before + len(old), after + len(new)
            for (_, end), (start, _) in zip(new, new[1:]):
                if SUSPECT.search(line[:end]):
                    suspects.append(f"{lang}: …{line[max(0, end - 40):end]} | {line[start:start + 30]}…")
        print(f"| {lang} | {len(lines)} | {before} | {after} | {before - after} | {len(suspects)} |")
        shown += suspects[: args.show]
    print("\nSuspect splits left (a piece ending in a word of at most three characters and a full stop):")
    for line in shown:
        print("  " + line)


if __name__ == "__main__":
    main()
