"""A cross-lingual comparable dev set from FLORES-200: events told by several outlets, with gold pairs, facts and
disagreements.

FLORES-200 holds the same sentences in Polish, Russian, Spanish and English, line by line, with no document ids
(`../shared/data/flores200/{dev,devtest}`; never copied into the repository). Here a window of 8 consecutive
lines is an *event* (windows are disjoint). Each event is told by 2 to 4 *outlets*, each in one language (Polish,
Russian and Spanish before any repeats; English in place of one of them in about half the events). An outlet
reports 50% to 90% of the window's lines (at least 2), in its own order, with one or two lines from windows that
no event uses mixed in as noise (each noise line appears once in a corpus, so it is never gold). Every segment is
a `mt.records.Segment` of kind `body` whose `text` is the line in the outlet's language and whose `english` is the
FLORES English of that line (the same human sentence for every language: score on the original texts, where the
English view would be trivially easy).

In some events one outlet's copy of a line that two or more outlets report says a different number: a number
that counts something ("49 games", "28-year-old"), written alike and once in all four languages (not a year, a
time, a date, a decimal or part of a name), is changed in that outlet's original and its English alike
("49 games" -> "61 games").

Gold follows from the line ids:
- facts: for each line reported by two or more outlets, all of its segments (`id` = `SPLIT:LINE`);
- pairs: every two segments of one fact from different articles;
- disagreements: the changed numbers, as `alignments.evaluation.GoldDisagreement` (the fact, each outlet's
  segment and value: the number as a reader reads it, with its multiplier word, "50 million" = 50,000,000).

Splits: `dev` (FLORES dev) is for tuning; `devtest` (FLORES devtest) is held out for a final check only.
`SIZES` names corpora of different sizes, from two outlets of one event to 20 events, each with its own seed, to
show that one threshold serves corpora of different sizes.

    python benchmarks/comparable_devset.py -o comparable-devset/                 # every size of `dev`
    python benchmarks/comparable_devset.py -o comparable-devset/ --split devtest --sizes large

writes, per corpus, `NAME/segments.jsonl` (what `mt align` reads), `NAME/gold.jsonl` (facts, as
seeds/gold/alignment.jsonl: `mt align-eval` reads it), `NAME/disagreements.jsonl` and `NAME/events.json`.

From Python (the repository root on `sys.path`):

    from benchmarks.comparable_devset import build
    devset = build("dev", seed=0, events=8)
    devset.segments, devset.gold_pairs, devset.gold_facts, devset.gold_disagreements
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

from alignments.evaluation import GoldDisagreement
from mt.records import Segment, write_jsonl

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = {"pol": "pl", "rus": "ru", "spa": "es", "eng": "en"}
"""FLORES file stem -> the segment's language code."""
OUTLETS = {
    "pl": ["gazeta", "rzeczpospolita", "onet", "tvn24"],
    "ru": ["tass", "ria", "kommersant", "izvestia"],
    "es": ["efe", "el-pais", "el-mundo", "clarin"],
    "en": ["reuters", "ap", "bbc", "guardian"],
}
"""Outlet names per language; an article id is `eNN-OUTLET`, so one outlet name can recur across events."""

SIZES = {
    "pair": {"events": 1, "outlets": (2, 2), "seed": 101, "countable_only": True, "disagree": 1.0},
    "small": {"events": 3, "outlets": (2, 4), "seed": 102, "countable_only": True, "disagree": 1.0},
    "medium": {"events": 8, "outlets": (2, 4), "seed": 103},
    "large": {"events": 20, "outlets": (2, 4), "seed": 104},
    "numbers": {"events": 12, "outlets": (2, 4), "seed": 105, "countable_only": True, "disagree": 1.0},
}
"""Named corpora of different sizes, each its own seed (different draws, not nested). `pair` and `small` (the
quality gate's, kept small for time) and `numbers` take only windows with a countable line and change a number in
every event; `medium` and `large` draw windows at random and change one in 70% of those that have one."""
GATE_SIZES = ("pair", "small")
"""The corpora tests/test_quality_gate.py scores (a minute for the whole gate on two cores)."""

