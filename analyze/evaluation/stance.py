"""`consult eval stance`: the stance stage against human labels.

CSV columns: text, label (support, oppose, neutral, unclear; also pro/con, favor/against, 1/-1); optional `question`:
the proposal the text responds to, so the stance is read relative to it. A predicted neutral or unclear on a row
labelled support or oppose counts as wrong; `coverage` says how many rows got a support/oppose decision at all.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyze.evaluation import EvalError
from analyze.evaluation.metrics import classification_report
from analyze.evaluation.sentiment import predict
from analyze.stance import STANCES, text_stance

COLUMNS = ("text", "label")
_NAMES = {
    **{s: s for s in STANCES},
    "pro": "support", "favor": "support", "favour": "support", "agree": "support", "1": "support", "+1": "support",
    "con": "oppose", "against": "oppose", "disagree": "oppose", "-1": "oppose",
    "none": "neutral", "0": "neutral",
}  # fmt: skip


def evaluate(data: pd.DataFrame, **options: Any) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class scores, confusion, coverage and how each stance was decided."""
    raw = data["label"].str.strip().str.lower()
    unknown = sorted(set(raw) - set(_NAMES))
    if unknown:
        raise EvalError(f"unknown stance label(s) {unknown[:5]}; use support/oppose/neutral/unclear or pro/con or 1/-1")
    truth = [_NAMES[v] for v in raw]
    sentiment = predict(data["text"])["sentiment"]
    questions = data["question"] if "question" in data.columns else pd.Series([None] * len(data))
    found = [
        text_stance(str(t), float(s), (str(q) or None) if isinstance(q, str) else None)
        for t, s, q in zip(data["text"], sentiment, questions, strict=True)
    ]
    predicted = [f.stance for f in found]
    decided_pairs = [(t, p) for t, p in zip(truth, predicted, strict=True) if p in ("support", "oppose")]
    decided = len(decided_pairs)
    sources: dict[str, int] = {}
    for f in found:
        sources[f.source] = sources.get(f.source, 0) + 1
    return {
        **classification_report(truth, predicted),
        "coverage": round(decided / len(predicted), 4),
        "accuracy_when_decided": round(sum(t == p for t, p in decided_pairs) / max(decided, 1), 4),
        "decided_by": dict(sorted(sources.items())),
        "uses_question": "question" in data.columns,
    }
