"""In-order alignment for documents that are translations of each other (`--mode parallel`).

After Thompson and Koehn (2019, vecalign) and Liu and Zhu (2022, bertalign):

1. **Overlap windows, embedded once.** Every run of 1 to `max_align - 1` consecutive
   sentences on each side is embedded as one text, so an m-n link compares the
   concatenation of its m source sentences with that of its n target sentences.
2. **A margin-corrected cosine.** A window's cosine with the other side is lowered
   by the mean of its next `neighbours` best cosines with the other document's
   sentences, after its best (both sides averaged): a window close to everything
   (a "hub") gains nothing from it.
3. **A length penalty** on the character counts of the two sides.
   A link of m x n sentences costs m * n * (1 - margin-corrected cosine) (vecalign's
   weighting: merging is never free), plus (m + n) * length_weight * |log(chars / chars)|,
   plus member_weight for each sentence of the link whose cosine with the other side
   falls below member_floor (by how much): a stray sentence must not ride along in a
   merge, and two unrelated sentences are deleted rather than linked.
4. **Two passes.** The first finds 1-1 anchors: a monotone path through each source
   sentence's `top_k` most similar target sentences, with deletions. The second
   allows every m-n link with m + n <= `max_align` and deletions, inside a band of
   `band` target sentences around the anchor path, so the cost grows about
   linearly with the document.
5. **Deletions** cost a constant per sentence, chosen on a development set
   (benchmarks/parallel_alignment.py), not on the test sets.

The dynamic programme runs one source row at a time, vectorised over the target
axis with numpy; a run of target-side deletions within a row is a running
minimum (`np.minimum.accumulate`), so nothing is looped per cell in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

Link = tuple[tuple[int, ...], tuple[int, ...]]


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
    """k of the margin: the mean of a window's k best cosines with the other document."""
    skip_cost: float
    """Cost of leaving one sentence unaligned (a 1-0 or 0-1 link)."""
    length_weight: float
    """Weight of the length penalty, |log(characters of one side / the other)| per sentence linked."""
    member_weight: float
    """Weight of the cost of a link's stray sentences (see `member_floor`)."""
    member_floor: float
    """Each sentence of a link should reach this cosine with the other side's window."""


def link_types(max_align: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(1, max_align) for b in range(1, max_align) if a + b <= max_align]


def windows(sentences: list[str], size: int) -> list[str]:
    return [" ".join(sentences[i : i + size]) for i in range(len(sentences) - size + 1)]


def align_in_order(source: list[str], target: list[str], embed: Callable[[list[str]], np.ndarray],
                   settings: ParallelSettings) -> tuple[list[Link], list[float]]:
    """The cheapest monotone alignment; returns the links and each link's cosine (0 for a deletion)."""
    n, m = len(source), len(target)
    if not n or not m:
        return [((i,), ()) for i in range(n)] + [((), (j,)) for j in range(m)], [0.0] * (n + m)
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
    types = [(a, b) for a, b in link_types(settings.max_align) if a <= n and b <= m]
    source_chars = np.concatenate([[0], np.cumsum([len(s) for s in source])])
    target_chars = np.concatenate([[0], np.cumsum([len(t) for t in target])])
    k = settings.neighbours
    hub_source = {a: _top_mean(source_windows[a] @ target_windows[1].T, k) for a in {a for a, _ in types}}
    hub_target = {b: _top_mean(target_windows[b] @ source_windows[1].T, k) for b in {b for _, b in types}}

    def cosine(a: int, b: int) -> np.ndarray:
        """cos[i, j]: source window of a sentences ending before i, target window of b ending before j."""
        full = np.full((n + 1, m + 1), np.nan, dtype=np.float64)
        full[a:, b:] = source_windows[a] @ target_windows[b].T
        return full

    def cost(a: int, b: int, raw: np.ndarray) -> np.ndarray:
        margin = np.full_like(raw, np.nan)
        margin[a:, b:] = raw[a:, b:] - (hub_source[a][:, None] + hub_target[b][None, :]) / 2
        chars_s = (source_chars[a:] - source_chars[:-a])[:, None] + 1.0
        chars_t = (target_chars[b:] - target_chars[:-b])[None, :] + 1.0
        penalty = np.full_like(raw, np.nan)
        penalty[a:, b:] = np.abs(np.log(chars_s / chars_t))
        return a * b * (1.0 - margin) + (a + b) * settings.length_weight * penalty + settings.member_weight * stray(a, b)

    def stray(a: int, b: int) -> np.ndarray:
        """How far each sentence of a link falls below `member_floor` in cosine with the other side's window: a
        sentence that belongs to neither side ("The weather was cold." beside a 1-1 pair) must not ride along in a
        merge, and two unrelated sentences must not be linked where deleting both is right."""
        out = np.zeros((n + 1, m + 1))
        sims = source_windows[1] @ target_windows[b].T  # [source sentence, target window start]
        for r in range(a):
            out[a:, b:] += np.maximum(0.0, settings.member_floor - sims[r : n - a + 1 + r])
        sims = source_windows[a] @ target_windows[1].T  # [source window start, target sentence]
        for r in range(b):
            out[a:, b:] += np.maximum(0.0, settings.member_floor - sims[:, r : m - b + 1 + r])
        return out

    # Pass 1: 1-1 anchors among each source sentence's top_k target sentences.
    single = cosine(1, 1)
    anchor_cost = cost(1, 1, single)
    keep = np.zeros_like(anchor_cost, dtype=bool)
    top = np.argsort(-single[1:, 1:], axis=1)[:, : min(settings.top_k, m)]
    keep[np.arange(1, n + 1)[:, None], top + 1] = True
    anchor_cost[~keep] = np.inf
    anchors = _dp(n, m, {(1, 1): anchor_cost}, settings.skip_cost, None)
    # Pass 2: every link type, inside the band around the anchors.
    band = _band(anchors, n, m, settings.band)
    raws = {t: cosine(*t) for t in types}
    costs = {t: cost(*t, raws[t]) for t in types}
    links = _dp(n, m, costs, settings.skip_cost, band)
    scores = [float(raws[(len(s), len(t))][s[-1] + 1, t[-1] + 1]) if s and t else 0.0 for s, t in links]
    return links, scores


