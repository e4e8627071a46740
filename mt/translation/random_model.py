"""Randomly initialised MarianMT models, for tests and benchmarks (no hub needed).

The tokenizers are real SentencePiece models trained on the text given; the
weights are random, so the translations mean nothing, but loading, batching,
speed and memory behave exactly as with a published model of that shape.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, Iterable

SPECIAL_TOKENS = ["</s>", "<unk>"]
PAD_TOKEN = "<pad>"
"""Last in the vocabulary, as in the published opus-mt models (CTranslate2's converter relies on it)."""


def train_sentencepiece(lines: Iterable[str], vocab_size: int) -> bytes:
    import sentencepiece as spm  # lazy on purpose: only model building needs it

    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([line for line in lines if line.strip()]),
        model_writer=model,
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        bos_id=-1,
        eos_id=-1,
        unk_id=0,
        minloglevel=2,
    )
    return model.getvalue()


def build_random_marian(
    folder: Path | str,
    source_lines: list[str],
    target_lines: list[str],
    *,
    config: dict[str, Any] | None = None,
    spm_vocab_size: int = 400,
    init_std: float = 0.5,
    seed: int = 0,
) -> Path:
    """Save a MarianMT model with random weights and trained tokenizers to `folder`.

    `config` holds MarianConfig fields (the real opus-mt-pl-en config for a
    benchmark, a tiny one for tests); the vocabulary is padded with filler pieces
    up to its `vocab_size`. A large `init_std` makes outputs depend on inputs.
    """
    import sentencepiece as spm  # lazy on purpose: only model building needs it
    import torch
    from transformers import GenerationConfig, MarianConfig, MarianMTModel, MarianTokenizer

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source_spm = train_sentencepiece(source_lines, spm_vocab_size)
    target_spm = train_sentencepiece(target_lines, spm_vocab_size)
    (folder / "source.spm").write_bytes(source_spm)
    (folder / "target.spm").write_bytes(target_spm)
    pieces: list[str] = []
    for blob in (source_spm, target_spm):
        processor = spm.SentencePieceProcessor(model_proto=blob)
        pieces += [processor.id_to_piece(i) for i in range(processor.get_piece_size())]
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS)}
    for piece in pieces:
        vocab.setdefault(piece, len(vocab))
    settings: dict[str, Any] = dict(max_length=512)
    if config is None:
        settings = dict(
            d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4, decoder_attention_heads=4,
            encoder_ffn_dim=64, decoder_ffn_dim=64, max_position_embeddings=64, num_beams=2, max_length=64,
        )
    generation_keys = ("num_beams", "max_length", "bad_words_ids", "forced_eos_token_id")
    settings.update({k: v for k, v in (config or {}).items() if not k.startswith("_") and k not in ("architectures", "transformers_version")})
    vocab_size = max(settings.get("vocab_size", 0), len(vocab) + 1)
    while len(vocab) < vocab_size - 1:
        vocab[f"<filler_{len(vocab)}>"] = len(vocab)
    vocab[PAD_TOKEN] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    settings.update(
        vocab_size=vocab_size, decoder_vocab_size=vocab_size, pad_token_id=vocab["<pad>"],
        eos_token_id=vocab["</s>"], decoder_start_token_id=vocab["<pad>"], init_std=init_std,
        forced_eos_token_id=vocab["</s>"], bad_words_ids=[[vocab["<pad>"]]],
    )
    torch.manual_seed(seed)
    generation = {k: settings.pop(k) for k in generation_keys if k in settings}
    model = MarianMTModel(MarianConfig(**settings))
    model.generation_config = GenerationConfig(
        pad_token_id=vocab["<pad>"], eos_token_id=vocab["</s>"], decoder_start_token_id=vocab["<pad>"], **generation
    )
    model.save_pretrained(folder)
    tokenizer = MarianTokenizer(
        source_spm=str(folder / "source.spm"), target_spm=str(folder / "target.spm"), vocab=str(folder / "vocab.json"),
        model_max_length=settings["max_position_embeddings"],
    )
    tokenizer.save_pretrained(folder)
    return folder
