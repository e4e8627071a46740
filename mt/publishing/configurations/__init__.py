"""The dataset's configurations, in the order the card lists them; adding one is one module plus one line here."""

from __future__ import annotations

from typing import Any

from mt.publishing.columns import Configuration
from mt.publishing.configurations import articles, events, facts, pairs, segments
from mt.publishing.corpus import Corpus
from mt.records import ByIdentity

CONFIGURATIONS: tuple[Configuration, ...] = (pairs.CONFIGURATION, facts.CONFIGURATION, events.CONFIGURATION,
                                             articles.CONFIGURATION, segments.CONFIGURATION)


def configuration(name: str) -> Configuration:
    return next(c for c in CONFIGURATIONS if c.name == name)


def default_configuration() -> Configuration:
    return next(c for c in CONFIGURATIONS if c.default)


def tables(corpus: Corpus, kept: dict[str, ByIdentity] | None = None) -> dict[str, list[dict[str, Any]]]:
    """Every configuration's rows, by configuration name; `kept`: each configuration's rows made earlier, by its
    name (`Configuration.rows`), filled as they are made."""
    return {c.name: c.rows(corpus, None if kept is None else kept.setdefault(c.name, ByIdentity())) for c in CONFIGURATIONS}