def _top_mean(sims: np.ndarray, k: int) -> np.ndarray:
    """Mean of each row's 2nd to (k+1)th best: how close a window is to the rest of the other document, leaving out
    its own best match (with the best included, a short document's true pair would cancel itself out)."""
    k = min(k, sims.shape[1] - 1)
    if k < 1:
        return np.zeros(sims.shape[0])
    return -np.sort(-sims, axis=1)[:, 1 : k + 1].mean(axis=1)


def _band(links: list[Link], n: int, m: int, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Per source row i (0..n), the target columns [low, high] the second pass may end a link at."""
    rows, cols = [0], [0]
    for source, target in links:
        if source and target:
            rows.append(source[-1] + 1)
            cols.append(target[-1] + 1)
    rows.append(n)
    cols.append(m)
    centre = np.interp(np.arange(n + 1), rows, cols)
    low = np.clip(np.floor(centre) - width, 0, m).astype(int)
    high = np.clip(np.ceil(centre) + width, 0, m).astype(int)
    low[1:] = np.minimum(low[1:], high[:-1])  # consecutive rows overlap: deletions always connect the band
    return low, high


def _dp(n: int, m: int, costs: dict[tuple[int, int], np.ndarray], skip: float,
        band: tuple[np.ndarray, np.ndarray] | None) -> list[Link]:
    """Cheapest monotone path from (0, 0) to (n, m) over `costs[(a, b)][i, j]` links and deletions."""
    total = np.full((n + 1, m + 1), np.inf)
    move = np.full((n + 1, m + 1), -1, dtype=np.int64)  # index into types; len(types): 1-0; len(types) + 1: 0-1
    types = list(costs)
    columns = np.arange(m + 1)
    outside = np.zeros((n + 1, m + 1), dtype=bool)
    if band is not None:
        low, high = band
        outside = (columns[None, :] < low[:, None]) | (columns[None, :] > high[:, None])
    for i in range(n + 1):
        best = np.full(m + 1, np.inf)
        choice = np.full(m + 1, -1, dtype=np.int64)
        if i == 0:
            best[0] = 0.0
        else:
            best[:] = total[i - 1] + skip  # 1-0: source sentence i-1 left out
            choice[:] = len(types)
            for t, (a, b) in enumerate(types):
                if a > i:
                    continue
                candidate = np.full(m + 1, np.inf)
                candidate[b:] = total[i - a, : m + 1 - b] + costs[(a, b)][i, b:]
                better = candidate < best
                best[better] = candidate[better]
                choice[better] = t
        best[outside[i]] = np.inf
        # 0-1 runs within the row: total[i, j] = min over k < j of best[k] + skip * (j - k), if that is lower.
        # (k = j is left out: best[j] - skip * j + skip * j need not round back to best[j].)
        reach = np.minimum.accumulate(best - skip * columns)
        running = np.concatenate([[np.inf], reach[:-1]]) + skip * columns
        from_left = running < best
        choice[from_left] = len(types) + 1
        best = np.where(from_left, running, best)
        best[outside[i]] = np.inf
        total[i], move[i] = best, choice
    if not np.isfinite(total[n, m]):
        raise ValueError("no monotone alignment inside the band")  # cannot happen: deletions always connect
    links: list[Link] = []
    i, j = n, m
    while i or j:
        t = move[i, j]
        if t == len(types):
            links.append(((i - 1,), ()))
            i -= 1
        elif t == len(types) + 1:
            links.append(((), (j - 1,)))
            j -= 1
        else:
            a, b = types[t]
            links.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
            i, j = i - a, j - b
    return links[::-1]
