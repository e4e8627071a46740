"""Translation speed on CPU or GPU: the naive way, hand-written batches, the toolkit, and raw CTranslate2.

The model has the exact shape of Helsinki-NLP/opus-mt-pl-en (from the shared
config) with random weights: its speed and memory are the real model's, its
output is meaningless. Every sentence generates exactly --output-tokens tokens
in every way, greedy, so tokens/s compare like for like.

Each way runs in its own process, so its peak memory is its own (RSS on CPU;
on a GPU, device memory sampled through NVML while it runs). Inside a process
the way is warmed up on other sentences, then timed --repeats times over the
whole input (no translation cache) and the median is reported. Model loading
is outside the timing.

    python benchmarks/translation_speed.py                       # CPU, 512 FLORES sentences
    python benchmarks/translation_speed.py --device cuda         # GPU: 4,000 distinct sentences, every way
    python benchmarks/translation_speed.py --device cuda --budgets 16384,32768,65536   # choose the CUDA budget
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
WARMUP_SENTENCES = 256


def build_model(data: Path, folder: Path) -> Path:
    from mt.translation.random_model import build_random_marian

    config = json.loads((data / "models" / "opus-mt-pl-en.config.json").read_text())
    pol = (data / "flores200" / "dev" / "pol.dev").read_text(encoding="utf-8").splitlines()
    eng = (data / "flores200" / "dev" / "eng.dev").read_text(encoding="utf-8").splitlines()
    return build_random_marian(folder, pol, eng, config=config, spm_vocab_size=8000, init_std=0.02)


def distinct_polish(data: Path, count: int) -> list[str]:
    """FLORES devtest then dev Polish lines, then the same lines lower-cased: `count` distinct texts."""
    lines = []
    for name in ("devtest/pol.devtest", "dev/pol.dev"):
        path = data / "flores200" / name
        if path.is_file():
            lines += path.read_text(encoding="utf-8").splitlines()
    texts = list(dict.fromkeys(lines + [line.lower() for line in lines]))
    if len(texts) < count:
        sys.exit(f"only {len(texts)} distinct sentences in {data}; ask for fewer")
    return texts[:count]


def timed_runs(run, repeats: int) -> tuple[float, list]:
    """Median seconds of `repeats` calls of `run()` (after the caller's warm-up), and the last output."""
    seconds, output = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        output = run()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), output


def sync(device: str) -> None:
    if device.startswith("cuda"):
        import torch

        torch.cuda.synchronize()


def naive_worker(args, texts: list[str], warm: list[str]) -> tuple[float, list[str]]:
    """What a user does without the toolkit: `generate` one sentence at a time, in input order, fp32."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(args.model_dir)
    model = MarianMTModel.from_pretrained(args.model_dir).to(args.device).eval()

    def run(lines):
        out = []
        with torch.inference_mode():
            for line in lines:
                generated = model.generate(**tokenizer([line], return_tensors="pt").to(args.device), num_beams=1,
                                           min_new_tokens=args.output_tokens, max_new_tokens=args.output_tokens)
                out.append(tokenizer.decode(generated[0], skip_special_tokens=True))
        sync(args.device)
        return out

    run(warm[:8])
    return timed_runs(lambda: run(texts), 1)


def plain_worker(args, texts: list[str], warm: list[str]) -> tuple[float, list[str]]:
    """Hand-written transformers: fixed batches of 64 in input order, padded, default attention."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(args.model_dir)
    model = MarianMTModel.from_pretrained(args.model_dir, dtype=getattr(torch, args.compute_type)).to(args.device).eval()

    def run(lines):
        out = []
        with torch.inference_mode():
            for start in range(0, len(lines), 64):
                batch = tokenizer(lines[start : start + 64], return_tensors="pt", padding=True).to(args.device)
                generated = model.generate(**batch, num_beams=1, min_new_tokens=args.output_tokens, max_new_tokens=args.output_tokens)
                out += tokenizer.batch_decode(generated, skip_special_tokens=True)
        sync(args.device)
        return out

    run(warm)
    return timed_runs(lambda: run(texts), args.repeats)


