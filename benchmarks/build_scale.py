"""`mt build` end to end on synthetic multi-event corpora, then `mt build --into` adding the newest articles.

The corpus is corpus_scale.py's (FLORES dev windows told by 2 to 6 outlets in Polish, Russian, Spanish and English,
plus noise articles), written as a user's folder: one text file per article, an articles.yaml with language and
date, and references/references.jsonl with each sentence's FLORES English (`--english-from reference`, no
translation). FLORES lines the segmenter splits into two sentences have no English of their own, so they are left
out (about a tenth). The `--add` newest articles (by date) go to a second folder.

For each size, in a fresh folder with a fresh cache (so the first build is cold: every sentence embedded):

1. `mt build old/ -o a/corpus`: wall time, each stage's time (the summary's `took` line), peak memory, bytes out;
2. `mt build new/ --into a/corpus`: the same figures for adding the newest articles. At these sizes every sentence
   of the new articles also occurs in older ones (FLORES windows repeat), so their vectors are in the cache: the
   same update is also timed from a copy with an empty cache (`into_empty_cache`: the new articles' sentences, and
   those of the events they join, embedded and their numbers read again; only quantulum3's classifier is kept), as
   for articles whose text the corpus has never seen. Both start with the old corpus written to disk (`os.sync`), as
   a corpus built on an earlier day is;
3. with `--rebuild`, `mt build old/ new/ -o b/corpus` with the caches now warm, and whether it equals step 2's
   corpus and work folder byte for byte (the card's command line aside).

Then the fitted exponent of each stage's time, of memory and of bytes in the number of articles.

    python benchmarks/build_scale.py                                   # 50 and 500 articles, add 50
    python benchmarks/build_scale.py --articles 50 500 5000 --rebuild --json build_scale.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_scale import SHARED, SyntheticArticle, exponent, synthetic_corpus, write_inputs  # noqa: E402

WORK_FILES = ["segments.jsonl", "translated.jsonl", "articles.jsonl", "alignment/pairs.jsonl", "alignment/facts.jsonl",
              "alignment/events.jsonl"]
MEASURE = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
           "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); sys.exit(code)")
"""Runs one command and prints its peak RSS (KB) last on stderr: each measured command is this process's only child."""


def whole_lines_only(corpus: list[SyntheticArticle], folder: Path) -> None:
    """Drop the lines the segmenter does not keep as one segment (their English would cover two)."""
    from mt.config import load_config
    from mt.segmentation import segment

    write_inputs(corpus, folder)
    kept: dict[str, set[str]] = {}
    for s in segment([folder], load_config()).segments:
        kept.setdefault(s.article, set()).add(s.text)
    for a in corpus:
        pairs = [(t, e) for t, e in zip(a.texts, a.english) if t in kept.get(a.name, set())]
        a.texts, a.english = [t for t, _ in pairs], [e for _, e in pairs]


def write_folder(articles: list[SyntheticArticle], folder: Path) -> None:
    write_inputs(articles, folder)
    (folder / "references").mkdir(exist_ok=True)
    with open(folder / "references" / "references.jsonl", "w", encoding="utf-8") as out:
        for a in articles:
            at = 0
            for text, english in zip(a.texts, a.english):
                out.write(json.dumps({"article": a.name, "start": at, "end": at + len(text), "source": text,
                                      "reference": english}, ensure_ascii=False) + "\n")
                at += len(text) + 2  # write_inputs joins paragraphs with a blank line


def seconds_of(text: str) -> float:
    """'12.3 s' or '6 min 39 s' -> seconds."""
    minutes = re.search(r"(\d+) min", text)
    return (int(minutes.group(1)) * 60 if minutes else 0) + float(re.search(r"([\d.]+) s", text).group(1))


