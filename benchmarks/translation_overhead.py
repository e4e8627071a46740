"""What the toolkit itself costs around CTranslate2, measured on any machine, GPU or not.

On one H100, CTranslate2 translates 4,000 sentences x 32 tokens in about half a
second, so every bit of CPU work the toolkit does around it shows in tokens/s.
Here `ctranslate2.Translator` is replaced by a stand-in that answers at once with
canned English (FLORES English lines as target pieces, --output-tokens long),
so what is timed is only the toolkit's own work: tokenising, splitting, batching,
decoding, scores, quality flags and the result records.

Two parts of it cannot overlap a GPU at work, and are reported separately:
"before": from the call until the first batch is handed to CTranslate2, and
"after": from the last batch's results until the call returns. The rest runs
while queued batches keep the GPU busy.

Ways: `Translator.translate_detailed` (the Python API, model loaded beforehand)
and `pipeline.translate` on segments (what `mt translate` runs: each call reads
the configuration, checks the model folder's fingerprint and loads the model, so
its one-segment run is shown as well). The stand-in's own time is left out of
"toolkit total" and shown on its own.

    python benchmarks/translation_overhead.py                  # 4,000 sentences, budget 65,536 (the CUDA default)
    python benchmarks/translation_overhead.py --budget 4096
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"


class Ready:
    """What `translate_batch(asynchronous=True)` returns per example: `.result()` when done (here, at once)."""

    def __init__(self, result, clock: "Clock") -> None:
        self._result, self._clock = result, clock

    def result(self):
        self._clock.last_result = time.perf_counter()
        return self._result


class Result:
    """Shaped like `ctranslate2.TranslationResult` (which Python cannot construct)."""

    def __init__(self, tokens: list[str]) -> None:
        self.hypotheses, self.scores = [tokens], [-1.0]


class Clock:
    """When the first batch went in and the last result came out, in one run."""

    def __init__(self) -> None:
        self.first_submit = self.last_result = None
        self.stand_in_seconds = 0.0


def instant_translator_class(outputs: list[list[str]], clock: Clock):
    """A stand-in for `ctranslate2.Translator` answering every example with the next canned output."""

    class InstantTranslator:
        def __init__(self, *args, **kwargs) -> None:
            self.served = 0

        def translate_batch(self, source, asynchronous: bool = False, **kwargs):
            started = time.perf_counter()
            if clock.first_submit is None:
                clock.first_submit = started
            results = []
            for _ in source:
                tokens = outputs[self.served % len(outputs)]
                results.append(Result(tokens))
                self.served += 1
            answer = [Ready(r, clock) for r in results] if asynchronous else results
            clock.stand_in_seconds += time.perf_counter() - started
            return answer

    return InstantTranslator


def canned_outputs(data: Path, model: Path, tokens: int) -> list[list[str]]:
    """English FLORES lines as target pieces, each cut or repeated to `tokens` tokens, the last one `</s>`."""
    from transformers import MarianTokenizer

    tokenizer = MarianTokenizer.from_pretrained(model)
    spm = tokenizer.spm_target if getattr(tokenizer, "separate_vocabs", False) else tokenizer.spm_source
    lines = (data / "flores200" / "devtest" / "eng.devtest").read_text(encoding="utf-8").splitlines()
    outputs = []
    for pieces in spm.encode(lines, out_type=str):
        pieces = (pieces * (tokens // max(len(pieces), 1) + 1))[: tokens - 1]
        outputs.append(pieces + [tokenizer.eos_token])
    return outputs


def measure(run, clock: Clock, repeats: int) -> dict[str, float]:
    rows = []
    for _ in range(repeats):
        clock.__init__()
        gc.collect()
        started = time.perf_counter()
        run()
        ended = time.perf_counter()
        rows.append(dict(total=ended - started, before=clock.first_submit - started, after=ended - clock.last_result,
                         stand_in=clock.stand_in_seconds))
    return {key: statistics.median(row[key] for row in rows) for key in rows[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--sentences", type=int, default=4000)
    parser.add_argument("--output-tokens", type=int, default=32)
    parser.add_argument("--budget", type=int, help="source tokens per batch (default: the configured CUDA budget)")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()

    sys.path.insert(0, str(HERE))
    import ctranslate2
    from transformers.utils import logging
    from translation_speed import build_model, distinct_polish

    from mt.config import load_config
    from mt.pipeline import TranslateOptions, translate
    from mt.records import Segment
    from mt.translation import Translator
    from mt.translation.ctranslate2_backend import convert
    from mt.translation.models import ModelRef, resolve

    logging.set_verbosity_error()
    budget = args.budget or load_config()["translation"]["max_batch_tokens_cuda"]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        model, cache = tmp / "model", tmp / "cache"
        build_model(args.data_dir, model)
        convert(resolve(ModelRef(str(model))), cache)  # the real conversion, so the real folder and tokenizer files load
        texts = distinct_polish(args.data_dir, args.sentences)
        clock = Clock()
        ctranslate2.Translator = instant_translator_class(canned_outputs(args.data_dir, model, args.output_tokens), clock)

        translator = Translator(str(model), device="cpu", backend="ctranslate2", compute_type="float32", beams=1,
                                max_batch_tokens=budget, conversion_dir=cache)
        translator.translate(texts[:256])
        figures = {"Translator.translate_detailed": measure(lambda: translator.translate_detailed(texts), clock, args.repeats)}

        segments = [Segment(f"flores:{i:04d}", "flores", i, "body", "pl", t, 0, len(t)) for i, t in enumerate(texts)]
        options = TranslateOptions(models={"pl": str(model)}, backend="ctranslate2", compute_type="float32", device="cpu",
                                   beams=1, max_batch_tokens=budget, use_cache=False, cache_dir=cache)
        translate(segments[:256], None, options)
        figures["pipeline.translate (mt translate)"] = measure(lambda: translate(segments, None, options), clock, args.repeats)
        figures["pipeline.translate, one segment: its fixed cost per call"] = measure(
            lambda: translate(segments[:1], None, options), clock, args.repeats)

    print(f"{len(texts)} distinct FLORES Polish sentences, {args.output_tokens} target tokens each, budget {budget}, "
          f"CTranslate2 replaced by an instant stand-in, median of {args.repeats}")
    print("| way | toolkit total (s) | before the first batch (s) | after the last batch (s) | stand-in itself (s) |")
    print("|---|---|---|---|---|")
    for way, f in figures.items():
        print(f"| {way} | {f['total'] - f['stand_in']:.3f} | {f['before']:.3f} | {f['after']:.3f} | {f['stand_in']:.3f} |")


if __name__ == "__main__":
    main()