def ours_worker(args, texts: list[str], warm: list[str]) -> tuple[float, list[str]]:
    """The toolkit's `Translator` (what `mt translate` runs), with no translation cache."""
    from mt.translation import Translator

    translator = Translator(str(args.model_dir), device=args.device, backend=args.backend, compute_type=args.compute_type,
                            beams=1, min_new_tokens=args.output_tokens, max_new_tokens=args.output_tokens,
                            max_batch_tokens=args.budget, conversion_dir=args.cache_dir)

    def run(lines):
        out = translator.translate(lines)
        sync(args.device)
        return out

    run(warm)
    return timed_runs(lambda: run(texts), args.repeats)


def raw_worker(args, texts: list[str], warm: list[str]) -> tuple[float, list[str]]:
    """CTranslate2's own translate_batch on pre-tokenised input, its own token batching: the floor for our overhead."""
    import ctranslate2
    from transformers import MarianTokenizer

    folder = next((args.cache_dir / "ctranslate2").iterdir())
    tokenizer = MarianTokenizer.from_pretrained(folder)
    on_cuda = args.device.startswith("cuda")
    translator = ctranslate2.Translator(str(folder), device="cuda" if on_cuda else "cpu", compute_type=args.compute_type,
                                       intra_threads=0 if on_cuda else os.cpu_count() or 1)

    def tokenize(lines):
        return [tokenizer.convert_ids_to_tokens(tokenizer(line)["input_ids"]) for line in lines]

    def run(source):
        return translator.translate_batch(source, beam_size=1, max_batch_size=args.budget, batch_type="tokens",
                                          min_decoding_length=args.output_tokens - 1, max_decoding_length=args.output_tokens - 1)

    run(tokenize(warm))
    source = tokenize(texts)
    seconds, results = timed_runs(lambda: run(source), args.repeats)
    return seconds, [tokenizer.decode(tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True) for r in results]


WORKERS = {"naive": naive_worker, "plain": plain_worker, "ours": ours_worker, "raw": raw_worker}


def run_worker(args) -> None:
    if args.way == "prepare":
        from mt.translation.ctranslate2_backend import convert
        from mt.translation.models import ModelRef, resolve

        build_model(args.data_dir, args.model_dir)
        try:
            convert(resolve(ModelRef(str(args.model_dir))), args.cache_dir)
        except ImportError:
            pass
        return
    from transformers.utils import logging

    logging.set_verbosity_error()
    lines = json.loads(args.inputs.read_text(encoding="utf-8"))
    texts, warm = lines["texts"], lines["warm"]
    if args.way == "naive":
        texts = texts[: args.naive_sentences]
    seconds, outputs = WORKERS[args.way](args, texts, warm)
    peak = None
    if args.device.startswith("cuda") and args.way != "raw":
        import torch

        peak = torch.cuda.max_memory_reserved() / 2**20
    args.result.write_text(json.dumps({"outputs": outputs, "seconds": seconds, "torch_peak_mib": peak}, ensure_ascii=False), encoding="utf-8")


