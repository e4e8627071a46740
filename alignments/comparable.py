"""Comparable-corpus alignment: which sentences in different articles report the same fact.

Bitext mining, not sequence alignment: every segment looks for its nearest
neighbours in all other articles (block by block, so thousands of articles
fit in memory), on each view: the English with the English embedder, and the
original texts with a multilingual one (`on: both`), so that a weak
translation does not lose a pair that the originals show. Candidates are
scored with the cosine and a distance margin after Artetxe and Schwenk (2019)
(the cosine minus each side's k best cosines in the other side's article), on
the view that shows the pair best, plus chrF, agreement of names and numbers,
and whether both count the same quantity. A pair whose best cosine is below `floor` scores
nothing, whatever its margin: no pair rests on a margin over unrelated
neighbours. Within each pair of
articles the best-scoring pairs are kept one-to-one, or one-to-two where a fact
is split over two adjacent sentences; a sentence takes further partners in an
article where each such pair reaches `also_threshold` on its own (an article
that repeats a fact).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import combinations
from typing import Callable, Sequence

import numpy as np

from alignments.context import SignalContext, Similarity, Unit, Views
from alignments.embeddings import Embedder
from alignments.evidence import QuantityAgreement
from alignments.numbers import check_parser
from alignments.settings import AlignmentSettings
from alignments.signals import SIGNALS, check_weights, weighted_signals
from mt.errors import UserError
from mt.records import Fact, Pair, Segment


class AlignmentInputError(UserError, ValueError):
    """Segments that cannot be aligned as asked (no English text to compare, an unknown mode).

    Too few articles is not an error: a single article, or articles with nothing to align, give an empty
    alignment, and the published corpus says why."""


@dataclass
class Neighbours:
    """For each segment: its nearest segments in other articles, best first."""

    index: np.ndarray
    cosine: np.ndarray


ON = ("both", "english", "original")
"""What `alignment.on` may be (see AlignmentSettings.on)."""


def skipped_for_flags(segments: Sequence[Segment], settings: AlignmentSettings) -> dict[str, list[str]]:
    """Ids of the segments of alignable kinds left out because their translation is flagged, by flag."""
    if "english" not in settings.views:
        return {}
    skipped: dict[str, list[str]] = {}
    for s in segments:
        flagged = [flag for flag in s.mt_flags if flag in settings.skip_flags]
        if s.kind in settings.kinds and flagged:
            skipped.setdefault(flagged[0], []).append(s.id)
    return skipped


def check_settings(settings: AlignmentSettings) -> None:
    """Raise, on one line, for settings the aligner cannot run with (an unknown `on`, a counts parser that is not
    installed); `mt build` and `mt watch` call it before any work, so that a typo does not wait for translation."""
    if settings.on not in ON:
        raise AlignmentInputError(f"unknown alignment.on '{settings.on}' (choose from {', '.join(ON)})")
    unusable = check_parser(settings.counts_parser)
    if unusable:
        raise AlignmentInputError(unusable)


def alignable(segments: Sequence[Segment], settings: AlignmentSettings) -> list[Segment]:
    """The segments that take part, in input order; raises if they lack the English they are compared on.
    Fewer than two articles among them is allowed: there is simply nothing to pair (see `can_pair`)."""
    check_settings(settings)
    left_out = {i for ids in skipped_for_flags(segments, settings).values() for i in ids}
    chosen = [s for s in segments if s.kind in settings.kinds and s.id not in left_out]
    if "english" in settings.views:
        missing = [s.id for s in chosen if not s.english]
        if missing:
            raise AlignmentInputError(
                f"{len(missing)} segment(s) have no English text (first: {missing[0]}); "
                "run `mt translate` first, or align the original texts with --on original"
            )
    return chosen


def can_pair(chosen: Sequence[Segment]) -> bool:
    """Whether the segments come from at least two articles: a pair always joins two different articles."""
    return len({s.article for s in chosen}) >= 2


def text_of(segment: Segment, settings: AlignmentSettings, view: str | None = None) -> str:
    """The text of one view (default: the first of `settings.views`, the English unless `on: original`)."""
    view = view or settings.views[0]
    return (segment.english if view == "english" else segment.text) or ""


def nearest_in_other_articles(vectors: np.ndarray, articles: np.ndarray, keep: int, block_size: int,
                              progress: Callable[[int], None] | None = None) -> Neighbours:
    """Block-wise nearest neighbours over normalised vectors; same-article segments are never neighbours.

    Memory stays at block_size x n similarities, whatever the number of articles.
    """
    n = len(vectors)
    keep = min(keep, n - 1)
    index = np.zeros((n, keep), dtype=np.int64)
    cosine = np.zeros((n, keep), dtype=np.float32)
    for start in range(0, n, block_size):
        stop = min(start + block_size, n)
        sims = vectors[start:stop] @ vectors.T
        sims[articles[start:stop, None] == articles[None, :]] = -np.inf
        top = np.argpartition(-sims, keep - 1, axis=1)[:, :keep] if keep < n else np.argsort(-sims, axis=1)[:, :keep]
        top_sims = np.take_along_axis(sims, top, axis=1)
        order = np.argsort(-top_sims, axis=1, kind="stable")
        index[start:stop] = np.take_along_axis(top, order, axis=1)
        cosine[start:stop] = np.take_along_axis(top_sims, order, axis=1)
        if progress:
            progress(stop - start)
    return Neighbours(index, cosine)


class PairScorer:
    """The combined score of two units and every signal that went into it."""

    def __init__(self, context: SignalContext, factors: Sequence[float] | None = None) -> None:
        check_weights(context.settings.weights)
        self.context, self.settings = context, context.settings
        self.factors = list(factors) if factors is not None else [1.0] * len(context.texts)
        """Per segment, the fraction of a pair's combined score it lets through (length_ratio_factor when flagged)."""
        self.signals = {name: signal(context) for name, signal in SIGNALS.items()}
        self._scores: dict[tuple[Unit, Unit], tuple[float, dict[str, float]]] = {}

    def score(self, a: Unit, b: Unit) -> tuple[float, dict[str, float]]:
        """Every signal is symmetric, so (a, b) and (b, a) are scored once: facts re-check many pairs."""
        key = (a, b) if a <= b else (b, a)
        if key not in self._scores:
            self._scores[key] = self._score(*key)
        return self._scores[key]

    def _score(self, a: Unit, b: Unit) -> tuple[float, dict[str, float]]:
        """Every registered signal, and their sum weighted by `settings.weights` (alignments/signals.py)."""
        values = {name: signal(a, b) for name, signal in self.signals.items()}
        weights = self.settings.weights
        combined = sum(weights[name] * values[name] for name in weighted_signals())
        if values["cosine"] < self.settings.floor:
            combined = min(combined, 0.0)  # below the floor: the margin would be over nothing
        factor = min(self.factors[i] for i in (*a, *b))
        if factor != 1.0:
            combined *= factor
        return combined, {k: round(float(v), 4) for k, v in values.items() if v is not None}

    def closeness(self, i: int, j: int) -> float:
        """The combined score of two single segments, for keeping facts coherent."""
        return self.score((i,), (j,))[0]


