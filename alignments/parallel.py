"""In-order alignment for documents that are translations of each other (`--mode parallel`).

After Thompson and Koehn (2019, vecalign) and Liu and Zhu (2022, bertalign):

1. **Overlap windows, embedded once.** Every run of 1 to `max_align - 1` consecutive
   sentences on each side is embedded as one text, so an m-n link compares the
   concatenation of its m source sentences with that of its n target sentences.
2. **A corridor.** The first pass looks for each source sentence's nearest target
   sentences only within `corridor` sentences either side of the diagonal (scaled to
   the two lengths), so nothing is quadratic in the length of the documents.
3. **A normalised margin.** A window's cosine with the other side is lowered by the
   mean of its next `neighbours` best cosines with the other document's sentences,
   after its best (both sides averaged): a window close to everything (a "hub") gains
   nothing from it. The margins are then divided by the document's own "perfect"
   margin, the `perfect_quantile` of each source sentence's margin with its
   nearest target, so that 1 means "as close as this document's closest pairs"
   and 0 "as close as the neighbours are", whatever the embedder's range of
   cosines (MiniLM's unrelated sentences sit near 0, multilingual-e5's near 0.75). The
   deletion cost and the stray floor below are in these units, so they hold across
   embedders. A high quantile rather than the median: a short document made mostly of
   merges, whose single sentences match only partly, still has a true "perfect". The
   first pass takes the sentences' neighbours in the corridor; the second takes every
   window's within `band` sentences of the anchor path, where it searches.
4. **A length penalty** on character counts, |log(chars / chars) - log r|, where r is the
   document's own ratio: all its source characters to all its target characters.
   Character counts are not comparable across languages and scripts (Polish runs
   longer than English, Chinese far shorter); the ratio is learnt from the document
   itself, so no table of language pairs is needed. (The median over each source
   sentence and its nearest target, used before, leans towards the side whose
   sentences are merged more often.)
5. **The cost of a link.** A 1-1 link costs 1 - normalised margin, below zero for a pair
   closer than the perfect one; an m-n merge costs m * n * max(0, 1 - normalised margin)
   (vecalign's weighting: merging is never free, and never a reward: two consecutive
   1-1 pairs of an MT-versus-human document, concatenated, often look closer than
   either alone). Each link also pays (m + n) * length_weight * the length penalty,
   and member_weight for each of its sentences whose normalised margin with the other
   side falls below member_floor (by how much): a stray sentence must not ride along
   in a merge, and two unrelated sentences are deleted rather than linked. Deleting a
   sentence (a 1-0 or 0-1 link) costs `skip_cost`. A link pays dilution_weight for how
   much its margin would rise without its first or last sentence on a side: a sentence
   that only dilutes a merge is left out rather than carried along. A 2-2 link also
   pays split_weight for how far the weaker of its two in-order 1-1 pairs rises above
   split_floor (where its sentences already pair 1-1, it is two 1-1 links; a 2-3 or 3-2
   link the same, for the weaker part of its best in-order split, above
   split_floor_merged), and may instead be read as a swap of neighbours: then it costs
   its two crossed 1-1 links plus swap_cost, where both reach member_floor.
   A document's deletions are priced by its own evidence: where the search leaves out fewer
   than `deletion_rate` of its sentences (a close translation), it is run again with
   skip_cost raised by deletion_weight * log(deletion_rate / that share).
6. **Two passes.** The first finds 1-1 anchors: a monotone path through each source
   sentence's `top_k` nearest target sentences in the corridor, with deletions. The
   second allows every m-n link with m + n <= `max_align` and deletions, inside a band
   of `band` target sentences around the anchor path.

Everything is computed inside the corridor or the band only, in float32: dot products
block by block (one matrix product per block of rows, then the band's cells are
picked out), so time and memory grow linearly with the documents at a fixed corridor
and band. The dynamic programme visits only the band's cells: one source row at a
time with numpy (`_dp_rows`: every move's predecessors are one gather, and a run of
target-side deletions within a row is a running minimum), or cell by cell compiled
with numba, a dependency (`_dp_loops`; numpy where numba cannot be imported). Both give the same
path; numba's makes the whole search 1.5 to 1.7 times faster (0.043 s against 0.071 s
of CPU for 500 x 600 sentences, 0.72 s against 1.10 s for 8,000 x 9,600; docs/parallel.md),
for about 0.6 s of CPU to import numba once per process (and 1.3 s to compile once,
cached on disk).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Callable

import numpy as np

Link = tuple[tuple[int, ...], tuple[int, ...]]

ROWS_PER_BLOCK = 64
"""Rows of one matrix product in the corridor and the band (an implementation detail, not a setting: any value gives
the same result; 64 was the fastest of 16, 32 and 64 here: small enough for the cache, large enough for BLAS)."""


@dataclass(frozen=True)
class ParallelSettings:
    """The aligner's knobs; defaults are in configs/defaults.yaml (alignment.parallel)."""

    max_align: int
    """Largest m + n of an m-n link (5: up to 1-4, 2-3, 3-2, 4-1)."""
    top_k: int
    """Target candidates per source sentence in the anchor pass."""
    band: int
    """Target sentences either side of the anchor path that the second pass may use."""
    neighbours: int
    """k of the margin: the mean of a window's k next-best cosines with the other document."""
    perfect_quantile: float
    """A link whose margin reaches this quantile of the document's best margins (each source sentence's with its
    nearest target) costs nothing: the margins are divided by that quantile."""
    corridor: int
    """Sentences either side of the diagonal in which a window's nearest neighbours (the anchor candidates and the
    margin's neighbours) are looked for."""
    skip_cost: float
    """Cost of leaving one sentence unaligned (a 1-0 or 0-1 link), in units of the normalised margin."""
    length_weight: float
    """Weight of the length penalty, |log(characters of one side / the other) - log(the document's ratio)| per
    sentence linked."""
    member_weight: float
    """Weight of the cost of a link's stray sentences (see `member_floor`)."""
    member_floor: float
    """Each sentence of a link should reach this normalised margin with the other side's window."""
    split_weight: float
    """A 2-2 link pays split_weight x how far the weaker of its two in-order 1-1 pairs rises above `split_floor`; a
    2-3 or 3-2 link, how far the weaker part of its best in-order split rises above `split_floor_merged`."""
    split_floor: float
    """See `split_weight` (normalised margin)."""
    split_floor_merged: float
    """`split_floor` for a 2-3 or 3-2 link, whose in-order split has a merged part (1-2 or 2-1)."""
    swap_cost: float
    """Added to a 2-2 link read as a swap of neighbours, on top of the costs of its two crossed 1-1 links (each of which
    must reach `member_floor`)."""
    dilution_weight: float
    """A link pays dilution_weight x how much its normalised margin would rise without its first or last sentence on
    either side (each such sentence counted)."""
    deletion_rate: float
    """A document whose first search deletes fewer than this share of its sentences pays more for a deletion (see
    `deletion_weight`)."""
    deletion_weight: float
    """The search is run again with skip_cost raised by deletion_weight x log(deletion_rate / the share of sentences
    that the first search deleted), where that is positive."""


