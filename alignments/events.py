"""Events: articles that report the same story, across outlets and languages, grouped before sentence alignment.

Sentences are then aligned only within an event (`align_by_event`), so a fact never spans two events and the
aligner's cost is bounded by the events' sizes, not by the corpus. `mt align` and `mt build` group in comparable
mode (mt.pipeline.align).

Two articles' similarity (0-1) is

    (embedding_weight x cos(article vectors) + sentence_weight x sentences' agreement
     + names_weight x cos(names and numbers)) / (the weights present)

- the article vector is the normalised mean of its sentence vectors, from the embedder the caller gives (the
  English MiniLM over English, or a multilingual one such as `use:multilingual-v3` over the original text);
- the sentences' agreement is, for each sentence of one article, its best cosine with a sentence of the other; the
  mean of the `sentence_top_k` best of those, each way, averaged. Paraphrased reports of one story (a long report
  and a two-sentence wire, a feature with background) share a few close sentences while their mean vectors drift
  apart; a report on another story that mentions this one in a single line shares only that line, which the
  top-k mean dilutes;
- names (capitalised words folded to ASCII, as alignments/evidence.py reads them) and numbers ("2,600" = "2 600")
  are weighted by an inverse document frequency over articles with `idf_prior_documents` added to the count, so a
  name shared by every article of a five-article corpus still counts; they are compared only between articles
  whose compared text is in the same language (the English of every article, unless alignment compares the
  originals; between originals in two languages the vectors and sentences alone decide);
- two articles whose publication dates are both known and more than `window_days` apart have similarity 0, and so
  do two whose article vectors' cosine is below `candidate_cosine`: sentences and names are compared only for the
  pairs above it, so the search stays near linear in articles.

Articles are clustered with average linkage (scipy's, as scikit-learn's AgglomerativeClustering runs it) at the
absolute distance 1 - `min_similarity`, so the threshold means the same on 5 articles and on 5,000. No N x N matrix is built: a
block-wise search (`search_block` rows at a time, only over the dates the window allows) finds every pair at or above
`min_similarity`; average-linkage clusters at that threshold always lie inside the connected components of those
pairs, so clustering each component on its own dense matrix gives exactly the global result. A component larger
than `max_dense` articles is clustered with scikit-learn's AgglomerativeClustering over its nearest-neighbour links
only (sparse, an approximation).

    >>> events = group_events(articles_for_events(segments, infos, AlignmentSettings()), embedder.embed)
    >>> result = align_by_event(segments, events, lambda part: align(part, settings, embedder))
"""

from __future__ import annotations

import dataclasses
import email.utils
import math
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components

from alignments.comparable import skipped_for_flags, text_of
from alignments.evidence import names
from alignments.settings import AlignmentSettings
from mt.config import configured, load_config
from mt.records import ArticleInfo, Event, Segment, event_id_for

MapParts = Callable[[Callable[[list[Segment]], Any], Sequence[list[Segment]]], list[Any]]
"""How `align_by_event` runs its independent per-event calls: (align, parts) -> one result per part, in order."""


@dataclass(frozen=True)
class EventSettings:
    """How articles are grouped into events. `EventSettings()` is the packaged defaults (the `events` section of
    configs/defaults.yaml, where each key is explained)."""

    embedding_weight: float = configured("events", "embedding_weight")
    sentence_weight: float = configured("events", "sentence_weight")
    names_weight: float = configured("events", "names_weight")
    sentence_top_k: int = configured("events", "sentence_top_k")
    """How many of each article's best-matched sentences the sentences' agreement averages."""
    candidate_cosine: float = configured("events", "candidate_cosine")
    """Article-vector cosine below which two articles are never linked directly (their similarity is 0)."""
    min_similarity: float = configured("events", "min_similarity")
    """Average-linkage stop: two groups join while the mean similarity of their articles reaches this."""
    window_days: int = configured("events", "window_days")
    idf_prior_documents: int = configured("events", "idf_prior_documents")
    search_block: int = configured("events", "search_block")
    max_dense: int = configured("events", "max_dense")
    sparse_neighbours: int = configured("events", "sparse_neighbours")

    def __post_init__(self) -> None:
        weights = (self.embedding_weight, self.sentence_weight, self.names_weight)
        if min(weights) < 0 or sum(weights) <= 0:
            raise ValueError("events: embedding_weight, sentence_weight and names_weight must be at least 0, and not all 0")
        for name in ("min_similarity", "candidate_cosine"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"events: {name} must be between 0 and 1, not {getattr(self, name)}")
        if self.sentence_top_k < 1:
            raise ValueError(f"events: sentence_top_k must be at least 1, not {self.sentence_top_k}")
        for name in ("window_days", "idf_prior_documents"):
            if getattr(self, name) < 0:
                raise ValueError(f"events: {name} must be at least 0, not {getattr(self, name)}")
        for name in ("search_block", "max_dense", "sparse_neighbours"):
            if getattr(self, name) < 2:
                raise ValueError(f"events: {name} must be at least 2, not {getattr(self, name)}")

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None = None, **overrides: Any) -> "EventSettings":
        section = dict((config or load_config()).get("events", {}))
        values = {name: value for name, value in section.items() if name in cls.__dataclass_fields__}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