def align_comparable(segments: Sequence[Segment], embedder: Embedder, settings: AlignmentSettings,
                     progress: Callable[[int], None] | None = None, multilingual: Embedder | None = None,
                     ) -> tuple[list[Pair], list[Segment], PairScorer | None]:
    """Pairs across articles, best first; also the aligned segments and the scorer (for facts), None when the
    segments come from fewer than two articles and there is nothing to compare. `embedder` embeds the first view
    of `settings.views`; `multilingual`, the originals with `on: both` (default: `settings.multilingual_embedder`,
    sharing `embedder`'s cache and device)."""
    chosen = alignable(segments, settings)
    if not can_pair(chosen):
        return [], chosen, None
    articles = np.array([s.article for s in chosen])
    views = {}
    for view in settings.views:
        model = embedder if view == settings.views[0] else (multilingual or embedder.sibling(settings.view_embedder(view)))
        view_texts = [text_of(s, settings, view) for s in chosen]
        views[view] = (view_texts, model.embed(view_texts), model.embed)
    texts, vectors, embed = views[settings.views[0]]
    factors = [settings.length_ratio_factor if "english" in settings.views and "length_ratio" in s.mt_flags else 1.0 for s in chosen]
    languages = [s.lang if settings.views[0] == "original" else "en" for s in chosen]
    context = SignalContext.build(texts, vectors, articles, settings, embed, views, languages)
    scorer = PairScorer(context, factors)

    same_quantity = counting_the_same(context.quantities.counted, vectors, articles, settings.candidates)
    candidates: dict[tuple[str, str], dict[tuple[Unit, Unit], tuple[float, dict]]] = defaultdict(dict)
    for n, (_, view_vectors, _) in enumerate(views.values()):
        neighbours = nearest_in_other_articles(view_vectors, articles, settings.candidates, settings.block_size,
                                               progress if n == 0 else None)
        for i in range(len(chosen)):
            nearest = [int(j) for j, cosine in zip(neighbours.index[i], neighbours.cosine[i]) if cosine >= settings.floor]
            for j in nearest + (same_quantity.get(i, []) if n == 0 else []):
                a, b = (i, j) if chosen[i].article < chosen[j].article else (j, i)
                key = (chosen[a].article, chosen[b].article)
                if ((a,), (b,)) not in candidates[key]:
                    candidates[key][((a,), (b,))] = scorer.score((a,), (b,))

    following = _next_in_article(chosen)
    preceding = {v: k for k, v in following.items()}
    per_article_pair = {key: _one_to_one(candidates[key], settings.threshold) for key in sorted(candidates)}
    options = {key: _widenings(links, used, following, preceding, context.similarity, settings.split_min_margin)
               for key, (links, used) in per_article_pair.items()}
    context.similarity.prepare([wider for found in options.values() for _, _, _, wider in found])  # one embedding call for all
    links: list[tuple[Unit, Unit, float, dict]] = []
    for key, (found, used) in per_article_pair.items():
        found = _widen(found, used, options[key], scorer, settings)
        found += _one_link_per_quantity(found, used, candidates[key], context.quantities, settings.threshold)
        links += found + _also_strong(found, candidates[key], max(settings.also_threshold, settings.threshold),
                                      context.similarity, settings.also_repeat)
    links.sort(key=lambda link: (-link[2], link[0], link[1]))
    pairs = [_pair(chosen, a, b, score, signals) for a, b, score, signals in links]
    return pairs, chosen, scorer


