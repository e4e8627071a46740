"""The small interface every translation backend implements, and what all backends share.

A backend turns short source texts (already split to fit the model) into
translations with a score; the `Translator` around it does deduplication,
caching, long-input splitting and quality flags, whichever backend runs.
Backends are found by name in mt/translation/registry.py.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterator, Protocol, Sequence

from mt.translation.devices import BackendSettingsError
from mt.translation.pieces import MarianPieces


@dataclass(frozen=True)
class DecodingSettings:
    """Overrides of the model's own generation defaults; None keeps the model's value."""

    beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        return asdict(self)


class Backend(Protocol):
    """What `Translator` needs from a backend; nothing else in the pipeline sees which one ran."""

    name: str
    compute_type: str
    max_input_tokens: int

    def count_tokens(self, text: str) -> int: ...

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        """The model's source tokens of every text, in one call (tokenisers are much faster on lists).

        `Translator` tokenises each text once: the lengths decide what must be
        split, and the same tokens go to `generate`.
        """
        ...

    def generate(self, tokenized: Sequence[list[str]]) -> Iterator[list[tuple[int, str, float]]]:
        """Yield, batch by batch, (index into tokenized, translation, mean token log-prob)."""
        ...


class MarianBackend:
    """What the Marian backends share: the compute-type defaults per device, and token counts from `self.pieces`."""

    name = ""
    COMPUTE_TYPES: dict[str, str] = {}
    """The numeric type without --compute-type: key 'cuda' on a GPU, 'other' elsewhere."""
    pieces: MarianPieces

    @classmethod
    def default_compute_type(cls, device: str) -> str:
        return cls.COMPUTE_TYPES["cuda" if device.startswith("cuda") else "other"]

    def count_tokens(self, text: str) -> int:
        return len(self.pieces.encode([text])[0])

    def tokenize(self, texts: Sequence[str]) -> list[list[str]]:
        return self.pieces.encode(texts)
