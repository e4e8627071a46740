"""Cross-source alignment of comparable articles: pairs, facts and the published corpus.

    >>> result = align(segments, AlignmentSettings(), Embedder())
    >>> result.pairs, result.facts

`comparable` (the default) mines pairs across articles in any order;
`parallel` aligns documents that are translations of each other in order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Callable, Sequence

from alignments.comparable import AlignmentInputError, align_comparable, alignable, pairs_within_facts, skipped_for_flags, text_of
from alignments.embeddings import Embedder, EmbeddingCache
from alignments.errors import EmbedderDeviceError, EmbedderUnavailableError
from alignments.facts import group_facts
from alignments.parallel import Link, ParallelSettings, align_in_order
from alignments.settings import AlignmentSettings
from mt.records import Fact, Pair, Segment

MODES = ("comparable", "parallel")


@dataclass
class AlignmentResult:
    pairs: list[Pair]
    facts: list[Fact]
    links: dict[tuple[str, str], tuple[list[Link], list[float]]] = field(default_factory=dict)
    """Parallel mode: the in-order links of each pair of articles, indices into its aligned segments."""
    aligned: list[Segment] = field(default_factory=list)
    skipped: dict[str, list[str]] = field(default_factory=dict)
    """Ids of segments left out because their translation is flagged (settings.skip_flags), by flag."""


def align(segments: Sequence[Segment], settings: AlignmentSettings, embedder: Embedder, mode: str = "comparable",
          progress: Callable[[int], None] | None = None, multilingual: Embedder | None = None) -> AlignmentResult:
    """Pairs and facts for `segments` (translated, unless settings.on == 'original'). Segments from fewer than two
    articles give an empty result, not an error: zero pairs is a valid outcome that the corpus explains.
    `embedder` embeds the English (the originals with `on: original`); `multilingual` the originals with
    `on: both` (default: `settings.multilingual_embedder`, made once per `embedder`, see Embedder.sibling)."""
    if mode == "parallel":
        result = _align_parallel(segments, settings, embedder)
    elif mode == "comparable":
        pairs, chosen, scorer = align_comparable(segments, embedder, settings, progress, multilingual)
        read_on = "original" if settings.on == "original" else "english"  # counts are read from the English with `both`
        facts = [] if scorer is None else group_facts(pairs, chosen, scorer.closeness, settings.fact_coherence,
                                                      settings.quantities, read_on, settings.fact_alone_score,
                                                      scorer.context.numbers, parser=settings.counts_parser)
        if scorer is not None:  # best first; a tie keeps the linked pair ahead (a stable sort)
            pairs = sorted(pairs + pairs_within_facts(facts, pairs, chosen, scorer, settings.fact_coherence),
                           key=lambda pair: -pair.score)
        result = AlignmentResult(pairs, facts, aligned=chosen)
    else:
        raise AlignmentInputError(f"unknown mode '{mode}' (choose from {', '.join(MODES)})")
    result.skipped = skipped_for_flags(segments, settings)
    return result


def _align_parallel(segments: Sequence[Segment], settings: AlignmentSettings, embedder: Embedder) -> AlignmentResult:
    chosen = alignable(segments, settings)
    by_article: dict[str, list[Segment]] = {}
    for segment in chosen:
        by_article.setdefault(segment.article, []).append(segment)
    pairs: list[Pair] = []
    links: dict[tuple[str, str], tuple[list[Link], list[float]]] = {}
    for article_a, article_b in combinations(sorted(by_article), 2):
        side_a, side_b = by_article[article_a], by_article[article_b]
        found, scores = align_in_order([text_of(s, settings) for s in side_a], [text_of(s, settings) for s in side_b],
                                       embedder.embed, ParallelSettings(**settings.parallel))
        links[(article_a, article_b)] = (found, scores)
        for (source, target), score in zip(found, scores):
            if source and target:
                ids_a, ids_b = [side_a[i].id for i in source], [side_b[j].id for j in target]
                pairs.append(Pair(ids_a[0], ids_b[0], article_a, article_b, ids_a, ids_b, round(score, 4), {"cosine": round(score, 4)}))
    facts = group_facts(pairs, chosen, None, settings.fact_coherence, settings.quantities,
                        "original" if settings.on == "original" else "english", parser=settings.counts_parser)
    return AlignmentResult(pairs, facts, links, chosen)


__all__ = [
    "MODES",
    "AlignmentInputError",
    "AlignmentResult",
    "AlignmentSettings",
    "Embedder",
    "EmbedderDeviceError",
    "EmbedderUnavailableError",
    "EmbeddingCache",
    "align",
]
