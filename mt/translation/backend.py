"""The small interface every translation backend implements, and the transformers backend.

A backend turns short source texts (already split to fit the model) into
translations with a score; the `Translator` around it does deduplication,
caching, long-input splitting and quality flags, whichever backend runs.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Iterator, Protocol, Sequence

from mt.translation.batching import split_on_oom, token_batches
from mt.translation.models import ResolvedModel
from mt.translation.pieces import MarianPieces

SCORE_CHUNK_ELEMENTS = 1 << 26
"""Logits scored at once when computing log-probabilities (rows x length x vocabulary)."""


@dataclass(frozen=True)
class DecodingSettings:
    """Overrides of the model's own generation defaults; None keeps the model's value."""

    beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)


TRANSFORMERS_COMPUTE_TYPES = ("float32", "float16", "bfloat16")


class BackendSettingsError(ValueError):
    """A backend or compute type that cannot run (unknown name, unsupported type)."""


class Backend(Protocol):
    """What `Translator` needs from a backend; nothing else in the pipeline sees which one ran."""

    name: str
    compute_type: str
    max_input_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """`count_tokens` of every text, in one call (tokenisers are much faster on lists)."""
        ...

    def generate(self, texts: Sequence[str]) -> Iterator[list[tuple[int, str, float]]]:
        """Yield, batch by batch, (index into texts, translation, mean token log-prob)."""
        ...


def pick_device(device: str = "auto") -> str:
    """The torch device to run on: 'auto' resolved, and a CUDA device checked before any model is loaded."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device.startswith("cuda"):
        check_cuda_device(device, torch.cuda.device_count() if torch.cuda.is_available() else 0)
    return device


def cuda_index(device: str) -> int:
    """0 for 'cuda', N for 'cuda:N'; a malformed index is a settings error."""
    _, _, index = device.partition(":")
    if not index:
        return 0
    if not index.isdigit():
        raise BackendSettingsError(f"--device {device}: expected cuda or cuda:N with N a GPU number")
    return int(index)


def check_cuda_device(device: str, available: int) -> None:
    """One clear line when `device` names a GPU this machine does not have."""
    index = cuda_index(device)
    if available == 0:
        raise BackendSettingsError(f"--device {device}: no CUDA GPU is available on this machine; use --device cpu (or auto)")
    if index >= available:
        raise BackendSettingsError(f"--device {device}: this machine has {available} CUDA GPU(s), numbered 0 to {available - 1}")


DEFAULT_COMPUTE_TYPES = {
    ("transformers", "cuda"): "float16",
    ("transformers", "other"): "float32",
    ("ctranslate2", "cuda"): "float16",
    ("ctranslate2", "other"): "int8",
}
"""Each backend's numeric type when none is asked for: fp16 on CUDA; on CPU fp32, or int8 for CTranslate2."""


def backend_device(backend: str, device: str = "auto") -> str:
    """The device `backend` runs on, 'auto' resolved; CTranslate2 is asked itself, so torch stays unloaded."""
    if backend == "ctranslate2":
        from mt.translation.ctranslate2_backend import pick_ct2_device

        return pick_ct2_device(device)
    return pick_device(device)


def default_compute_type(backend: str, device: str = "auto") -> str:
    on_cuda = backend_device(backend, device).startswith("cuda")
    return DEFAULT_COMPUTE_TYPES[(backend, "cuda" if on_cuda else "other")]


HALF_PRECISION_SDPA_BACKENDS = ("FLASH_ATTENTION", "EFFICIENT_ATTENTION", "MATH")
"""The attention kernels PyTorch may pick on CUDA: all but cuDNN's.

cuDNN attention (PyTorch's first choice for fp16/bf16 on Hopper) builds an
execution plan for every new tensor shape. Generation with token-budget batches
makes a new shape at nearly every step (each batch size x source length x
output position), so in half precision it spent its time planning: 4,231
target tokens/s against 31,508 without cuDNN, and 23,894 in fp32, on one H100
(benchmarks/half_precision_probe.py has the per-kernel table).
"""


