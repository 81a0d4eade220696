"""`consult eval pii`: redaction against gold spans of personal data.

CSV columns: text, spans (a JSON list of {"start", "end", "type"}, offsets into text). A gold span is found when a
detected span of the same type overlaps it; a detected span is right when it overlaps a gold span of its type.
`leaked_chars` counts gold characters no detected span of any type covers: what a reader would still see.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pandas as pd

from analyze.pii import find_pii

COLUMNS = ("text", "spans")


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _scores(tp_gold: int, n_gold: int, tp_found: int, n_found: int) -> dict[str, Any]:
    return {
        "precision": round(tp_found / n_found, 4) if n_found else 1.0,
        "recall": round(tp_gold / n_gold, 4) if n_gold else 1.0,
        "gold": n_gold,
        "found": n_found,
    }


def evaluate(data: pd.DataFrame, **options: Any) -> dict[str, Any]:
    """Precision and recall per type and overall, plus characters of personal data left visible.

    Raises:
        EvalError: a `spans` cell is not a JSON list of spans.

    """
    from analyze.evaluation import EvalError

    gold_n, found_n, gold_tp, found_tp = Counter(), Counter(), Counter(), Counter()
    leaked = 0
    for i, (text, cell) in enumerate(zip(data["text"], data["spans"], strict=True)):
        try:
            gold = [(int(s["start"]), int(s["end"]), str(s["type"])) for s in json.loads(cell or "[]")]
        except (ValueError, TypeError, KeyError) as e:
            raise EvalError(f"row {i + 2}: spans is not a JSON list of {{start, end, type}} ({e})") from e
        found = [(s.start, s.end, s.type) for s in find_pii(text)]
        for g in gold:
            gold_n[g[2]] += 1
            gold_tp[g[2]] += any(f[2] == g[2] and _overlaps(f[:2], g[:2]) for f in found)
            leaked += sum(not any(f[0] <= c < f[1] for f in found) for c in range(g[0], g[1]))
        for f in found:
            found_n[f[2]] += 1
            found_tp[f[2]] += any(f[2] == g[2] and _overlaps(f[:2], g[:2]) for g in gold)
    types = sorted(set(gold_n) | set(found_n))
    return {
        "overall": _scores(sum(gold_tp.values()), sum(gold_n.values()), sum(found_tp.values()), sum(found_n.values())),
        "per_type": {t: _scores(gold_tp[t], gold_n[t], found_tp[t], found_n[t]) for t in types},
        "leaked_chars": leaked,
    }
