"""Shared classification metrics for the evaluation tasks (accuracy, macro-F1, confusion table)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def classification_report(truth: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1 and the confusion table (truth -> predicted -> count)."""
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    labels = sorted(set(truth) | set(predicted))
    p, r, f, support = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    confusion: dict[str, dict[str, int]] = {t: dict.fromkeys(labels, 0) for t in labels}
    for t, y in zip(truth, predicted, strict=True):
        confusion[t][y] += 1
    return {
        "accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "macro_f1": round(
            float(f1_score(truth, predicted, labels=sorted(set(truth)), average="macro", zero_division=0)), 4
        ),
        "per_class": {
            lab: {
                "precision": round(float(p[i]), 4),
                "recall": round(float(r[i]), 4),
                "f1": round(float(f[i]), 4),
                "support": int(support[i]),
            }
            for i, lab in enumerate(labels)
        },
        "confusion": confusion,
    }
