"""The CUDA paths on a real GPU. CI has none, so these skip there; run them on a GPU machine:

    pytest -m cuda -v tests/test_gpu.py
"""

from __future__ import annotations

import pytest
import torch

from mt.translation import Translator
from mt.translation.backend import BackendSettingsError

pytestmark = [pytest.mark.cuda, pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")]

BACKENDS = [("transformers", "float32", "float16"), ("ctranslate2", "float32", "float16")]


def texts_for(polish_lines):
    return [t for t in polish_lines if 10 < len(t) < 250]


@pytest.mark.parametrize("backend, full, half", BACKENDS)
def test_half_precision_agrees_with_fp32(tiny_model_dir, polish_lines, backend, full, half, tmp_path):
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
    texts = texts_for(polish_lines)
    options = dict(device="cuda", beams=1, max_new_tokens=16, backend=backend, conversion_dir=tmp_path)
    reference = Translator(str(tiny_model_dir), compute_type=full, **options).translate(texts)
    fast = Translator(str(tiny_model_dir), compute_type=half, **options)
    assert fast.compute_type == half
    ours = fast.translate(texts)
    same = sum(a == b for a, b in zip(ours, reference))
    print(f"{backend}: {half} == {full} on {same}/{len(texts)} sentences")
    assert same >= 0.8 * len(texts)


def test_default_cuda_compute_type_is_half_precision():
    assert Translator("unused/model", device="cuda").compute_type == "float16"


def test_real_cuda_out_of_memory_is_split_and_retried(tiny_model_dir, polish_lines):
    """Batches of more than 4 rows first ask the CUDA allocator for more than the GPU has: a genuine OOM."""
    texts = texts_for(polish_lines)[:24]
    options = dict(device="cuda", beams=1, max_new_tokens=12, max_batch_tokens=4000, compute_type="float32")
    expected = Translator(str(tiny_model_dir), **options).translate(texts)
    translator = Translator(str(tiny_model_dir), **options)
    engine = translator.backend
    generate = engine.model.generate

    def generate_after_a_huge_allocation(input_ids, **kwargs):
        if input_ids.shape[0] > 4:
            free, _ = torch.cuda.mem_get_info()
            torch.empty(free + (1 << 30), dtype=torch.uint8, device="cuda")
        return generate(input_ids=input_ids, **kwargs)

    engine.model.generate = generate_after_a_huge_allocation
    assert translator.translate(texts) == expected
    assert engine.oom_splits > 0
    print(f"out-of-memory splits: {engine.oom_splits}")


@pytest.mark.parametrize("backend", ["transformers", "ctranslate2"])
def test_cuda_index(tiny_model_dir, backend, tmp_path):
    if backend == "ctranslate2":
        pytest.importorskip("ctranslate2")
    count = torch.cuda.device_count()
    last = Translator(str(tiny_model_dir), device=f"cuda:{count - 1}", backend=backend, max_new_tokens=6, conversion_dir=tmp_path)
    assert last.translate("Ala ma kota.")
    missing = Translator(str(tiny_model_dir), device=f"cuda:{count}", backend=backend, conversion_dir=tmp_path)
    with pytest.raises(BackendSettingsError, match=f"has {count} CUDA GPU"):
        missing.translate("Ala ma kota.")


def test_the_default_english_embedder_on_cuda_agrees_with_the_cpu():
    """`bert:` puts the model on CUDA when present (as sentence-transformers did); vectors agree with the CPU's."""
    import numpy as np

    from alignments.encoders.bert import BertEncoder

    texts = ["Russian soldiers flew to Almaty.", "Fuel prices doubled overnight, and protests spread.", "ok"]
    gpu = BertEncoder("sentence-transformers/all-MiniLM-L6-v2", None)
    assert gpu.device.type == "cuda"
    cpu = BertEncoder("sentence-transformers/all-MiniLM-L6-v2", "cpu")
    np.testing.assert_allclose(gpu.encode(texts, 2), cpu.encode(texts, 2), atol=1e-4)
