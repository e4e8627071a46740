"""BERT sentence-transformers models (mean pooling) run directly on torch: the default English embedder.

sentence-transformers imports transformers, scikit-learn and their model zoo before it embeds anything: 6.4 s
of a cold `mt align` for the bundled all-MiniLM-L6-v2, against 1.2 s for torch, safetensors and tokenizers
alone (docs/alignment.md). The vectors are sentence-transformers' own to 2e-7 (tests/test_encoders.py).
A model this forward pass would embed differently (another architecture, activation, position embedding,
pooling or module) is refused with a pointer to the plain sentence-transformers name.
A text longer than the model's window is embedded window by window and pooled over all its word pieces,
where sentence-transformers would keep only the first window.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from alignments.encoders.sbert import bundled_model_path, bundled_or_name, missing_model_hint
from alignments.errors import EmbedderDeviceError, EmbedderUnavailableError

MEAN_POOLING_MODULES = {"sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                        "sentence_transformers.models.Normalize"}
"""The modules of a model this encoder runs (the pooling must also be the mean of word pieces)."""

HUB_FILES = ["config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json", "model.safetensors",
             "*/config.json"]
"""What a hub download fetches: the files read here, not the repository's other formats (ONNX, OpenVINO, ...)."""

OTHER_MODELS = "The kind bert: runs BERT models with mean pooling; give any other model by its plain name (sentence-transformers)."


