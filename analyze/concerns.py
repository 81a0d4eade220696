"""Concern clusters: responses grouped by their topic, sentiment and stance into a few readable groups.

Each response becomes a vector: its topic (one-hot), its sentiment (scaled so that going from strongly negative to
strongly positive weighs as much as changing topic) and its stance (one-hot). KMeans with a fixed seed groups them
(each distinct vector once, weighted by the responses that have it); clusters are numbered C1, C2, ... by size, then
by their centre, so the same input gives the same ids. Each cluster is described by its main topics, average
sentiment, stance shares, size (all and unique: copies of one text counted once) and quotes (redacted text when
the PII stage ran), e.g. "negative, mostly oppose: 3 surveillance / 監控".
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from analyze.aligned import merge_ids, sort_ids, unique_rows
from analyze.counting import unique_key
from analyze.stance import STANCES

CONCERN_COLUMNS = [
    "concern_id",
    "label",
    "topics",
    "topic_labels",
    "avg_sentiment",
    *[f"{s}_share" for s in STANCES],
    "size",
    "size_unique",
    "quotes",
]
MEMBER_COLUMNS = ["response_id", "concern_id"]
SENTIMENT_WEIGHT = 0.7  # a sentiment swing of 2 (from -1 to 1) moves a response ~1.4, about one topic change
RESPONSES_PER_CLUSTER = 25  # at most one cluster per this many responses, so small rounds get few clusters
QUOTE_CHARS = 240
DISTINCT_HEAD = 4096  # rows looked at first for enough distinct ones to cluster (usually all that is needed)
# Feature rows equal to this many decimals are clustered once, weighted by how many responses they stand for:
# 157,300 responses are ~10,000 such rows (KMeans 0.04 s instead of 0.87 s, measured), and no row moves more than
# 0.0005 (sentiment is the only feature that is not 0 or 1).
FEATURE_DECIMALS = 3


def _features(table: pd.DataFrame) -> np.ndarray:
    topics = pd.get_dummies(table["topic_id"].astype(str)).to_numpy(dtype=float)
    stances = pd.get_dummies(pd.Categorical(table["stance"], categories=STANCES)).to_numpy(dtype=float)
    return np.hstack([topics, SENTIMENT_WEIGHT * table[["sentiment"]].to_numpy(dtype=float), stances])


Clusterer = Callable[[np.ndarray, int, np.ndarray], np.ndarray]
"""(distinct feature rows, number of clusters, responses per row) -> a cluster label per row; default: seeded KMeans."""


def kmeans_labels(x: np.ndarray, k: int, weights: np.ndarray, seed: int = 42) -> np.ndarray:
    """KMeans (10 seeded initialisations) cluster labels, each row weighing as many responses as it stands for."""
    from sklearn.cluster import KMeans
    from threadpoolctl import threadpool_limits

    # One thread: the data is small (a few columns), and OpenMP threads spin-waiting on a busy machine cost seconds.
    with threadpool_limits(limits=1):
        return KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x, sample_weight=weights)


def distinct(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`np.unique(x, axis=0, return_inverse=True, return_counts=True)`, ten times faster (no sort of rows as records).

    Returns the distinct rows (sorted by the last column, then the one before...), each row's place among them, and
    how many rows each stands for.
    """
    if not len(x):
        return x, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    order = np.lexsort(x.T)  # equal rows end up next to each other
    rows = x[order]
    first = np.r_[True, np.any(rows[1:] != rows[:-1], axis=1)]  # where each run of equal rows starts
    inverse = np.empty(len(x), dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    starts = np.flatnonzero(first)
    return rows[starts], inverse, np.diff(np.r_[starts, len(x)])


def distinct_rows(x: np.ndarray) -> int:
    """How many distinct rows `x` has: `len(np.unique(x, axis=0))`."""
    return len(distinct(x)[0])


def _distinct_up_to(x: np.ndarray, limit: int) -> int:
    """`min(limit, distinct_rows(x.round(1)))`, from the first rows alone when they already hold `limit` distinct."""
    head = distinct_rows(x[:DISTINCT_HEAD].round(1))
    if head >= limit or len(x) <= DISTINCT_HEAD:
        return min(limit, head)
    return min(limit, distinct_rows(x.round(1)))


def _cluster(x: np.ndarray, max_clusters: int, clusterer: Clusterer) -> np.ndarray:
    k = max(1, _distinct_up_to(x, min(max_clusters, len(x) // RESPONSES_PER_CLUSTER or 1)))
    if k == 1:
        return np.zeros(len(x), dtype=int)
    rows, inverse, counts = distinct(x.round(FEATURE_DECIMALS))
    return np.asarray(clusterer(rows, k, counts))[inverse]


def _mood(avg: float) -> str:
    if avg <= -0.3:
        return "strongly negative"
    if avg <= -0.05:
        return "negative"
    return "positive" if avg >= 0.05 else "neutral"


def _describe(shares: pd.Series, main_topic: str, avg: float, topic_names: dict[str, str]) -> str:
    """A cluster's label from its stance shares (largest first), main topic and average sentiment."""
    top_stance = str(shares.index[0])
    lead = "mostly " if shares.iloc[0] >= 0.6 else "leaning "
    stance_words = {"support": "support", "oppose": "oppose", "neutral": "no position", "unclear": "unclear"}
    return f"{_mood(avg)}, {lead}{stance_words[top_stance]}: {topic_names.get(main_topic, 'topic ' + main_topic)}"


def _quotes(texts: pd.Series, rows: np.ndarray, centre: np.ndarray, x: np.ndarray, k: int) -> list[str]:
    """Up to k distinct texts of the rows nearest `centre`: `texts` at `rows` (-1: none, as a left merge gives)."""
    values = texts.array
    missing = values[:0].take([-1], allow_fill=True)[0]  # what a left merge puts where `texts` has no row
    picked: list[str] = []
    for row in rows[np.argsort(((x - centre) ** 2).sum(axis=1), kind="stable")]:
        text = str(values[row] if row >= 0 else missing).strip()
        if text and text not in picked:
            picked.append(text[:QUOTE_CHARS] + ("…" if len(text) > QUOTE_CHARS else ""))
        if len(picked) == k:
            break
    return picked


def find_concerns(
    assignments: pd.DataFrame,
    sentiment: pd.DataFrame,
    stance: pd.DataFrame,
    texts: pd.DataFrame,
    topics: pd.DataFrame | None = None,
    max_clusters: int = 6,
    quotes_per_cluster: int = 3,
    seed: int = 42,
    clusterer: Clusterer | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Group responses into concern clusters.

    Args:
        assignments: response_id, topic_id (topic -1 = no topic is a group of its own).
        sentiment: response_id, sentiment.
        stance: response_id, stance (a response answering several questions has one row per response_id).
        texts: response_id, quote_text (redacted text when available) and unique_key (copies share a key).
        topics: topic_id, label_en, label_zh (for readable labels); optional.
        max_clusters: upper bound on the number of clusters.
        quotes_per_cluster: quotes kept per cluster, nearest the cluster's centre first.
        seed: KMeans seed.
        clusterer: replaces KMeans (tests pass a cheap stand-in).

    Returns:
        (clusters: concern_id, label, topics, topic_labels, avg_sentiment, support_share, oppose_share,
        neutral_share, unclear_share, size, size_unique, quotes; members: response_id, concern_id).

    """
    table = merge_ids(
        assignments[["response_id", "topic_id"]],
        sentiment[["response_id", "sentiment"]],
        unique_rows(stance[["response_id", "stance"]]),
    )
    # Each row's place in `texts`, not its texts: the sort and each cluster's rows would copy 100,000s of texts, of
    # which a few are quoted.
    places = texts[["response_id"]].assign(text_row=np.arange(len(texts)))
    table = sort_ids(merge_ids(table, places, how="left"))
    if table.empty:
        return pd.DataFrame(columns=CONCERN_COLUMNS), pd.DataFrame(columns=MEMBER_COLUMNS)
    text_row = table.pop("text_row").fillna(-1).to_numpy(dtype=np.int64)
    keys = pd.Series(texts["unique_key"].array.take(text_row, allow_fill=True), index=table.index)
    keys = keys.fillna(table["response_id"])
    table["topic_id"] = table["topic_id"].astype(str)
    names = {}
    if topics is not None and len(topics):
        names = {str(r.topic_id): f"{r.topic_id} {r.label_en} / {r.label_zh}" for r in topics.itertuples()}
    x = _features(table)
    raw = _cluster(x, max_clusters, clusterer or partial(kmeans_labels, seed=seed))
    centres = {c: x[raw == c].mean(axis=0) for c in np.unique(raw)}
    ranked = sorted(centres, key=lambda c: (-(raw == c).sum(), tuple(np.round(centres[c], 6))))
    rows, members = [], []
    for n, c in enumerate(ranked, start=1):
        inside = raw == c
        part = table[inside]
        cid = f"C{n}"
        shares = part["stance"].value_counts(normalize=True)
        top_topics = [str(t) for t in part["topic_id"].value_counts().index[:3]]
        avg = float(part["sentiment"].mean())
        rows.append(
            {
                "concern_id": cid,
                "label": _describe(shares, top_topics[0], avg, names),
                "topics": top_topics,
                "topic_labels": [names.get(t, t) for t in top_topics],
                "avg_sentiment": round(avg, 4),
                **{f"{s}_share": round(float(shares.get(s, 0.0)), 4) for s in STANCES},
                "size": len(part),
                "size_unique": int(keys[inside].nunique()),
                "quotes": _quotes(texts["quote_text"], text_row[inside], centres[c], x[inside], quotes_per_cluster),
            }
        )
        members.append(pd.DataFrame({"response_id": part["response_id"], "concern_id": cid}))
    return pd.DataFrame(rows, columns=CONCERN_COLUMNS), pd.concat(members, ignore_index=True)


def quote_texts(
    language: pd.DataFrame, pii: pd.DataFrame | None = None, duplicates: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The text to quote and the key that makes copies count once, per response.

    Args:
        language: response_id, text_norm.
        pii: response_id, text_redacted (when the PII stage ran: quotes are then always redacted).
        duplicates: response_id, exact_group, campaign_id (when the duplicates stage ran).

    Returns:
        response_id, quote_text, unique_key (analyze.counting.unique_key, else the normalised text itself).

    """
    out = language[["response_id", "text_norm"]].copy()
    out["quote_text"] = out["text_norm"]
    counted = duplicates is not None and {"exact_group", "campaign_id"} <= set(duplicates.columns)
    joined = merge_ids(
        out[["response_id"]],
        *([] if pii is None else [pii[["response_id", "text_redacted"]]]),
        *([duplicates[["response_id", "exact_group", "campaign_id"]]] if counted else []),
        how="left",
    )
    if pii is not None:
        out["quote_text"] = joined["text_redacted"].fillna("").array  # never fall back to unredacted text when PII ran
    out["unique_key"] = out["text_norm"]
    if counted:
        keys = unique_key(joined)
        out["unique_key"] = keys.astype("string").fillna(out["text_norm"]).astype(out["text_norm"].dtype).array
    return out[["response_id", "quote_text", "unique_key"]]