NUMBER = re.compile(r"(?<![\w.,:/+\-])(\d+)(?![\w]|[.,:/]\d)")
"""A plain integer: not inside a word, a decimal, a time (9:30), a date (1/2) or a range; `28-year-old` counts."""
STOP_AFTER = {"to", "or", "and", "per"}
"""Words after a number that make it one end of a range or a rate ("10 to 15"), not a count on its own."""
MONTH = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b")


def data_folder(path: Path | str | None = None) -> Path:
    """Where FLORES lives: `path`, else `$MT_SHARED_DATA`, else `../shared/data` beside the repository."""
    if path is not None:
        return Path(path)
    return Path(os.environ["MT_SHARED_DATA"]) if os.environ.get("MT_SHARED_DATA") else ROOT.parent / "shared" / "data"


def flores_files(split: str, data: Path | str | None = None) -> dict[str, Path]:
    folder = data_folder(data) / "flores200" / split
    return {stem: folder / f"{stem}.{split}" for stem in LANGUAGES}


def available(split: str = "dev", data: Path | str | None = None) -> bool:
    return all(path.is_file() for path in flores_files(split, data).values())


def read_flores(split: str, data: Path | str | None = None) -> dict[str, list[str]]:
    """language code -> its lines (all four line-aligned)."""
    if split not in ("dev", "devtest"):
        raise ValueError(f"split must be 'dev' or 'devtest', not {split!r}")
    files = flores_files(split, data)
    missing = [str(p) for p in files.values() if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"FLORES-200 {split} not found: {', '.join(missing)} (set MT_SHARED_DATA or --data)")
    lines = {LANGUAGES[stem]: path.read_text(encoding="utf-8").rstrip("\n").split("\n") for stem, path in files.items()}
    if len({len(v) for v in lines.values()}) != 1:
        raise ValueError(f"FLORES-200 {split}: the four files differ in length")
    return lines


@dataclass
class DevSet:
    name: str
    split: str
    seed: int
    segments: list[Segment]
    gold_facts: list[set[str]]
    """Member ids of each gold fact (a line reported by two or more outlets), in the order of `fact_ids`."""
    fact_ids: list[str]
    gold_pairs: set[frozenset[str]]
    gold_disagreements: list[GoldDisagreement]
    events: list[dict] = field(default_factory=list)
    """Per event: its lines, and each outlet's language and lines (for reading, not for scoring)."""

    @property
    def articles(self) -> list[str]:
        return sorted({s.article for s in self.segments})

    def summary(self) -> dict:
        return {"name": self.name, "split": self.split, "seed": self.seed, "events": len(self.events),
                "articles": len(self.articles), "segments": len(self.segments), "gold_facts": len(self.gold_facts),
                "gold_pairs": len(self.gold_pairs), "gold_disagreements": len(self.gold_disagreements)}


def changeable_number(lines: dict[str, list[str]], line: int) -> str | None:
    """A number written alike, once, in all four languages of a line (not a year), or None."""
    found = None
    for candidate in NUMBER.findall(lines["en"][line]):
        if len(candidate) > 1 and candidate.startswith("0"):
            continue
        if len(candidate) == 4 and 1000 <= int(candidate) <= 2100:
            continue  # a year: changing it is not a different count
        if not counts_something(lines["en"][line], candidate) or MONTH.search(lines["en"][line]):
            continue  # not a count of something (a name, a date, "Type 1")
        if all(NUMBER.findall(lines[lang][line]).count(candidate) == 1 for lang in lines):
            found = candidate
            break
    return found


