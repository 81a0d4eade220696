"""`consult eval topics`: how well topics recover human labels (NMI, ARI), outliers, speed against plain BERTopic.

Both runs see the same normalised texts and the same embeddings (computed once, before any timing), so the time
ratio compares the topic stages alone. The baseline is `BERTopic()` with its defaults (UMAP + HDBSCAN, not seeded);
numba compiles UMAP on first use, so a tiny UMAP fit runs before the baseline is timed, in its favour.
Outliers (-1) count as one more cluster in NMI and ARI, as they do for a reader of the brief.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import pandas as pd

from analyze.embeddings import Embedder, default_embedder
from analyze.normalise import normalise_text
from analyze.topics import OUTLIER, TopicModels, fit_topics, load_codebook

COLUMNS = ("text", "label")


class _CachedEmbedder:
    """Remembers each text's vector, so the timed runs do not embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.cache: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            self.cache.update(zip(missing, self.inner.encode(missing), strict=True))
        return np.stack([self.cache[t] for t in texts])


def _scores(truth: list[str], topics: np.ndarray, seconds: float) -> dict[str, Any]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    return {
        "nmi": round(float(normalized_mutual_info_score(truth, topics)), 4),
        "ari": round(float(adjusted_rand_score(truth, topics)), 4),
        "outlier_share": round(float(np.mean(topics == OUTLIER)), 4),
        "n_topics": len(set(topics.tolist()) - {OUTLIER}),
        "topic_seconds": round(seconds, 3),
    }


def _baseline(texts: list[str], embeddings: np.ndarray) -> tuple[np.ndarray, float]:
    from bertopic import BERTopic
    from umap import UMAP

    UMAP(n_components=5, n_neighbors=5).fit_transform(np.random.default_rng(0).normal(size=(40, 8)))
    start = time.perf_counter()
    topics, _ = BERTopic().fit_transform(texts, embeddings=embeddings)
    return np.asarray(topics), time.perf_counter() - start


def evaluate(
    data: pd.DataFrame, baseline: bool = False, embedding_model: str | None = None, min_topic_size: int = 8
) -> dict[str, Any]:
    """Fit topics on the labelled texts and compare them with the labels.

    Args:
        data: text, label.
        baseline: also run a plain `BERTopic()` on the same texts and embeddings.
        embedding_model: sentence-transformers name or local path; None = the default embedder.
        min_topic_size: as in round.yaml.

    Returns:
        nmi, ari, outlier_share, n_topics, topic_seconds; with baseline, `baseline` (the same for BERTopic()),
        nmi_gain (ours - baseline) and time_ratio (baseline seconds / ours).

    """
    texts = [normalise_text(t) for t in data["text"]]
    truth = data["label"].tolist()
    embedder = _CachedEmbedder(default_embedder(embedding_model))
    embeddings = embedder.encode(texts + [t.seed_text for t in load_codebook()])[: len(texts)]
    docs = pd.DataFrame({"response_id": [f"r{i:06d}" for i in range(len(texts))], "text_norm": texts})
    start = time.perf_counter()
    fit = fit_topics(docs, models=TopicModels(embedder=embedder), min_topic_size=min_topic_size)
    metrics = _scores(truth, fit.assignments["topic_id"].to_numpy(), time.perf_counter() - start)
    if baseline:
        topics, seconds = _baseline(texts, embeddings)
        metrics["baseline"] = _scores(truth, topics, seconds)
        metrics["nmi_gain"] = round(metrics["nmi"] - metrics["baseline"]["nmi"], 4)
        metrics["time_ratio"] = round(seconds / max(metrics["topic_seconds"], 1e-3), 2)
    return metrics
