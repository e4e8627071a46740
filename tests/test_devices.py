"""Device handling that CI can check without a GPU: fast tokenisation, out-of-memory splitting, clear device errors.

The CUDA runs of the same behaviour are in test_gpu.py (skipped without CUDA).
"""

from __future__ import annotations

import json
import random
import shutil

import pytest
import torch
from transformers import MarianTokenizer
from typer.testing import CliRunner

from mt.cli import app
from mt.translation import Translator
from mt.translation.batching import OutOfMemoryError, split_on_oom
from mt.translation.devices import BackendSettingsError, check_cuda_device
from mt.translation.pieces import MarianPieces

ODD_TEXTS = ["", " ", "a </s> b", ">>pl<< Ala ma kota", "tab\there", "  double  space ", "emoji 😀 ⁇", "<unk>x", "ﬁ ligature ①", "Jabar-24"]


def test_fast_tokenisation_gives_the_ids_marian_tokenizer_gives(tiny_model_dir, polish_sentences):
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    pieces = MarianPieces(tokenizer)
    texts = polish_sentences + ODD_TEXTS
    assert [pieces.ids(tokens) for tokens in pieces.encode(texts)] == [tokenizer(t, truncation=False)["input_ids"] for t in texts]
    assert any(piece not in tokenizer.encoder for tokens in pieces.encode(ODD_TEXTS) for piece in tokens), "a piece outside the vocabulary is checked"
    rng = random.Random(0)
    sequences = [[rng.randrange(len(tokenizer.encoder)) for _ in range(rng.randrange(30))] for _ in range(500)]
    assert pieces.decode_ids(sequences) == [tokenizer.decode(s, skip_special_tokens=True) for s in sequences]


@pytest.mark.parametrize(
    "sizes_that_fail, batch, calls",
    [
        (set(), [0, 1, 2, 3, 4, 5], 1),  # fits: one call
        ({6}, [0, 1, 2, 3, 4, 5], 3),  # halves fit
        ({6, 3}, [0, 1, 2, 3, 4, 5], 7),  # halves fail too: quarters
        ({5, 2}, [0, 1, 2, 3, 4], 5),  # odd sizes: 2 and 3, the 2 in ones
    ],
)
def test_split_on_oom_keeps_every_index_in_order(sizes_that_fail, batch, calls):
    seen = []

    def run(part):
        seen.append(len(part))
        if len(part) in sizes_that_fail:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return [i * 10 for i in part]

    assert split_on_oom(batch, run, lambda e: isinstance(e, torch.OutOfMemoryError)) == [i * 10 for i in batch]
    assert len(seen) == calls


def test_split_on_oom_gives_up_on_one_segment_and_passes_other_errors():
    def oom(part):
        raise torch.OutOfMemoryError("CUDA out of memory")

    with pytest.raises(OutOfMemoryError, match="one segment alone"):
        split_on_oom([0, 1], oom, lambda e: isinstance(e, torch.OutOfMemoryError))

    def other(part):
        raise ValueError("not memory")

    with pytest.raises(ValueError):
        split_on_oom([0, 1], other, lambda e: isinstance(e, torch.OutOfMemoryError))


class FlakyAsync:
    """What CTranslate2 returns with asynchronous=True: `.result()` raises the device's error."""

    def __init__(self, error):
        self.error = error

    def result(self):
        raise self.error


class OutOfMemoryAbove:
    """Wraps a CTranslate2 translator: batches over `rows` fail as CTranslate2 fails on a full GPU."""

    def __init__(self, translator, rows):
        self.translator, self.rows, self.failures = translator, rows, 0

    def translate_batch(self, source, **kwargs):
        if len(source) > self.rows:
            self.failures += 1
            error = RuntimeError("CUDA failed with error out of memory")
            if kwargs.get("asynchronous"):
                return [FlakyAsync(error) for _ in source]
            raise error
        return self.translator.translate_batch(source, **kwargs)


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_out_of_memory_batches_are_split_and_nothing_is_lost(tiny_model_dir, polish_sentences, backend, tmp_path):
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
    options = dict(device="cpu", beams=1, max_new_tokens=12, max_batch_tokens=2000, backend=backend, compute_type="float32",
                   conversion_dir=tmp_path)
    texts = [t for t in polish_sentences if len(t) < 200][:24]
    expected = Translator(str(tiny_model_dir), **options).translate(texts)
    flaky = Translator(str(tiny_model_dir), **options)
    engine = flaky.backend
    if backend == "transformers":
        generate = engine.model.generate

        def generate_or_oom(input_ids, **kwargs):
            if input_ids.shape[0] > 5:
                raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 1.00 GiB")
            return generate(input_ids=input_ids, **kwargs)

        engine.model.generate = generate_or_oom
    else:
        engine.translator = OutOfMemoryAbove(engine.translator, 5)
    assert flaky.translate(texts) == expected
    assert engine.oom_splits > 0


@pytest.mark.parametrize(
    "device, available, message",
    [
        ("cuda", 0, "no CUDA GPU is available"),
        ("cuda:1", 1, "has 1 CUDA GPU(s), numbered 0 to 0"),
        ("cuda:x", 2, "expected cuda or cuda:N"),
    ],
)
def test_cuda_device_errors(device, available, message):
    with pytest.raises(BackendSettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_cuda_device(device, available)


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the message on a machine without CUDA")
@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_cli_cuda_without_gpu_is_one_line(tiny_model_dir, tmp_path, backend):
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
    segments = tmp_path / "segments.jsonl"
    segments.write_text(json.dumps({"id": "a:0", "article": "a", "index": 0, "kind": "body", "lang": "pl",
                                    "text": "Ala ma kota.", "start": 0, "end": 12}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["translate", str(segments), "-o", str(tmp_path / "out.jsonl"), "-m", f"pl={tiny_model_dir}",
                                      "--device", "cuda:0", "--backend", backend, "--no-cache", "--cache-dir", str(tmp_path), "-q"])
    assert result.exit_code == 1
    assert "no CUDA GPU is available" in result.output
    assert "Traceback" not in result.output


def test_missing_cublas_names_library_and_package():
    pytest.importorskip("ctranslate2")
    from mt.translation.ctranslate2_backend import explain_cuda_library_error

    message = explain_cuda_library_error(RuntimeError("Library libcublas.so.12 is not found or cannot be loaded"))
    assert "libcublas.so.12" in message and "nvidia-cublas-cu12" in message and "LD_LIBRARY_PATH" in message
    assert explain_cuda_library_error(RuntimeError("something else")) is None


def test_ctranslate2_respects_the_models_position_limit(tiny_model_dir, polish_sentences, tmp_path):
    """A tokenizer that allows more tokens than the model has positions: split to the model's limit, no crash."""
    pytest.importorskip("ctranslate2")
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    config_path = model / "tokenizer_config.json"
    config = json.loads(config_path.read_text())
    config["model_max_length"] = 512
    config_path.write_text(json.dumps(config))
    translator = Translator(str(model), device="cpu", backend="ctranslate2", max_new_tokens=8, conversion_dir=tmp_path / "conv")
    positions = json.loads((model / "config.json").read_text())["max_position_embeddings"]
    assert translator.backend.max_input_tokens == positions
    long_text = " ".join(polish_sentences[:12])
    assert translator.backend.count_tokens(long_text) > positions
    result = translator.translate_detailed([long_text])[0]
    assert result.pieces > 1 and result.text