def counts_something(english: str, number: str) -> bool:
    """Whether `number` counts something in the English: followed by a lower-case word ("49 games", "88% net
    points", "28-year-old", not "10 to 15") and not preceded by a capitalised word inside the sentence ("Article
    247", "Type 1 diabetes")."""
    match = re.search(rf"(?<![\w.,:/+\-]){number}(?![\w]|[.,:/]\d)%?[\s-]+([a-z]+)", english)
    if not match or match.group(1) in STOP_AFTER:
        return False
    before = english[:match.start()].split()
    return len(before) <= 1 or not before[-1][:1].isupper()  # the first word of a sentence is capitalised anyway


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


def scale_after(english: str, number: str) -> float:
    """The multiplier word after `number` in the English, as a factor: "50 million speakers" counts 50,000,000, so
    the gold value is that, not 50."""
    match = re.search(rf"(?<![\w.,:/+\-]){number}(?![\w]|[.,:/]\d)\s+({'|'.join(SCALES)})\b", english)
    return SCALES[match.group(1)] if match else 1.0


def changed_value(value: int, rng: random.Random) -> int:
    """A clearly different number of the same kind: small numbers move by 2 to 5, larger ones by 30% to 100%."""
    if value < 10:
        return value + rng.choice([2, 3, 4, 5])
    new = round(value * rng.choice([0.6, 0.7, 1.3, 1.5, 2.0]))
    return new if new != value else value + 7


def replace_number(text: str, old: str, new: str) -> str:
    if old not in NUMBER.findall(text):
        raise ValueError(f"{old} not in {text!r}")
    return NUMBER.sub(lambda m: new if m.group(1) == old else m.group(0), text)


