"""Translation speed: the naive way, `mt translate` with each backend, and raw CTranslate2.

The model has the exact shape of Helsinki-NLP/opus-mt-pl-en (from the shared
config) with random weights: its speed and memory are the real model's, its
output is meaningless. Every sentence generates exactly --output-tokens tokens
(the last one the end-of-sentence token the model forces) in every way, so
tokens/s compare like for like, and with greedy decoding the transformers ways
and CTranslate2 float32 must give identical output.

Each way runs in its own process, so peak RSS is its own. Throughput is
measured over translation only, with the model loaded (loading and process
start are the same fixed cost whatever the input size); the whole process's
wall time is reported too.

    python benchmarks/translation_speed.py                 # 512 FLORES devtest sentences
    python benchmarks/translation_speed.py --sentences 1012 --json speed.json
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


def prepare_worker(data: Path, model_dir: Path, cache_dir: Path) -> None:
    """Build the random model and convert it for CTranslate2 up front, outside every timing."""
    from mt.translation.ctranslate2_backend import convert
    from mt.translation.models import ModelRef, resolve

    build_model(data, model_dir)
    convert(resolve(ModelRef(str(model_dir))), cache_dir)


def naive_worker(model_dir: str, inputs: str, outputs: str, tokens: int) -> None:
    """What a user does without the toolkit: one sentence at a time, in input order."""
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    results = []
    started = time.perf_counter()
    with torch.inference_mode():
        for line in Path(inputs).read_text(encoding="utf-8").splitlines():
            generated = model.generate(**tokenizer([line], return_tensors="pt"), num_beams=1, min_new_tokens=tokens, max_new_tokens=tokens)
            results.append(tokenizer.decode(generated[0], skip_special_tokens=True))
    seconds = time.perf_counter() - started
    Path(outputs).write_text(json.dumps({"outputs": results, "seconds": seconds}, ensure_ascii=False), encoding="utf-8")


def raw_ctranslate2_worker(ct2_dir: str, inputs: str, outputs: str, tokens: int, compute_type: str, max_batch_tokens: int) -> None:
    """CTranslate2's own translate_batch on pre-tokenised input: the floor for our overhead."""
    import ctranslate2
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(ct2_dir)
    translator = ctranslate2.Translator(ct2_dir, device="cpu", compute_type=compute_type, intra_threads=os.cpu_count() or 1)
    source = [tokenizer.convert_ids_to_tokens(tokenizer(line)["input_ids"]) for line in Path(inputs).read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    results = translator.translate_batch(source, beam_size=1, max_batch_size=max_batch_tokens, batch_type="tokens",
                                         min_decoding_length=tokens - 1, max_decoding_length=tokens - 1)
    seconds = time.perf_counter() - started
    texts = [tokenizer.decode(tokenizer.convert_tokens_to_ids(r.hypotheses[0]), skip_special_tokens=True) for r in results]
    Path(outputs).write_text(json.dumps({"outputs": texts, "seconds": seconds}, ensure_ascii=False), encoding="utf-8")


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of a child process."""
    started = time.perf_counter()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss / 1024


def mt_translate(segments: Path, output: Path, model_dir: Path, tokens: int, backend: str, compute_type: str,
                 cache_dir: Path, max_batch_tokens: int | None) -> list[str]:
    command = [sys.executable, "-m", "mt", "translate", str(segments), "-o", str(output), "-m", f"pl={model_dir}",
               "--beams", "1", "--min-new-tokens", str(tokens), "--max-new-tokens", str(tokens), "--no-cache",
               "--cache-dir", str(cache_dir), "--device", "cpu", "--backend", backend, "--compute-type", compute_type,
               "--summary-json", str(output.with_suffix(".summary.json")), "-q"]
    if max_batch_tokens:
        command += ["--max-batch-tokens", str(max_batch_tokens)]
    return command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--sentences", type=int, default=512)
    parser.add_argument("--output-tokens", type=int, default=32)
    parser.add_argument("--max-batch-tokens", type=int, default=None, help="passed to mt translate (default: configs)")
    parser.add_argument("--skip-naive", action="store_true", help="leave out the slow naive way (no ratios then)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        name, *rest = args.worker
        if name == "prepare":
            return prepare_worker(args.data_dir, Path(rest[0]), Path(rest[1]))
        if name == "naive":
            return naive_worker(rest[0], rest[1], rest[2], int(rest[3]))
        return raw_ctranslate2_worker(rest[0], rest[1], rest[2], int(rest[3]), rest[4], int(rest[5]))

    lines = (args.data_dir / "flores200" / "devtest" / "pol.devtest").read_text(encoding="utf-8").splitlines()[: args.sentences]
    n, tokens = len(lines), len(lines) * args.output_tokens
    rows: list[dict] = []
    outputs: dict[str, list[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # Built and converted in a child: a parent holding the model would raise every child's peak RSS.
        model_dir = tmp / "model"
        subprocess.run([sys.executable, __file__, "--data-dir", str(args.data_dir), "--worker", "prepare", str(model_dir), str(tmp / "cache")], check=True)
        ct2_dir = next((tmp / "cache" / "ctranslate2").iterdir())
        inputs = tmp / "pol.txt"
        inputs.write_text("\n".join(lines) + "\n", encoding="utf-8")
        segments = tmp / "segments.jsonl"
        with segments.open("w", encoding="utf-8") as out:
            for i, line in enumerate(lines):
                record = {"id": f"flores:{i:04d}", "article": "flores", "index": i, "kind": "body", "lang": "pl",
                          "text": line, "start": 0, "end": len(line)}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")

        def worker(way: str, *worker_args: object) -> None:
            result = tmp / f"{len(rows)}.json"
            name, folder, *rest = map(str, worker_args)
            wall, rss = timed([sys.executable, __file__, "--worker", name, folder, str(inputs), str(result), *rest])
            data = json.loads(result.read_text(encoding="utf-8"))
            outputs[way] = data["outputs"]
            rows.append(dict(way=way, seconds=data["seconds"], wall_seconds=wall, peak_rss_mib=rss))

        def ours(way: str, backend: str, compute_type: str) -> None:
            output = tmp / f"{len(rows)}.jsonl"
            wall, rss = timed(mt_translate(segments, output, model_dir, args.output_tokens, backend, compute_type, tmp / "cache", args.max_batch_tokens))
            summary = json.loads(output.with_suffix(".summary.json").read_text(encoding="utf-8"))
            outputs[way] = [json.loads(line)["english"] for line in output.read_text(encoding="utf-8").splitlines()]
            rows.append(dict(way=way, seconds=summary["translate_seconds"], wall_seconds=wall, peak_rss_mib=rss))

        if not args.skip_naive:
            worker("naive: model.generate, one sentence at a time", "naive", model_dir, args.output_tokens)
        ours("mt translate, transformers float32", "transformers", "float32")
        ours("mt translate, ctranslate2 float32", "ctranslate2", "float32")
        ours("mt translate, ctranslate2 int8", "ctranslate2", "int8")
        budget = args.max_batch_tokens or 4096
        worker("ctranslate2 translate_batch directly, float32", "raw", ct2_dir, args.output_tokens, "float32", budget)
        worker("ctranslate2 translate_batch directly, int8", "raw", ct2_dir, args.output_tokens, "int8", budget)

    naive = rows[0]["seconds"] if not args.skip_naive else None
    print(f"\n{n} FLORES devtest Polish sentences, {args.output_tokens} target tokens each, greedy, CPU, {os.cpu_count()} threads")
    print("| way | sentences/s | target tokens/s | peak RSS (MiB) | vs naive | whole process (s) |")
    print("|---|---|---|---|---|---|")
    for row in rows:
        ratio = f"{naive / row['seconds']:.1f}x" if naive else "-"
        print(f"| {row['way']} | {n / row['seconds']:.1f} | {tokens / row['seconds']:.0f} | {row['peak_rss_mib']:.0f} | {ratio} | {row['wall_seconds']:.1f} |")

    def same(a: str, b: str) -> int:
        return sum(x == y for x, y in zip(outputs[a], outputs[b]))

    transformers_way, fp32_way, int8_way = (r["way"] for r in rows[-5:-2])
    checks = {
        "ctranslate2 float32 == transformers": same(fp32_way, transformers_way),
        "ctranslate2 int8 == transformers (the rest changed by quantisation)": same(int8_way, transformers_way),
        "mt translate int8 == translate_batch int8": same(int8_way, rows[-1]["way"]),
    }
    if naive:
        checks["transformers == naive"] = same(transformers_way, rows[0]["way"])
    for name, count in checks.items():
        print(f"identical outputs, {name}: {count}/{n}")
    overhead = rows[-3]["seconds"] / rows[-1]["seconds"] - 1
    print(f"mt translate int8 takes {overhead:+.0%} time against translate_batch int8")
    if args.json:
        args.json.write_text(json.dumps({"sentences": n, "output_tokens": args.output_tokens, "rows": rows, "identical": checks}, indent=2))


if __name__ == "__main__":
    main()
