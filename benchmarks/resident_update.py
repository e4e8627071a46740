"""How much of `mt build --into` is start-up: the same update run several times in one process.

Takes a folder that `benchmarks/build_scale.py --keep` left (old/, new/, cache/), builds the old articles once
into `x/` with that cache, then, in this one process, adds new/ to fresh copies of `x/` and of the cache `--repeats`
times. The first update pays what every `mt build --into` process pays (imports, lingua's models, the embedders);
the later ones show what an update would cost in a process that keeps them (a resident service), which is the
corpus-sized work: reading the work folder, regrouping, re-aligning the touched events, publishing the corpus.
Each update prints its summary, whose last line (`took`) gives its stages.

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


if __name__ == "__main__":
    main()
