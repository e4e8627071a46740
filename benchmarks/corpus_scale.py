"""Many events, many articles: event grouping quality and cost on synthetic multi-event corpora.

Each synthetic event is a window of `--window` consecutive FLORES dev lines (the same sentences in Polish, Russian,
Spanish and English, line by line) told by 2 to 6 outlets, each in one of those languages, each telling a random
subset of the window's sentences (at least half) in shuffled order; noise articles (`--noise`, a share of the
articles) are single-article events from FLORES devtest windows. FLORES dev holds 997 lines, so beyond some 120
events windows repeat: an event reusing a window is dated `--spacing` days after the previous one (articles of one
event spread over two days), as the same story told again weeks later; grouping tells them apart by date only.
With `--undated`, that share of articles has no date (and is compared with every other).

Every segment's English is the FLORES English line (reference English, no translation). `--mode english` groups on
the English with the alignment embedder (MiniLM); `--mode original` on the original text with `--embedder`
(`use:multilingual-v3` by default), names then compared within one language only.

Each size runs in its own process, so its peak memory is its own. Reported per size: embedding time (distinct texts
only, as the aligner embeds them), grouping time (article vectors, names and numbers, search, the sentences'
agreement of the candidate pairs, clustering), the
process's peak RSS and the peak memory grouping itself allocates (tracemalloc, in a second pass), and quality
against the true events: adjusted Rand index and pairwise precision/recall/F1 over pairs of articles in the same
event. Then the fitted exponent of time and memory in articles.

    python benchmarks/corpus_scale.py                           # 50 and 500 articles, English
    python benchmarks/corpus_scale.py --articles 50 500 5000 --mode original
    python benchmarks/corpus_scale.py --articles 50 --stages    # also time mt.pipeline's segment, align and publish

`--stages` writes the corpus as text files with an articles.yaml and references, then times the pipeline's
stages as library calls: segment, English from references, align (within events, through
alignments.events.align_by_event), publish; with the bytes each stage leaves.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LANGUAGES = {"pl": "pol", "ru": "rus", "es": "spa", "en": "eng"}
FIRST_DAY = date(2026, 1, 5)


@dataclass
class SyntheticArticle:
    name: str
    event: int
    lang: str
    published: str | None
    texts: list[str] = field(default_factory=list)
    english: list[str] = field(default_factory=list)


def read_flores(data: Path, split: str) -> dict[str, list[str]]:
    suffix = "dev" if split == "dev" else "devtest"
    return {lang: (data / "flores200" / split / f"{code}.{suffix}").read_text(encoding="utf-8").splitlines()
            for lang, code in LANGUAGES.items()}


def synthetic_corpus(data: Path, articles: int, *, window: int, noise: float, spacing: int, undated: float,
                     seed: int = 0) -> list[SyntheticArticle]:
    """About `articles` articles (exactly that many): events of 2-6 outlets over dev windows, noise over devtest."""
    rng = random.Random(seed * 1_000_003 + articles)
    dev, devtest = read_flores(data, "dev"), read_flores(data, "devtest")
    tiles = [range(start, start + window) for start in range(0, len(dev["en"]) - window + 1, window)]
    noise_tiles = [range(start, start + window) for start in range(0, len(devtest["en"]) - window + 1, window)]
    rng.shuffle(tiles), rng.shuffle(noise_tiles)
    made: list[SyntheticArticle] = []
    n_noise = round(articles * noise)
    event = 0

    def day_of(reuse: int) -> date:
        return FIRST_DAY + timedelta(days=reuse * spacing)

    def article(lines: range, source: dict[str, list[str]], event_id: int, reuse: int, least: int) -> SyntheticArticle:
        lang = rng.choice(list(LANGUAGES))
        chosen = rng.sample(list(lines), rng.randint(least, len(lines)))
        rng.shuffle(chosen)
        published = None if rng.random() < undated else (day_of(reuse) + timedelta(days=rng.randint(0, 1))).isoformat()
        return SyntheticArticle(f"a{len(made):06d}", event_id, lang, published, [source[lang][i] for i in chosen],
                                [source["en"][i] for i in chosen])

    while len(made) < articles - n_noise:
        outlets = min(rng.randint(2, 6), articles - n_noise - len(made))
        tile = tiles[event % len(tiles)]
        for _ in range(max(outlets, 1)):
            made.append(article(tile, dev, event, event // len(tiles), (window + 1) // 2))
        event += 1
    for k in range(n_noise):
        made.append(article(noise_tiles[k % len(noise_tiles)], devtest, event, k // len(noise_tiles), (window + 1) // 2))
        event += 1
    return made


def pairwise(truth: list[int], found: list[int]) -> dict[str, float]:
    """Precision, recall and F1 over pairs of articles put in one event, and the adjusted Rand index."""
    from sklearn.metrics import adjusted_rand_score

    def same_pairs(labels: list) -> int:
        sizes: dict = {}
        for label in labels:
            sizes[label] = sizes.get(label, 0) + 1
        return sum(n * (n - 1) // 2 for n in sizes.values())

    both = same_pairs(list(zip(truth, found)))
    predicted, gold = same_pairs(found), same_pairs(truth)
    precision = both / predicted if predicted else 1.0
    recall = both / gold if gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "ari": adjusted_rand_score(truth, found)}


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def worker(args: argparse.Namespace, articles: int, result: Path) -> None:
    from alignments import Embedder, EmbeddingCache
    from alignments.events import ArticleSignals, EventArticle, EventSettings, cluster, events_of
    from mt.config import load_config

    corpus = synthetic_corpus(args.data_dir, articles, window=args.window, noise=args.noise, spacing=args.spacing,
                              undated=args.undated)
    english = args.mode == "english"
    cache = EmbeddingCache(args.cache_dir) if args.cache_dir else None
    embedder = Embedder(load_config()["alignment"]["embedder"] if english else args.embedder, cache=cache)
    inputs = [EventArticle(a.name, tuple(a.english if english else a.texts), "en" if english else a.lang, a.published)
              for a in corpus]
    settings = EventSettings.from_config(load_config(), min_similarity=args.min_similarity)
    started = time.perf_counter()
    embedder.embed(list(dict.fromkeys(t for a in inputs for t in a.texts)))
    embedded = time.perf_counter()
    signals = ArticleSignals.of(inputs, embedder.embed, settings)
    read = time.perf_counter()
    groups = cluster(signals, settings)
    events = events_of(signals, groups)
    done = time.perf_counter()
    tracemalloc.start()  # a second, traced pass: the memory grouping itself allocates (numpy, scipy and Python)
    events_of(signals, cluster(ArticleSignals.of(inputs, embedder.embed, settings), settings))
    group_peak_mb = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    event_of = {name: k for k, event in enumerate(events) for name in event.articles}
    truth = {a.name: a.event for a in corpus}
    names = sorted(truth)
    quality = pairwise([truth[n] for n in names], [event_of[n] for n in names])
    figures = {"articles": len(corpus), "true_events": len(set(truth.values())), "events": len(events),
               "segments": sum(len(a.texts) for a in corpus), "embed_seconds": embedded - started,
               "signals_seconds": read - embedded, "cluster_seconds": done - read, "group_seconds": done - embedded,
               "peak_rss_mb": peak_rss_mb(), "group_peak_mb": group_peak_mb,
               "largest_event": max(len(e.articles) for e in events), **quality}
    if args.stages:
        figures["stages"] = run_stages(corpus, Path(tempfile.mkdtemp(prefix="corpus-scale-")), args)
    result.write_text(json.dumps(figures))


def write_inputs(corpus: list[SyntheticArticle], folder: Path) -> None:
    """The corpus as `mt build` reads it: one text file per article (a headline, then its sentences as paragraphs),
    an articles.yaml with language and date, and references.jsonl with the FLORES English of each sentence."""
    import yaml

    folder.mkdir(parents=True, exist_ok=True)
    sidecar = {}
    for a in corpus:
        (folder / f"{a.name}.txt").write_text("\n\n".join(a.texts) + "\n", encoding="utf-8")
        sidecar[a.name] = {"language": a.lang, **({"published": a.published} if a.published else {})}
    (folder / "articles.yaml").write_text(yaml.safe_dump(sidecar), encoding="utf-8")


def run_stages(corpus: list[SyntheticArticle], root: Path, args: argparse.Namespace) -> dict[str, float]:
    """Segment, English, align within events, publish: each stage's time, peak RSS and the bytes it leaves."""
    from functools import partial

    from alignments import AlignmentSettings, Embedder
    from alignments import align as align_segments
    from alignments.events import EventSettings, articles_for_events, group_events, align_by_event
    from mt.config import load_config
    from mt.publishing.corpus import Corpus, Provenance
    from mt.publishing.dataset import write_corpus
    from mt.segmentation import segment

    inputs = root / "articles"
    write_inputs(corpus, inputs)
    english = {(a.name, text): eng for a in corpus for text, eng in zip(a.texts, a.english)}
    figures: dict[str, float] = {}
    clock = time.perf_counter()
    result = segment([inputs], load_config())
    figures["segment_seconds"] = time.perf_counter() - clock
    for s in result.segments:  # reference English: a sentence's FLORES English where the segmenter kept it whole
        s.english = s.text if s.lang == "en" else english.get((s.article, s.text), s.text)
    settings = AlignmentSettings()
    embedder = Embedder(settings.embedder)
    infos = [a.info() for a in result.articles]
    clock = time.perf_counter()
    events = group_events(articles_for_events(result.segments, infos, settings), embedder.embed, EventSettings())
    figures["group_seconds"] = time.perf_counter() - clock
    clock = time.perf_counter()
    aligned = align_by_event(result.segments, events, partial(align_segments, settings=settings, embedder=embedder))
    figures["align_seconds"] = time.perf_counter() - clock
    for info in infos:
        info.event_id = next(e.event_id for e in events if info.name in e.articles)
    clock = time.perf_counter()
    provenance = Provenance(command="corpus_scale", toolkit_version="bench", alignment=settings.as_dict())
    write_corpus(root / "corpus", Corpus(infos, result.segments, aligned.pairs, aligned.facts, provenance, settings.kinds, events))
    figures["publish_seconds"] = time.perf_counter() - clock
    figures["corpus_bytes"] = sum(p.stat().st_size for p in (root / "corpus").rglob("*") if p.is_file())
    figures["report_bytes"] = (root / "corpus" / "report.html").stat().st_size
    figures["pairs"], figures["facts"] = len(aligned.pairs), len(aligned.facts)
    figures["peak_rss_mb"] = peak_rss_mb()
    return figures