class TransformersBackend:
    """MarianMT through `transformers`: sorted token-budget batches, fp16 on CUDA."""

    name = "transformers"

    def __init__(
        self,
        model: ResolvedModel,
        decoding: DecodingSettings = DecodingSettings(),
        device: str = "auto",
        max_batch_tokens: int = 4096,
        compute_type: str | None = None,
    ) -> None:
        import torch
        from transformers import MarianMTModel, MarianTokenizer

        self.device = pick_device(device)
        self.compute_type = compute_type or default_compute_type(self.name, self.device)
        if self.compute_type not in TRANSFORMERS_COMPUTE_TYPES:
            raise BackendSettingsError(f"the transformers backend runs in {', '.join(TRANSFORMERS_COMPUTE_TYPES)}, not '{self.compute_type}'")
        self.dtype = getattr(torch, self.compute_type)
        if self.device == "cpu" and torch.get_num_threads() < (os.cpu_count() or 1):
            torch.set_num_threads(os.cpu_count() or 1)
        self.tokenizer = MarianTokenizer.from_pretrained(model.path)
        self.pieces = MarianPieces(self.tokenizer)
        self.model = MarianMTModel.from_pretrained(model.path, dtype=self.dtype).to(self.device).eval()
        self.decoding = decoding
        self.max_batch_tokens = max_batch_tokens
        self.max_input_tokens = min(self.tokenizer.model_max_length, self.model.config.max_position_embeddings)
        self.oom_splits = 0

    def count_tokens(self, text: str) -> int:
        return len(self.pieces.encode([text])[0])

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        return [len(tokens) for tokens in self.pieces.encode(texts)]

    def generate(self, texts: Sequence[str]) -> Iterator[list[tuple[int, str, float]]]:
        ids = [self.pieces.ids(tokens) for tokens in self.pieces.encode(texts)]
        for batch in token_batches([len(row) for row in ids], self.max_batch_tokens):
            yield split_on_oom(batch, lambda part: self._run([ids[i] for i in part], part), self._is_oom)

    def _run(self, rows: list[list[int]], indices: list[int]) -> list[tuple[int, str, float]]:
        import torch

        pad = self.tokenizer.pad_token_id
        width = max(len(row) for row in rows)
        input_ids = torch.tensor([row + [pad] * (width - len(row)) for row in rows], device=self.device)
        attention_mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows], device=self.device)
        recorder = ChosenTokenLogProbs(pad) if self._greedy else None
        with torch.inference_mode(), self._attention():
            output = self.model.generate(input_ids=input_ids, attention_mask=attention_mask, **self._generate_kwargs(recorder))
            inputs = {"input_ids": input_ids, "attention_mask": attention_mask}
            scores = recorder.mean(output) if recorder else self._mean_logprobs(inputs, output)
        decoded = self.pieces.decode_ids(output.tolist())
        return [(i, decoded[k], scores[k]) for k, i in enumerate(indices)]

    def _attention(self):
        """On CUDA, attention kernels without cuDNN's (see HALF_PRECISION_SDPA_BACKENDS)."""
        import contextlib

        if not self.device.startswith("cuda"):
            return contextlib.nullcontext()
        from torch.nn.attention import SDPBackend, sdpa_kernel

        return sdpa_kernel([getattr(SDPBackend, name) for name in HALF_PRECISION_SDPA_BACKENDS])

    def _is_oom(self, error: BaseException) -> bool:
        import torch

        if not isinstance(error, torch.OutOfMemoryError):
            return False
        self.oom_splits += 1
        torch.cuda.empty_cache()
        return True

    @property
    def _greedy(self) -> bool:
        beams = self.decoding.beams or self.model.generation_config.num_beams or 1
        return beams == 1

    def _generate_kwargs(self, recorder: "ChosenTokenLogProbs | None" = None) -> dict[str, object]:
        from transformers import LogitsProcessorList

        kwargs: dict[str, object] = {"do_sample": False}
        if recorder is not None:
            kwargs["logits_processor"] = LogitsProcessorList([recorder])
        if self.decoding.beams is not None:
            kwargs["num_beams"] = self.decoding.beams
        if self.decoding.max_new_tokens is not None:
            kwargs["max_new_tokens"] = self.decoding.max_new_tokens
        if self.decoding.min_new_tokens is not None:
            kwargs["min_new_tokens"] = self.decoding.min_new_tokens
        return kwargs

    def _mean_logprobs(self, inputs, output) -> list[float]:
        """Mean log-probability the model gives each output token (forced decoding).

        Used after beam search, whose own scores cost a vocabulary-sized tensor
        per step to keep; greedy decoding records them for free instead.
        """
        import torch

        decoder_inputs, labels = output[:, :-1], output[:, 1:]
        mask = labels != self.tokenizer.pad_token_id
        vocab = self.model.config.vocab_size
        rows = max(1, SCORE_CHUNK_ELEMENTS // max(1, labels.shape[1] * vocab))
        scores: list[float] = []
        for start in range(0, labels.shape[0], rows):
            part = slice(start, start + rows)
            logits = self.model(
                input_ids=inputs["input_ids"][part],
                attention_mask=inputs["attention_mask"][part],
                decoder_input_ids=decoder_inputs[part],
            ).logits.float()
            logits[..., self.tokenizer.pad_token_id] = float("-inf")  # as generation does (bad_words_ids)
            logprobs = torch.log_softmax(logits, dim=-1).gather(-1, labels[part].unsqueeze(-1)).squeeze(-1)
            chunk_mask = mask[part]
            total = (logprobs * chunk_mask).sum(dim=1) / chunk_mask.sum(dim=1).clamp(min=1)
            scores.extend(total.tolist())
        return scores


class ChosenTokenLogProbs:
    """A logits processor that records the log-probability of each token greedy decoding picks.

    Each step sees the token chosen at the step before (the last input id), so
    it keeps only one step's log-softmax: no vocabulary-sized tensor per step.
    It is added last, so it sees the scores the choice is made on.
    """

    def __init__(self, pad_token_id: int) -> None:
        self.pad_token_id = pad_token_id
        self._previous = None
        self._steps: list = []

    def __call__(self, input_ids, scores):
        import torch

        if self._previous is not None:
            self._steps.append(self._previous.gather(1, input_ids[:, -1:]).squeeze(1))
        self._previous = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def mean(self, sequences) -> list[float]:
        import torch

        if self._previous is None:
            return [0.0] * sequences.shape[0]
        steps = self._steps + [self._previous.gather(1, sequences[:, -1:]).squeeze(1)]
        logprobs = torch.stack(steps, dim=1)
        generated = sequences[:, -logprobs.shape[1] :]
        mask = generated != self.pad_token_id
        logprobs = torch.where(mask, logprobs, torch.zeros_like(logprobs))
        return (logprobs.sum(dim=1) / mask.sum(dim=1).clamp(min=1)).tolist()
