"""Finding a MarianMT model: a local folder, the Hugging Face cache, or the hub.

Every model is resolved to a local folder before any translation starts, so a
missing model stops the run up front, with one message naming every model
that is missing and how to get it.
"""

from __future__ import annotations

import hashlib
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
        if Path(spec).expanduser().is_dir():
            return cls(str(Path(spec).expanduser()))
        name, _, revision = spec.partition("@")
        return cls(name, revision or None)

    @property
    def is_local(self) -> bool:
        return Path(self.name).is_dir()

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


def resolve(ref: ModelRef) -> ResolvedModel:
    """Find `ref` on disk, downloading it from the hub if the hub is reachable."""
    if ref.is_local:
        path = Path(ref.name)
        if not (path / "config.json").is_file():
            raise FileNotFoundError(f"{path} has no config.json: not a saved transformers model")
        return ResolvedModel(ref, path, ref.revision or folder_fingerprint(path))
    from huggingface_hub import snapshot_download

    path = Path(snapshot_download(repo_id=ref.name, revision=ref.revision, allow_patterns=MODEL_FILES))
    return ResolvedModel(ref, path, path.name)


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
        from huggingface_hub import constants

        why = "offline mode is on (HF_HUB_OFFLINE=1)" if constants.HF_HUB_OFFLINE else "the hub cannot be reached"
        return f"not in the local Hugging Face cache ({constants.HF_HUB_CACHE}), and {why}"
    detail = str(error).strip().splitlines()[0][:160] if str(error).strip() else ""
    return f"could not be loaded or downloaded ({name}: {detail})"
