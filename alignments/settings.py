"""Alignment settings: defaults in configs/defaults.yaml, one frozen object that every stage reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from mt.config import load_config


ALIGNER_REVISION = 3
"""What `align` gives for the same segments and settings, as a number: raise it with every change that alters pairs,
facts or counts (2: pairs within facts and the number readings of 2026-12-01; 3: `counts_parser`, the rules by
default even where spaCy is installed, and spaCy's readings mended). `mt build` records it, and `--into`
refuses a corpus an older aligner made, whose untouched events would keep the old answers."""


def configured(name: str) -> Any:
    """A dataclass field whose default is the packaged defaults' value: the YAML is the one place defaults live."""
    return field(default_factory=lambda: packaged_values()[name])


def packaged_values() -> dict[str, Any]:
    """The alignment section of the packaged defaults, as AlignmentSettings field values (read on each call: no global state)."""
    return AlignmentSettings.values_from(load_config())


@dataclass(frozen=True)
class AlignmentSettings:
    """Everything the aligner reads. `AlignmentSettings()` is the packaged defaults (configs/defaults.yaml)."""

    kinds: tuple[str, ...] = configured("kinds")
    on: str = configured("on")
    """Which texts are evidence: `both` (the English with `embedder` and the originals with `multilingual_embedder`),
    `english` (the English only, with `embedder`) or `original` (the originals only, with `embedder`)."""
    embedder: str = configured("embedder")
    """The embedder of the English view (`on: both` or `english`), or of the one view with `on: original`."""
    multilingual_embedder: str = configured("multilingual_embedder")
    """The embedder of the originals' view with `on: both` (alignments/encoders/)."""
    floor: float = configured("floor")
    """The lowest cosine a pair may have on the view that shows it best: no pair rests on a margin over nothing."""
    neighbours: int = configured("neighbours")
    """k of the k-nearest-neighbour averages in the distance margin."""
    candidates: int = configured("candidates")
    """Nearest neighbours in other articles kept as candidate pairs for each segment."""
    weights: dict[str, float] = configured("weights")
    """Weight of each weighted signal in the combined score (alignments/signals.py names them)."""
    threshold: float = configured("threshold")
    also_threshold: float = configured("also_threshold")
    """Combined score a further link of a sentence, to another sentence of an article it already pairs with, needs."""
    also_repeat: float = configured("also_repeat")
    """Cosine a further link's new partner needs with the sentence its article already links there (a repeated fact)."""
    split_bonus: float = configured("split_bonus")
    """How much better a two-sentence side must score than its best single sentence."""
    split_min_margin: float = configured("split_min_margin")
    """The sentence added to a side must itself be this close to the other side (distance margin)."""
    fact_coherence: float = configured("fact_coherence")
    """Combined score a segment must have with each of a fact's members in other articles to join it."""
    fact_alone_score: float = configured("fact_alone_score")
    """Combined score a pair refused by a fact needs to become a fact of its own (below: a pair with no fact)."""
    skip_flags: tuple[str, ...] = configured("skip_flags")
    """Translation flags that keep a segment out of alignment (`on: english` only)."""
    length_ratio_factor: float = configured("length_ratio_factor")
    """Fraction of its combined score a pair keeps when a side's translation is flagged length_ratio."""
    block_size: int = configured("block_size")
    parallel: dict[str, float] = configured("parallel")
    """--mode parallel: alignments.parallel.ParallelSettings fields."""
    quantities: dict[str, tuple[str, ...]] = configured("quantities")
    counts_parser: str = configured("counts_parser")
    """What finds the noun a number counts: `rules`, or `spacy` (the `counts` extra); see alignments/numbers.py."""

    @classmethod
    def values_from(cls, config: dict[str, Any]) -> dict[str, Any]:
        """Field values from a loaded config's `alignment` section."""
        section = dict(config.get("alignment", {}))
        values: dict[str, Any] = {name: value for name, value in section.items() if name in cls.__dataclass_fields__}
        if "weights" in values:
            values["weights"] = {name: float(value) for name, value in values["weights"].items()}
        for name in ("kinds", "skip_flags"):
            if name in values:
                values[name] = tuple(values[name])
        if "quantities" in values:
            values["quantities"] = {name: tuple(words) for name, words in values["quantities"].items()}
        return values

    @classmethod
    def from_config(cls, config: dict[str, Any], **overrides: Any) -> "AlignmentSettings":
        values = cls.values_from(config)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "kinds" in values:
            values["kinds"] = tuple(values["kinds"])
        return cls(**values)

    @property
    def views(self) -> tuple[str, ...]:
        """The texts compared, in order: `english` and/or `original`."""
        return ("english", "original") if self.on == "both" else (self.on,)

    def view_embedder(self, view: str) -> str:
        """The embedder name of one view."""
        return self.multilingual_embedder if view == "original" and self.on == "both" else self.embedder

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kinds"] = list(self.kinds)
        data["skip_flags"] = list(self.skip_flags)
        data["quantities"] = {name: list(words) for name, words in self.quantities.items()}
        return data
