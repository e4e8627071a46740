"""Translation with tiny random MarianMT models loaded through the product's real loading path."""

from __future__ import annotations

import json
import random

import pytest
import torch
from conftest import SEED_REFERENCES
from transformers import MarianMTModel, MarianTokenizer
from typer.testing import CliRunner

from mt.cli import app
from mt.records import Segment, read_segments
from mt.translation import ModelUnavailableError, RoutingTranslator, Translator, translate_segments
from mt.translation.batching import token_batches
from mt.translation.cache import TranslationCache
from mt.translation.flags import EMPTY, LENGTH_RATIO, REPETITION, has_ngram_loop, quality_flags
from mt.translation.splitting import split_to_fit


def plain_generate(model_dir, texts, **kwargs):
    """The reference: one sentence at a time through model.generate."""
    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    model = MarianMTModel.from_pretrained(model_dir).eval()
    outputs = []
    with torch.inference_mode():
        for text in texts:
            generated = model.generate(**tokenizer([text], return_tensors="pt"), **kwargs)
            outputs.append(tokenizer.decode(generated[0], skip_special_tokens=True))
    return outputs


def short(texts, model_dir, limit=60):
    tokenizer = MarianTokenizer.from_pretrained(model_dir)
    return [t for t in texts if len(tokenizer(t)["input_ids"]) <= limit]


@pytest.mark.parametrize("beams", [1, 2])
def test_batched_sorted_deduplicated_equals_one_by_one(tiny_model_dir, polish_sentences, beams):
    texts = short(polish_sentences, tiny_model_dir)
    texts = texts + texts[:3]  # duplicates, translated once
    translator = Translator(str(tiny_model_dir), device="cpu", beams=beams, max_new_tokens=24, max_batch_tokens=160)
    ours = translator.translate(texts)
    assert ours == plain_generate(tiny_model_dir, texts, num_beams=beams, max_new_tokens=24)
    assert translator.model_calls > 1, "the budget should force several batches"
    assert len(set(ours)) >= 8, "a model that ignores its input hides batching bugs"
    first, again = translator.translate_detailed(texts[:1] * 2)
    assert first == again and first is not again and first.flags is not again.flags, "a repeated text gets its own record"


def test_string_in_string_out(tiny_model_dir):
    translator = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8)
    assert isinstance(translator.translate("A walki w Kazachstanie nadal trwają."), str)
    assert translator.translate([]) == []


def test_routing_and_english_pass_through(tiny_model_dir, other_tiny_model_dir):
    segments = [
        Segment("a:0", "a", 0, "body", "pl", "A walki w Kazachstanie nadal trwają.", 0, 36),
        Segment("a:1", "a", 1, "caption", "ru", "Фото: LIGA.net", 37, 51),
        Segment("a:2", "a", 2, "social", "en", "More than 200 people were detained.", 52, 87),
    ]
    router = RoutingTranslator({"pl": str(tiny_model_dir)}, str(other_tiny_model_dir), device="cpu", max_new_tokens=8)
    summary = translate_segments(segments, router)
    pl, ru, en = segments
    assert pl.translation_model == str(tiny_model_dir)
    assert ru.translation_model == str(other_tiny_model_dir)
    assert pl.translation_model_revision.startswith("local-")
    assert en.english == en.text and en.translation_model is None and en.mt_score is None
    assert pl.english and ru.english and pl.mt_score < 0
    assert (summary.translated, summary.passed_through) == (2, 1)


def test_long_input_is_split_not_truncated(tiny_model_dir, polish_sentences):
    long_text = " ".join(polish_sentences[:8])
    translator = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=6, source_lang="pl")
    backend = translator.backend
    assert backend.count_tokens(long_text) > backend.max_input_tokens
    [result] = translator.translate_detailed([long_text])
    pieces = split_to_fit(long_text, backend.count_tokens, backend.max_input_tokens, "pl")
    assert result.pieces == len(pieces) > 1
    assert " ".join(pieces).split() == long_text.split(), "every word of the source is translated"
    assert result.text == " ".join(t.strip() for t in translator.translate(pieces))


def test_cache_second_run_makes_no_model_call(tiny_model_dir, polish_sentences, tmp_path):
    texts = short(polish_sentences, tiny_model_dir)[:10]
    first = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8, cache=TranslationCache(tmp_path))
    expected = first.translate(texts)
    second = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8, cache=TranslationCache(tmp_path))
    results = second.translate_detailed(texts)
    assert [r.text for r in results] == expected
    assert all(r.cached for r in results)
    assert second.model_calls == 0 and second._backend is None, "the model was not even loaded"
    other = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=9, cache=TranslationCache(tmp_path))
    other.translate(texts[:1])
    assert other.model_calls == 1, "different decoding settings are a different cache key"