def exponent(sizes: list[float], values: list[float]) -> float | None:
    """The slope of log(value) on log(size), least squares: value ~ size^slope."""
    points = [(math.log(s), math.log(v)) for s, v in zip(sizes, values) if s > 0 and v > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    return sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=SHARED)
    parser.add_argument("--articles", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--mode", choices=["english", "original"], default="english")
    parser.add_argument("--embedder", default="use:multilingual-v3", help="for --mode original")
    parser.add_argument("--window", type=int, default=8, help="consecutive FLORES lines per event")
    parser.add_argument("--noise", type=float, default=0.1, help="share of single-article events")
    parser.add_argument("--spacing", type=int, default=7, help="days between two events that reuse one window")
    parser.add_argument("--undated", type=float, default=0.0, help="share of articles without a date")
    parser.add_argument("--min-similarity", type=float, default=None, help="events.min_similarity (default: configured)")
    parser.add_argument("--cache-dir", type=Path, help="an embedding cache to reuse between runs (default: none)")
    parser.add_argument("--stages", action="store_true", help="also time mt.pipeline's stages on the corpus")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args, int(args.worker[0]), Path(args.worker[1]))
    rows = []
    passed = ["--data-dir", str(args.data_dir), "--mode", args.mode, "--embedder", args.embedder, "--window", str(args.window),
              "--noise", str(args.noise), "--spacing", str(args.spacing), "--undated", str(args.undated),
              *(["--min-similarity", str(args.min_similarity)] if args.min_similarity is not None else []),
              *(["--stages"] if args.stages else []), *(["--cache-dir", str(args.cache_dir)] if args.cache_dir else [])]
    for n in args.articles:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "result.json"
            subprocess.run([sys.executable, __file__, *passed, "--worker", str(n), str(out)], check=True,
                           env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"})
            rows.append(json.loads(out.read_text()))
            r = rows[-1]
            print(f"{r['articles']:>6} articles {r['true_events']:>5} true events {r['events']:>5} found  "
                  f"embed {r['embed_seconds']:7.1f} s  group {r['group_seconds']:7.2f} s  (signals {r['signals_seconds']:.2f}, "
                  f"cluster {r['cluster_seconds']:.2f})  RSS {r['peak_rss_mb']:6.0f} MB, grouping {r['group_peak_mb']:.1f} MB  "
                  f"P {r['precision']:.3f} R {r['recall']:.3f} F1 {r['f1']:.3f} ARI {r['ari']:.3f}  largest {r['largest_event']}",
                  flush=True)
            if "stages" in r:
                print("        stages: " + ", ".join(f"{k} {v:.4g}" for k, v in r["stages"].items()), flush=True)
    sizes = [r["articles"] for r in rows]
    for key in ("group_seconds", "signals_seconds", "cluster_seconds", "group_peak_mb"):
        slope = exponent(sizes, [r[key] for r in rows])
        if slope is not None:
            print(f"{key} ~ articles^{slope:.2f}")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