def link_types(max_align: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(1, max_align) for b in range(1, max_align) if a + b <= max_align]


def windows(sentences: list[str], size: int) -> list[str]:
    return [" ".join(sentences[i : i + size]) for i in range(len(sentences) - size + 1)]


def align_in_order(source: list[str], target: list[str], embed: Callable[[list[str]], np.ndarray],
                   settings: ParallelSettings) -> tuple[list[Link], list[float]]:
    """The cheapest monotone alignment; returns the links and each link's cosine (0 for a deletion)."""
    n, m = len(source), len(target)
    if not n or not m:
        return _all_deleted(n, m)
    sizes = range(1, settings.max_align)
    texts = [w for k in sizes for w in windows(source, k)] + [w for k in sizes for w in windows(target, k)]
    vectors = embed(texts)
    source_windows, target_windows, offset = {}, {}, 0
    for side, sentences, store in ((0, source, source_windows), (1, target, target_windows)):
        for k in sizes:
            count = max(0, len(sentences) - k + 1)
            store[k] = vectors[offset : offset + count]
            offset += count
    return align_windows(source, target, source_windows, target_windows, settings)


def align_windows(source: list[str], target: list[str], source_windows: dict[int, np.ndarray],
                  target_windows: dict[int, np.ndarray], settings: ParallelSettings) -> tuple[list[Link], list[float]]:
    """The search itself, on embedded windows (`*_windows[k][i]`: sentences i..i+k-1, unit length)."""
    n, m = len(source), len(target)
    if not n or not m:
        return _all_deleted(n, m)
    types = [(a, b) for a, b in link_types(settings.max_align) if a <= n and b <= m]
    src = {a: np.ascontiguousarray(source_windows[a], dtype=np.float32) for a in {a for a, _ in types}}
    tgt = {b: np.ascontiguousarray(target_windows[b], dtype=np.float32) for b in {b for _, b in types}}
    source_chars = np.concatenate([[0], np.cumsum([len(s) for s in source])]).astype(np.float32)
    target_chars = np.concatenate([[0], np.cumsum([len(t) for t in target])]).astype(np.float32)
    k, width = settings.neighbours, settings.corridor

    # Pass 1: 1-1 anchors among each source sentence's top_k target sentences in the corridor, scored with the
    # sentences' hubs in the corridor.
    best, nearest = _nearest(src[1], tgt[1], _centres(n, 1, m), width, max(settings.top_k, k + 1))
    hub_source = {1: _hub(best, k)}
    hub_target = {1: _hub(_nearest(tgt[1], src[1], _centres(m, 1, n), width, k + 1, False)[0], k)}
    # The document's own ratio of character counts: all of one side against all of the other. (The median over each
    # source sentence and its nearest target leans towards the side whose sentences are merged more often: off by
    # 0.12 in log on hard-tune, against 0.03.)
    log_ratio = float(np.log((source_chars[-1] + 1) / (target_chars[-1] + 1)))
    cost = _Costs(src, tgt, hub_source, hub_target, _scale(best, nearest, hub_source, hub_target, settings),
                  source_chars, target_chars, log_ratio, settings)
    low, high = _corridor_band(n, m, width)
    anchor_costs = np.full((1, n + 1, int((high - low).max()) + 1), np.inf, dtype=np.float32)
    rows = np.repeat(np.arange(1, n + 1), min(settings.top_k, nearest.shape[1]))
    cols = nearest[:, : settings.top_k].ravel() + 1
    found = np.isfinite(best[:, : settings.top_k].ravel())
    rows, cols = rows[found], cols[found]
    anchor_costs[0, rows, cols - low[rows]] = cost.anchors(rows, cols, best[:, : settings.top_k].ravel()[found])
    anchors = _dp([(1, 1)], anchor_costs, low, high, settings.skip_cost)

    # Pass 2: every link type, inside the band around the anchors. Every window's hub (and so the perfect margin) is
    # now taken along the anchor path, within `band` sentences of it: that is where the search looks (on the hard
    # development set, hubs within 8 sentences and within 250 score the same).
    path_rows, path_cols = _path(anchors, n, m)
    along = {a: np.interp(np.arange(len(src[a])) + a / 2, path_rows, path_cols) for a in src}
    back = {b: np.interp(np.arange(len(tgt[b])) + b / 2, path_cols, path_rows) for b in tgt}
    best, nearest = _nearest(src[1], tgt[1], along[1], settings.band, k + 1)
    hub_source = {a: _hub(best, k) if a == 1 else _hub(_nearest(src[a], tgt[1], along[a], settings.band, k + 1, False)[0], k)
                  for a in src}
    hub_target = {b: _hub(_nearest(tgt[b], src[1], back[b], settings.band, k + 1, False)[0], k) for b in tgt}
    cost = _Costs(src, tgt, hub_source, hub_target, _scale(best, nearest, hub_source, hub_target, settings),
                  source_chars, target_chars, log_ratio, settings)
    low, high = _band(anchors, n, m, settings.band)
    costs = np.stack([cost.band(a, b, low, high) for a, b in types])
    links = _dp(types, costs, low, high, settings.skip_cost)
    # The document's own evidence on deletions: where the search leaves out fewer of its sentences than deletion_rate,
    # a deletion is less likely here than the constant skip_cost assumes (a close translation, all of it kept), and
    # it costs more: a one-step hard EM on the prior of a deletion, as the length ratio is learnt from the document.
    deleted = sum(1 for s, t in links if not s or not t)
    shortfall = float(np.log(settings.deletion_rate * (n + m) / (deleted + 0.5))) if settings.deletion_rate > 0 else 0.0
    if settings.deletion_weight * shortfall > 0:
        links = _dp(types, costs, low, high, settings.skip_cost + settings.deletion_weight * shortfall)
    scores = [float(cost.cosine(len(s), len(t), s[-1] + 1, t[-1] + 1)) if s and t else 0.0 for s, t in links]
    return links, scores