@dataclass(frozen=True)
class EventArticle:
    """What grouping reads of one article: the texts alignment compares (in reading order), the language of those
    texts (names are compared only within one language), and its publication date as the source gives it."""

    name: str
    texts: tuple[str, ...]
    lang: str = "en"
    published: str | None = None


def articles_for_events(segments: Sequence[Segment], infos: Sequence[ArticleInfo] = (),
                        settings: AlignmentSettings | None = None) -> list[EventArticle]:
    """One EventArticle per article of `segments` (and of `infos`, also with no segment): the texts of the kinds
    alignment takes, in the first view alignment compares (the English unless `on: original`), less the sentences
    left out for flagged translations. English texts are in one language whatever the original's, so their names
    are compared across languages."""
    settings = settings or AlignmentSettings()
    left_out = {i for ids in skipped_for_flags(segments, settings).values() for i in ids}
    texts: dict[str, list[str]] = defaultdict(list)
    langs: dict[str, list[str]] = defaultdict(list)
    for segment in segments:
        texts.setdefault(segment.article, [])
        if segment.kind in settings.kinds and segment.id not in left_out and text_of(segment, settings):
            texts[segment.article].append(text_of(segment, settings))
            langs[segment.article].append(segment.lang)
    info = {a.name: a for a in infos}
    found = []
    for name in sorted(set(texts) | set(info)):
        lang = "en" if settings.views[0] == "english" else _most_common(langs.get(name)) or (info[name].lang if name in info else "und")
        published = info[name].published if name in info else None
        found.append(EventArticle(name, tuple(texts.get(name, ())), lang, published))
    return found


def _most_common(values: Sequence[str] | None) -> str | None:
    if not values:
        return None
    counts: dict[str, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(sorted(counts), key=lambda value: counts[value])


ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
DAY_FIRST = re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})")


def publication_day(published: str | None) -> int | None:
    """The day (a proleptic Gregorian ordinal) of a publication date as sources give it: ISO (`2022-01-06T10:47`),
    `2022/01/06`, `06.01.2022`, or an e-mail/RSS date (`Thu, 06 Jan 2022 10:47:00 +0000`); None when it is none of
    these ("unknown", "yesterday"), and the article is then compared with every other."""
    if not published or not published.strip():
        return None
    text = published.strip()
    for pattern, order in ((ISO_DATE, (0, 1, 2)), (DAY_FIRST, (2, 1, 0))):
        match = pattern.search(text)
        if match:
            parts = [int(match.group(k + 1)) for k in order]
            try:
                return date(*parts).toordinal()
            except ValueError:
                return None
    try:
        return email.utils.parsedate_to_datetime(text).date().toordinal()
    except (TypeError, ValueError, IndexError):
        return None


NUMBER = re.compile(r"\d+(?:[ \u00a0\u202f,.]\d{3}(?!\d))*(?:[.,]\d+)?")
THOUSANDS = re.compile(r"[ \u00a0\u202f,.](?=\d{3}(?!\d))")


