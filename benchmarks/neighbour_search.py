"""Exact against approximate nearest neighbours for comparable alignment's candidate search (issue 25).

The aligner's candidate search (`alignments.comparable.nearest_in_other_articles`) is exact: a block of rows times
every vector, `keep` best per row from other articles. This benchmark asks whether an approximate index pays, and
from what size, by timing it against FAISS (`faiss-cpu`, MIT; a benchmark-only dependency here) on the same vectors:

- `faiss-flat`: exact inner product (IndexFlatIP), FAISS's BLAS kernels instead of numpy's;
- `faiss-hnsw`: a graph index (IndexHNSWFlat, M 32, efSearch 128), built and searched;
- `faiss-ivf`: inverted lists (IndexIVFFlat, about sqrt(n) lists, nprobe 16), trained, built and searched.

FAISS knows nothing of articles, so it is asked for `keep` plus the longest article's segment count and the
same-article hits are dropped, which keeps its answer exactly comparable. Recall is the share of the exact search's
`keep` neighbours that the index returns.

The vectors are synthetic and shaped like a large event's sentences: unit vectors around `facts` centres (each
outlet's sentence of a fact is the centre plus noise, so the right partners are close and the rest are not), in 384
dimensions (MiniLM) or 512 (USE v3), 20 segments an article. All runs use one thread, in one process; each size is
timed twice and the faster kept.

With `--flores DIR` (../shared/data/flores200), the vectors are real instead: every FLORES dev and devtest line in
Polish, Russian, Spanish and English (about 8,000), embedded with USE v3 (`use:multilingual-v3`, the multilingual
view's default) and cut into articles of 20 consecutive lines of one language, so a sentence's true partners are
its translations in the other languages' articles. Sizes are then capped at the number of lines.

    python benchmarks/neighbour_search.py                          # 2k to 32k segments, 384 dimensions
    python benchmarks/neighbour_search.py --sizes 2000 64000 --dim 512
    python benchmarks/neighbour_search.py --flores ../shared/data/flores200 --sizes 2000 4000 8000
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def synthetic(n: int, dim: int, per_article: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around n/5 fact centres (each fact told by about 5 outlets), and each vector's article."""
    rng = np.random.default_rng(seed)
    facts = max(1, n // 5)
    centres = rng.standard_normal((facts, dim)).astype(np.float32)
    which = rng.integers(0, facts, n)
    vectors = centres[which] + 0.9 * rng.standard_normal((n, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    articles = np.arange(n) // per_article
    return vectors, articles


def flores(folder: Path, per_article: int) -> tuple[np.ndarray, np.ndarray]:
    """USE v3 vectors of FLORES dev and devtest in four languages, in random order of articles of one language."""
    from alignments.embeddings import Embedder

    lines = [line for language in ("pol", "rus", "spa", "eng") for split in ("dev", "devtest")
             for line in (folder / split / f"{language}.{split}").read_text(encoding="utf-8").splitlines()]
    vectors = Embedder("use:multilingual-v3").embed(lines).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = np.arange(len(lines)) // per_article
    order = np.random.default_rng(0).permutation(chunks.max() + 1)
    rows = np.concatenate([np.flatnonzero(chunks == chunk) for chunk in order])
    return vectors[rows], chunks[rows]


def exact(vectors: np.ndarray, articles: np.ndarray, keep: int) -> np.ndarray:
    """The product's own search."""
    from alignments.comparable import nearest_in_other_articles

    return nearest_in_other_articles(vectors, articles, keep, block_size=256).index


def with_faiss(index, vectors: np.ndarray, articles: np.ndarray, keep: int, per_article: int) -> np.ndarray:
    """Ask for keep + one article's worth, drop same-article hits, keep the first `keep`."""
    _, found = index.search(vectors, keep + per_article)
    result = np.full((len(vectors), keep), -1, dtype=np.int64)
    for row, hits in enumerate(found):
        hits = hits[(hits >= 0) & (articles[np.maximum(hits, 0)] != articles[row])][:keep]
        result[row, :len(hits)] = hits
    return result


def build(kind: str, vectors: np.ndarray):
    """One FAISS index of `kind`, trained where it needs training, holding every vector."""
    import faiss

    n, dim = vectors.shape
    if kind == "faiss-flat":
        index = faiss.IndexFlatIP(dim)
    elif kind == "faiss-hnsw":
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 128
    else:
        lists = max(8, int(np.sqrt(n)))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, lists, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
        index.nprobe = 16
    index.add(vectors)
    return index


def recall(found: np.ndarray, truth: np.ndarray) -> float:
    """Share of the exact neighbours the approximate search returned."""
    hits = sum(len(set(a[a >= 0]) & set(b)) for a, b in zip(found, truth))
    return hits / truth.size


def timed(function, *args) -> tuple[float, object]:
    """The faster of two runs, and its result."""
    best, result = float("inf"), None
    for _ in range(2):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 8000, 32000])
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--keep", type=int, default=8, help="neighbours a segment keeps (alignment.candidates)")
    parser.add_argument("--per-article", type=int, default=20)
    parser.add_argument("--flores", type=Path, help="real vectors: FLORES-200 folder (dev/ and devtest/)")
    args = parser.parse_args()
    import faiss

    faiss.omp_set_num_threads(1)
    kinds = ["faiss-flat", "faiss-hnsw", "faiss-ivf"]
    rows = []
    real = flores(args.flores, args.per_article) if args.flores else None
    for n in args.sizes:
        if real is not None:
            vectors, articles = real[0][:n], real[1][:n]
        else:
            vectors, articles = synthetic(n, args.dim, args.per_article)
        n = len(vectors)
        seconds, truth = timed(exact, vectors, articles, args.keep)
        row = {"n": n, "exact": (seconds, 1.0)}
        for kind in kinds:
            seconds, found = timed(lambda: with_faiss(build(kind, vectors), vectors, articles, args.keep,
                                                      args.per_article))
            row[kind] = (seconds, recall(found, truth))
        rows.append(row)
        print(f"{n} segments: " + ", ".join(f"{k} {v[0]:.2f} s recall {v[1]:.3f}" for k, v in row.items() if k != "n"),
              flush=True)
    what = "FLORES, USE v3" if real is not None else f"synthetic, {args.dim} dimensions"
    print(f"\n{what}, keep {args.keep}, {args.per_article} segments an article, one thread; "
          "seconds (index build + search) and recall of the exact neighbours:\n")
    print("| search | " + " | ".join(f"{r['n']:,}" for r in rows) + " | exponent |")
    print("|---|" + "---|" * (len(rows) + 1))
    for kind in ["exact", *kinds]:
        cells = [f"{r[kind][0]:.2f} s" + ("" if kind == "exact" else f" ({r[kind][1]:.3f})") for r in rows]
        slope = np.log(rows[-1][kind][0] / rows[0][kind][0]) / np.log(rows[-1]["n"] / rows[0]["n"])
        print(f"| {kind} | " + " | ".join(cells) + f" | {slope:.2f} |")


if __name__ == "__main__":
    main()
