"""Why MarianMT generation in half precision is slow on CUDA: attention backends side by side.

For each numeric type and attention path, one `generate` call on a batch whose
shapes the process has not seen yet ("fresh"), then the very same call again
("repeat"). A backend that builds a plan per new shape (cuDNN attention) is
slow fresh and fast on repeat; a plain kernel costs the same both times. Token
budget batching makes nearly every batch a fresh shape, so "fresh" is what a
user gets. With --profile, the top operators of one fresh fp16 SDPA call.

    python benchmarks/half_precision_probe.py --model-dir /tmp/pl-en   # random opus-mt-pl-en shape
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"

VARIANTS = [
    ("float32", "sdpa", None),
    ("float32", "eager", None),
    ("float16", "sdpa", None),
    ("float16", "sdpa", "no-cudnn"),
    ("float16", "sdpa", "cudnn"),
    ("float16", "sdpa", "efficient"),
    ("float16", "sdpa", "math"),
    ("float16", "eager", None),
    ("bfloat16", "sdpa", None),
    ("bfloat16", "sdpa", "no-cudnn"),
    ("bfloat16", "eager", None),
]


def backends(name: str | None):
    from torch.nn.attention import SDPBackend

    return {
        None: None,
        "no-cudnn": [SDPBackend.FLASH_ATTENTION, SDPBackend.EFFICIENT_ATTENTION, SDPBackend.MATH],
        "cudnn": [SDPBackend.CUDNN_ATTENTION],
        "efficient": [SDPBackend.EFFICIENT_ATTENTION],
        "math": [SDPBackend.MATH],
    }[name]


def main() -> None:
    import contextlib

    import torch
    import torch.nn.attention
    from transformers import MarianMTModel, MarianTokenizer
    from transformers.utils import logging

    logging.set_verbosity_error()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model-dir", type=Path, required=True, help="built here from the shared config if missing")
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--tokens", type=int, default=32)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--device", default="cuda", help="cuda[:N]; cpu only to check the script (CUDA-only kernels skipped)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if not (args.model_dir / "config.json").is_file():
        from translation_speed import build_model

        build_model(args.data_dir, args.model_dir)
    lines = (args.data_dir / "flores200" / "devtest" / "pol.devtest").read_text(encoding="utf-8").splitlines()
    tokenizer = MarianTokenizer.from_pretrained(args.model_dir)
    device = args.device
    rows = []
    for number, (dtype, attention, only) in enumerate(VARIANTS):
        if device == "cpu" and (only in ("cudnn", "efficient") or dtype != "float32"):
            continue
        model = MarianMTModel.from_pretrained(args.model_dir, dtype=getattr(torch, dtype), attn_implementation=attention).to(device).eval()
        # A batch size and text slice no other variant uses, so every shape is new to this process.
        size = args.batch - number
        texts = lines[number * 7 : number * 7 + size]
        inputs = tokenizer(texts, return_tensors="pt", padding=True, truncation=True).to(device)
        warm = tokenizer(lines[-40:], return_tensors="pt", padding=True, truncation=True).to(device)
        def sync():
            if device.startswith("cuda"):
                torch.cuda.synchronize()

        context = (lambda: torch.nn.attention.sdpa_kernel(backends(only))) if only else contextlib.nullcontext

        def run(batch, model=model):
            sync()
            started = time.perf_counter()
            with torch.inference_mode(), context():
                out = model.generate(**batch, num_beams=1, do_sample=False, min_new_tokens=args.tokens, max_new_tokens=args.tokens)
            sync()
            return time.perf_counter() - started, out

        run(warm)  # kernels loaded, cuBLAS handles made; other shapes than the timed batch
        fresh, out = run(inputs)
        repeats = [run(inputs)[0] for _ in range(3)]
        if args.profile and dtype == "float16" and attention == "sdpa" and only is None:
            other = tokenizer(lines[600 : 600 + size - 3], return_tensors="pt", padding=True, truncation=True).to(device)
            with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]) as prof:
                run(other)
            print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=12, max_name_column_width=60))
            print(prof.key_averages().table(sort_by="self_cuda_time_total", row_limit=8, max_name_column_width=60))
        generated = out.shape[0] * args.tokens
        rows.append(dict(dtype=dtype, attention=attention + (f" ({only})" if only else ""),
                         fresh_tokens_per_s=generated / fresh, repeat_tokens_per_s=generated / statistics.median(repeats),
                         finite=bool(torch.isfinite(model.get_encoder()(**inputs).last_hidden_state).all())))
        del model
        if device.startswith("cuda"):
            torch.cuda.empty_cache()
    print(f"\n{torch.cuda.get_device_name() if device.startswith('cuda') else 'CPU'}, torch {torch.__version__}, batch ~{args.batch} x {args.tokens} tokens, greedy")
    print("| type | attention | fresh shapes, tokens/s | same shapes again, tokens/s | encoder finite |")
    print("|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['dtype']} | {row['attention']} | {row['fresh_tokens_per_s']:,.0f} | {row['repeat_tokens_per_s']:,.0f} | {row['finite']} |")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
