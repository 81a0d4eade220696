"""`consult eval duplicates`: pairwise precision, recall and F1 of near-duplicate groups against labelled groups.

A pair of rows is positive when both carry the same `group` label; predicted positive when both fall in the same
near-duplicate group (`near_group`) or, for the campaign figures, the same campaign. Pair counts come from the
contingency table, so a large file costs no pairwise loop.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from analyze.duplicates import find_campaigns
from analyze.normalise import normalise_text

COLUMNS = ("text", "group")


def _pairs(sizes: np.ndarray) -> int:
    return int((sizes * (sizes - 1) // 2).sum())


def pairwise_scores(truth: pd.Series, predicted: pd.Series) -> dict[str, float | int]:
    """Pairwise precision, recall and F1 of a predicted grouping (a missing prediction is its own group)."""
    predicted = predicted.astype(object).where(predicted.notna(), "row:" + pd.Series(range(len(predicted))).astype(str))
    both = pd.crosstab(truth.to_numpy(), predicted.to_numpy())
    true_pos = _pairs(both.to_numpy().ravel())
    pred_pos = _pairs(both.sum(axis=0).to_numpy())
    real_pos = _pairs(both.sum(axis=1).to_numpy())
    precision = true_pos / pred_pos if pred_pos else 1.0
    recall = true_pos / real_pos if real_pos else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_pairs": real_pos,
        "predicted_pairs": pred_pos,
    }


def _recall_by_perturbation(data: pd.DataFrame, predicted: pd.Series) -> dict[str, float]:
    """Share of copies, per perturbation, that land in the same predicted group as their campaign's template."""
    is_template = data["kind"] == "template"
    template_group = dict(zip(data.loc[is_template, "group"], predicted[is_template], strict=True))
    copies = data["kind"] == "copy"
    kept = predicted[copies].to_numpy() == data.loc[copies, "group"].map(template_group).to_numpy()
    out = {}
    for name in sorted({p for ps in data.loc[copies, "perturbations"] for p in ps.split()}):
        has = data.loc[copies, "perturbations"].str.split().map(lambda ps, n=name: n in ps).to_numpy()
        out[name] = round(float(kept[has].mean()), 4)
    return out


def evaluate(
    data: pd.DataFrame,
    *,
    threshold: float = 0.5,
    num_perm: int = 64,
    min_campaign_size: int = 5,
    seed: int = 42,
    baseline: bool = False,
) -> dict[str, Any]:
    """Group the texts and score the groups against the labels.

    Args:
        data: text, group; optional kind (template, copy, single) and perturbations (space-separated) for a
            recall per perturbation.
        threshold: near-duplicate Jaccard threshold.
        num_perm: MinHash permutations.
        min_campaign_size: smallest campaign.
        seed: MinHash seed.
        baseline: also score exact-duplicate groups alone (normalised-text key, no MinHash).

    Returns:
        near_group and campaign pairwise scores, groups found, campaigns found; per-perturbation recall when
        the file has kind and perturbations; the exact-only baseline when asked.
    """
    docs = pd.DataFrame({"response_id": [f"r{i}" for i in range(len(data))]})
    docs["text_norm"] = data["text"].map(normalise_text).to_numpy()
    groups, campaigns = find_campaigns(
        docs, min_campaign_size=min_campaign_size, threshold=threshold, num_perm=num_perm, seed=seed
    )
    truth = data["group"].reset_index(drop=True)
    metrics: dict[str, Any] = {
        "near_groups": pairwise_scores(truth, groups["near_group"]),
        "campaigns": pairwise_scores(truth, groups["campaign_id"]),
        "labelled_groups": int(truth.nunique()),
        "near_groups_found": int(groups["near_group"].nunique()),
        "campaigns_found": len(campaigns),
    }
    if {"kind", "perturbations"} <= set(data.columns):
        by_perturbation = _recall_by_perturbation(data.reset_index(drop=True), groups["near_group"])
        metrics["copy_recall_by_perturbation"] = by_perturbation
    if baseline:
        metrics["baseline_exact_groups"] = pairwise_scores(truth, groups["exact_group"])
    return metrics
