"""`consult eval language`: detected language (and script, when labelled) against human labels.

CSV columns: text, label (en, zh, yue, mixed, other, empty); optional `script` (hant, hans, latin, mixed).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analyze.evaluation.metrics import classification_report
from analyze.language import detect_language

COLUMNS = ("text", "label")


def evaluate(data: pd.DataFrame, **options: Any) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class scores and confusion of `lang`; the same for `script` when labelled.

    Also `yue_vs_written`: accuracy of telling Cantonese from written Chinese on rows labelled yue or zh
    (a row counts as right when it is yue and detected yue, or zh and detected anything but yue).
    """
    responses = pd.DataFrame({"response_id": [str(i) for i in range(len(data))], "text": data["text"].to_numpy()})
    detected = detect_language(responses)
    truth, predicted = list(data["label"]), list(detected["lang"])
    out: dict[str, Any] = classification_report(truth, predicted)
    chinese = [(t, p) for t, p in zip(truth, predicted, strict=True) if t in ("yue", "zh")]
    if chinese:
        right = sum((t == "yue") == (p == "yue") for t, p in chinese)
        out["yue_vs_written"] = {"accuracy": round(right / len(chinese), 4), "n": len(chinese)}
    if "script" in data.columns:
        out["script"] = classification_report(list(data["script"]), list(detected["script"]))
    return out
