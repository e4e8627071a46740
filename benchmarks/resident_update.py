"""How much of `mt build --into` is start-up: the same update run several times in one process.

Takes a folder that `benchmarks/build_scale.py --keep` left (old/, new/, cache/), builds the old articles once
into `x/` with that cache, then, in this one process, adds new/ to fresh copies of `x/` and of the cache `--repeats`
times. The first update pays what every `mt build --into` process pays (imports, lingua's models, the embedders);
the later ones show what an update would cost in a process that keeps them (a resident service), which is the
corpus-sized work: reading the work folder, regrouping, re-aligning the touched events, publishing the corpus.
Each update prints its summary, whose last line (`took`) gives its stages. Then `mt watch --once` (the resident
service, mt/watching.py) on a copy of `x/` with new/ as the one batch of its inbox: it reads the corpus and loads
the models first, then adds the batch (its line says what that took), with a copy of the cache and with an empty one.

    python benchmarks/build_scale.py --articles 5000 --keep        # prints: kept /tmp/build-scale-5000-...
    python benchmarks/resident_update.py /tmp/build-scale-5000-...
"""

from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_scale import MEASURE  # noqa: E402  (runs one command and prints its peak RSS last on stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folder", type=Path, help="a folder kept by build_scale.py --keep")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    os.chdir(args.folder)
    shutil.rmtree("x", ignore_errors=True)
    subprocess.run([sys.executable, "-m", "mt", "build", "old", "-o", "x/corpus", "--work", "x/work", "--english-from",
                    "reference", "--cache-dir", "cache", "-q"], check=True)  # in its own process: this one starts cold
    started = time.perf_counter()
    from mt.cli import COLLECTOR_THRESHOLD, app  # timed: the program's own imports

    imported = time.perf_counter() - started
    gc.set_threshold(COLLECTOR_THRESHOLD, *gc.get_threshold()[1:])  # as the `mt` program sets it (mt.cli.run)
    times = []
    for n in range(1, args.repeats + 1):
        for source, copy in (("x", f"y{n}"), ("cache", f"c{n}")):
            shutil.rmtree(copy, ignore_errors=True)
            shutil.copytree(source, copy)
        os.sync()
        started = time.perf_counter()
        app(["build", "new", "--into", f"y{n}/corpus", "--work", f"y{n}/work", "--english-from", "reference",
             "--cache-dir", f"c{n}"], standalone_mode=False)  # its summary ends with the `took` line
        times.append(time.perf_counter() - started)
        shutil.rmtree(f"y{n}")
        shutil.rmtree(f"c{n}")
    print(f"import mt.cli {imported:.2f} s; updates in one process: " + ", ".join(f"{t:.1f} s" for t in times))
    for cache in ("warm", "empty"):
        print(f"mt watch, {cache} cache: " + watcher(cache))


def watcher(cache: str) -> str:
    """`mt watch inbox/ --into` (its own process, as a user runs it) on a copy of `x/` with new/ as the one batch in
    its inbox, `--once`: the wall time of the whole run (start, reading the corpus, loading the models) and the
    update's own line (`took`). `empty`: a cache holding only quantulum3's classifier, as for text never seen."""
    for folder in ("w", "cw", "inbox"):
        shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree("x", "w")
    shutil.copytree("new", "inbox/new")
    if cache == "warm":
        shutil.copytree("cache", "cw")
    else:
        shutil.copytree("cache/quantulum3", "cw/quantulum3")
    os.sync()
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", MEASURE, sys.executable, "-m", "mt", "watch", "inbox", "--into", "w/corpus", "--work",
                          "w/work", "--english-from", "reference", "--cache-dir", "cw", "--once"], check=True, capture_output=True,
                         text=True, env={**os.environ, "COLUMNS": "1000"})  # its line unwrapped
    wall = time.perf_counter() - started
    took = next(line for line in (run.stdout + run.stderr).splitlines() if ": added " in line)
    peak = int(run.stderr.strip().splitlines()[-1]) / 1024
    for folder in ("w", "cw", "inbox"):
        shutil.rmtree(folder)
    return f"the whole run {wall:.1f} s, peak RSS {peak:.0f} MB; {took.split(': ', 1)[1]}"

if __name__ == "__main__":
    main()
