"""The shared topic space: language-centred embeddings, graph clustering and nearest-topic assignment.

Measured on sib200 (the same sentences in English, Simplified, Traditional Chinese and Cantonese; see
docs/adr/0004-topic-space.md): glossed Chinese and English embeddings sit apart by language, so clusters split by
language. Subtracting each script's mean vector removes that offset (NMI by language fell from 0.19 to 0.01), and a
k-nearest-neighbour graph clustered by Louvain finds the topics in about a second, where UMAP + HDBSCAN took
over a minute (numba compilation included) and scored lower.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from analyze.normalise import has_cjk

OUTLIER = -1
_MIN_GROUP = 10  # with fewer documents in either script, the offset between them cannot be measured


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero)."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1.0, norms)


def _mnn_offset(a: np.ndarray, b: np.ndarray) -> np.ndarray | None:
    """Mean difference a - b over mutual nearest neighbours (pairs that are each other's closest across groups)."""
    sims = a @ b.T
    best_b, best_a = sims.argmax(axis=1), sims.argmax(axis=0)
    pairs = np.flatnonzero(best_a[best_b] == np.arange(len(a)))
    return (a[pairs] - b[best_b[pairs]]).mean(axis=0) if len(pairs) else None


def centre_by_script(embeddings: np.ndarray, texts: list[str], rounds: int = 5) -> np.ndarray:
    """Remove the offset between Chinese and other texts so that languages share one space, then centre.

    The offset is measured on mutual nearest neighbours across the two scripts (as batch correction does in
    single-cell data), not on the scripts' means: when Chinese and English respondents raise different concerns,
    their means differ by topic too, and subtracting them would erase a topic one language dominates.
    """
    x = unit_rows(np.asarray(embeddings, dtype=np.float64))
    is_zh = np.fromiter((has_cjk(t) for t in texts), dtype=bool, count=len(texts))
    if min(is_zh.sum(), (~is_zh).sum()) >= _MIN_GROUP:
        for _ in range(rounds):  # each round finds better pairs once part of the offset is gone
            offset = _mnn_offset(x[is_zh], x[~is_zh])
            if offset is None:
                break
            x[is_zh] = unit_rows(x[is_zh] - offset)
    return unit_rows(x - x.mean(axis=0))


def _top(s: np.ndarray, k: int) -> np.ndarray:
    """Column indices of each row's k largest values (unordered)."""
    return np.argpartition(-s, k - 1, axis=1)[:, :k] if k else np.zeros((len(s), 0), dtype=int)


def _cross_quota(is_zh: np.ndarray, k: int) -> dict[bool, int]:
    """Neighbours a row of each script takes from the other script: k times the other script's share of the rows."""
    quota = {}
    for g in (False, True):
        other = int(np.sum(is_zh != g))
        quota[g] = min(other, k, max(round(k * other / len(is_zh)), k - (len(is_zh) - other - 1)))
    return quota


def _neighbours(
    x: np.ndarray, k: int, lexical: np.ndarray | None, is_zh: np.ndarray, weight: float, block: int = 512
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's k most similar other rows and their similarities, most similar first.

    Similarity is the cosine of x. With a lexical view of the Chinese rows, two Chinese rows are compared by
    (1 - weight) * that cosine + weight * the lexical cosine, and each row takes its neighbours from the other
    script in proportion to that script's share of the rows, so that characters shared within Chinese cannot cut
    the links between languages (sib200 mixed, seeds 42/0/1: NMI 0.455 with the quota, 0.444 without; with
    English words blended too, a unit test's bilingual topics split by language without it).
    Rows are compared in blocks, to bound memory.
    """
    n = len(x)
    quota = _cross_quota(is_zh, k)
    idx, sims = np.zeros((n, k), dtype=int), np.zeros((n, k))
    for start in range(0, n, block):
        rows = np.arange(start, min(start + block, n))
        s = x[rows] @ x.T
        if lexical is not None:
            both = is_zh[rows, None] & is_zh[None, :]
            s = np.where(both, (1 - weight) * s + weight * (lexical[rows] @ lexical.T), s)
        s[np.arange(len(rows)), rows] = -np.inf
        if lexical is None:
            top = _top(s, k)
        else:  # every row is of one script or the other: each takes its quota from the other script
            same = is_zh[rows, None] == is_zh[None, :]
            top = np.empty((len(rows), k), dtype=int)
            for g, cross in quota.items():
                mine = is_zh[rows] == g
                own, other = np.where(same[mine], s[mine], -np.inf), np.where(same[mine], -np.inf, s[mine])
                top[mine] = np.hstack([_top(own, k - cross), _top(other, cross)])
        found = np.take_along_axis(s, top, axis=1)
        order = np.argsort(-found, axis=1, kind="stable")
        idx[rows], sims[rows] = np.take_along_axis(top, order, axis=1), np.take_along_axis(found, order, axis=1)
    return idx, sims


class GraphClusterer:
    """Louvain communities of a cosine k-nearest-neighbour graph; small communities become outliers (-1).

    Follows the scikit-learn clusterer shape (`fit` sets `labels_`, `fit_predict`), so it plugs into the slot
    BERTopic calls `hdbscan_model`. Deterministic: a fixed seed and labels numbered by size, then first member.
    Given the texts and a `lexical_weight`, Chinese neighbours are also judged by the characters they share
    (lexical.py; measured in docs/adr/0004-topic-space.md).
    """

    def __init__(
        self,
        n_neighbors: int = 15,
        resolution: float = 1.0,
        min_cluster_size: int = 8,
        seed: int = 42,
        lexical_weight: float = 0.0,
    ):
        self.n_neighbors = n_neighbors
        self.resolution = resolution
        self.min_cluster_size = min_cluster_size
        self.seed = seed
        self.lexical_weight = lexical_weight

    def fit(self, x: np.ndarray, y=None, texts: list[str] | None = None) -> GraphClusterer:
        """Cluster the rows of x (texts: the rows' texts, for the lexical view; None = embeddings alone)."""
        import networkx as nx

        from analyze.topics.lexical import chinese_view  # lexical.py imports this module

        x = unit_rows(np.asarray(x, dtype=np.float64))
        n = len(x)
        k = min(self.n_neighbors, n - 1)
        labels = np.full(n, OUTLIER, dtype=int)
        if k >= 1:
            is_zh = np.fromiter((has_cjk(t) for t in texts or [""] * n), dtype=bool, count=n)
            lexical = chinese_view(texts, is_zh) if texts is not None and self.lexical_weight > 0 else None
            idx, sims = _neighbours(x, k, lexical, is_zh, self.lexical_weight)
            graph = nx.Graph()
            graph.add_nodes_from(range(n))
            for i in range(n):
                for j, s in zip(idx[i], sims[i], strict=True):
                    w = max(float(s), 1e-6) + (graph[i][j]["weight"] if graph.has_edge(i, j) else 0.0)
                    graph.add_edge(i, int(j), weight=w)
            communities = nx.community.louvain_communities(
                graph, weight="weight", resolution=self.resolution, seed=self.seed
            )
            kept = sorted((c for c in communities if len(c) >= self.min_cluster_size), key=lambda c: (-len(c), min(c)))
            for label, members in enumerate(kept):
                labels[sorted(members)] = label
        self.labels_ = labels
        return self

    def fit_predict(self, x: np.ndarray, y=None, texts: list[str] | None = None) -> np.ndarray:
        """Cluster the rows of x and return their labels."""
        return self.fit(x, texts=texts).labels_


def centroids(x: np.ndarray, labels: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Sorted topic ids (outliers left out) and their unit-length mean vectors, one row per id."""
    ids = sorted(set(labels.tolist()) - {OUTLIER})
    if not ids:
        return [], np.zeros((0, x.shape[1]))
    return ids, unit_rows(np.stack([x[labels == t].mean(axis=0) for t in ids]))


@dataclass(frozen=True)
class Mixtures:
    """Unit rows held as `weights @ basis`: a sampled document's row is its point, a placed one's a mix of centres.

    The transform model places a document by its topic probabilities p, at the unit vector along p @ centres: k
    numbers per document (k topics) instead of a row of the embedding's width. At 100,000 placed documents, filling,
    normalising and averaging two arrays of 384 columns took ~0.9 s of a 3 s topic stage re-run (and ~600 MB).
    """

    weights: sparse.csr_matrix  # rows x basis rows
    basis: np.ndarray  # the sample's points, then the topic centres

    def similarity(self, centres: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Cosine similarity of each row (or of `rows`) to each of `centres` (unit rows)."""
        weights = self.weights if rows is None else self.weights[rows]
        return np.asarray(weights @ (self.basis @ centres.T))

    def centroids(self, labels: np.ndarray) -> tuple[list[int], np.ndarray]:
        """`centroids(rows, labels)` without building the rows: each topic's summed weights @ basis, unit length."""
        ids = sorted(set(labels.tolist()) - {OUTLIER})
        if not ids:
            return [], np.zeros((0, self.basis.shape[1]))
        kept = np.flatnonzero(labels != OUTLIER)
        topic = np.searchsorted(ids, labels[kept])
        members = sparse.csr_matrix((np.ones(len(kept)), (topic, kept)), shape=(len(ids), self.weights.shape[0]))
        return ids, unit_rows(np.asarray((members @ self.weights) @ self.basis))


def mixtures(
    n: int,
    sample: np.ndarray,
    of: np.ndarray,
    points: np.ndarray,
    rest: np.ndarray,
    proba: np.ndarray,
    centres: np.ndarray,
) -> Mixtures:
    """Rows 0..n-1: sample[i] is points[of[i]]; rest[j] the unit vector along proba[j] @ centres (zero if none).

    A mix's length comes from the centres' Gram matrix, |p @ C|^2 = p (C C^T) p, so no row is built.
    """
    gram = centres @ centres.T
    lengths = np.sqrt(np.maximum(np.einsum("ij,ij->i", proba @ gram, proba), 0.0))
    mix = proba / np.where(lengths == 0, 1.0, lengths)[:, None]
    k = len(centres)
    rows = np.concatenate([sample, np.repeat(rest, k)])
    columns = np.concatenate([of, np.tile(len(points) + np.arange(k), len(rest))])
    values = np.concatenate([np.ones(len(sample)), mix.ravel()])
    weights = sparse.csr_matrix((values, (rows, columns)), shape=(n, len(points) + k))
    return Mixtures(weights, np.vstack([points, centres]))


def nearest_topics(sims: np.ndarray, ids: list[int], threshold: float) -> np.ndarray:
    """The closest topic of each row (sims: its similarity to each of `ids`) when it reaches threshold, else -1."""
    if not ids:
        return np.full(len(sims), OUTLIER, dtype=int)
    best = sims.argmax(axis=1)
    return np.where(sims.max(axis=1) >= threshold, np.asarray(ids)[best], OUTLIER)


def secondary_topics(
    sims: np.ndarray, labels: np.ndarray, ids: list[int], ratio: float, limit: int
) -> tuple[np.ndarray, list[list[int]]]:
    """Each row's similarity to its own topic, and the other topics it is nearly as close to.

    `sims` holds each row's similarity to each topic of `ids`. A topic is secondary when its similarity is positive
    and at least `ratio` times the row's similarity to its main topic; at most `limit` are kept, closest first.
    Outliers get 0 and no secondary topics.
    """
    # Rows without secondary topics share one empty list: a new list per row (100,000s) made the collector sweep
    # the whole heap.
    secondary: list[list[int]] = [[]] * len(sims)
    if not ids:
        return np.zeros(len(sims)), secondary
    assigned = labels != OUTLIER
    own = np.where(assigned, sims[np.arange(len(sims)), np.searchsorted(ids, labels)], 0.0)
    order = np.argsort(-sims, axis=1, kind="stable")
    ranked, close = np.asarray(ids)[order], np.take_along_axis(sims, order, axis=1)
    keep = assigned[:, None] & (ranked != labels[:, None]) & (close > 0) & (close >= ratio * own[:, None])
    keep &= np.cumsum(keep, axis=1) <= limit
    flat, ends = ranked[keep].tolist(), np.cumsum(keep.sum(axis=1)).tolist()  # row by row, in rank order
    for row in np.flatnonzero(keep.any(axis=1)).tolist():
        secondary[row] = flat[ends[row - 1] if row else 0 : ends[row]]
    return np.round(own, 6), secondary
