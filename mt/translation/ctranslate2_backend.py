"""MarianMT through CTranslate2: the same models, converted once, several times faster.

The Hugging Face model is converted with CTranslate2's own converter on first
use and the converted folder is kept in the cache, keyed by model and
revision; a folder that already holds a CTranslate2 model is used as it is.
The converted folder carries the tokenizer files, so the source and target
text go through exactly the same SentencePiece models as with transformers.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import deque
from pathlib import Path
from typing import Iterator, Sequence

from mt.config import default_cache_dir
from mt.cores import cpu_threads
from mt.errors import UserError
from mt.translation.backend import BackendSettingsError, DecodingSettings, MarianBackend
from mt.translation.batching import split_on_oom, token_batches
from mt.translation.devices import check_cuda_device, cuda_index
from mt.translation.models import ResolvedModel
from mt.translation.pieces import MarianPieces

TOKENIZER_FILES = ["source.spm", "target.spm", "vocab.json", "target_vocab.json", "tokenizer_config.json",
                   "special_tokens_map.json", "generation_config.json"]
"""Copied next to the converted weights, so a converted folder is all a run needs."""

class CTranslate2UnavailableError(UserError, RuntimeError):
    """The optional ctranslate2 package is not installed."""

    def __init__(self) -> None:
        super().__init__(
            "the ctranslate2 backend needs the optional 'ctranslate2' package, which is not installed.\n"
            "Install it with `pip install 'mt-comparable[ctranslate2]'` (or `pip install ctranslate2`),\n"
            "or use the default backend: `--backend transformers`."
        )


class ConversionError(UserError, RuntimeError):
    """CTranslate2's converter refused the model."""


def import_ctranslate2():
    try:
        import ctranslate2  # lazy on purpose: the optional [ctranslate2] extra
    except ImportError as error:
        raise CTranslate2UnavailableError() from error
    return ctranslate2


def is_ctranslate2_folder(path: Path) -> bool:
    """A CTranslate2 model folder has a model.bin (a transformers folder never does)."""
    return (Path(path) / "model.bin").is_file()


def pick_ct2_device(device: str) -> str:
    """'cpu' or 'cuda[:N]', 'auto' resolved; a GPU this machine lacks is a settings error."""
    ctranslate2 = import_ctranslate2()
    if device == "auto":
        return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
    if device.startswith("cuda"):
        check_cuda_device(device, ctranslate2.get_cuda_device_count())
    elif device != "cpu":
        raise BackendSettingsError(f"--device {device}: the ctranslate2 backend runs on cpu or cuda[:N]")
    return device


CUBLAS_HINT = (
    "This CTranslate2 build needs CUDA 12's cuBLAS. Install it with `pip install nvidia-cublas-cu12` and put its lib folder "
    "on LD_LIBRARY_PATH, or, on a machine with only CUDA 13, link libcublas.so.12 and libcublasLt.so.12 to the .so.13 "
    "files in a folder on LD_LIBRARY_PATH (see the README's GPU section)."
)


def explain_cuda_library_error(error: Exception) -> str | None:
    """A one-line cause for CTranslate2's error when a CUDA library cannot be loaded, else None."""
    match = re.search(r"(lib\w+\.so[.\d]*)\S* is not found or cannot be loaded", str(error))
    if not match:
        return None
    library = match.group(1)
    hint = CUBLAS_HINT if "cublas" in library else f"Install the package that provides {library} and put it on LD_LIBRARY_PATH."
    return f"CTranslate2 cannot load {library}. {hint}"


def converted_folder(model: ResolvedModel, cache_dir: Path) -> Path:
    """Where the CTranslate2 conversion of `model` lives (or will live) in the cache."""
    if is_ctranslate2_folder(model.path):
        return model.path
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", model.ref.name.strip("/"))[-80:]
    return Path(cache_dir) / "ctranslate2" / f"{slug}@{model.revision}"


def convert(model: ResolvedModel, cache_dir: Path) -> Path:
    """Convert `model` with CTranslate2's converter, once; later calls return the cached folder.

    Weights are stored in float32; the compute type (int8, float16...) is chosen
    when the model is loaded, so one conversion serves every compute type.
    """
    target = converted_folder(model, cache_dir)
    if is_ctranslate2_folder(target):
        return target
    import_ctranslate2()
    from ctranslate2.converters import TransformersConverter  # lazy on purpose: the optional [ctranslate2] extra

    target.parent.mkdir(parents=True, exist_ok=True)
    copy = [name for name in TOKENIZER_FILES if (model.path / name).is_file()]
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".converting-") as tmp:
        staging = Path(tmp) / "model"
        converter = TransformersConverter(str(model.path), copy_files=[str(model.path / name) for name in copy])
        try:
            converter.convert(str(staging))
        except Exception as error:  # the converter raises many kinds; all mean "cannot use this model"
            raise ConversionError(f"CTranslate2 could not convert {model.ref} ({model.path}): {error}") from error
        try:
            staging.rename(target)  # atomic: a killed conversion leaves no half folder behind
        except OSError:
            if not is_ctranslate2_folder(target):
                raise
    return target


IN_FLIGHT_BATCHES = 4
"""Batches queued on CTranslate2 at once: the GPU works on the next ones while Python decodes the last."""