class DeviceMemory:
    """Peak GPU memory in use while a child runs, sampled through NVML (works for torch and CTranslate2 alike)."""

    def __init__(self, device: str) -> None:
        self.handle, self.peak, self._stop = None, 0, threading.Event()
        if device.startswith("cuda"):
            import pynvml

            pynvml.nvmlInit()
            self.nvml = pynvml
            self.handle = pynvml.nvmlDeviceGetHandleByIndex(int(device.partition(":")[2] or 0))
            self.base = pynvml.nvmlDeviceGetMemoryInfo(self.handle).used

    def __enter__(self):
        if self.handle is not None:
            self.thread = threading.Thread(target=self._sample, daemon=True)
            self.thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self.nvml.nvmlDeviceGetMemoryInfo(self.handle).used - self.base)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self.handle is not None:
            self.thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    parser.add_argument("--sentences", type=int, help="default: 512 on CPU, 4000 on a GPU")
    parser.add_argument("--naive-sentences", type=int, default=200, help="the naive way is slow: it runs on this many")
    parser.add_argument("--output-tokens", type=int, default=32)
    parser.add_argument("--repeats", type=int, help="timed runs per way, median reported (default: 1 on CPU, 3 on a GPU)")
    parser.add_argument("--budget", type=int, help="source tokens per batch (default: the configured one for the device)")
    parser.add_argument("--budgets", help="comma-separated budgets: time the toolkit's ways at each, to choose the default")
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    for name in ("way", "model-dir", "cache-dir", "inputs", "result", "backend", "compute-type"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS, type=Path if name in ("model-dir", "cache-dir", "inputs", "result") else str)
    args = parser.parse_args()
    gpu = args.device.startswith("cuda")
    args.repeats = args.repeats or (3 if gpu else 1)
    if args.budget is None:
        from mt.config import load_config

        args.budget = load_config()["translation"]["max_batch_tokens_cuda" if gpu else "max_batch_tokens"]
    if args.way:
        return run_worker(args)

    texts = distinct_polish(args.data_dir, (args.sentences or (4000 if gpu else 512)) + WARMUP_SENTENCES)
    texts, warm = texts[WARMUP_SENTENCES:], texts[:WARMUP_SENTENCES]
    n, rows, outputs = len(texts), [], {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model_dir, cache_dir, inputs = tmp / "model", tmp / "cache", tmp / "inputs.json"
        inputs.write_text(json.dumps({"texts": texts, "warm": warm}, ensure_ascii=False), encoding="utf-8")
        common = [sys.executable, __file__, "--data-dir", str(args.data_dir), "--model-dir", str(model_dir), "--cache-dir", str(cache_dir)]
        subprocess.run(common + ["--way", "prepare"], check=True)

        def way(label: str, name: str, backend: str = "", compute_type: str = "float32", budget: int | None = None) -> None:
            result = tmp / f"{len(rows)}.json"
            command = common + ["--way", name, "--inputs", str(inputs), "--result", str(result), "--device", args.device,
                                "--output-tokens", str(args.output_tokens), "--repeats", str(args.repeats),
                                "--naive-sentences", str(args.naive_sentences), "--budget", str(budget or args.budget),
                                "--compute-type", compute_type, "--backend", backend or "transformers"]
            started = time.perf_counter()
            with DeviceMemory(args.device) as memory:
                process = subprocess.Popen(command)
                _, status, usage = os.wait4(process.pid, 0)
            if status != 0:
                print(f"FAILED: {label}", file=sys.stderr)
                return
            data = json.loads(result.read_text(encoding="utf-8"))
            outputs[label] = data["outputs"]
            count = len(data["outputs"])
            rows.append(dict(way=label, sentences=count, seconds=data["seconds"], tokens_per_s=count * args.output_tokens / data["seconds"],
                             peak_rss_mib=usage.ru_maxrss / 1024, peak_gpu_mib=memory.peak / 2**20 if gpu else None,
                             wall_seconds=time.perf_counter() - started))
            print(f"{label}: {rows[-1]['tokens_per_s']:,.0f} target tokens/s", file=sys.stderr, flush=True)

        if args.budgets:
            for budget in map(int, args.budgets.split(",")):
                for backend, compute_type in (("transformers", "float16"), ("transformers", "float32"), ("ctranslate2", "float16")):
                    way(f"budget {budget}: mt translate, {backend} {compute_type}", "ours", backend, compute_type, budget)
                way(f"budget {budget}: ctranslate2 translate_batch directly, float16", "raw", compute_type="float16", budget=budget)
        elif gpu:
            if not args.skip_naive:
                way("naive: generate one sentence at a time, fp32", "naive")
            way("plain transformers, batches of 64 in input order, fp32", "plain", compute_type="float32")
            way("plain transformers, batches of 64 in input order, fp16", "plain", compute_type="float16")
            for compute_type in ("float32", "float16", "bfloat16"):
                way(f"mt translate, transformers {compute_type}", "ours", "transformers", compute_type)
            for compute_type in ("float32", "float16", "int8_float16"):
                way(f"mt translate, ctranslate2 {compute_type}", "ours", "ctranslate2", compute_type)
            for compute_type in ("float16", "int8_float16"):
                way(f"ctranslate2 translate_batch directly, {compute_type}", "raw", compute_type=compute_type)
        else:
            if not args.skip_naive:
                way("naive: generate one sentence at a time", "naive")
            way("mt translate, transformers float32", "ours", "transformers", "float32")
            way("mt translate, ctranslate2 float32", "ours", "ctranslate2", "float32")
            way("mt translate, ctranslate2 int8", "ours", "ctranslate2", "int8")
            way("ctranslate2 translate_batch directly, float32", "raw", compute_type="float32")
            way("ctranslate2 translate_batch directly, int8", "raw", compute_type="int8")

    report(args, rows, outputs, n)


def report(args, rows: list[dict], outputs: dict[str, list[str]], n: int) -> None:
    where = f"GPU {gpu_name(args.device)}" if args.device.startswith("cuda") else f"CPU, {os.cpu_count()} threads"
    print(f"\n{n} distinct FLORES Polish sentences, {args.output_tokens} target tokens each, greedy, {where}, "
          f"budget {args.budget} source tokens unless named, median of {args.repeats}")
    naive = next((r["tokens_per_s"] for r in rows if r["way"].startswith("naive")), None)
    print("| way | target tokens/s | vs naive | peak GPU MiB | peak RSS MiB |")
    print("|---|---|---|---|---|")
    for row in rows:
        gpu = f"{row['peak_gpu_mib']:,.0f}" if row["peak_gpu_mib"] is not None else "-"
        ratio = f"{row['tokens_per_s'] / naive:.0f}x" if naive else "-"
        print(f"| {row['way']} | {row['tokens_per_s']:,.0f} | {ratio} | {gpu} | {row['peak_rss_mib']:,.0f} |")
    checks = {}
    speeds = {row["way"]: row["tokens_per_s"] for row in rows}

    def same(a: str, b: str) -> None:
        if a in outputs and b in outputs:
            k = min(len(outputs[a]), len(outputs[b]))
            checks[f"{a} == {b}"] = f"{sum(x == y for x, y in zip(outputs[a][:k], outputs[b][:k]))}/{k}"

    def ratio(a: str, b: str) -> None:
        if a in speeds and b in speeds:
            checks[f"{a} / {b}"] = f"{speeds[a] / speeds[b]:.2f}x"

    if args.budgets:
        for budget in map(int, args.budgets.split(",")):
            ratio(f"budget {budget}: mt translate, ctranslate2 float16", f"budget {budget}: ctranslate2 translate_batch directly, float16")
    elif args.device.startswith("cuda"):
        same("mt translate, transformers float16", "mt translate, transformers float32")
        same("mt translate, transformers bfloat16", "mt translate, transformers float32")
        same("mt translate, ctranslate2 float32", "mt translate, transformers float32")
        same("mt translate, ctranslate2 float16", "mt translate, ctranslate2 float32")
        same("mt translate, transformers float32", "plain transformers, batches of 64 in input order, fp32")
        same("mt translate, ctranslate2 float16", "ctranslate2 translate_batch directly, float16")
        for compute_type in ("float16", "int8_float16"):
            ratio(f"mt translate, ctranslate2 {compute_type}", f"ctranslate2 translate_batch directly, {compute_type}")
        ratio("mt translate, transformers float16", "mt translate, transformers float32")
    else:
        same("mt translate, ctranslate2 float32", "mt translate, transformers float32")
        same("mt translate, transformers float32", "naive: generate one sentence at a time")
        same("mt translate, ctranslate2 int8", "ctranslate2 translate_batch directly, int8")
        ratio("mt translate, ctranslate2 int8", "ctranslate2 translate_batch directly, int8")
    for name, value in checks.items():
        print(f"{name}: {value}")
    if args.json:
        args.json.write_text(json.dumps({"sentences": n, "output_tokens": args.output_tokens, "device": where, "rows": rows, "checks": checks}, indent=2))


def gpu_name(device: str) -> str:
    import pynvml

    pynvml.nvmlInit()
    name = pynvml.nvmlDeviceGetName(pynvml.nvmlDeviceGetHandleByIndex(int(device.partition(":")[2] or 0)))
    return name.decode() if isinstance(name, bytes) else name


if __name__ == "__main__":
    main()