class BertEncoder:
    """all-MiniLM-L6-v2 and other BERT sentence-transformers models, without loading sentence-transformers."""

    def __init__(self, model: str, device: str | None) -> None:
        """Load `model` (bundled copy, folder or hub name) on `device` (None: CUDA when present, else the CPU)."""
        import torch  # lazy on purpose: torch is heavy, and only embedding needs it
        from safetensors.torch import load_file
        from tokenizers import Tokenizer

        name = f"bert:{model}"
        folder = self._folder(model)
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            settings = json.loads((folder / "sentence_bert_config.json").read_text(encoding="utf-8"))
            self._check(folder, config)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise EmbedderUnavailableError(name, error, OTHER_MODELS, download=False) from error
        try:
            self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
            weights = load_file(str(folder / "model.safetensors"))
        except Exception as error:  # tokenizers raises a bare Exception for a missing or unreadable file
            raise EmbedderUnavailableError(name, error) from error
        if self.tokenizer.post_processor is None or self.tokenizer.post_processor.num_special_tokens_to_add(False) != 2:
            raise EmbedderUnavailableError(name, ValueError("the tokenizer does not mark each text's start and end"),
                                           OTHER_MODELS, download=False)
        self.torch = torch
        self.device = self._device(torch, device)
        self.weights = {key.removeprefix("bert."): (tensor.float() if tensor.is_floating_point() else tensor).to(self.device)
                        for key, tensor in weights.items()}
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.epsilon = float(config.get("layer_norm_eps", 1e-12))
        positions = int(config["max_position_embeddings"])
        self.window = min(int(settings.get("max_seq_length") or positions), positions)
        self.lowercase = bool(settings.get("do_lower_case"))
        self.pad_id = int(config.get("pad_token_id") or 0)
        self.tokenizer.no_truncation()
        self.tokenizer.no_padding()

    def encode(self, texts: Sequence[str], batch_size: int) -> np.ndarray:
        """Unit vectors: word pieces mean-pooled over every window of each text, in batches of similar length."""
        texts = [text.lower() for text in texts] if self.lowercase else list(texts)
        pieces = [encoding.ids for encoding in self.tokenizer.encode_batch(texts)]
        windows = [(row, window) for row, ids in enumerate(pieces) for window in self._windows(ids)]
        order = sorted(range(len(windows)), key=lambda index: -len(windows[index][1]))
        sums = np.zeros((len(texts), int(self.weights["embeddings.word_embeddings.weight"].shape[1])), np.float64)
        counts = np.zeros(len(texts), np.float64)
        with self.torch.inference_mode():
            for start in range(0, len(order), batch_size):
                batch = [windows[index] for index in order[start : start + batch_size]]
                summed, sizes = self._pooled_sums([ids for _, ids in batch])
                for (row, _), vector, size in zip(batch, summed, sizes):
                    sums[row] += vector
                    counts[row] += size
        vectors = (sums / np.maximum(counts, 1)[:, None]).astype(np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)

    def _windows(self, ids: list[int]) -> list[list[int]]:
        """The text's word pieces as windows the model can read, each between the tokenizer's first and last marker."""
        if len(ids) <= self.window:
            return [ids]
        first, body, last = ids[:1], ids[1:-1], ids[-1:]
        size = self.window - 2
        return [first + body[start : start + size] + last for start in range(0, len(body), size)]

    def _pooled_sums(self, batch: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        """Sum of the last layer over each window's word pieces, and how many there are (BertModel, eval mode)."""
        torch, weights = self.torch, self.weights
        functional = torch.nn.functional
        longest = max(len(ids) for ids in batch)
        ids = torch.tensor([row + [self.pad_id] * (longest - len(row)) for row in batch], device=self.device)
        mask = torch.tensor([[1] * len(row) + [0] * (longest - len(row)) for row in batch], device=self.device)

        def norm(x: Any, name: str) -> Any:
            return functional.layer_norm(x, x.shape[-1:], weights[f"{name}.weight"], weights[f"{name}.bias"], self.epsilon)

        def dense(x: Any, name: str) -> Any:
            return functional.linear(x, weights[f"{name}.weight"], weights[f"{name}.bias"])

        rows, length = ids.shape
        x = (weights["embeddings.word_embeddings.weight"][ids] + weights["embeddings.position_embeddings.weight"][:length]
             + weights["embeddings.token_type_embeddings.weight"][0])
        x = norm(x, "embeddings.LayerNorm")
        width = x.shape[-1] // self.heads
        visible = mask[:, None, None, :].bool()
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}"
            query, key, value = (dense(x, f"{prefix}.attention.self.{part}").view(rows, length, self.heads, width)
                                 .transpose(1, 2) for part in ("query", "key", "value"))
            context = functional.scaled_dot_product_attention(query, key, value, attn_mask=visible)
            x = norm(x + dense(context.transpose(1, 2).reshape(rows, length, -1), f"{prefix}.attention.output.dense"),
                     f"{prefix}.attention.output.LayerNorm")
            inner = functional.gelu(dense(x, f"{prefix}.intermediate.dense"))
            x = norm(x + dense(inner, f"{prefix}.output.dense"), f"{prefix}.output.LayerNorm")
        summed = (x * mask[:, :, None].to(x.dtype)).sum(1)
        return summed.double().cpu().numpy(), mask.sum(1).cpu().numpy()

    @staticmethod
    def _device(torch: Any, device: str | None) -> Any:
        """The device asked for, checked now: a typo or a GPU that is not there is one line, not a traceback later."""
        chosen = device or ("cuda" if torch.cuda.is_available() else "cpu")
        try:
            found = torch.device(chosen)
            torch.zeros(1, device=found)
        except (RuntimeError, AssertionError) as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise EmbedderDeviceError(f"--device {chosen}: torch cannot use it ({first}); use cpu or cuda[:N]") from error
        return found

    @staticmethod
    def _check(folder: Path, config: dict) -> None:
        """Refuse what this forward pass would embed differently from BertModel: say what differs."""
        expected = {"model_type": "bert", "hidden_act": "gelu", "position_embedding_type": "absolute"}
        for key, value in expected.items():
            if config.get(key, value) != value:
                raise ValueError(f"{key} is {config.get(key)!r}, not {value!r}")
        modules = json.loads((folder / "modules.json").read_text(encoding="utf-8"))
        other = {module["type"] for module in modules} - MEAN_POOLING_MODULES
        pooling = [module["path"] for module in modules if module["type"].endswith(".Pooling")]
        if other or len(pooling) != 1:
            raise ValueError(f"modules other than one Transformer, Pooling and Normalize: {sorted(other)}")
        modes = json.loads((folder / pooling[0] / "config.json").read_text(encoding="utf-8"))
        if [mode for mode, on in modes.items() if mode.startswith("pooling_mode") and on] != ["pooling_mode_mean_tokens"]:
            raise ValueError("pooling is not the mean of word pieces")

    @staticmethod
    def _folder(model: str) -> Path:
        """The bundled copy, a folder, or the hub's snapshot (offline: the local one only, else a one-line error)."""
        found = bundled_model_path(model) or (Path(model) if Path(model).is_dir() else None)
        if found:
            return found
        from huggingface_hub import snapshot_download  # lazy on purpose: hub names only

        try:
            return Path(snapshot_download(model, allow_patterns=HUB_FILES))
        except Exception as error:  # offline, unknown name, no permission: all mean "cannot use this model"
            raise EmbedderUnavailableError(f"bert:{model}", error, missing_model_hint(model)) from error

    source = staticmethod(bundled_or_name)
