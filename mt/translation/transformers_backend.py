"""MarianMT through `transformers` (PyTorch): the default backend, on CPU, CUDA or MPS."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator, Sequence

from mt.cores import cpu_threads
from mt.translation.backend import BackendSettingsError, DecodingSettings, MarianBackend
from mt.translation.batching import split_on_oom, token_batches
from mt.translation.devices import check_cuda_device
from mt.translation.models import ResolvedModel
from mt.translation.pieces import MarianPieces

SCORE_CHUNK_ELEMENTS = 1 << 26
"""Logits scored at once when computing log-probabilities (rows x length x vocabulary)."""

TRANSFORMERS_COMPUTE_TYPES = ("float32", "float16", "bfloat16")


def pick_device(device: str) -> str:
    """The torch device to run on: 'auto' resolved, and a CUDA device checked before any model is loaded."""
    import torch  # lazy on purpose: torch takes seconds to import

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return "mps"
        return "cpu"
    if device.startswith("cuda"):
        check_cuda_device(device, torch.cuda.device_count() if torch.cuda.is_available() else 0)
    return device


HALF_PRECISION_SDPA_BACKENDS = ("FLASH_ATTENTION", "EFFICIENT_ATTENTION", "MATH")
"""The attention kernels PyTorch may pick on CUDA: all but cuDNN's.

cuDNN attention (PyTorch's first choice for fp16/bf16 on Hopper) builds an
execution plan for every new tensor shape. Generation with token-budget batches
makes a new shape at nearly every step (each batch size x source length x
output position), so in half precision it spent its time planning: 4,231
target tokens/s against 31,508 without cuDNN, and 23,894 in fp32, on one H100
(benchmarks/half_precision_probe.py has the per-kernel table).
"""


class TransformersBackend(MarianBackend):
    """MarianMT through `transformers`: sorted token-budget batches, fp16 on CUDA."""

    name = "transformers"
    COMPUTE_TYPES = {"cuda": "float16", "other": "float32"}
    """Without --compute-type: fp16 on CUDA (the fastest measured there, see HALF_PRECISION_SDPA_BACKENDS); fp32 elsewhere."""

    @staticmethod
    def resolve_device(device: str) -> str:
        return pick_device(device)

    def __init__(
        self,
        model: ResolvedModel,
        decoding: DecodingSettings,
        device: str,
        max_batch_tokens: int,
        compute_type: str | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        import torch  # lazy on purpose: torch takes seconds to import
        from transformers import MarianMTModel, MarianTokenizer

        self.device = pick_device(device)
        self.compute_type = compute_type or self.default_compute_type(self.device)
        if self.compute_type not in TRANSFORMERS_COMPUTE_TYPES:
            raise BackendSettingsError(f"the transformers backend runs in {', '.join(TRANSFORMERS_COMPUTE_TYPES)}, not '{self.compute_type}'")
        self.dtype = getattr(torch, self.compute_type)
        if self.device == "cpu" and torch.get_num_threads() != cpu_threads():
            torch.set_num_threads(cpu_threads())
        self.tokenizer = MarianTokenizer.from_pretrained(model.path)
        self.pieces = MarianPieces(self.tokenizer)
        self.model = MarianMTModel.from_pretrained(model.path, dtype=self.dtype).to(self.device).eval()
        self.decoding = decoding
        self.max_batch_tokens = max_batch_tokens
        self.max_input_tokens = min(self.tokenizer.model_max_length, self.model.config.max_position_embeddings)
        self.oom_splits = 0

    def generate(self, tokenized: Sequence[list[str]]) -> Iterator[list[tuple[int, str, float]]]:
        ids = [self.pieces.ids(tokens) for tokens in tokenized]
        for batch in token_batches([len(row) for row in ids], self.max_batch_tokens):
            yield split_on_oom(batch, lambda part: self._run([ids[i] for i in part], part), self._is_oom)

    def _run(self, rows: list[list[int]], indices: list[int]) -> list[tuple[int, str, float]]:
        import torch  # lazy on purpose: torch takes seconds to import

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

        if not self.device.startswith("cuda"):
            return contextlib.nullcontext()
        from torch.nn.attention import SDPBackend, sdpa_kernel  # lazy on purpose: torch takes seconds to import

        return sdpa_kernel([getattr(SDPBackend, name) for name in HALF_PRECISION_SDPA_BACKENDS])

    def _is_oom(self, error: BaseException) -> bool:
        import torch  # lazy on purpose: torch takes seconds to import

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
        from transformers import LogitsProcessorList  # lazy on purpose: transformers takes seconds to import

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
        import torch  # lazy on purpose: torch takes seconds to import

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
        import torch  # lazy on purpose: torch takes seconds to import

        if self._previous is not None:
            self._steps.append(self._previous.gather(1, input_ids[:, -1:]).squeeze(1))
        self._previous = torch.log_softmax(scores.float(), dim=-1)
        return scores

    def mean(self, sequences) -> list[float]:
        import torch  # lazy on purpose: torch takes seconds to import

        if self._previous is None:
            return [0.0] * sequences.shape[0]
        steps = self._steps + [self._previous.gather(1, sequences[:, -1:]).squeeze(1)]
        logprobs = torch.stack(steps, dim=1)
        generated = sequences[:, -logprobs.shape[1] :]
        mask = generated != self.pad_token_id
        logprobs = torch.where(mask, logprobs, torch.zeros_like(logprobs))
        return (logprobs.sum(dim=1) / mask.sum(dim=1).clamp(min=1)).tolist()