def pairs_within_facts(facts: Sequence[Fact], pairs: Sequence[Pair], chosen: Sequence[Segment], scorer: PairScorer,
                       coherence: float) -> list[Pair]:
    """The pairs a fact implies and linking left out, so that `pairs` and `facts` tell one story: every two of a
    fact's members from different articles report its fact, and each sentence got in by scoring at least
    `coherence` (`fact_coherence`) with every other, so that is the score such a pair needs, not the threshold (two
    units, where one is two sentences, are scored as units and may fall short). Linking keeps one partner per
    sentence and article (a second only where the article repeats itself); a lead that reports three facts keeps
    its other partners here. Measured on the dev sets in docs/quality.md."""
    row = {segment.id: i for i, segment in enumerate(chosen)}
    linked = {frozenset((i, j)) for pair in pairs for i in pair.ids_a for j in pair.ids_b}
    found = []
    for fact in facts:
        units = sorted((article, tuple(row[i] for i in ids)) for article, ids in fact.members.items())
        for (_, a), (_, b) in combinations(units, 2):
            if any(frozenset((chosen[i].id, chosen[j].id)) in linked for i in a for j in b):
                continue
            score, signals = scorer.score(a, b)
            if score >= coherence:
                pair = _pair(chosen, a, b, score, signals)
                pair.fact_id = fact.fact_id
                found.append(pair)
                linked.update(frozenset((chosen[i].id, chosen[j].id)) for i in a for j in b)  # once, if in two facts
    return found


def _also_strong(links: list[tuple[Unit, Unit, float, dict]], scored: dict[tuple[Unit, Unit], tuple[float, dict]],
                 also_threshold: float, similarity: Views, repeat: float) -> list[tuple[Unit, Unit, float, dict]]:
    """Many-to-many: further links of sentences already linked in this pair of articles, each strong on its own,
    where the article repeats the fact: the new partner is as close as `repeat` (cosine, best view) to the
    sentence its article already links there (the headline and the lead on the death toll). A sentence with no
    partner of its own in the other article would otherwise take the neighbouring fact that shares its names
    ("the train was travelling from Villach to Vienna" with "services between Villach and Vienna suspended")."""
    linked = {(i, j) for a, b, _, _ in links for i in a for j in b}
    partner: dict[int, list[Unit]] = defaultdict(list)  # sentence -> the units it is linked with here
    for a, b, _, _ in links:
        for i in a:
            partner[i].append(b)
        for j in b:
            partner[j].append(a)
    found = []
    for score, a, b, signals in _above(scored, also_threshold):
        if (a[0], b[0]) in linked:
            continue
        repeated = [similarity.cosine(old, new) for side, new in ((a, b), (b, a)) for old in partner.get(side[0], [])]
        if repeated and max(repeated) >= repeat:
            found.append((a, b, score, signals))
    return found


def counting_the_same(counted: Sequence[frozenset[str]], vectors: np.ndarray, articles: np.ndarray,
                      keep: int) -> dict[int, list[int]]:
    """Extra candidates: for each segment that counts something, the closest segments of other articles
    that count the same quantity. Outlets that disagree on a number ("2,600" vs "3,600 troops") may word
    the rest so differently that the embedding alone would not rank them among the nearest.
    """
    counting: dict[str, list[int]] = defaultdict(list)
    for i, quantities in enumerate(counted):
        for quantity in quantities:
            counting[quantity].append(i)
    extra: dict[int, list[int]] = {}
    for i, quantities in enumerate(counted):
        others = np.array(sorted({j for q in quantities for j in counting[q] if articles[j] != articles[i]}), dtype=np.int64)
        if len(others):
            closest = np.argsort(-(vectors[others] @ vectors[i]), kind="stable")[:keep]
            extra[i] = [int(j) for j in others[closest]]
    return extra


