"""Translation speed: the naive way vs `mt translate`, on a random model of the real architecture.

The model has the exact shape of Helsinki-NLP/opus-mt-pl-en (from the shared
config) with random weights: its speed and memory are the real model's, its
output is meaningless. Every sentence generates exactly --output-tokens tokens
in both ways (EOS is suppressed until then), so tokens/s compare like for like,
and with greedy decoding both ways must give identical output.

    python benchmarks/translation_speed.py            # 256 FLORES devtest sentences
    python benchmarks/translation_speed.py --sentences 1012
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


def build_model(data: Path, folder: Path) -> Path:
    from mt.translation.random_model import build_random_marian

    config = json.loads((data / "models" / "opus-mt-pl-en.config.json").read_text())
    pol = (data / "flores200" / "dev" / "pol.dev").read_text(encoding="utf-8").splitlines()
    eng = (data / "flores200" / "dev" / "eng.dev").read_text(encoding="utf-8").splitlines()
    return build_random_marian(folder, pol, eng, config=config, spm_vocab_size=8000, init_std=0.02)


def naive(model_dir: str, inputs: str, outputs: str, tokens: int) -> None:
    """What a user does without the toolkit: one sentence at a time, in input order."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    results = []
    with torch.inference_mode():
        for line in Path(inputs).read_text(encoding="utf-8").splitlines():
            generated = model.generate(**tokenizer([line], return_tensors="pt"), num_beams=1, min_new_tokens=tokens, max_new_tokens=tokens)
            results.append(tokenizer.decode(generated[0], skip_special_tokens=True))
    Path(outputs).write_text(json.dumps(results, ensure_ascii=False), encoding="utf-8")


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--sentences", type=int, default=256)
    parser.add_argument("--output-tokens", type=int, default=32)
    parser.add_argument("--max-batch-tokens", type=int, default=None, help="passed to mt translate (default: configs)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--naive-worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.naive_worker:
        model_dir, inputs, outputs, tokens = args.naive_worker
        return naive(model_dir, inputs, outputs, int(tokens))

    lines = (args.data_dir / "flores200" / "devtest" / "pol.devtest").read_text(encoding="utf-8").splitlines()[: args.sentences]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model_dir = build_model(args.data_dir, tmp / "model")
        inputs = tmp / "pol.txt"
        inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
        segments = tmp / "segments.jsonl"
        with segments.open("w", encoding="utf-8") as out:
            for i, line in enumerate(lines):
                record = {"id": f"flores:{i:04d}", "article": "flores", "index": i, "kind": "body", "lang": "pl",
                          "text": line, "start": 0, "end": len(line)}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

        naive_seconds, naive_rss = timed([sys.executable, __file__, "--naive-worker", str(model_dir), str(inputs), str(tmp / "naive.json"), str(args.output_tokens)])
        command = [sys.executable, "-m", "mt", "translate", str(segments), "-o", str(tmp / "translated.jsonl"),
                   "-m", f"pl={model_dir}", "--beams", "1", "--min-new-tokens", str(args.output_tokens),
                   "--max-new-tokens", str(args.output_tokens), "--no-cache", "--device", "cpu", "-q"]
        if args.max_batch_tokens:
            command += ["--max-batch-tokens", str(args.max_batch_tokens)]
        ours_seconds, ours_rss = timed(command)

        naive_out = json.loads((tmp / "naive.json").read_text(encoding="utf-8"))
        ours_out = [json.loads(line)["english"] for line in (tmp / "translated.jsonl").read_text(encoding="utf-8").splitlines()]
        identical = sum(a == b for a, b in zip(naive_out, ours_out))

    n, tokens = len(lines), len(lines) * args.output_tokens
    rows = [("naive: model.generate one sentence at a time", naive_seconds, naive_rss),
            ("mt translate (transformers, sorted token batches)", ours_seconds, ours_rss)]
    print(f"\n{n} FLORES devtest Polish sentences, {args.output_tokens} target tokens each, greedy, CPU threads {os.cpu_count()}")
    print("| way | sentences/s | target tokens/s | peak RSS (MiB) | speed-up |")
    print("|---|---|---|---|---|")
    for name, seconds, rss in rows:
        print(f"| {name} | {n / seconds:.1f} | {tokens / seconds:.0f} | {rss:.0f} | {naive_seconds / seconds:.1f}x |")
    print(f"identical outputs under greedy decoding: {identical}/{n}")
    print("(wall time of each whole process, model loading included)")
    if args.json:
        args.json.write_text(json.dumps({"sentences": n, "output_tokens": args.output_tokens, "identical": identical,
                                         "rows": [dict(way=w, seconds=s, peak_rss_mib=r) for w, s, r in rows]}, indent=2))


if __name__ == "__main__":
    main()
