"""Translation to English with MarianMT models: one-model `Translator`, per-language `RoutingTranslator`."""

from mt.translation.models import ModelRef, ModelUnavailableError
from mt.translation.routing import RoutingTranslator, TranslationSummary, translate_segments
from mt.translation.translator import Translation, Translator

__all__ = [
    "ModelRef",
    "ModelUnavailableError",
    "RoutingTranslator",
    "Translation",
    "TranslationSummary",
    "Translator",
    "translate_segments",
]
