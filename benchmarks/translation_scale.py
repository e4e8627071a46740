"""The local engine against Ray Data actor pools, on the random opus-mt-pl-en-shaped model.

Each way runs in its own process over the same distinct FLORES Polish sentences,
32 target tokens each, greedy, no translation cache. For Ray, the fixed start-up
cost (starting a local Ray and an actor pool that imports the toolkit and loads
the model, measured on a one-text run) is stated separately from the time over
the whole input (each run starts its own actor pool, so the whole-input run pays
the actors' start again, but not Ray's). The output is checked to be byte-identical
to the local engine's.

    python benchmarks/translation_scale.py --sentences 512
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"


def worker(args) -> None:
    from mt.config import load_config
    from mt.pipeline import TranslateOptions, translate
    from mt.records import read_segments, write_jsonl

    segments = read_segments(args.segments)
    options = TranslateOptions(models={"pl": str(args.model)}, beams=1, min_new_tokens=args.tokens, max_new_tokens=args.tokens,
                               use_cache=False, device="cpu", compute_type="float32", cache_dir=args.scratch)
    result = {}
    if args.way == "local":
        started = time.perf_counter()
        translate(segments, load_config(), options)
        result["seconds"] = time.perf_counter() - started
    else:
        from mt.engines import ray as ray_engine

        started = time.perf_counter()
        ray_engine.connect(num_cpus=args.cpus)
        ray_engine.translate(segments[:1], load_config(), options, workers=args.actors, threads=args.threads)
        result["startup_seconds"] = time.perf_counter() - started
        started = time.perf_counter()
        ray_engine.translate(segments, load_config(), options, workers=args.actors, threads=args.threads)
        result["seconds"] = time.perf_counter() - started
    write_jsonl(args.output, segments)
    Path(args.result).write_text(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--tokens", type=int, default=32)
    for name in ("way", "segments", "model", "output", "result", "scratch"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    parser.add_argument("--actors", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--threads", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--cpus", type=int, default=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.way:
        return worker(args)

    sys.path.insert(0, str(HERE))
    from translation_speed import build_model, distinct_polish

    from mt.records import Segment, write_jsonl

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build_model(args.data_dir, tmp / "model")
        texts = distinct_polish(args.data_dir, args.sentences)
        write_jsonl(tmp / "segments.jsonl", [Segment(f"flores:{i:04d}", "flores", i, "body", "pl", t, 0, len(t)) for i, t in enumerate(texts)])
        ways = [("local engine (2 threads)", "local", 1, 2), ("ray, 1 CPU actor (1 thread)", "ray", 1, 1),
                ("ray, 2 CPU actors (1 thread each)", "ray", 2, 1)]
        rows, outputs = [], {}
        for label, way, actors, threads in ways:
            out, result = tmp / f"{len(rows)}.jsonl", tmp / f"{len(rows)}.json"
            subprocess.run([sys.executable, __file__, "--way", way, "--segments", str(tmp / "segments.jsonl"), "--model", str(tmp / "model"),
                            "--output", str(out), "--result", str(result), "--scratch", str(tmp / "scratch"), "--actors", str(actors),
                            "--threads", str(threads), "--tokens", str(args.tokens)], check=True, capture_output=True)
            data = json.loads(result.read_text())
            outputs[label] = out.read_bytes()
            rows.append((label, data.get("startup_seconds"), data["seconds"]))
    tokens = args.sentences * args.tokens
    print(f"{args.sentences} distinct FLORES Polish sentences, {args.tokens} target tokens each, CPU (2 cores), no cache")
    print("| way | fixed start-up: a one-text run (s) | whole input (s) | whole input - start-up (s) | target tokens/s after start-up | output = local |")
    print("|---|---|---|---|---|---|")
    local = outputs[rows[0][0]]
    for label, startup, seconds in rows:
        variable = seconds - (startup or 0.0)
        print(f"| {label} | {'-' if startup is None else f'{startup:.1f}'} | {seconds:.1f} | {variable:.1f} | {tokens / variable:,.0f} | {outputs[label] == local} |")


if __name__ == "__main__":
    main()
