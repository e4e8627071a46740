"""Finding a MarianMT model: a local folder, the Hugging Face cache, or the hub.

Every model is resolved to a local folder before any translation starts, so a
missing model stops the run up front, with one message naming every model
that is missing and how to get it. `check_available` says so even earlier and
in a fraction of a second: it looks at folders and the hub cache only, before
torch or transformers are imported.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from mt.errors import UserError

MODEL_FILES = [
    "config.json",
    "generation_config.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "vocab.json",
    "target_vocab.json",
    "source.spm",
    "target.spm",
    "*.safetensors",
    "pytorch_model.bin",
]
"""What a MarianMT model needs from its hub repository (not the TF, Flax or Rust weights)."""


@dataclass(frozen=True)
class ModelRef:
    """A model as a user names it: a hub id, optionally pinned (`owner/name@revision`), or a folder."""

    name: str
    revision: str | None = None

    @classmethod
    def parse(cls, spec: str) -> "ModelRef":
        """A folder if `spec` is one or is written as a path (`/…`, `./…`, `~/…`, `C:\\…`), else a hub id."""
        if Path(spec).expanduser().is_dir() or looks_like_path(spec):
            return cls(str(Path(spec).expanduser()))
        name, _, revision = spec.partition("@")
        return cls(name, revision or None)

    @property
    def is_local(self) -> bool:
        return Path(self.name).is_dir() or looks_like_path(self.name)

    def __str__(self) -> str:
        return f"{self.name}@{self.revision}" if self.revision else self.name


@dataclass(frozen=True)
class ResolvedModel:
    """A model available on disk: where it is and which exact revision it is."""

    ref: ModelRef
    path: Path
    revision: str


class ModelUnavailableError(UserError, RuntimeError):
    """One or more models can be neither found locally nor downloaded."""

    def __init__(self, missing: dict[ModelRef, str]) -> None:
        self.missing = missing
        lines = [f"{len(missing)} translation model(s) not available (nothing was translated):"]
        for ref, why in missing.items():
            lines.append(f"  - {ref}: {why}")
        lines += [
            "To provide a model, either:",
            "  - on a machine with network access run `hf download <model>` (or load it once with",
            "    transformers) and copy the Hugging Face cache (~/.cache/huggingface/hub) here, or",
            "  - save the model to a folder and pass it instead of the hub id, e.g. `--model pl=/path/to/opus-mt-pl-en`.",
        ]
        super().__init__("\n".join(lines))


def looks_like_path(spec: str) -> bool:
    """Hub ids are `owner/name`; a spec that starts like a path names a folder, even a missing one."""
    return spec.startswith(("/", "./", "../", "~", "\\")) or (len(spec) > 2 and spec[1] == ":" and spec[2] in "/\\")


def check_model_folder(path: Path) -> None:
    """A MarianMT folder has a readable config.json, weights and the SentencePiece and vocabulary files."""
    if not path.is_dir():
        raise FileNotFoundError(f"no such folder {path}")
    if (path / "model.bin").is_file():  # a CTranslate2 folder: weights and its own config
        needed = ["source.spm", "target.spm", "vocab.json"]
    else:
        config = path / "config.json"
        if not config.is_file():
            raise FileNotFoundError(f"{config} is missing: not a saved transformers model")
        try:
            json.loads(config.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise ValueError(f"{config} is not valid JSON ({error})") from None
        if not any(path.glob("*.safetensors")) and not (path / "pytorch_model.bin").is_file():
            raise FileNotFoundError(f"{path} has no weights (model.safetensors or pytorch_model.bin)")
        needed = ["source.spm", "target.spm", "vocab.json"]
    missing = [name for name in needed if not (path / name).is_file()]
    if missing:
        raise FileNotFoundError(f"{path} lacks the tokenizer file(s) {', '.join(missing)} that MarianMT needs")


def check_available(refs: list[ModelRef]) -> None:
    """Raise ModelUnavailableError, naming every model that certainly cannot be had, without importing torch or
    transformers and without the network: a local folder must look like a MarianMT model; a hub id must be in the
    Hugging Face cache unless offline mode is off (then the hub may still have it: `resolve` decides)."""
    missing: dict[ModelRef, str] = {}
    for ref in dict.fromkeys(refs):
        try:
            _check_available(ref)
        except Exception as error:  # the folder checks and the hub client raise many kinds; all mean "not available"
            missing[ref] = _explain(ref, error)
    if missing:
        raise ModelUnavailableError(missing)


def _check_available(ref: ModelRef) -> None:
    if ref.is_local:
        check_model_folder(Path(ref.name))
        return
    from huggingface_hub import constants, try_to_load_from_cache  # lazy on purpose: the hub client is slow to import
    from huggingface_hub.errors import LocalEntryNotFoundError  # lazy on purpose: the hub client is slow to import

    if constants.HF_HUB_OFFLINE and not isinstance(try_to_load_from_cache(ref.name, "config.json", revision=ref.revision), str):
        raise LocalEntryNotFoundError(f"{ref} is not in the Hugging Face cache")


def resolve(ref: ModelRef) -> ResolvedModel:
    """Find `ref` on disk, downloading it from the hub if the hub is reachable."""
    if ref.is_local:
        path = Path(ref.name)
        check_model_folder(path)
        return ResolvedModel(ref, path, ref.revision or folder_fingerprint(path))
    from huggingface_hub import snapshot_download  # lazy on purpose: the hub client is slow to import

    path = Path(snapshot_download(repo_id=ref.name, revision=ref.revision, allow_patterns=MODEL_FILES))
    check_model_folder(path)
    return ResolvedModel(ref, path, path.name)


class ModelLoadError(UserError, RuntimeError):
    """A model folder that passed the file checks but that the backend cannot load (corrupt weights, wrong shapes)."""


def resolve_all(refs: list[ModelRef]) -> dict[ModelRef, ResolvedModel]:
    """Resolve every model or raise one error that names all the missing ones."""
    resolved: dict[ModelRef, ResolvedModel] = {}
    missing: dict[ModelRef, str] = {}
    for ref in dict.fromkeys(refs):
        try:
            resolved[ref] = resolve(ref)
        except Exception as error:  # the hub client raises many kinds; all mean "not available"
            missing[ref] = _explain(ref, error)
    if missing:
        raise ModelUnavailableError(missing)
    return resolved


def folder_fingerprint(path: Path) -> str:
    """A revision for a local folder: a hash of its files, so caches notice a changed model."""
    digest = hashlib.sha256()
    for file in sorted(p for p in path.iterdir() if p.is_file()):
        digest.update(file.name.encode())
        with file.open("rb") as data:
            for chunk in iter(lambda: data.read(1 << 20), b""):
                digest.update(chunk)
    return "local-" + digest.hexdigest()[:16]


def _explain(ref: ModelRef, error: Exception) -> str:
    if ref.is_local:
        return str(error)
    name = type(error).__name__
    if "RepositoryNotFound" in name:
        return "no such model on the Hugging Face hub (check the name)"
    if "RevisionNotFound" in name:
        return f"the hub has no revision '{ref.revision}' of this model"
    if "Offline" in name or "LocalEntryNotFound" in name or "Connect" in str(error):
        from huggingface_hub import constants  # lazy on purpose: the hub client is slow to import

        why = "offline mode is on (HF_HUB_OFFLINE=1)" if constants.HF_HUB_OFFLINE else "the hub cannot be reached"
        return f"not in the local Hugging Face cache ({constants.HF_HUB_CACHE}), and {why}"
    detail = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
    return f"could not be loaded or downloaded ({name}: {detail})"
