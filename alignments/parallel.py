"""In-order alignment for documents that are translations of each other (`--mode parallel`).

Dynamic programming over 1-1, 1-2, 2-1, 1-0 and 0-1 links. A link costs one
minus the cosine of its two sides' embeddings (two sentences are embedded as
their concatenation) for each sentence it covers, so a merge must be clearly
better than a one-to-one link plus a deletion; leaving a sentence out costs a
fixed amount per sentence.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

Link = tuple[tuple[int, ...], tuple[int, ...]]
MOVES = ((1, 1), (1, 2), (2, 1), (1, 0), (0, 1))


def align_in_order(source: list[str], target: list[str], embed: Callable[[list[str]], np.ndarray],
                   skip_cost: float) -> tuple[list[Link], list[float]]:
    """The cheapest monotone path; returns the links and each link's cosine (0 for a deletion)."""
    n, m = len(source), len(target)
    single_s, single_t = _vectors(source, embed), _vectors(target, embed)
    double_s = _vectors([f"{a} {b}" for a, b in zip(source, source[1:])], embed)
    double_t = _vectors([f"{a} {b}" for a, b in zip(target, target[1:])], embed)

    def cosine(i: int, di: int, j: int, dj: int) -> float:
        left = single_s[i] if di == 1 else double_s[i]
        right = single_t[j] if dj == 1 else double_t[j]
        return float(left @ right)

    cost = np.full((n + 1, m + 1), np.inf)
    back = np.zeros((n + 1, m + 1, 2), dtype=np.int64)
    cost[0, 0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if i == j == 0:
                continue
            for di, dj in MOVES:
                pi, pj = i - di, j - dj
                if pi < 0 or pj < 0 or not np.isfinite(cost[pi, pj]):
                    continue
                step = skip_cost if 0 in (di, dj) else (1.0 - cosine(pi, di, pj, dj)) * (di + dj)
                if cost[pi, pj] + step < cost[i, j]:
                    cost[i, j] = cost[pi, pj] + step
                    back[i, j] = (di, dj)
    links: list[Link] = []
    scores: list[float] = []
    i, j = n, m
    while i or j:
        di, dj = back[i, j]
        link = (tuple(range(i - di, i)), tuple(range(j - dj, j)))
        links.append(link)
        scores.append(0.0 if 0 in (di, dj) else cosine(i - di, int(di), j - dj, int(dj)))
        i, j = i - di, j - dj
    return links[::-1], scores[::-1]


def _vectors(texts: list[str], embed: Callable[[list[str]], np.ndarray]) -> np.ndarray:
    return embed(texts) if texts else np.zeros((0, 1), dtype=np.float32)
