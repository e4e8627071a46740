"""Translation backends by name. Adding a backend is one module plus one line in BACKENDS.

Entries are import paths, loaded on first use, so that naming a backend never
imports torch or ctranslate2 (as CTranslate2 keeps its converters and sacrebleu
its METRICS). A backend class implements `mt.translation.backend.Backend` and
three class-level hooks:

- `resolve_device(device)`: 'auto' resolved, a missing GPU a BackendSettingsError;
- `default_compute_type(device)`: its numeric type on that device;
- its constructor raises its own "not installed" error (a UserError).
"""

from __future__ import annotations

import importlib

from mt.translation.backend import BackendSettingsError

BACKENDS = {
    "transformers": "mt.translation.transformers_backend:TransformersBackend",
    "ctranslate2": "mt.translation.ctranslate2_backend:CTranslate2Backend",
}


def backend_class(name: str) -> type:
    if name not in BACKENDS:
        raise BackendSettingsError(f"unknown backend '{name}' (choose from {', '.join(BACKENDS)})")
    module, _, attribute = BACKENDS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)


def backend_device(backend: str, device: str) -> str:
    """The device `backend` runs on, 'auto' resolved."""
    return backend_class(backend).resolve_device(device)


def default_compute_type(backend: str, device: str) -> str:
    cls = backend_class(backend)
    return cls.default_compute_type(cls.resolve_device(device))
