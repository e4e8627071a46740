"""Start-up cost of the command line: wall time and peak memory of short commands, each in a fresh process.

What a user feels on their first own article is mostly start-up: imports, lingua's language models and, for
`mt translate`, the model check. Each command runs as a subprocess (offline, with a fresh cache folder, so no
earlier run helps), `--repeats` times; the table gives the median wall time, the median CPU time (user + system,
every thread: it moves less than the wall time on a shared machine) and the largest peak RSS of the process and
its children (getrusage, RUSAGE_CHILDREN, read after each run).

    python benchmarks/startup_time.py [--repeats 3] [--mt PATH] [--json FILE]

`--mt` times another `mt` executable, such as an older checkout's, for a before-and-after table.

The commands: `mt --help`; `mt segment` of one six-sentence Polish paragraph with the configured languages and
with `--languages pl`; `mt translate --lines` of one sentence with a model folder that does not exist (the
error must come before any heavy import).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

PARAGRAPH = (
    "W poniedziałek w Atenach ogłoszono stan wyjątkowy. Pożar lasu pod stolicą Grecji objął już kilka tysięcy "
    "hektarów. Strażacy walczą z ogniem od niedzieli rano. Na miejscu pracuje ponad 500 ludzi i 35 samolotów. "
    "Ewakuowano mieszkańców czterech miejscowości. Rząd poprosił o pomoc inne kraje Unii Europejskiej.\n"
)
"""One paragraph of six ordinary sentences: the smallest article worth segmenting."""

SENTENCE = "Strażacy walczą z ogniem od niedzieli rano.\n"


def commands(mt: str, folder: Path) -> list[tuple[str, list[str], int]]:
    """(label, argv, expected exit status) of each command timed."""
    paragraph = folder / "paragraph.txt"
    paragraph.write_text(PARAGRAPH, encoding="utf-8")
    sentence = folder / "sentence.txt"
    sentence.write_text(SENTENCE, encoding="utf-8")
    missing = str(folder / "no-such-model")
    return [
        ("mt --help", [mt, "--help"], 0),
        ("mt segment, one paragraph, configured languages",
         [mt, "segment", str(paragraph), "-o", str(folder / "a.jsonl"), "--quiet"], 0),
        ("mt segment, one paragraph, --languages pl",
         [mt, "segment", str(paragraph), "-o", str(folder / "b.jsonl"), "--quiet", "--languages", "pl"], 0),
        ("mt translate --lines, one sentence, missing model",
         [mt, "translate", str(sentence), "--lines", "-o", str(folder / "c.txt"), "--quiet", "--no-cache",
          "--model", f"pl={missing}"], 1),
    ]


def measure(argv: list[str], env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak RSS (MB) and exit status of one run, in its own process: a helper process
    runs the command, so RUSAGE_CHILDREN holds this command alone."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "started = time.perf_counter()\n"
        "code = subprocess.run(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
        "seconds = time.perf_counter() - started\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(code, seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, "--", *argv], env=env, capture_output=True, text=True, check=True)
    code, seconds, cpu, peak = out.stdout.split()
    return float(seconds), float(cpu), int(peak) // 1024, int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="Runs of each command; the median wall time is reported.")
    parser.add_argument("--mt", default=str(Path(sys.executable).with_name("mt")), help="The mt executable to time.")
    parser.add_argument("--json", type=Path, help="Also write the figures as JSON to this file.")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "MT_CACHE_DIR": str(folder / "cache"),
               "HF_HOME": str(folder / "hf")}
        for label, argv, expected in commands(args.mt, folder):
            runs = [measure(argv, env) for _ in range(args.repeats)]
            codes = sorted({code for *_, code in runs})
            rows.append({"command": label, "seconds": statistics.median(run[0] for run in runs),
                         "cpu_seconds": statistics.median(run[1] for run in runs), "peak_mb": max(run[2] for run in runs),
                         "exit": codes, "as_expected": codes == [expected]})
    print("| command | wall time (s) | CPU time (s) | peak RSS (MB) | exit status |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        status = ", ".join(map(str, row["exit"])) + ("" if row["as_expected"] else " (unexpected)")
        print(f"| {row['command']} | {row['seconds']:.2f} | {row['cpu_seconds']:.2f} | {row['peak_mb']} | {status} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