def _scale(best: np.ndarray, nearest: np.ndarray, hub_source: dict, hub_target: dict, settings: ParallelSettings) -> float:
    """What the margins are divided by: the perfect_quantile of each source sentence's margin with its nearest target."""
    perfect = float(np.quantile(best[:, 0] - (hub_source[1] + hub_target[1][nearest[:, 0]]) / 2, settings.perfect_quantile))
    return perfect if perfect > 1e-6 else 1.0  # no contrast at all (e.g. one repeated text): leave the margins as they are


def _all_deleted(n: int, m: int) -> tuple[list[Link], list[float]]:
    return [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)], [0.0] * (n + m)


class _Costs:
    """Link costs at given cells (i, j): the link of a x b sentences that ends before source sentence i and target
    sentence j, i.e. source window i-a (size a) and target window j-b (size b)."""

    def __init__(self, src: dict[int, np.ndarray], tgt: dict[int, np.ndarray], hub_source: dict[int, np.ndarray],
                 hub_target: dict[int, np.ndarray], scale: float, source_chars: np.ndarray, target_chars: np.ndarray,
                 log_ratio: float, settings: ParallelSettings) -> None:
        self.src, self.tgt, self.hub_source, self.hub_target = src, tgt, hub_source, hub_target
        self.scale, self.source_chars, self.target_chars, self.log_ratio = scale, source_chars, target_chars, log_ratio
        self.settings = settings
        self._memo: dict[tuple[int, int], dict[tuple[int, int], np.ndarray]] = {}
        self._margins: dict[tuple[int, int, int, int], np.ndarray] = {}
        self._low: np.ndarray | None = None

    def margin(self, a: int, b: int, source_start: np.ndarray, target_start: np.ndarray, dots: np.ndarray) -> np.ndarray:
        """Normalised margin of dot products between source windows (size a) and target windows (size b)."""
        return (dots - (self.hub_source[a][source_start] + self.hub_target[b][target_start]) / 2) / self.scale

    def link(self, a: int, b: int, margin: np.ndarray, i: np.ndarray, j: np.ndarray, strays: np.ndarray) -> np.ndarray:
        s = self.settings
        chars_s = self.source_chars[i] - self.source_chars[i - a] + 1
        chars_t = self.target_chars[j] - self.target_chars[j - b] + 1
        penalty = np.abs(np.log(chars_s / chars_t) - self.log_ratio)
        match = 1 - margin if a * b == 1 else a * b * np.maximum(0.0, 1 - margin)  # a merge is never a reward
        return (match + (a + b) * s.length_weight * penalty + s.member_weight * strays).astype(np.float32)

    def anchors(self, i: np.ndarray, j: np.ndarray, dots: np.ndarray) -> np.ndarray:
        """Costs of 1-1 links at scattered cells, given their dot products (the anchor pass)."""
        margin = self.margin(1, 1, i - 1, j - 1, dots)
        return self.link(1, 1, margin, i, j, 2 * np.maximum(0.0, self.settings.member_floor - margin))

    def dots(self, a: int, b: int, row_shift: int, col_shift: int) -> np.ndarray:
        """dot[i, c] = src[a][i - row_shift] . tgt[b][low[i] + c - col_shift] over the current band (nan outside)."""
        if (a, b) not in self._memo:
            shifts = set()  # every shift that a link type's cost reads from windows of these sizes
            for ta, tb in link_types(self.settings.max_align):
                if ta in self.src and tb in self.tgt:
                    shifts |= {(ta, tb)} if (ta, tb) == (a, b) else set()
                    shifts |= {(r, tb) for r in range(1, ta + 1)} if (a, b) == (1, tb) else set()
                    shifts |= {(ta, r) for r in range(1, tb + 1)} if (a, b) == (ta, 1) else set()
            for ta, tb in link_types(self.settings.max_align):  # the first part of a merge's in-order split
                if ta in self.src and tb in self.tgt and 1 < ta and 1 < tb and a < ta and b < tb:
                    shifts |= {(ta, tb)}
            for ta, tb in link_types(self.settings.max_align):  # a link less its first or last sentence on one side
                if ta in self.src and tb in self.tgt and (a, b) in ((ta - 1, tb), (ta, tb - 1)):
                    shifts |= {(ta, tb), (a, b)}
            self._memo[(a, b)] = _band_dots(self.src[a], self.tgt[b], sorted(shifts), self._low, self._width)
        return self._memo[(a, b)][(row_shift, col_shift)]

    def band_margin(self, a: int, b: int, row_shift: int, col_shift: int) -> np.ndarray:
        """Normalised margin of src[a][i - row_shift] and tgt[b][low[i] + c - col_shift] over the band (nan outside;
        kept: the link types' costs read the same windows at the same shifts several times)."""
        key = (a, b, row_shift, col_shift)
        if key not in self._margins:
            rows = np.arange(len(self._low))[:, None] - row_shift
            cols = self._low[:, None] + np.arange(self._width)[None, :] - col_shift
            dots = self.dots(a, b, row_shift, col_shift)
            rows = np.minimum(np.maximum(rows, 0), len(self.src[a]) - 1)
            cols = np.minimum(np.maximum(cols, 0), len(self.tgt[b]) - 1)
            self._margins[key] = self.margin(a, b, rows, cols, dots)  # nan wherever dots is
        return self._margins[key]

    def band(self, a: int, b: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        """Costs of a-b links ending at every cell of the band (inf where none can end)."""
        if self._low is None or not np.array_equal(self._low, low):
            self._low, self._width, self._memo, self._margins = low, int((high - low).max()) + 1, {}, {}
        floor = self.settings.member_floor
        margin = self.band_margin(a, b, a, b)
        strays = sum(np.maximum(0.0, floor - self.band_margin(1, b, r, b)) for r in range(1, a + 1))
        strays = strays + sum(np.maximum(0.0, floor - self.band_margin(a, 1, a, r)) for r in range(1, b + 1))
        if a > 1 and b > 1:  # a merge whose sentences already pair as two smaller links in order is those links
            split_floor = self.settings.split_floor if (a, b) == (2, 2) else self.settings.split_floor_merged
            strays = strays + self.settings.split_weight * np.maximum(0.0, self.in_order(a, b) - split_floor)
        strays = strays + self.settings.dilution_weight * self.dilution(a, b, margin)
        i = np.broadcast_to(np.arange(len(low))[:, None], margin.shape)
        j = low[:, None] + np.arange(self._width)[None, :]
        ok = ~np.isnan(margin) & (j <= high[:, None])
        out = np.full(margin.shape, np.inf, dtype=np.float32)
        out[ok] = self.link(a, b, margin[ok], i[ok], j[ok], strays[ok])
        if (a, b) == (2, 2):  # or a swap of neighbours: what its two crossed 1-1 links cost, plus swap_cost
            out[ok] = np.minimum(out[ok], self.swap(i[ok], j[ok]))
        return out

    def in_order(self, a: int, b: int) -> np.ndarray:
        """For a-b links over the band (a, b >= 2), the best in-order split into two smaller links (r-q, then
        (a-r)-(b-q)), scored by the normalised margin of its weaker part."""
        best = np.full((len(self._low), self._width), -np.inf, dtype=np.float32)
        for r in range(1, a):
            for q in range(1, b):
                weaker = np.minimum(self.band_margin(r, q, a, b), self.band_margin(a - r, b - q, a - r, b - q))
                best = np.maximum(best, weaker)
        return best

    def dilution(self, a: int, b: int, margin: np.ndarray) -> np.ndarray:
        """How much higher the margin of a-b links over the band would be without their first or last sentence on a
        side, summed over the (up to four) edge sentences: a sentence that only dilutes a merge belongs to no link."""
        gain = np.zeros_like(margin)
        for shift in (a, a - 1) if a > 1 else ():
            gain += np.fmax(0.0, self.band_margin(a - 1, b, shift, b) - margin)
        for shift in (b, b - 1) if b > 1 else ():
            gain += np.fmax(0.0, self.band_margin(a, b - 1, a, shift) - margin)
        return gain

    def swap(self, i: np.ndarray, j: np.ndarray) -> np.ndarray:
        """Costs of 2-2 links ending at band cells (i, j) read as a swap: source i-2 with target j-1, source i-1 with
        target j-2, each costed as a 1-1 link, plus swap_cost. Both crossed pairs must reach member_floor (so neither
        has a stray sentence): otherwise a deletion on each side next to a 1-1 link would read as a swap."""
        c = j - self._low[i]
        first, second = self.band_margin(1, 1, 2, 1)[i, c], self.band_margin(1, 1, 1, 2)[i, c]  # never nan where 2-2 is not
        none = np.zeros(len(i), dtype=np.float32)
        cost = self.link(1, 1, first, i - 1, j, none) + self.link(1, 1, second, i, j - 1, none) + np.float32(self.settings.swap_cost)
        return np.where(np.minimum(first, second) >= self.settings.member_floor, cost, np.float32(np.inf))

    def cosine(self, a: int, b: int, i: int, j: int) -> float:
        return float(self.src[a][i - a] @ self.tgt[b][j - b])


def _centres(n: int, size: int, m: int) -> np.ndarray:
    """Where each window of `size` sentences of a document of n sentences falls in the other document (of m)."""
    return (np.arange(max(0, n - size + 1)) + size / 2) * m / n


def _nearest(x: np.ndarray, y: np.ndarray, centres: np.ndarray, width: int, count: int,
             with_indices: bool = True) -> tuple[np.ndarray, np.ndarray | None]:
    """Each row of x: its `count` best dot products with the rows of y within `width` of its centre, best first
    (values, and indices when asked; -inf and 0 where the corridor holds fewer). Without indices, only the first
    value is sure to be the best: the rest are the next best in any order (all that `_hub` needs)."""
    count = min(count, len(y))
    values = np.full((len(x), count), -np.inf, dtype=np.float32)
    indices = np.zeros((len(x), count), dtype=np.int64) if with_indices else None
    low = np.clip(np.floor(centres - width), 0, len(y)).astype(np.int64)
    high = np.clip(np.ceil(centres + width), 0, len(y)).astype(np.int64)  # exclusive
    for r0 in range(0, len(x), ROWS_PER_BLOCK):
        r1 = min(len(x), r0 + ROWS_PER_BLOCK)
        c0, c1 = int(low[r0:r1].min()), int(high[r0:r1].max())
        if c1 <= c0:
            continue
        block = x[r0:r1] @ y[c0:c1].T
        if low[r0:r1].max() > c0 or high[r0:r1].min() < c1:  # some row's corridor is narrower than the block
            columns = np.arange(c0, c1)[None, :]
            block[(columns < low[r0:r1, None]) | (columns >= high[r0:r1, None])] = -np.inf
        take = min(count, c1 - c0)
        if not with_indices:
            width_now = c1 - c0  # the best at the last place, the next best just before it, in any order
            values[r0:r1, :take] = np.partition(block, (width_now - take, width_now - 1), axis=1)[:, width_now - take :][:, ::-1]
            continue
        top = np.argpartition(-block, take - 1, axis=1)[:, :take] if take < c1 - c0 else np.tile(np.arange(c1 - c0), (r1 - r0, 1))
        top_values = np.take_along_axis(block, top, axis=1)
        order = np.argsort(-top_values, axis=1, kind="stable")
        values[r0:r1, :take] = np.take_along_axis(top_values, order, axis=1)
        indices[r0:r1, :take] = np.take_along_axis(top, order, axis=1) + c0
    return values, indices


def _hub(best: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's 2nd to (k+1)th best: how close a window is to the rest of the other document, leaving out
    its own best match (with the best included, a short document's true pair would cancel itself out)."""
    nearby = best[:, 1 : k + 1]
    finite = np.isfinite(nearby)
    counts = finite.sum(axis=1)
    return np.where(counts > 0, np.where(finite, nearby, 0).sum(axis=1) / np.maximum(counts, 1), 0).astype(np.float32)


def _band_dots(x: np.ndarray, y: np.ndarray, shifts: list[tuple[int, int]], low: np.ndarray, width: int) -> dict:
    """For each (row_shift, col_shift): out[i, c] = x[i - row_shift] . y[low[i] + c - col_shift], nan where either
    index falls outside x or y.

    `low` does not decrease, so a block of rows needs one contiguous run of x and of y for all the shifts together:
    one matrix product per block, from which each shift's cells are picked."""
    rows = len(low)
    out = {shift: np.full((rows, width), np.nan, dtype=np.float32) for shift in shifts}
    row_shifts = [r for r, _ in shifts]
    col_shifts = [c for _, c in shifts]
    offsets = np.arange(width)
    for r0 in range(0, rows, ROWS_PER_BLOCK):
        r1 = min(rows, r0 + ROWS_PER_BLOCK)
        x0, x1 = max(r0 - max(row_shifts), 0), min(r1 - min(row_shifts), len(x))
        y0 = max(int(low[r0]) - max(col_shifts), 0)
        y1 = min(int(low[r1 - 1]) + width - min(col_shifts), len(y))
        if x1 <= x0 or y1 <= y0:
            continue
        block = x[x0:x1] @ y[y0:y1].T
        band_rows = np.arange(r0, r1)
        for (row_shift, col_shift), values in out.items():
            source = band_rows - row_shift
            columns = low[r0:r1, None] + offsets[None, :] - col_shift
            inside = ((source >= x0) & (source < x1))[:, None] & (columns >= y0) & (columns < y1)
            picked = block[np.minimum(np.maximum(source - x0, 0), x1 - x0 - 1)[:, None],
                           np.minimum(np.maximum(columns - y0, 0), y1 - y0 - 1)]
            values[r0:r1] = np.where(inside, picked, np.nan)
    return out


def _corridor_band(n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """The anchor pass's band: per source row i (0..n), target columns within the corridor of the diagonal, widened by
    the slope so that every candidate of `_nearest` (centred half a sentence earlier) falls inside."""
    centre = np.arange(n + 1) * m / n
    reach = width + int(np.ceil(m / n)) + 1
    low = np.clip(np.floor(centre) - reach, 0, m).astype(np.int64)
    high = np.clip(np.ceil(centre) + reach, 0, m).astype(np.int64)
    return low, high


def _path(links: list[Link], n: int, m: int) -> tuple[list[int], list[int]]:
    """The corners of the links' path, from (0, 0) to (n, m): source and target positions to interpolate along."""
    rows, cols = [0], [0]
    for source, target in links:
        if source and target:
            rows.append(source[-1] + 1)
            cols.append(target[-1] + 1)
    return rows + [n], cols + [m]


def _band(links: list[Link], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per source row i (0..n), the target columns [low, high] the second pass may end a link at."""
    rows, cols = _path(links, n, m)
    centre = np.interp(np.arange(n + 1), rows, cols)
    low = np.clip(np.floor(centre) - width, 0, m).astype(np.int64)
    high = np.clip(np.ceil(centre) + width, 0, m).astype(np.int64)
    low[1:] = np.minimum(low[1:], high[:-1])  # consecutive rows overlap: deletions always connect the band
    return low, high


def _dp(types: list[tuple[int, int]], costs: np.ndarray, low: np.ndarray, high: np.ndarray, skip: float,
        compiled: bool | None = None) -> list[Link]:
    """Cheapest monotone path from (0, 0) to (n, m) over links and deletions, inside the band.

    `costs[t, i, c]`: the cost of a link of type types[t] ending at source row i, target column low[i] + c (inf where
    none may end). Moves: 0 is a 1-0 deletion, 1..len(types) the types, len(types) + 1 a 0-1 deletion; of equal
    costs, the first in that order wins. The loops are compiled with numba (`_dp_loops`);
    where it cannot be imported, each row is vectorised with numpy (`_dp_rows`). `compiled` forces one or the other."""
    a = np.array([t[0] for t in types], dtype=np.int64)
    b = np.array([t[1] for t in types], dtype=np.int64)
    costs = np.ascontiguousarray(costs, dtype=np.float32)
    low, high = np.ascontiguousarray(low, dtype=np.int64), np.ascontiguousarray(high, dtype=np.int64)
    kernel = _compiled_dp_loops() if compiled is not False else None
    if compiled and kernel is None:
        raise ImportError("numba is not installed")
    skip = float(np.float32(skip))  # the float32 that the costs are held in: both kernels add exactly the same value
    total, move = (kernel or _dp_rows)(a, b, costs, low, high, skip)
    n, m = len(low) - 1, int(high[-1])
    if not np.isfinite(total[n, m - low[n]]):
        raise ValueError("no monotone alignment inside the band")  # cannot happen: deletions always connect
    links: list[Link] = []
    i, j = n, m
    while i or j:
        t = int(move[i, j - low[i]])
        if t == 0:
            links.append(((i - 1,), ()))
            i -= 1
        elif t == len(types) + 1:
            links.append(((), (j - 1,)))
            j -= 1
        else:
            da, db = types[t - 1]
            links.append((tuple(range(i - da, i)), tuple(range(j - db, j))))
            i, j = i - da, j - db
    return links[::-1]


def _dp_loops(a: np.ndarray, b: np.ndarray, costs: np.ndarray, low: np.ndarray, high: np.ndarray,
              skip: float) -> tuple[np.ndarray, np.ndarray]:
    """The dynamic programme cell by cell (compiled with numba when installed): (total cost, move) per band cell."""
    types, n, width = costs.shape[0], low.shape[0] - 1, costs.shape[2]
    total = np.full((n + 1, width), np.inf)
    move = np.zeros((n + 1, width), dtype=np.int8)
    for i in range(n + 1):
        for c in range(high[i] - low[i] + 1):
            j = low[i] + c
            if i == 0 and j == 0:
                total[0, 0] = 0.0
                continue
            best = np.inf
            choice = 0
            if i >= 1:
                d = j - low[i - 1]
                if 0 <= d <= high[i - 1] - low[i - 1]:
                    best = total[i - 1, d] + skip
            for t in range(types):
                p = i - a[t]
                if p < 0:
                    continue
                d = j - b[t] - low[p]
                if d < 0 or d > high[p] - low[p]:
                    continue
                value = total[p, d] + costs[t, i, c]
                if value < best:
                    best = value
                    choice = t + 1
            if c > 0:
                value = total[i, c - 1] + skip
                if value < best:
                    best = value
                    choice = types + 1
            total[i, c] = best
            move[i, c] = choice
    return total, move


@functools.cache
def _compiled_dp_loops() -> Callable | None:
    try:
        import numba  # lazy on purpose: it takes a second to import, and comparable mode never needs it
    except ImportError:
        return None
    return numba.njit(cache=True, nogil=True)(_dp_loops)


def _dp_rows(a: np.ndarray, b: np.ndarray, costs: np.ndarray, low: np.ndarray, high: np.ndarray,
             skip: float) -> tuple[np.ndarray, np.ndarray]:
    """The same dynamic programme, one row at a time with numpy (without numba): every move's predecessors are one
    gather, and a run of 0-1 deletions within the row is a running minimum."""
    n, width = len(low) - 1, costs.shape[2]
    steps_a = np.concatenate([[1], a])  # move 0 is a 1-0 deletion
    steps_b = np.concatenate([[0], b])
    spans = high - low
    offsets = np.arange(width)
    # Where each move comes from: row i - a, column low[i] + c - b, i.e. offset low[i] + c - b - low[i - a] there;
    # anything outside the band points at column `width` of row n + 1, which stays infinite.
    previous = np.arange(n + 1)[None, :] - steps_a[:, None]
    clipped = np.clip(previous, 0, n)
    source_offset = low[None, :, None] + offsets[None, None, :] - steps_b[:, None, None] - low[clipped][:, :, None]
    valid = (previous[:, :, None] >= 0) & (source_offset >= 0) & (source_offset <= spans[clipped][:, :, None])
    source_offset = np.where(valid, source_offset, width).astype(np.int32)
    previous = np.where(previous >= 0, previous, n + 1)
    step_costs = np.concatenate([np.full((1, n + 1, width), skip, dtype=np.float32), costs])
    total = np.full((n + 2, width + 1), np.inf)
    move = np.zeros((n + 1, width), dtype=np.int8)
    deletions = skip * offsets
    every = np.arange(width)
    for i in range(n + 1):
        if i == 0:
            best = np.full(width, np.inf)
            best[0] = 0.0  # low[0] == 0
            choice = np.zeros(width, dtype=np.int64)
        else:
            candidates = total[previous[:, i, None], source_offset[:, i]] + step_costs[:, i]
            choice = candidates.argmin(axis=0)
            best = candidates[choice, every]
        best[spans[i] + 1 :] = np.inf
        # 0-1 runs within the row: total[i, c] = min over d < c of best[d] + skip * (c - d), if that is lower.
        # (d = c is left out: best[c] - skip * c + skip * c need not round back to best[c].)
        reach = np.minimum.accumulate(best - deletions)
        running = np.concatenate([[np.inf], reach[:-1]]) + deletions
        from_left = running < best
        from_left[spans[i] + 1 :] = False
        choice[spans[i] + 1 :] = 0
        choice = np.where(from_left, len(steps_a), choice)
        best = np.where(from_left, running, best)
        total[i, :width] = best
        move[i] = choice
    return total[: n + 1, :width], move
