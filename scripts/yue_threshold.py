"""Choose the Cantonese marker threshold: accuracy of "yue if markers / Chinese characters >= t" for several t.

Rows: the yue and zh rows of data/eval/language.csv (development set) plus the written-Chinese rows (zh-Hans,
zh-Hant) of the measure-only SIB-200 file that scripts/make_eval_sets.py writes. SIB-200's "Cantonese" rows are left
out: they are formal written Chinese (see BENCHMARKS.md), not a test of Cantonese detection.
Run: python scripts/yue_threshold.py [SIB200_CSV]   (default /tmp/consult-lang-eval/sib200_language.csv)
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from analyze.language import yue_marker_count
from analyze.normalise import cjk_count, normalise_text

REPO = Path(__file__).resolve().parents[1]
THRESHOLDS = (0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05)


def main(sib_path: Path) -> None:
    """Print, per threshold, overall accuracy and accuracy per source."""
    dev = pd.read_csv(REPO / "data/eval/language.csv", dtype=str, keep_default_na=False)
    sib = pd.read_csv(sib_path, dtype=str, keep_default_na=False)
    rows = pd.concat([dev[dev["label"].isin(["yue", "zh"])], sib[sib["label"] == "zh"]])
    text = rows["text"].map(normalise_text)
    n_cjk = text.map(cjk_count)
    rows, text, n_cjk = rows[n_cjk > 0], text[n_cjk > 0], n_cjk[n_cjk > 0]
    share = text.map(yue_marker_count) / n_cjk
    for t in THRESHOLDS:
        right = (share >= t) == (rows["label"] == "yue")
        per_source = right.groupby(rows["source"]).mean().round(4).to_dict()
        print(f"t={t:<6} accuracy {right.mean():.4f} (n={len(rows)})  {per_source}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/consult-lang-eval/sib200_language.csv"))
