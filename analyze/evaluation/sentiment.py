"""`consult eval sentiment`: the sentiment stage against human labels.

CSV columns: text, label. Labels are positive, negative, neutral (also pos/neg/neu, smile/cry/ok). Binary data
with no neutral class (1/0, 1/-1) is scored by the sign of the sentiment: the label is the sign.
The text goes through the same language detection and scoring as a round does.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyze.evaluation import EvalError
from analyze.evaluation.metrics import classification_report
from analyze.language import detect_language
from analyze.sentiment import label, score_sentiment

COLUMNS = ("text", "label")
_NAMES = {
    "positive": "positive", "pos": "positive", "smile": "positive",
    "negative": "negative", "neg": "negative", "cry": "negative",
    "neutral": "neutral", "neu": "neutral", "ok": "neutral", "mixed": "neutral",
}  # fmt: skip
_SIGNS = {"1": "positive", "+1": "positive", "0": "negative", "-1": "negative"}


def labels_of(values: pd.Series) -> tuple[list[str], bool]:
    """Human labels as positive/negative/neutral, and whether the data is binary (signs, no neutral class).

    Raises:
        EvalError: a label that is neither a class name nor a binary sign.

    """
    raw = values.str.strip().str.lower()
    if set(raw) <= set(_SIGNS) and not ({"0", "-1"} <= set(raw)):
        return [_SIGNS[v] for v in raw], True
    unknown = sorted(set(raw) - set(_NAMES))
    if unknown:
        raise EvalError(f"unknown sentiment label(s) {unknown[:5]}; use positive/negative/neutral or 1/0 or 1/-1")
    return [_NAMES[v] for v in raw], False


def predict(texts: pd.Series) -> pd.DataFrame:
    """Run language detection and sentiment on raw texts (response ids are row numbers)."""
    responses = pd.DataFrame({"response_id": [str(i) for i in range(len(texts))], "text": texts.to_numpy()})
    return score_sentiment(detect_language(responses))


def evaluate(data: pd.DataFrame, **options: Any) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class scores and confusion; `binary` says whether the sign decided the label.

    For 3-class data, `polar_only` also reports accuracy on the rows labelled positive or negative, predicted by sign.
    """
    truth, binary = labels_of(data["label"])
    scored = predict(data["text"])
    by_sign = ["positive" if s >= 0 else "negative" for s in scored["sentiment"]]
    predicted = by_sign if binary else [label(s) for s in scored["sentiment"]]
    out: dict[str, Any] = {"binary": binary, **classification_report(truth, predicted)}
    if not binary:
        polar = [(t, p) for t, p in zip(truth, by_sign, strict=True) if t != "neutral"]
        if polar:
            out["polar_only"] = {
                "accuracy": round(sum(t == p for t, p in polar) / len(polar), 4),
                "n": len(polar),
            }
    return out
