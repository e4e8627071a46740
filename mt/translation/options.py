"""What a caller can override of the configured translation settings, and the settings that result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mt.config import load_config


@dataclass
class TranslateOptions:
    """What `mt translate` can override; None keeps the configured value."""

    models: dict[str, str] = field(default_factory=dict)
    """LANG -> hub id or folder, over the configured routes."""
    fallback_model: str | None = None
    backend: str | None = None
    compute_type: str | None = None
    device: str | None = None
    beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    max_batch_tokens: int | None = None
    """None: the configured budget for the device the backend will run on."""
    cache_dir: Path | None = None
    use_cache: bool = True


def translation_settings(config: dict[str, Any] | None, options: TranslateOptions) -> dict[str, Any]:
    """The config's `translation` section with the options' overrides (routes, backend, compute type, device)."""
    settings = dict((config or load_config())["translation"])
    settings["models"] = {**settings["models"], **options.models}
    if options.fallback_model:
        settings["fallback_model"] = options.fallback_model
    for key in ("backend", "compute_type", "device"):
        if getattr(options, key):
            settings[key] = getattr(options, key)
    return settings