def numbers(text: str) -> set[str]:
    """Numbers of two or more digits as features (`#2600` for "2,600", "2 600" and "2.600"), read with one regular
    expression: grouping needs what is shared, not what is counted (alignments/numbers.py reads that)."""
    found = set()
    for match in NUMBER.finditer(text):
        token = match.group(0)
        if sum(ch.isdigit() for ch in token) < 2:
            continue
        try:
            value = float(THOUSANDS.sub("", token).replace(",", "."))
        except ValueError:
            continue
        found.add(f"#{value:g}")
    return found


def features(article: EventArticle) -> set[str]:
    """The names and numbers an article mentions (each once), tagged with the language of its text."""
    found: set[str] = set()
    for text in article.texts:
        found |= text_features(text)
    return {f"{article.lang}:{feature}" for feature in found}


@lru_cache(maxsize=1 << 17)
def text_features(text: str) -> frozenset[str]:
    """One text's names and numbers, read once per process: a regrouping after `mt build --into` or in `mt watch`
    reads the same old sentences again, and syndicated copies repeat them."""
    return frozenset(names(text) | numbers(text))


@dataclass
class ArticleSignals:
    """What grouping compares, one row per article in `names` order: unit article vectors (a zero row for an article
    with nothing to embed), L2-normalised IDF-weighted feature rows, the language of each article's text (an index),
    its publication day (-1: unknown), and its sentence vectors: rows offsets[k]:offsets[k + 1] of `sentences`."""

    names: list[str]
    vectors: np.ndarray
    features: sparse.csr_matrix
    langs: np.ndarray
    days: np.ndarray
    sentences: np.ndarray
    offsets: np.ndarray

    @classmethod
    def of(cls, articles: Sequence[EventArticle], embed: Callable[[Sequence[str]], np.ndarray],
           settings: EventSettings, chunk: int = 256) -> "ArticleSignals":
        """`embed`: texts -> unit vectors (an Embedder's `embed`); called on `chunk` articles at a time. The sentence
        vectors are kept (the sentences' agreement reads them): as many as the aligner holds for the same articles."""
        articles = sorted(articles, key=lambda a: a.name)
        rows, parts = [], []
        for start in range(0, len(articles), chunk):
            part = articles[start:start + chunk]
            texts = [text for a in part for text in a.texts]
            vectors = np.asarray(embed(texts), dtype=np.float32) if texts else np.zeros((0, 0), np.float32)
            parts.append(vectors)
            at = 0
            for article in part:
                own = vectors[at:at + len(article.texts)]
                at += len(article.texts)
                rows.append(own.mean(axis=0) if len(own) else None)
        dim = next((len(row) for row in rows if row is not None), 1)
        matrix = np.stack([row if row is not None else np.zeros(dim, np.float32) for row in rows]) if rows else np.zeros((0, dim), np.float32)
        matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        sentences = np.concatenate([p for p in parts if len(p)]) if any(len(p) for p in parts) else np.zeros((0, dim), np.float32)
        offsets = np.concatenate([[0], np.cumsum([len(a.texts) for a in articles])]).astype(np.int64)
        return cls([a.name for a in articles], matrix.astype(np.float32), feature_matrix([features(a) for a in articles], settings),
                   _codes([a.lang for a in articles]), np.array([publication_day(a.published) or -1 for a in articles], np.int64),
                   sentences.astype(np.float32), offsets)


def _codes(values: Sequence[str]) -> np.ndarray:
    index: dict[str, int] = {}
    return np.array([index.setdefault(value, len(index)) for value in values], dtype=np.int64)


def feature_matrix(found: Sequence[Iterable[str]], settings: EventSettings) -> sparse.csr_matrix:
    """Rows of IDF weights log((n + prior) / (df + 1)), each row scaled to unit length (a row of zeros: no feature)."""
    vocabulary: dict[str, int] = {}
    indptr, indices = [0], []
    for row in found:
        indices += sorted({vocabulary.setdefault(feature, len(vocabulary)) for feature in row})
        indptr.append(len(indices))
    columns = np.array(indices, dtype=np.int64)
    df = np.bincount(columns, minlength=len(vocabulary)).astype(np.float64)
    weight = np.log((len(found) + settings.idf_prior_documents) / (df + 1.0))
    matrix = sparse.csr_matrix((weight[columns], columns, np.array(indptr)), shape=(len(found), len(vocabulary)))
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.diags(1.0 / np.maximum(norms, 1e-12)) @ matrix


SIMILARITY_CHUNK = 1 << 15
"""Article pairs compared at once."""


