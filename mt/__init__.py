"""Translate, align and publish comparable news articles across languages.

The names below are the library's public API; they load on first use, so
`import mt` does no work (no torch, no models).

    >>> from mt import Translator, segment, translate, align, build
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "Translator": "mt.translation",
    "RoutingTranslator": "mt.translation",
    "Translation": "mt.translation",
    "ModelUnavailableError": "mt.translation",
    "UserError": "mt.errors",
    "load_config": "mt.config",
    "ConfigError": "mt.config",
    "Segment": "mt.records",
    "Pair": "mt.records",
    "Fact": "mt.records",
    "segment": "mt.pipeline",
    "segment_text": "mt.pipeline",
    "translate": "mt.pipeline",
    "TranslateOptions": "mt.pipeline",
    "align": "mt.pipeline",
    "AlignOptions": "mt.pipeline",
    "build": "mt.pipeline",
    "BuildOptions": "mt.pipeline",
    "publish": "mt.publishing",
    "check_corpus": "mt.publishing",
    "Corpus": "mt.publishing",
    "WorkFolder": "mt.workfolder",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'mt' has no attribute '{name}'")
