"""The CTranslate2 backend: same routing, cache, splitting and output as transformers, faster."""

from __future__ import annotations

import json
import sys

import pytest
from typer.testing import CliRunner

from mt.cli import app
from mt.records import read_segments
from mt.translation import Translator
from mt.translation.cache import TranslationCache
from mt.translation.ctranslate2_backend import CTranslate2UnavailableError, converted_folder, is_ctranslate2_folder
from mt.translation.models import ModelRef, resolve

pytest.importorskip("ctranslate2")


def short(texts, translator, limit=60):
    return [t for t in texts if translator.backend.count_tokens(t) <= limit]


@pytest.fixture(scope="module")
def conversions(tmp_path_factory):
    return tmp_path_factory.mktemp("ct2-conversions")


@pytest.mark.parametrize("beams", [1])
def test_fp32_equals_transformers_under_greedy_decoding(tiny_model_dir, polish_sentences, conversions, beams):
    reference = Translator(str(tiny_model_dir), device="cpu", beams=beams, max_new_tokens=20, max_batch_tokens=160)
    unknown_characters = ["Ala ma 😀 kota ①", "Zapis [nawiasy] i ⁇ znak"]  # pieces outside the vocabulary reach CTranslate2 as they are
    texts = short(polish_sentences, reference) + unknown_characters
    fast = Translator(str(tiny_model_dir), device="cpu", beams=beams, max_new_tokens=20, max_batch_tokens=160,
                      backend="ctranslate2", compute_type="float32", conversion_dir=conversions)
    expected, ours = reference.translate_detailed(texts), fast.translate_detailed(texts)
    assert [t.text for t in ours] == [t.text for t in expected]
    assert len({t.text for t in ours}) >= 8, "a model that ignores its input hides batching bugs"
    assert fast.model_calls > 1
    for a, b in zip(ours, expected):
        assert a.score == pytest.approx(b.score, abs=0.01)
        assert (a.backend, a.compute_type, b.backend, b.compute_type) == ("ctranslate2", "float32", "transformers", "float32")


def test_conversion_is_cached_and_a_ready_folder_is_used_directly(tiny_model_dir, conversions, tmp_path):
    resolved = resolve(ModelRef(str(tiny_model_dir)))
    Translator(resolved, device="cpu", backend="ctranslate2", conversion_dir=conversions).translate("Ala ma kota.")
    folder = converted_folder(resolved, conversions)
    assert is_ctranslate2_folder(folder) and (folder / "source.spm").is_file()
    stamp = (folder / "model.bin").stat().st_mtime_ns
    again = Translator(resolved, device="cpu", backend="ctranslate2", conversion_dir=conversions)
    again.translate("Ala ma kota.")
    assert (folder / "model.bin").stat().st_mtime_ns == stamp, "converted once, then reused"
    direct = Translator(str(folder), device="cpu", backend="ctranslate2", conversion_dir=tmp_path)
    assert direct.translate("Ala ma kota.") == again.translate("Ala ma kota.")
    assert not (tmp_path / "ctranslate2").exists(), "a ready CTranslate2 folder is not converted again"


def test_default_compute_type_on_cpu_is_int8(tiny_model_dir, conversions):
    translator = Translator(str(tiny_model_dir), device="cpu", backend="ctranslate2", conversion_dir=conversions)
    [result] = translator.translate_detailed(["A walki w Kazachstanie nadal trwają."])
    assert (result.backend, result.compute_type) == ("ctranslate2", "int8")


def test_cache_keys_separate_backends_and_compute_types(tiny_model_dir, conversions, tmp_path):
    cache = TranslationCache(tmp_path)
    text = ["A walki w Kazachstanie nadal trwają."]
    runs = [("transformers", "float32"), ("ctranslate2", "float32"), ("ctranslate2", "int8")]
    for backend, compute_type in runs:
        translator = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8, cache=cache, backend=backend,
                                compute_type=compute_type, conversion_dir=conversions)
        [result] = translator.translate_detailed(text)
        assert not result.cached and translator.model_calls == 1, f"{backend} {compute_type} must not reuse another's output"
        again = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8, cache=cache, backend=backend,
                           compute_type=compute_type, conversion_dir=conversions)
        [second] = again.translate_detailed(text)
        assert second.cached and again.model_calls == 0 and second.text == result.text


def test_cli_backend_records_backend_and_compute_type(tiny_model_dir, seeds_dir, tmp_path):
    runner = CliRunner()
    segments, out, summary = tmp_path / "segments.jsonl", tmp_path / "translated.jsonl", tmp_path / "summary.json"
    assert runner.invoke(app, ["segment", str(seeds_dir), "-o", str(segments), "-q"]).exit_code == 0
    result = runner.invoke(app, ["translate", str(segments), "-o", str(out), "-m", f"pl={tiny_model_dir}",
                                 "-m", f"ru={tiny_model_dir}", "--fallback-model", str(tiny_model_dir), "--backend", "ctranslate2", "--max-new-tokens", "6",
                                 "--cache-dir", str(tmp_path / "cache"), "--json", str(summary), "-q"])
    assert result.exit_code == 0, result.output
    translated = [s for s in read_segments(out) if s.translation_model]
    assert translated and {(s.translation_backend, s.translation_compute_type) for s in translated} == {("ctranslate2", "int8")}
    report = json.loads(summary.read_text())
    assert report["translated"] == len(translated) and report["backends"] == {"ctranslate2 int8": len(translated)}


def test_clear_message_when_ctranslate2_is_missing(tiny_model_dir, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "ctranslate2", None)
    translator = Translator(str(tiny_model_dir), device="cpu", backend="ctranslate2", conversion_dir=tmp_path)
    with pytest.raises(CTranslate2UnavailableError, match=r"pip install 'mt-comparable\[ctranslate2\]'"):
        translator.translate("Ala ma kota.")


@pytest.mark.parametrize("backend, compute_type, message", [
    ("marian", None, "'marian' is not one of"),
    ("transformers", "int8", "the transformers backend runs in"),
])
def test_bad_backend_settings_are_one_line_errors(tiny_model_dir, tmp_path, backend, compute_type, message):
    segments = tmp_path / "segments.jsonl"
    segments.write_text(json.dumps({"id": "a:0000", "article": "a", "index": 0, "kind": "body", "lang": "pl",
                                    "text": "Ala ma kota.", "start": 0, "end": 12}) + "\n")
    args = ["translate", str(segments), "-o", str(tmp_path / "out.jsonl"), "-m", f"pl={tiny_model_dir}", "--backend", backend, "--no-cache", "-q"]
    result = CliRunner().invoke(app, args + (["--compute-type", compute_type] if compute_type else []))
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output
