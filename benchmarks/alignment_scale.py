"""Alignment cost as the number of articles grows.

Synthetic comparable articles: each is 20 English FLORES sentences drawn at
random (seeded) from the dev and devtest sets, so articles share sentences
as real coverage of one event shares facts. Each size runs in its own process
(peak RSS is its own); sentence embeddings are computed in that process too.

    python benchmarks/alignment_scale.py                 # 10, 50, 200 articles
    python benchmarks/alignment_scale.py --articles 10 100 500 1000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
SENTENCES_PER_ARTICLE = 20


def worker(data: Path, articles: int, result: Path) -> None:
    from alignments import AlignmentSettings, Embedder, align
    from mt.config import load_config
    from mt.records import Segment

    pool = []
    for split in ("dev/eng.dev", "devtest/eng.devtest"):
        pool += (data / "flores200" / split).read_text(encoding="utf-8").splitlines()
    rng = random.Random(articles)
    segments = []
    for a in range(articles):
        for i, text in enumerate(rng.sample(pool, SENTENCES_PER_ARTICLE)):
            segments.append(Segment(f"art{a:05d}:{i:04d}", f"art{a:05d}", i, "body", "en", text, 0, len(text), english=text))
    settings = AlignmentSettings.from_config(load_config(None))
    embedder = Embedder(settings.embedder)
    started = time.perf_counter()
    embedder.embed([s.english for s in segments])
    embedded = time.perf_counter()
    outcome = align(segments, settings, embedder)
    done = time.perf_counter()
    result.write_text(json.dumps({"articles": articles, "segments": len(segments), "embed_seconds": embedded - started,
                                  "align_seconds": done - embedded, "pairs": len(outcome.pairs), "facts": len(outcome.facts)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--articles", type=int, nargs="+", default=[10, 50, 200])
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.data_dir, int(args.worker[0]), Path(args.worker[1]))
    rows = []
    for n in args.articles:
        result = Path(tempfile.gettempdir()) / f"alignment-scale-{os.getpid()}-{n}.json"
        process = subprocess.Popen([sys.executable, __file__, "--data-dir", str(args.data_dir), "--worker", str(n), str(result)])
        _, status, usage = os.wait4(process.pid, 0)
        if status:
            sys.exit(f"the run with {n} articles failed")
        row = json.loads(result.read_text())
        result.unlink()
        row["peak_rss_mib"] = usage.ru_maxrss / 1024
        rows.append(row)
    print(f"\nAlignment cost, {SENTENCES_PER_ARTICLE} sentences per article, CPU threads {os.cpu_count()}")
    print("| articles | segments | embedding (s) | alignment (s) | segments/s (alignment) | pairs | facts | peak RSS (MiB) |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['articles']} | {r['segments']} | {r['embed_seconds']:.1f} | {r['align_seconds']:.1f} | "
              f"{r['segments'] / r['align_seconds']:.0f} | {r['pairs']} | {r['facts']} | {r['peak_rss_mib']:.0f} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
