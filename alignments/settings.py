"""Alignment settings: defaults in configs/defaults.yaml, one frozen object that every stage reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from alignments.embeddings import DEFAULT_EMBEDDER


@dataclass(frozen=True)
class AlignmentSettings:
    kinds: tuple[str, ...] = ("body", "headline")
    on: str = "english"
    """Which text is embedded and compared: `english` (translated) or `original`."""
    embedder: str = DEFAULT_EMBEDDER
    neighbours: int = 4
    """k of the k-nearest-neighbour averages in the ratio margin."""
    candidates: int = 8
    """Nearest neighbours in other articles kept as candidate pairs for each segment."""
    weight_margin: float = 1.0
    weight_chrf: float = 1.0
    weight_entities: float = 0.2
    weight_quantities: float = 0.4
    threshold: float = 1.5
    split_bonus: float = 0.15
    """How much better a two-sentence side must score than its best single sentence."""
    split_min_margin: float = 1.0
    """The sentence added to a side must itself be this close to the other side (ratio margin)."""
    fact_coherence: float = 1.2
    """Combined score a segment must have with each of a fact's members in other articles to join it."""
    block_size: int = 2048
    parallel_skip_cost: float = 0.3
    quantities: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: dict[str, Any], **overrides: Any) -> "AlignmentSettings":
        section = dict(config.get("alignment", {}))
        weights = section.pop("weights", {})
        values: dict[str, Any] = {f"weight_{name}": float(value) for name, value in weights.items()}
        for name, value in section.items():
            if name in cls.__dataclass_fields__:
                values[name] = value
        values.update({k: v for k, v in overrides.items() if v is not None})
        values["kinds"] = tuple(values.get("kinds", cls.kinds))
        values["quantities"] = {name: tuple(words) for name, words in values.get("quantities", {}).items()}
        return cls(**values)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kinds"] = list(self.kinds)
        data["quantities"] = {name: list(words) for name, words in self.quantities.items()}
        return data