def mt_build(args: list[str], cwd: Path, env: dict[str, str], cache: str = "cache") -> dict[str, float]:
    """Run `mt build ARGS`: wall seconds, each stage's seconds, peak RSS."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "mt", "build", *args, "--english-from",
                           "reference", "--cache-dir", cache], cwd=cwd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"mt build {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    figures = {"wall_seconds": wall, "peak_rss_mb": int(done.stderr.strip().splitlines()[-1]) / 1024}
    took = next(line for line in (done.stdout + done.stderr).splitlines() if line.startswith("took "))  # the summary
    for part in took.split(": ", 1)[1].split(", "):
        stage, duration = part.split(" ", 1)
        figures[f"{stage}_seconds"] = seconds_of(duration)
    return figures


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def same_files(a: Path, b: Path, skip: set[str]) -> bool:
    names = {str(p.relative_to(a)) for p in a.rglob("*") if p.is_file()} - skip
    return names == {str(p.relative_to(b)) for p in b.rglob("*") if p.is_file()} - skip and all(
        (a / n).read_bytes() == (b / n).read_bytes() for n in names)


def run_size(n: int, args: argparse.Namespace) -> dict:
    root = Path(tempfile.mkdtemp(prefix=f"build-scale-{n}-"))
    try:
        return measure_size(n, root, args)
    finally:
        if args.keep:
            print(f"kept {root}", flush=True)
        else:
            shutil.rmtree(root, ignore_errors=True)


def measure_size(n: int, root: Path, args: argparse.Namespace) -> dict:
    corpus = synthetic_corpus(args.data_dir, n + args.add, window=args.window, noise=args.noise, spacing=7, undated=0.0)
    for a in corpus:  # FLORES lines may end in a space; a paragraph of an article does not
        a.texts, a.english = [t.strip() for t in a.texts], [e.strip() for e in a.english]
    whole_lines_only(corpus, root / "probe")
    newest = {a.name for a in sorted(corpus, key=lambda a: (a.published or "", a.name))[-args.add:]} if args.add else set()
    write_folder([a for a in corpus if a.name not in newest], root / "old")
    write_folder([a for a in corpus if a.name in newest], root / "new")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "MT_CACHE_DIR": str(root / "cache"), "TOKENIZERS_PARALLELISM": "false"}
    row: dict = {"articles": n, "added": len(newest), "segments": sum(len(a.texts) for a in corpus)}
    row["build"] = mt_build(["old", "-o", "a/corpus", "--work", "a/work"], root, env)
    row["build"]["corpus_bytes"] = folder_bytes(root / "a" / "corpus")
    pages = [root / "a" / "corpus" / "report.html", *(root / "a" / "corpus" / "report").glob("*.html")]
    row["build"]["report_bytes"] = sum(page.stat().st_size for page in pages)
    row["build"]["largest_report_page_bytes"] = max(page.stat().st_size for page in pages)
    if newest:
        shutil.copytree(root / "a", root / "c", symlinks=True)
        os.sync()  # the corpus on disk, as a user's built yesterday: removing its old files then costs what it costs
        row["into"] = mt_build(["new", "--into", "a/corpus", "--work", "a/work"], root, env)
        row["into"]["share_of_cold_build"] = row["into"]["wall_seconds"] / row["build"]["wall_seconds"]
        if (root / "cache" / "quantulum3").is_dir():  # a number parser's classifier, built once per machine: not the texts'
            shutil.copytree(root / "cache" / "quantulum3", root / "empty-cache" / "quantulum3")
        row["into_empty_cache"] = mt_build(["new", "--into", "c/corpus", "--work", "c/work"], root,
                                           {**env, "MT_CACHE_DIR": str(root / "empty-cache")}, cache="empty-cache")
        row["into_empty_cache"]["share_of_cold_build"] = row["into_empty_cache"]["wall_seconds"] / row["build"]["wall_seconds"]
    if args.rebuild and newest:
        row["rebuild"] = mt_build(["old", "new", "-o", "b/corpus", "--work", "b/work"], root, env)  # each folder's references
        row["rebuild"]["equal_to_into"] = same_files(root / "a" / "corpus", root / "b" / "corpus", {"README.md"}) and all(
            (root / "a" / "work" / f).read_bytes() == (root / "b" / "work" / f).read_bytes() for f in WORK_FILES)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--articles", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--add", type=int, default=50, help="newest articles added with --into (0: none)")
    parser.add_argument("--window", type=int, default=8, help="consecutive FLORES lines per event")
    parser.add_argument("--noise", type=float, default=0.1, help="share of single-article events")
    parser.add_argument("--rebuild", action="store_true", help="also rebuild old and new with warm caches, and compare")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep", action="store_true", help="keep each size's folder (inputs, corpora, caches: GBs at 5,000) to look into")
    args = parser.parse_args()
    rows = []
    for n in args.articles:
        rows.append(run_size(n, args))
        r = rows[-1]
        for step in ("build", "into", "into_empty_cache", "rebuild"):
            if step in r:
                print(f"{r['articles']:>6} articles  {step:<8}" + "  ".join(f"{k} {v:.4g}" for k, v in r[step].items()), flush=True)
    sizes = [r["articles"] for r in rows]
    for key in rows[0]["build"]:
        slope = exponent(sizes, [r["build"][key] for r in rows])
        if slope is not None:
            print(f"build {key} ~ articles^{slope:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
