"""Alignment embedding speed: distinct FLORES sentences a second (English unless --languages), per device and batch size.

The alignment stage embeds every distinct English text once (alignments/embeddings.py);
without --devices the embedder goes on CUDA when a GPU is present.
--random-weights builds a copy of a sentence-transformers folder with random
weights of the same shape (same speed), for machines without the bundled model,
and runs it with the kind --model names (the default's `bert:`).

    python benchmarks/embedding_speed.py --devices cpu,cuda --batch-sizes 64,256
    python benchmarks/embedding_speed.py --model use:multilingual-v3 --languages pol,rus,spa,eng --texts 400
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def random_copy(folder: Path, target: Path) -> Path:
    from transformers import AutoConfig, AutoModel

    shutil.copytree(folder, target, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"), dirs_exist_ok=True)
    AutoModel.from_config(AutoConfig.from_pretrained(folder)).save_pretrained(target)
    return target


def main() -> None:
    from alignments import AlignmentSettings
    from alignments.embeddings import Embedder

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--model", default=AlignmentSettings().embedder)
    parser.add_argument("--random-weights", type=Path, help="a sentence-transformers folder (weights not needed) to copy with random weights")
    parser.add_argument("--devices", default="cpu")
    parser.add_argument("--batch-sizes", default="64")
    parser.add_argument("--texts", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--languages", default="eng", help="FLORES languages whose sentences are embedded, in turn (pol,rus,spa,eng)")
    args = parser.parse_args()
    model = args.model
    if args.random_weights:
        kind, sep, _ = args.model.partition(":")
        folder = str(random_copy(args.random_weights, Path("/tmp/random-embedder")))
        model = f"{kind}:{folder}" if sep and "/" not in kind else folder
    by_language = []
    for language in args.languages.split(","):
        lines = []
        for name in (f"devtest/{language}.devtest", f"dev/{language}.dev"):
            if (args.data_dir / "flores200" / name).is_file():
                lines += (args.data_dir / "flores200" / name).read_text(encoding="utf-8").splitlines()
        if not lines:
            raise SystemExit(f"no FLORES sentences for '{language}' in {args.data_dir / 'flores200'} (dev/{language}.dev)")
        by_language.append(lines + [line.lower() for line in lines])
    texts = list(dict.fromkeys(line for row in zip(*by_language) for line in row))[: args.texts]  # the languages in turn
    print(f"{len(texts)} distinct FLORES sentences ({args.languages}), {model}, median of {args.repeats}")
    print("| device | batch size | sentences/s |")
    print("|---|---|---|")
    for device in args.devices.split(","):
        for batch_size in map(int, args.batch_sizes.split(",")):
            loaded = Embedder(model, device=device, batch_size=batch_size).load()
            seconds = []
            for _ in range(args.repeats + 1):  # the first run warms up
                embedder = Embedder(model, device=device, batch_size=batch_size)
                embedder._model = loaded
                started = time.perf_counter()
                embedder.embed(texts)
                seconds.append(time.perf_counter() - started)
            print(f"| {device} | {batch_size} | {len(texts) / statistics.median(seconds[1:]):,.0f} |")


if __name__ == "__main__":
    main()