class CTranslate2Backend(MarianBackend):
    """Generation with `ctranslate2.Translator.translate_batch`, batched by source tokens, queued asynchronously."""

    name = "ctranslate2"
    COMPUTE_TYPES = {"cuda": "float16", "other": "int8"}
    """Without --compute-type: float16 on CUDA; int8 on CPU, about twice float32's speed there (benchmarks/translation_speed.py)."""

    @staticmethod
    def resolve_device(device: str) -> str:
        return pick_ct2_device(device)

    def __init__(
        self,
        model: ResolvedModel,
        decoding: DecodingSettings,
        device: str,
        max_batch_tokens: int,
        compute_type: str | None = None,
        cache_dir: Path | None = None,
    ) -> None:
        ctranslate2 = import_ctranslate2()
        from transformers import GenerationConfig, MarianTokenizer  # lazy on purpose: transformers takes seconds to import

        folder = convert(model, cache_dir or default_cache_dir())
        self.device = pick_ct2_device(device)
        self.compute_type = compute_type or self.default_compute_type(self.device)
        on_cuda = self.device.startswith("cuda")
        try:
            self.translator = ctranslate2.Translator(
                str(folder), device="cuda" if on_cuda else self.device, device_index=cuda_index(self.device) if on_cuda else 0,
                compute_type=self.compute_type, intra_threads=cpu_threads() if not on_cuda else 0,
            )
        except ValueError as error:  # an unknown or unsupported compute type
            raise BackendSettingsError(f"ctranslate2 cannot run {folder} on {self.device} as '{self.compute_type}': {error}") from error
        except RuntimeError as error:
            raise BackendSettingsError(explain_cuda_library_error(error) or f"ctranslate2 cannot load {folder} on {self.device}: {error}") from error
        self.tokenizer = MarianTokenizer.from_pretrained(folder)
        self.pieces = MarianPieces(self.tokenizer)
        generation = GenerationConfig.from_pretrained(folder) if (folder / "generation_config.json").is_file() else GenerationConfig()
        self.beams = decoding.beams or generation.num_beams or 1
        self.forced_eos = generation.forced_eos_token_id is not None
        longest = decoding.max_new_tokens or max(1, (generation.max_length or 512) - 1)
        self.max_decoding_length = max(1, longest - self.forced_eos)
        self.min_decoding_length = min(decoding.min_new_tokens or 0, self.max_decoding_length)
        self.max_batch_tokens = max_batch_tokens
        self.max_input_tokens = min(self.tokenizer.model_max_length, _max_positions(model.path))
        self.oom_splits = 0

    def generate(self, tokenized: Sequence[list[str]]) -> Iterator[list[tuple[int, str, float]]]:
        """Same settings as the transformers backend: the model's beams and length limits, EOS forced at the end.

        Up to IN_FLIGHT_BATCHES batches are queued at once, so the device never
        waits for Python to decode a finished batch; results still come in order.
        """
        pending: deque[tuple[list[int], list]] = deque()
        for batch in token_batches([len(t) for t in tokenized], self.max_batch_tokens):
            pending.append((batch, self._submit([tokenized[i] for i in batch])))
            if len(pending) >= IN_FLIGHT_BATCHES:
                yield self._collect(*pending.popleft(), tokenized)
        while pending:
            yield self._collect(*pending.popleft(), tokenized)

    def _submit(self, source: list[list[str]], asynchronous: bool = True) -> list:
        return self.translator.translate_batch(
            source,
            beam_size=self.beams,
            max_decoding_length=self.max_decoding_length,
            min_decoding_length=self.min_decoding_length,
            return_scores=True,
            return_end_token=True,
            asynchronous=asynchronous,
        )

    def _collect(self, batch: list[int], queued: list, tokenized: Sequence[list[str]]) -> list[tuple[int, str, float]]:
        """The finished batch; if it ran out of device memory, its halves again, synchronously."""
        try:
            results = [item.result() for item in queued]
        except RuntimeError as error:
            if not self._is_oom(error):
                raise
            results = split_on_oom(batch, lambda part: self._submit([tokenized[i] for i in part], asynchronous=False), self._is_oom)
        hypotheses = [result.hypotheses[0] for result in results]
        texts = self.pieces.decode(hypotheses)
        return [(i, text, self._mean_logprob(result.scores[0], tokens))
                for i, text, result, tokens in zip(batch, texts, results, hypotheses)]

    def _is_oom(self, error: BaseException) -> bool:
        if isinstance(error, RuntimeError) and "out of memory" in str(error).lower():
            self.oom_splits += 1
            return True
        return False

    def _mean_logprob(self, score: float, tokens: list[str]) -> float:
        """CTranslate2's score is the mean over the returned tokens; transformers also counts an
        end-of-sentence token forced at the length limit (log-probability 0) when none was generated."""
        if tokens and tokens[-1] == self.tokenizer.eos_token or not self.forced_eos:
            return score
        return score * len(tokens) / (len(tokens) + 1)


def _max_positions(folder: Path) -> int:
    """The model's position limit from its transformers config.json (a CTranslate2 folder has none: no limit)."""

    try:
        config = json.loads((Path(folder) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 1 << 30
    return int(config.get("max_position_embeddings") or 1 << 30)