def test_interrupted_run_resumes(tiny_model_dir, polish_sentences, tmp_path):
    texts = short(polish_sentences, tiny_model_dir)
    expected = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8).translate(texts)

    def die_after_first_batch(done: int) -> None:
        raise KeyboardInterrupt

    killed = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8, max_batch_tokens=160, cache=TranslationCache(tmp_path))
    with pytest.raises(KeyboardInterrupt):
        killed.translate_detailed(texts, progress=die_after_first_batch)
    resumed = Translator(str(tiny_model_dir), device="cpu", max_new_tokens=8, max_batch_tokens=160, cache=TranslationCache(tmp_path))
    results = resumed.translate_detailed(texts)
    assert [r.text for r in results] == expected
    assert 0 < sum(r.cached for r in results) < len(texts)


def test_offline_missing_models_named_before_translating(tmp_path, monkeypatch, seed_segments):
    import huggingface_hub.constants as hub

    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    router = RoutingTranslator({"pl": "Helsinki-NLP/opus-mt-pl-en"}, "Helsinki-NLP/opus-mt-mul-en")
    with pytest.raises(ModelUnavailableError) as error:
        router.translate(["Ala ma kota.", "Фото"], ["pl", "ru"])
    message = str(error.value)
    assert "Helsinki-NLP/opus-mt-pl-en" in message and "Helsinki-NLP/opus-mt-mul-en" in message
    assert "offline" in message and "hf download" in message
    assert router.model_calls == 0


def test_cli_offline_message_is_one_clear_error(tmp_path, monkeypatch):
    import huggingface_hub.constants as hub

    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    segments = tmp_path / "s.jsonl"
    segments.write_text(json.dumps(vars(Segment("a:0", "a", 0, "body", "pl", "Ala ma kota.", 0, 12)), ensure_ascii=False) + "\n")
    result = CliRunner().invoke(app, ["translate", str(segments), "-o", str(tmp_path / "t.jsonl"), "--no-cache", "-q"])
    assert result.exit_code == 1
    assert "Helsinki-NLP/opus-mt-pl-en" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "t.jsonl").exists()