def similarity(signals: ArticleSignals, rows: np.ndarray, cols: np.ndarray, settings: EventSettings,
               cosine: np.ndarray | None = None) -> np.ndarray:
    """The similarity (0-1) of the article pairs (rows[k], cols[k]); `cosine`: their vector cosines, when known.
    Taken SIMILARITY_CHUNK pairs at a time: gathering the names of millions of pairs at once would take gigabytes.
    Sentences and names are read only for the pairs at or above candidate_cosine (the others are 0)."""
    if len(rows) > SIMILARITY_CHUNK:
        return np.concatenate([similarity(signals, rows[at:at + SIMILARITY_CHUNK], cols[at:at + SIMILARITY_CHUNK], settings,
                                          None if cosine is None else cosine[at:at + SIMILARITY_CHUNK])
                               for at in range(0, len(rows), SIMILARITY_CHUNK)])
    if cosine is None:
        cosine = np.einsum("ij,ij->i", signals.vectors[rows], signals.vectors[cols])
    days_a, days_b = signals.days[rows], signals.days[cols]
    apart = (days_a >= 0) & (days_b >= 0) & (np.abs(days_a - days_b) > settings.window_days)
    combined = np.zeros(len(rows))
    near = np.flatnonzero((cosine >= settings.candidate_cosine - 1e-6) & ~apart)
    if len(near):
        combined[near] = _combined(signals, rows[near], cols[near], np.clip(cosine[near], 0.0, 1.0), settings)
    return combined


def _combined(signals: ArticleSignals, rows: np.ndarray, cols: np.ndarray, cosine: np.ndarray,
              settings: EventSettings) -> np.ndarray:
    """The weighted mean of the vector cosine, the sentences' agreement and the names' cosine, over those present."""
    f = signals.features
    shared = np.asarray(f[rows].multiply(f[cols]).sum(axis=1)).ravel()
    has_names = (np.diff(f.indptr)[rows] > 0) & (np.diff(f.indptr)[cols] > 0) & (signals.langs[rows] == signals.langs[cols])
    counts = np.diff(signals.offsets)
    has_sentences = (counts[rows] > 0) & (counts[cols] > 0)
    agreement = np.zeros(len(rows))
    if settings.sentence_weight > 0 and has_sentences.any():
        agreement[has_sentences] = sentence_agreement(signals, rows[has_sentences], cols[has_sentences], settings.sentence_top_k)
    we, ws, wn = settings.embedding_weight, settings.sentence_weight, settings.names_weight
    weight = we + ws * has_sentences + wn * has_names
    total = we * cosine + ws * agreement + wn * np.where(has_names, shared, 0.0)
    return np.where(weight > 0, total / np.maximum(weight, 1e-12), 0.0)


def sentence_agreement(signals: ArticleSignals, rows: np.ndarray, cols: np.ndarray, top_k: int) -> np.ndarray:
    """For each pair (rows[k], cols[k]) of articles with sentences: each sentence's best cosine with the other
    article's sentences, the mean of the `top_k` best each way (all of them when fewer), the two ways averaged.

    One matrix product per distinct row article against the sentences of all its partners at once, so the cost is
    the sentences of the compared pairs, with no per-pair Python loop."""
    result = np.zeros(len(rows))
    order = np.argsort(rows, kind="stable")
    starts = np.flatnonzero(np.r_[True, rows[order][1:] != rows[order][:-1]])
    for first, last in zip(starts, np.r_[starts[1:], len(order)]):
        at = order[first:last]
        a = int(rows[at[0]])
        mine = signals.sentences[signals.offsets[a]:signals.offsets[a + 1]]
        partners = cols[at]
        lengths = signals.offsets[partners + 1] - signals.offsets[partners]
        bounds = np.r_[0, np.cumsum(lengths)]
        theirs = np.repeat(signals.offsets[partners] - bounds[:-1], lengths) + np.arange(bounds[-1])
        cosine = mine @ signals.sentences[theirs].T
        best_of_mine = np.maximum.reduceat(cosine, bounds[:-1], axis=1)
        keep = min(top_k, len(mine))
        mine_way = -np.partition(-best_of_mine, keep - 1, axis=0)[:keep].mean(axis=0)
        result[at] = (mine_way + _segment_top_mean(cosine.max(axis=0), np.repeat(np.arange(len(at)), lengths), len(at), top_k)) / 2
    return result


