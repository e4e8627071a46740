"""MarianMT tokenisation for whole batches at C++ speed, equal to `MarianTokenizer` token for token.

`MarianTokenizer` is a slow, pure-Python tokenizer: one text at a time, through
several layers of special-token handling. On a GPU that runs 100,000+ target
tokens a second, tokenising and detokenising that way took longer than the
translation itself. Here SentencePiece encodes and decodes whole lists in C++
across threads, with the tokenizer's own SentencePiece models, vocabulary and
special tokens. Texts that the fast path does not cover (a special token or a
`>>lang<<` code inside the text) go through `MarianTokenizer` itself.
"""

from __future__ import annotations

import re
from typing import Sequence

from mt.cores import cpu_threads

SPIECE_UNDERLINE = "▁"


class MarianPieces:
    """Source text -> SentencePiece pieces (with the closing `</s>`), and generated tokens -> text."""

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer
        self.encoder: dict[str, int] = tokenizer.encoder
        self.decoder: dict[int, str] = tokenizer.decoder
        self.unk = tokenizer.unk_token
        self.eos = tokenizer.eos_token
        self.specials = frozenset(tokenizer.all_special_tokens)
        self._special_inside = re.compile("|".join(re.escape(token) for token in self.specials) or r"(?!)")  # (?!) never matches
        self.special_ids = frozenset(tokenizer.all_special_ids)
        self.threads = cpu_threads()
        # Which SentencePiece model turns generated tokens back into text: the one MarianTokenizer.decode uses.
        self.output_spm = tokenizer.spm_source if not getattr(tokenizer, "separate_vocabs", False) else tokenizer.spm_target
        self.clean_up = bool(getattr(tokenizer, "clean_up_tokenization_spaces", False))

    def _needs_tokenizer(self, text: str) -> bool:
        return text.startswith(">>") or self._special_inside.search(text) is not None

    def encode(self, texts: Sequence[str]) -> list[list[str]]:
        """Every text's SentencePiece pieces and the closing `</s>`: what the model reads, in one call.

        A piece the model's vocabulary lacks (a character SentencePiece has never
        seen) is left as it is, not replaced by `<unk>` here: the vocabulary lookup
        that follows, `ids` for transformers and CTranslate2's own, makes it `<unk>`,
        as `MarianTokenizer` does. Mapping 130,000 pieces in Python first took as
        long as SentencePiece itself, before a GPU could start.
        """
        pieces = self.tokenizer.spm_source.encode(list(texts), out_type=str, num_threads=self.threads)
        eos = self.eos
        out = []
        for text, tokens in zip(texts, pieces):
            if self._needs_tokenizer(text):
                out.append(self.tokenizer.convert_ids_to_tokens(self.tokenizer(text, truncation=False)["input_ids"]))
            else:
                tokens.append(eos)
                out.append(tokens)
        return out

    def ids(self, tokens: Sequence[str]) -> list[int]:
        known, unk = self.encoder, self.encoder[self.unk]
        return [known.get(token, unk) for token in tokens]

    def decode(self, outputs: Sequence[Sequence[str]]) -> list[str]:
        """Texts for generated tokens, as `tokenizer.decode(ids, skip_special_tokens=True)` gives them."""
        kept = [[token for token in tokens if token not in self.specials] for tokens in outputs]
        texts = [text.replace(SPIECE_UNDERLINE, " ").strip() for text in self.output_spm.decode_pieces(kept)]
        if self.clean_up:
            texts = [self.tokenizer.clean_up_tokenization(text) for text in texts]
        return texts

    def decode_ids(self, outputs: Sequence[Sequence[int]]) -> list[str]:
        decoder, special = self.decoder, self.special_ids
        tokens = []
        for ids in outputs:
            row = []
            for i in ids:
                if i in special:
                    continue
                token = decoder.get(i)
                row.append(token if token is not None else self.tokenizer.convert_ids_to_tokens(i))
            tokens.append(row)
        return self.decode(tokens)