def build(split: str = "dev", seed: int = 0, events: int = 8, *, window: int = 8, outlets: tuple[int, int] = (2, 4),
          report: tuple[float, float] = (0.5, 0.9), noise: tuple[int, int] = (1, 2), disagree: float = 0.7,
          countable_only: bool = False, english: bool = True, name: str | None = None,
          data: Path | str | None = None) -> DevSet:
    """A seeded comparable corpus of `events` events from FLORES `split` (the same arguments give the same set).

    window: lines per event; outlets: (fewest, most) outlets per event; report: the share of the window's lines
    each outlet reports (at least 2); noise: (fewest, most) noise lines per outlet; disagree: the chance that an
    event with a countable line (a number alike in all four languages, counting something) has one changed number;
    countable_only: events only from windows with a countable line; english: False leaves `english` empty on the
    Polish, Russian and Spanish segments (for an aligner that would take the shared human English as evidence);
    English outlets keep theirs, which is their text.
    """
    lines = read_flores(split, data)
    total = len(lines["en"])
    rng = random.Random(f"comparable-devset:{split}:{seed}")
    windows = [list(range(start, start + window)) for start in range(0, total - window + 1, window)]
    order = rng.sample(range(len(windows)), len(windows))
    eligible = [w for w in order if not countable_only or any(changeable_number(lines, line) for line in windows[w])]
    if events < 1 or events > min(len(eligible), len(windows) // 2):
        raise ValueError(f"events must be between 1 and {min(len(eligible), len(windows) // 2)} for window {window} on {split}")
    chosen = sorted(eligible[:events])
    noise_pool = [line for w in order if w not in chosen for line in windows[w]]
    rng.shuffle(noise_pool)

    segments: list[Segment] = []
    reported: dict[int, dict[str, str]] = {}  # line -> article -> segment id
    described: list[dict] = []
    gold_disagreements: list[GoldDisagreement] = []
    for number, w in enumerate(chosen):
        event_lines = windows[w]
        n_outlets = rng.randint(*outlets)
        languages = rng.sample(["pl", "ru", "es"], 3) + [rng.choice(["pl", "ru", "es"])]  # each language once first
        languages = languages[:n_outlets]
        if rng.random() < 0.5:
            languages[rng.randrange(n_outlets)] = "en"
        countable = [line for line in event_lines if changeable_number(lines, line)]
        change_line = rng.choice(countable) if countable and rng.random() < disagree else None
        used: set[str] = set()
        plan = []
        for lang in languages:
            outlet = rng.choice([o for o in OUTLETS[lang] if o not in used])
            used.add(outlet)
            k = max(2, round(len(event_lines) * rng.uniform(*report)))
            told = rng.sample(event_lines, k)  # its own order
            for _ in range(rng.randint(*noise)):
                told.insert(rng.randrange(len(told) + 1), noise_pool.pop())
            plan.append((f"e{number:02d}-{outlet}", lang, told))
        change = None
        if change_line is not None:  # two outlets or more report it, and one says a different number
            for _, _, told in rng.sample(plan, len(plan)):
                if sum(change_line in t for _, _, t in plan) >= 2:
                    break
                if change_line not in told:
                    told.insert(rng.randrange(len(told) + 1), change_line)
            value = changeable_number(lines, change_line)
            article = rng.choice([a for a, _, told in plan if change_line in told])
            change = (change_line, value, str(changed_value(int(value), rng)), article)
        for article, lang, told in plan:
            offset = 0
            for index, line in enumerate(told):
                text, english_text = lines[lang][line], lines["en"][line]
                if change and change[0] == line and change[3] == article:
                    text, english_text = replace_number(text, change[1], change[2]), replace_number(english_text, change[1], change[2])
                segment_id = f"{article}:{index:04d}"
                segments.append(Segment(id=segment_id, article=article, index=index, kind="body", lang=lang, text=text,
                                        start=offset, end=offset + len(text),
                                        english=english_text if english or lang == "en" else None))
                offset += len(text) + 1
                reported.setdefault(line, {})[article] = segment_id
        described.append({"event": number, "lines": event_lines,
                          "outlets": [{"article": a, "lang": lang, "lines": told} for a, lang, told in plan],
                          "changed": None if change is None else
                          {"line": change[0], "from": change[1], "to": change[2], "article": change[3]}})
        if change:
            line, old, new, article = change
            scale = scale_after(lines["en"][line], old)
            gold_disagreements.append(GoldDisagreement(
                fact=f"{split}:{line:04d}", segments=dict(sorted(reported[line].items())),
                values={a: float(new if a == article else old) * scale for a in sorted(reported[line])}, changed=article))
    fact_ids, gold_facts = [], []
    for line in sorted(reported):
        if len(reported[line]) >= 2:
            fact_ids.append(f"{split}:{line:04d}")
            gold_facts.append(set(reported[line].values()))
    gold_pairs = {frozenset((a, b)) for fact in gold_facts for a, b in combinations(sorted(fact), 2)
                  if a.rsplit(":", 1)[0] != b.rsplit(":", 1)[0]}
    return DevSet(name or f"{split}-{events}-events-seed{seed}", split, seed, segments, gold_facts, fact_ids, gold_pairs,
                  gold_disagreements, described)


def build_size(size: str, split: str = "dev", data: Path | str | None = None, english: bool = True) -> DevSet:
    """One of the named corpora in SIZES."""
    return build(split, **SIZES[size], english=english, name=f"{split}-{size}", data=data)


def write(devset: DevSet, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    write_jsonl(folder / "segments.jsonl", devset.segments)
    write_jsonl(folder / "gold.jsonl", [{"fact": fid, "members": sorted(members)}
                                        for fid, members in zip(devset.fact_ids, devset.gold_facts)])
    write_jsonl(folder / "disagreements.jsonl", [asdict(d) for d in devset.gold_disagreements])
    (folder / "events.json").write_text(json.dumps({**devset.summary(), "events": devset.events}, indent=1), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-o", "--output", type=Path, required=True, help="folder: one subfolder per corpus")
    parser.add_argument("--split", choices=["dev", "devtest"], default="dev")
    parser.add_argument("--sizes", default=",".join(SIZES), help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--data", type=Path, help="the shared data folder (default: $MT_SHARED_DATA or ../shared/data)")
    args = parser.parse_args()
    for size in args.sizes.split(","):
        devset = build_size(size, args.split, args.data)
        write(devset, args.output / devset.name)
        print(json.dumps(devset.summary()))


if __name__ == "__main__":
    main()