def _next_in_article(chosen: list[Segment]) -> dict[int, int]:
    """Each aligned segment's successor in its article (captions and other kinds in between are skipped)."""
    last: dict[str, int] = {}
    following: dict[int, int] = {}
    for i, segment in enumerate(chosen):
        if segment.article in last:
            following[last[segment.article]] = i
        last[segment.article] = i
    return following


def _above(scored: dict[tuple[Unit, Unit], tuple[float, dict]], threshold: float) -> list[tuple[float, Unit, Unit, dict]]:
    """Candidates that reach the threshold, best first (ties in a fixed order, so runs repeat)."""
    return sorted(((score, a, b, signals) for (a, b), (score, signals) in scored.items() if score >= threshold),
                  key=lambda item: (-item[0], item[1], item[2]))


def _one_to_one(scored: dict[tuple[Unit, Unit], tuple[float, dict]], threshold: float) -> tuple[list[list], set[int]]:
    """Within one pair of articles: pairs above the threshold, best first, each sentence used once."""
    used: set[int] = set()
    links: list[list] = []
    for score, a, b, signals in _above(scored, threshold):
        if a[0] in used or b[0] in used:
            continue
        used.update((a[0], b[0]))
        links.append([a, b, score, signals])
    return links, used


def _widenings(links: list[list], used: set[int], following: dict[int, int], preceding: dict[int, int],
               similarity: Similarity, min_margin: float) -> list[tuple[int, int, Unit, Unit]]:
    """(link, side, its unit, the unit widened by an adjacent free sentence) where the added sentence
    alone is close enough to the other side to carry part of the fact."""
    options = []
    for n, (a, b, _, _) in enumerate(links):
        for side, unit in ((0, a), (1, b)):
            other = b if side == 0 else a
            for wider in ((preceding.get(unit[0]), unit[0]), (unit[0], following.get(unit[0]))):
                if None in wider or (set(wider) - set(unit)) & used:
                    continue
                added = tuple(set(wider) - set(unit))
                if similarity.margin(added, other)[1] >= min_margin:
                    options.append((n, side, unit, tuple(wider)))
    return options


def _widen(links: list[list], used: set[int], options: list[tuple[int, int, Unit, Unit]], scorer: PairScorer,
           settings: AlignmentSettings) -> list[tuple[Unit, Unit, float, dict]]:
    """Replace a side by two adjacent sentences where the fact is split over them (it scores clearly higher)."""
    for n, side, unit, wider in options:
        a, b, score, _ = links[n]
        if unit != (a, b)[side] or (set(wider) - set(unit)) & used:
            continue  # this link already widened on this side, or the neighbour was taken meanwhile
        trial = (wider, b) if side == 0 else (a, wider)
        new_score, new_signals = scorer.score(*trial)
        if new_score >= score + settings.split_bonus:
            used.update(wider)
            links[n] = [trial[0], trial[1], new_score, new_signals]
    return [tuple(link) for link in links]


def _one_link_per_quantity(links: list[tuple[Unit, Unit, float, dict]], used: set[int],
                           scored: dict[tuple[Unit, Unit], tuple[float, dict]], quantities: QuantityAgreement,
                           threshold: float) -> list[tuple[Unit, Unit, float, dict]]:
    """Second links for sentences that report two counts: "16 officers were killed and more than 1,300
    injured" pairs with the other outlet's sentence on the injured and with its sentence on the dead.

    A candidate above the threshold joins a sentence already linked when both count a quantity that
    none of that sentence's links counts yet, and its other side is still free.
    """
    covered: dict[int, set[str]] = defaultdict(set)  # sentence -> quantities its links already count
    for a, b, _, _ in links:
        for i in a + b:
            covered[i] |= quantities.shared(a, b)
    extra = []
    for score, a, b, signals in _above(scored, threshold):
        shared = quantities.shared(a, b)
        linked = [side for side in (a, b) if side[0] in used]
        if not shared or len(linked) != 1 or shared & covered[linked[0][0]]:
            continue
        free = b if linked[0] == a else a
        used.add(free[0])
        for i in (a[0], b[0]):
            covered[i] |= shared
        extra.append((a, b, score, signals))
    return extra


def _pair(chosen: Sequence[Segment], a: Unit, b: Unit, score: float, signals: dict) -> Pair:
    ids_a = [chosen[i].id for i in a]
    ids_b = [chosen[i].id for i in b]
    return Pair(id_a=ids_a[0], id_b=ids_b[0], article_a=chosen[a[0]].article, article_b=chosen[b[0]].article,
                ids_a=ids_a, ids_b=ids_b, score=round(float(score), 4), signals=signals)
