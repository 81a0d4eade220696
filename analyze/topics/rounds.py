"""Round over round: keep a topic's id when it comes back in the next round, and say what changed.

A new round's topics are matched one-to-one to the previous round's (Hungarian assignment) by a similarity of
0.7 x centroid cosine + 0.3 x keyword overlap (Jaccard over both languages); a pair below the threshold is not a
match. Matched topics keep the previous id; new topics get ids after the largest id the previous round used, so
an id is never reused for a different topic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DIFF_COLUMNS = [
    "topic_id",
    "label_en",
    "label_zh",
    "status",
    "size_previous",
    "size_current",
    "share_previous",
    "share_current",
]


def _keywords(row: pd.Series) -> set[str]:
    return {str(w).lower() for col in ("keywords_en", "keywords_zh") for w in row.get(col, [])}


def _similarity(current: pd.DataFrame, previous: pd.DataFrame) -> np.ndarray:
    sim = np.zeros((len(current), len(previous)))
    for i, (_, cur) in enumerate(current.iterrows()):
        kw = _keywords(cur)
        for j, (_, prev) in enumerate(previous.iterrows()):
            pk = _keywords(prev)
            jaccard = len(kw & pk) / len(kw | pk) if kw | pk else 0.0
            a, b = np.asarray(cur.get("centroid", []), float), np.asarray(prev.get("centroid", []), float)
            cosine = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) if a.size and a.size == b.size else None
            sim[i, j] = jaccard if cosine is None else 0.7 * cosine + 0.3 * jaccard
    return sim


def match_previous(current: pd.DataFrame, previous: pd.DataFrame, threshold: float) -> dict[int, int]:
    """Map each current topic_id to its stable id: the matched previous id, or a new one.

    Args:
        current: this round's topics (topic_id, keywords_en, keywords_zh, centroid), in the order new ids follow.
        previous: the previous round's topics table (same columns; centroid optional).
        threshold: the least similarity for a match.

    Returns:
        current topic_id -> stable topic_id.

    """
    from scipy.optimize import linear_sum_assignment

    mapping: dict[int, int] = {}
    if len(current) and len(previous):
        sim = _similarity(current, previous)
        for i, j in zip(*linear_sum_assignment(-sim), strict=True):
            if sim[i, j] >= threshold:
                mapping[int(current["topic_id"].iloc[i])] = int(previous["topic_id"].iloc[j])
    next_id = int(previous["topic_id"].max()) + 1 if len(previous) else 0
    for topic in current["topic_id"].astype(int):
        if topic not in mapping:
            mapping[topic] = next_id
            next_id += 1
    return mapping


def topic_diff(previous: pd.DataFrame, current: pd.DataFrame, change: float = 0.25) -> pd.DataFrame:
    """New, gone, grown, shrunk or steady, per topic id, with sizes and shares of each round's responses.

    Args:
        previous: the previous round's topics table (topic_id, label_en, label_zh, size).
        current: this round's topics table, with ids already matched to the previous round's.
        change: relative change in share that counts as grown (share x (1 + change)) or shrunk (share / (1 + change)).

    Returns:
        One row per topic id of either round: DIFF_COLUMNS, largest current size first, gone topics last.

    """
    cols = ["topic_id", "label_en", "label_zh", "size"]
    both = current[cols].merge(previous[cols], on="topic_id", how="outer", suffixes=("_current", "_previous"))
    for side in ("current", "previous"):
        both[f"size_{side}"] = both[f"size_{side}"].fillna(0).astype(int)
        total = both[f"size_{side}"].sum()
        both[f"share_{side}"] = (both[f"size_{side}"] / total).round(4) if total else 0.0
    both["label_en"] = both["label_en_current"].fillna(both["label_en_previous"])
    both["label_zh"] = both["label_zh_current"].fillna(both["label_zh_previous"])
    ratio = both["share_current"] / both["share_previous"].where(both["share_previous"] > 0)
    both["status"] = np.select(
        [both["size_previous"] == 0, both["size_current"] == 0, ratio >= 1 + change, ratio <= 1 / (1 + change)],
        ["new", "gone", "grown", "shrunk"],
        "steady",
    )
    both["topic_id"] = both["topic_id"].astype(int)
    both = both.sort_values(["size_current", "topic_id"], ascending=[False, True], ignore_index=True)
    return both[DIFF_COLUMNS]
