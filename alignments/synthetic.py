"""Synthetic parallel documents whose right alignment is unambiguous, for tests and the tuning benchmark.

Sentences are random words; `bag_of_words` embeds a text as its hashed word
counts, so a window's vector is exactly the sum of its sentences' and every
link type (1-3, 3-1, 2-2, 2-3, 3-2, deletions on either side, a swap of two
neighbours) is recoverable.
"""

from __future__ import annotations

import hashlib
import random

import numpy as np

SWAP = "swap"
"""A plan step: two neighbouring sentences in the other order on the target side; its gold is one 2-2 link."""
PLANS = [
    [(1, 1), (1, 3), (1, 1), (3, 1), (1, 1), (2, 2), (1, 1)],
    [(1, 1), (1, 0), (1, 1), (0, 1), (1, 1), (1, 2), (2, 1), (1, 1)],
    [(1, 4), (1, 1), (4, 1), (1, 1), (0, 1), (0, 1), (1, 1), (1, 0), (1, 1)],
    [(1, 1)] * 30 + [(1, 2)] + [(1, 1)] * 30,
    [(1, 1), (2, 3), (1, 1), SWAP, (1, 1), (3, 2), (1, 0), (1, 0), (1, 1), (2, 2), (0, 1), (1, 1)],
    [(1, 1)] * 10 + [(1, 3), (1, 1), (0, 1), (1, 1), (2, 2), (1, 1), (1, 0), (1, 1), (3, 1)] + [(1, 1)] * 10,
]
"""Link plans (m source x n target sentences, or SWAP) covering every type and deletions on both sides; the last two
are mostly 1-1, as real documents are."""


def bag_of_words(texts: list[str]) -> np.ndarray:
    """Hashed word counts, unit length: deterministic, and a concatenation embeds as the sum of its parts."""
    out = np.zeros((len(texts), 512), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in text.lower().split():
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 512] += 1
    return out / (np.linalg.norm(out, axis=1, keepdims=True) + 1e-9)


def document(plan: list, seed: int = 0) -> tuple[list[str], list[str], list]:
    """Source, target and gold links for a plan; 2-2, 2-3 and 3-2 split their content differently on the two sides."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(5000)]
    pool = iter([" ".join(rng.choice(vocabulary) for _ in range(12)) for _ in range(200)])
    source: list[str] = []
    target: list[str] = []
    gold = []
    for step in plan:
        s0, t0 = len(source), len(target)
        m, n = (2, 2) if step == SWAP else step
        if m == 0 or n == 0:
            (source if n == 0 else target).append(next(pool))
        else:
            parts = [next(pool) for _ in range({SWAP: 2, (2, 2): 3, (2, 3): 4, (3, 2): 4}.get(step, max(m, n)))]
            if step == SWAP:
                source += parts
                target += parts[::-1]
            elif m == n == 2:
                source += [f"{parts[0]} {parts[1]}", parts[2]]
                target += [parts[0], f"{parts[1]} {parts[2]}"]
            elif (m, n) == (2, 3):
                source += [f"{parts[0]} {parts[1]}", f"{parts[2]} {parts[3]}"]
                target += [parts[0], f"{parts[1]} {parts[2]}", parts[3]]
            elif (m, n) == (3, 2):
                source += [parts[0], f"{parts[1]} {parts[2]}", parts[3]]
                target += [f"{parts[0]} {parts[1]}", f"{parts[2]} {parts[3]}"]
            elif m == 1:
                source.append(" ".join(parts))
                target += parts
            else:
                source += parts
                target.append(" ".join(parts))
        gold.append((tuple(range(s0, len(source))), tuple(range(t0, len(target)))))
    return source, target, gold


def aligns_every_plan(align) -> bool:
    """Whether `align(source, target, embed)` returns the gold links of every plan."""
    return all(align(source, target, bag_of_words) == gold for source, target, gold in map(document, PLANS))
