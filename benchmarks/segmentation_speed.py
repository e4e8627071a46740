"""Segmentation speed on long articles: seconds per MB, and how the time grows with the size.

Each article is built from this repository's seeds (seeds/*.txt cut into paragraphs at blank lines) and a few
Polish, Russian and Spanish paragraphs, shuffled and repeated until it reaches the size (MB = 10^6 bytes of
UTF-8). One warmed-up Segmenter (lingua's models loaded beforehand) segments each article once; the exponent b
of time = a * size^b is fitted by least squares on the logarithms (b = 1: linear). CPU seconds (this process,
every thread) sit beside the wall-clock ones: on a shared machine they move less with other people's load.

    python benchmarks/segmentation_speed.py [--sizes 0.25 0.5 1 2] [--profile] [--segments-out DIR]

`--segments-out` writes each article's segments as JSON Lines, to compare two versions of the code.
Language detection runs on every core (lingua); RAYON_NUM_THREADS=1 limits it to one.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import math
import os
import pstats
import random
import re
import time
from dataclasses import asdict
from pathlib import Path

from mt.segmentation.reading import Source
from mt.segmentation.segmenter import Segmenter

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
MORE = [
    "Prezydent Kazachstanu Kasym-Żomart Tokajew zwrócił się m.in. do ODKB o pomoc. Pierwsze oddziały przybyły "
    "ok. godz. 6 rano do Ałmaty.",
    "W 1991 r. Kazachstan ogłosił niepodległość. Przez prawie 30 lat krajem rządził Nursułtan Nazarbajew, "
    "a tzw. Zgromadzenie Narodu Kazachstanu wciąż mu podlega.",
    "Президент Касым-Жомарт Токаев обратился к ОДКБ за помощью. Первые подразделения прибыли в г. Алматы утром.",
    "По данным МВД, задержаны более 5 тыс. человек. В 2022 г. протесты охватили всю страну, от Жанаозена до "
    "Алматы.",
    "El presidente de Kazajistán pidió ayuda a la OTSC. Las tropas rusas llegaron a Almaty el jueves por la mañana.",
    "Según el Sr. García, la situación sigue siendo muy tensa. Los manifestantes ocuparon edificios oficiales, "
    "bancos, etc.",
]
"""Paragraphs in the languages the seeds lack (and their abbreviations), so every splitter rule runs."""


def paragraphs(seeds: Path = SEEDS) -> list[str]:
    """The seeds' paragraphs (lines with no blank line between them stay together) and MORE."""
    found: list[str] = []
    for path in sorted(seeds.glob("*.txt")):
        found += [p.strip("\n") for p in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")) if p.strip()]
    return found + MORE


def long_article(size_bytes: int, seed: int = 0) -> str:
    """Paragraphs shuffled and repeated, blank lines between them, until the text has `size_bytes` bytes."""
    rng = random.Random(seed)
    pool = paragraphs()
    chosen: list[str] = []
    size = 0
    while size < size_bytes:
        rng.shuffle(pool)
        for paragraph in pool:
            chosen.append(paragraph)
            size += len(paragraph.encode("utf-8")) + 2
            if size >= size_bytes:
                break
    return "\n\n".join(chosen)


def fitted_exponent(sizes: list[float], seconds: list[float]) -> float:
    """The slope of log(seconds) against log(size)."""
    xs, ys = [math.log(s) for s in sizes], [math.log(t) for t in seconds]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / sum((x - mean_x) ** 2 for x in xs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.25, 0.5, 1.0, 2.0], help="article sizes in MB")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions for the largest size")
    parser.add_argument("--segments-out", type=Path, help="write each article's segments here as JSON Lines")
    args = parser.parse_args()

    segmenter = Segmenter()
    started = time.perf_counter()
    segmenter.segment_source(Source("warm-up", Path("warm-up.txt"), "\n\n".join(paragraphs())))
    print(f"warm-up (lingua's models load): {time.perf_counter() - started:.1f} s; {os.cpu_count()} cores, "
          f"RAYON_NUM_THREADS={os.environ.get('RAYON_NUM_THREADS', 'unset')}\n")
    print("| size (MB) | characters | segments | seconds | CPU seconds | s/MB |")
    print("|---|---|---|---|---|---|")
    sizes, seconds, cpu_seconds = [], [], []
    profile = cProfile.Profile()
    for size in sorted(args.sizes):
        text = long_article(int(size * 1_000_000))
        source = Source(f"long-{size:g}", Path(f"long-{size:g}.txt"), text)
        profiling = args.profile and size == max(args.sizes)
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiling:
            profile.enable()
        article = segmenter.segment_source(source)
        if profiling:
            profile.disable()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        sizes.append(size)
        seconds.append(elapsed)
        cpu_seconds.append(cpu)
        print(f"| {size:g} | {len(text):,} | {len(article.segments):,} | {elapsed:.1f} | {cpu:.1f} | {elapsed / size:.1f} |")
        if args.segments_out:
            args.segments_out.mkdir(parents=True, exist_ok=True)
            with open(args.segments_out / f"{source.name}.jsonl", "w", encoding="utf-8") as out:
                for segment in article.segments:
                    out.write(json.dumps(asdict(segment), ensure_ascii=False) + "\n")
    if len(sizes) > 1:
        print(f"\ntime = a * size^b: b = {fitted_exponent(sizes, seconds):.2f} (seconds), "
              f"{fitted_exponent(sizes, cpu_seconds):.2f} (CPU seconds)")
    if args.profile:
        print()
        pstats.Stats(profile).sort_stats("tottime").print_stats(8)


if __name__ == "__main__":
    main()