def _segment_top_mean(values: np.ndarray, segment: np.ndarray, segments: int, top_k: int) -> np.ndarray:
    """The mean of the `top_k` largest values of each segment (values grouped by `segment`, in increasing order)."""
    order = np.lexsort((-values, segment))
    ranked = segment[order]
    starts = np.searchsorted(ranked, np.arange(segments))
    kept = (np.arange(len(order)) - starts[ranked]) < top_k
    sums = np.bincount(ranked[kept], weights=values[order][kept], minlength=segments)
    return sums / np.maximum(np.bincount(ranked[kept], minlength=segments), 1)


def _lowest_cosine(settings: EventSettings) -> float:
    """The lowest vector cosine a pair may have and still reach min_similarity: candidate_cosine, or higher when
    even a perfect sentences' agreement and names' cosine (both at most 1) could not lift a lower one."""
    we, ws, wn = settings.embedding_weight, settings.sentence_weight, settings.names_weight
    if we == 0:
        return settings.candidate_cosine - 1e-6
    t = settings.min_similarity
    needed = min(t, (t * (we + ws + wn) - ws - wn) / we, (t * (we + ws) - ws) / we, (t * (we + wn) - wn) / we)
    return max(settings.candidate_cosine, needed) - 1e-6


def similar_pairs(signals: ArticleSignals, settings: EventSettings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (i < j) whose similarity reaches min_similarity, with it.

    Rows are taken `search_block` at a time in date order, each against the articles the window allows (all of
    them for an undated one): memory is search_block x (articles in the window), and time grows with the articles
    times those in their window, linearly at a steady number of articles a day. Only pairs whose vector cosine
    could still reach min_similarity (the names' cosine is at most 1) have their names compared.
    """
    n = len(signals.names)
    days = signals.days
    order = np.lexsort((np.arange(n), np.where(days >= 0, days, np.iinfo(np.int64).max)))
    sorted_days = days[order]
    dated = int(np.sum(sorted_days >= 0))
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    lowest = _lowest_cosine(settings)
    found_rows, found_cols, found_sims = [], [], []
    start = 0
    while start < n:
        if start < dated:
            block = order[start:min(start + settings.search_block, dated)]
            low, high = sorted_days[start] - settings.window_days, sorted_days[start + len(block) - 1] + settings.window_days
            first, last = np.searchsorted(sorted_days[:dated], [low, high + 1])
            candidates = np.concatenate([order[max(first, start):last], order[dated:]])
        else:
            block = order[start:start + settings.search_block]
            candidates = order[start:]
        cosine = signals.vectors[block] @ signals.vectors[candidates].T
        i, j = np.nonzero(cosine >= lowest)
        rows, cols = block[i], candidates[j]
        keep = position[cols] > position[rows]
        rows, cols, cosine_kept = rows[keep], cols[keep], cosine[i[keep], j[keep]]
        if len(rows):
            sims = similarity(signals, rows, cols, settings, cosine_kept)
            good = sims >= settings.min_similarity - 1e-9
            found_rows.append(rows[good]), found_cols.append(cols[good]), found_sims.append(sims[good])
        start += len(block)
    if not found_rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    return np.concatenate(found_rows), np.concatenate(found_cols), np.concatenate(found_sims)


def nearest_links(signals: ArticleSignals, part: np.ndarray, settings: EventSettings) -> sparse.csr_matrix:
    """Each article of `part` linked to its `sparse_neighbours` nearest (vector cosine) in `part` within the date
    window, symmetric, as indices into `part`: the links for the sparse clustering of a very large group."""
    vectors, days = signals.vectors[part], signals.days[part]
    keep = min(settings.sparse_neighbours, len(part) - 1)
    rows, cols = [], []
    for start in range(0, len(part), settings.search_block):
        block = np.arange(start, min(start + settings.search_block, len(part)))
        cosine = vectors[block] @ vectors.T
        apart = (days[block][:, None] >= 0) & (days[None, :] >= 0) & (np.abs(days[block][:, None] - days[None, :]) > settings.window_days)
        cosine[apart] = -np.inf
        cosine[np.arange(len(block)), block] = -np.inf
        nearest = np.argpartition(-cosine, keep - 1, axis=1)[:, :keep]
        finite = np.isfinite(np.take_along_axis(cosine, nearest, axis=1)).ravel()
        rows.append(np.repeat(block, keep)[finite]), cols.append(nearest.ravel()[finite])
    a, b = np.concatenate(rows), np.concatenate(cols)
    links = sparse.coo_matrix((np.ones(len(a)), (a, b)), shape=(len(part), len(part))).tocsr()
    return (links + links.T).tocsr()


def cluster(signals: ArticleSignals, settings: EventSettings) -> list[list[int]]:
    """Groups of article indices (each sorted), every article in exactly one.

    The connected components of the pairs that reach min_similarity hold every average-linkage cluster at that
    threshold, so each component is clustered alone: one or two articles need no clustering (two are connected
    only when they reach it), the others get the full average linkage on their own dense matrix (scipy's, which
    scikit-learn's AgglomerativeClustering runs for precomputed distances; called directly, as thousands of small
    components would pay sklearn's checks thousands of times), with every similarity computed in one batch.
    """
    n = len(signals.names)
    if n == 0:
        return []
    rows, cols, _ = similar_pairs(signals, settings)
    graph = sparse.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    members: dict[int, list[int]] = defaultdict(list)
    for index, label in enumerate(component):
        members[int(label)].append(index)
    groups: list[list[int]] = []
    dense: list[np.ndarray] = []
    for part in members.values():
        if len(part) <= 2:
            groups.append(part)
        elif len(part) <= settings.max_dense:
            dense.append(np.array(part))
        else:
            groups += _sparse_linkage(signals, np.array(part), settings)
    batch: list[np.ndarray] = []
    in_batch = 0
    for k, part in enumerate(dense):  # similarities in batches of about SIMILARITY_CHUNK pairs: bounded memory
        batch.append(part)
        in_batch += len(part) * (len(part) - 1) // 2
        if k == len(dense) - 1 or in_batch >= SIMILARITY_CHUNK:
            groups += _average_linkage(signals, batch, settings)
            batch, in_batch = [], 0
    return sorted(sorted(group) for group in groups)


def _average_linkage(signals: ArticleSignals, parts: Sequence[np.ndarray], settings: EventSettings) -> list[list[int]]:
    """Average linkage on each part's dense matrix, every similarity computed in one call."""
    pairs = [np.triu_indices(len(part), k=1) for part in parts]
    sims = similarity(signals, np.concatenate([part[i] for part, (i, _) in zip(parts, pairs)]),
                      np.concatenate([part[j] for part, (_, j) in zip(parts, pairs)]), settings)
    groups: list[list[int]] = []
    at = 0
    threshold = 1.0 - settings.min_similarity + 1e-9
    for part, (i, _) in zip(parts, pairs):
        condensed = 1.0 - sims[at:at + len(i)]  # triu_indices order is scipy's condensed order
        at += len(i)
        if condensed.max() <= threshold:  # every pair close enough: each merge's mean distance is too, so one group
            groups.append([int(index) for index in part])
            continue
        labels = fcluster(linkage(np.clip(condensed, 0.0, None), method="average"), threshold, criterion="distance")
        found: dict[int, list[int]] = defaultdict(list)
        for index, label in zip(part, labels):
            found[int(label)].append(int(index))
        groups += found.values()
    return groups


def _sparse_linkage(signals: ArticleSignals, part: np.ndarray, settings: EventSettings) -> list[list[int]]:
    """A component too large for a dense matrix: scikit-learn's average linkage over nearest-neighbour links, on the
    vectors alone (an approximation: names and dates only through the links)."""
    from sklearn.cluster import AgglomerativeClustering  # lazy on purpose: 1.4 s to import, for the rare huge component

    model = AgglomerativeClustering(n_clusters=None, metric="cosine", linkage="average",
                                    distance_threshold=1.0 - settings.min_similarity + 1e-9,
                                    connectivity=nearest_links(signals, part, settings))
    groups: dict[int, list[int]] = defaultdict(list)
    for index, label in zip(part, model.fit(signals.vectors[part]).labels_):
        groups[int(label)].append(int(index))
    return list(groups.values())


def group_events(articles: Sequence[EventArticle], embed: Callable[[Sequence[str]], np.ndarray],
                 settings: EventSettings | None = None) -> list[Event]:
    """The events of these articles: every article in exactly one (an article like no other is an event of its own).

    Ids hash the sorted article names (`mt.records.event_id_for`); events come earliest first (undated last), then
    larger first, then by id: the same articles give the same events in the same order whatever their input order.
    """
    settings = settings or EventSettings()
    signals = ArticleSignals.of(articles, embed, settings)
    return events_of(signals, cluster(signals, settings))


def events_of(signals: ArticleSignals, groups: Sequence[Sequence[int]]) -> list[Event]:
    """Event records for groups of article indices: ids, the central article, and the order `group_events` gives."""
    events = []
    for group in groups:
        index = np.array(sorted(group, key=lambda k: signals.names[k]))
        vectors = signals.vectors[index]
        closeness = vectors @ vectors.mean(axis=0)
        central = signals.names[int(index[int(np.argmax(closeness))])]
        days = [int(signals.days[k]) for k in index if signals.days[k] >= 0]
        names_ = [signals.names[k] for k in index]
        events.append((min(days) if days else math.inf, -len(index), Event(event_id_for(names_), names_, central)))
    events.sort(key=lambda item: (item[0], item[1], item[2].event_id))
    return [event for _, _, event in events]


def one_event(article_names: Iterable[str]) -> Event:
    """All the articles as one event: what a corpus built without grouping is (central unknown)."""
    names_ = sorted(set(article_names))
    return Event(event_id_for(names_), names_)


def in_order(align: Callable[[list[Segment]], Any], parts: Sequence[list[Segment]]) -> list[Any]:
    """`align` on each part, one after the other, in this process: the local engine's way to run events."""
    return [align(part) for part in parts]


def align_by_event(segments: Sequence[Segment], events: Sequence[Event], align: Callable[[list[Segment]], Any],
                   map_parts: MapParts = in_order) -> Any:
    """Run `align` (segments -> an AlignmentResult, e.g. `lambda part: alignments.align(part, settings, embedder)`)
    on each event's segments alone, in the events' order, and merge: pairs and facts carry their `event_id`, facts
    come in reading order, skipped ids in input order. One event of all the articles gives exactly what `align`
    gives on all the segments, and so does no event at all (parallel mode, or grouping not asked for). A segment of
    an article that no event names is aligned with nothing.

    Each call is independent, so events can run as separate tasks: `map_parts(align, parts)` returns one result per
    part, in the parts' order (`in_order` here; the engine's `align_mapper` on Ray). The merge reads only that
    order, so it is the same whatever the order the tasks finish in.
    """
    from alignments.facts import reading_order  # lazy on purpose: alignments.facts imports the signals; glue needs only this

    if not events:
        return align(list(segments))
    event_of = {article: event.event_id for event in events for article in event.articles}
    parts: dict[str | None, list[Segment]] = {event.event_id: [] for event in events}
    alone: dict[str, list[Segment]] = {}
    for segment in segments:
        if segment.article in event_of:
            parts[event_of[segment.article]].append(segment)
        else:
            alone.setdefault(segment.article, []).append(segment)
    jobs = [(event_id, part) for event_id, part in parts.items() if part] + [(None, part) for _, part in sorted(alone.items())]
    if not jobs:
        return align([])
    results = map_parts(align, [part for _, part in jobs])
    for (event_id, _), result in zip(jobs, results, strict=True):
        for record in [*result.pairs, *result.facts]:
            record.event_id = event_id
    order = {segment.id: k for k, segment in enumerate(segments)}
    skipped: dict[str, list[str]] = defaultdict(list)
    for result in results:
        for flag, ids in result.skipped.items():
            skipped[flag] += ids
    links = {key: value for result in results for key, value in result.links.items()}
    return dataclasses.replace(
        results[0],
        pairs=[pair for result in results for pair in result.pairs],
        facts=sorted((fact for result in results for fact in result.facts), key=reading_order),
        links=links,
        aligned=sorted((s for result in results for s in result.aligned), key=lambda s: order[s.id]),
        skipped={flag: sorted(ids, key=order.__getitem__) for flag, ids in skipped.items()},
    )