@pytest.mark.parametrize("with_references", [True, False])
def test_build_offline_without_a_model_points_to_the_references_beside_the_articles(tmp_path, monkeypatch, with_references):
    import huggingface_hub.constants as hub

    monkeypatch.setattr(hub, "HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "a.txt").write_text("Strażacy gasili pożar przez całą noc w centrum miasta.\n", encoding="utf-8")
    if with_references:
        (articles / "references").mkdir()
        (articles / "references" / "references.jsonl").write_text("", encoding="utf-8")
    result = CliRunner().invoke(app, ["build", str(articles), "-o", str(tmp_path / "corpus"), "--work", str(tmp_path / "work"),
                                      "--languages", "pl", "--cache-dir", str(tmp_path / "cache"), "-q"])
    assert result.exit_code == 1 and "Helsinki-NLP/opus-mt-pl-en" in result.output and "Traceback" not in result.output
    hint = "add `--english-from reference`"
    assert (hint in " ".join(result.output.split())) == with_references, result.output
    assert not (tmp_path / "corpus").exists()


def test_cli_translate_accounts_for_every_segment(tiny_model_dir, seeds_dir, tmp_path):
    runner = CliRunner()
    segments, translated = tmp_path / "segments.jsonl", tmp_path / "translated.jsonl"
    assert runner.invoke(app, ["segment", str(seeds_dir), "-o", str(segments), "-q"]).exit_code == 0
    args = ["translate", str(segments), "-o", str(translated), "-m", f"pl={tiny_model_dir}", "-m", f"ru={tiny_model_dir}",
            "--max-new-tokens", "6", "--cache-dir", str(tmp_path / "cache"), "--references", str(SEED_REFERENCES), "-q"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    before, after = read_segments(segments), read_segments(translated)
    assert [s.id for s in after] == [s.id for s in before]
    for s in after:
        assert s.english is not None
        if s.lang == "en":
            assert s.english == s.text and s.translation_model is None
        else:
            assert s.translation_model == str(tiny_model_dir) and s.mt_score is not None
    assert any(s.reference for s in after), "references travel next to the machine output"


@pytest.mark.parametrize(
    "source, output, flags",
    [
        ("Ala ma kota i psa.", "Ala has a cat and a dog.", []),
        ("Ala ma kota i psa.", "", [EMPTY]),
        ("Ala ma kota i psa.", "   ", [EMPTY]),
        ("Ala ma kota i psa.", "the the the the cat", [REPETITION]),
        ("Ala ma kota i psa.", "a cat and a cat and a cat and a cat and", [REPETITION]),
        ("Ala ma kota i psa.", "trotrotrotrotrotro", [REPETITION]),
        ("Ala ma kota i psa.", "Ala has a cat. the the the", []),  # three in a row: not yet a loop
        ("Ala ma kota i psa.", "in the end, of the of the of the of the", [REPETITION]),  # a 2-gram loop at the very end
        ("Żołnierze przybyli do Ałmaty w czwartek rano.", "one two three four one two three four one two three four one two three four", [REPETITION]),
        ("Żołnierze przybyli do Ałmaty w czwartek rano.", "one two three four five one two three four five one two three four five one two three four five", []),
        ("Ala ma kota i psa.", "Ala has a cat (trotrotrotrotro!) and a dog.", [REPETITION]),  # a character loop inside a word
        ("Żołnierze przybyli do Ałmaty w czwartek rano.", "Yes.", [LENGTH_RATIO]),
        ("Żołnierze przybyli.", "Soldiers arrived " + "at the square in the morning, " * 3, [LENGTH_RATIO]),
        ("Tak.", "Yes, indeed.", []),
    ],
)
def test_quality_flags(source, output, flags):
    assert quality_flags(source, output) == flags


def test_ngram_loop_check_matches_its_definition():
    def by_definition(words, repeats, max_n=4):  # some n-gram, n <= max_n, `repeats` times in a row
        return any(
            all(words[start + k * n : start + (k + 1) * n] == words[start : start + n] for k in range(repeats))
            for n in range(1, max_n + 1)
            for start in range(len(words) - n * repeats + 1)
        )

    rng = random.Random(0)
    cases = [([rng.choice("abc") for _ in range(rng.randrange(20))], rng.randint(1, 5)) for _ in range(5000)]
    assert [has_ngram_loop(w, r) for w, r in cases] == [by_definition(w, r) for w, r in cases]
    assert 1000 < sum(has_ngram_loop(w, r) for w, r in cases) < 4000, "both answers are well represented"


@pytest.mark.parametrize(
    "lengths, budget",
    [([5, 1, 9, 3, 3, 7], 12), ([10] * 7, 30), ([50, 2], 10), ([], 10)],
)
def test_token_batches_fill_budget_and_keep_every_index(lengths, budget):
    batches = token_batches(lengths, budget)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) == 1 or len(batch) * max(lengths[i] for i in batch) <= budget


@pytest.mark.parametrize(
    "text, limit",
    [
        ("Pierwsze zdanie. Drugie zdanie jest tu. Trzecie.", 4),
        ("jeden, dwa, trzy, cztery, pięć, sześć", 2),
        ("a b c d e f g h", 3),
        ("x" * 50, 1),
    ],
)
def test_split_to_fit_loses_nothing(text, limit):
    count = lambda t: max(len(t.split()), len(t) // 20)  # noqa: E731 - a stand-in token counter
    parts = split_to_fit(text, count, limit, "pl")
    assert all(count(p) <= limit for p in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


def test_greedy_score_is_the_models_token_logprob(tiny_model_dir):
    """The recorded score equals transformers' own compute_transition_scores."""
    texts = ["A walki w Kazachstanie nadal trwają.", "Armenia od 1 stycznia 2022 roku przewodniczy rotacyjnie OUBZ."]
    [result_a, result_b] = Translator(str(tiny_model_dir), device="cpu", beams=1, max_new_tokens=7).translate_detailed(texts)
    tokenizer = MarianTokenizer.from_pretrained(tiny_model_dir)
    model = MarianMTModel.from_pretrained(tiny_model_dir).eval()
    for text, result in zip(texts, [result_a, result_b]):
        out = model.generate(**tokenizer([text], return_tensors="pt"), num_beams=1, max_new_tokens=7,
                             output_scores=True, return_dict_in_generate=True)
        steps = model.compute_transition_scores(out.sequences, out.scores, normalize_logits=True)[0]
        mask = out.sequences[0, 1:] != tokenizer.pad_token_id
        assert result.score == pytest.approx((steps * mask).sum().item() / mask.sum().item(), abs=1e-4)
