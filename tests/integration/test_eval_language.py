"""`consult eval language` on a small real sample: English and Chinese Polis comments, Cantonese OpenRice reviews."""

import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyze.cli import app
from analyze.evaluation.datasets import SHARED_SETS, sample_set


@pytest.mark.slow
def test_eval_language_on_real_text(tmp_path, shared_data):
    pytest.importorskip("analyze.evaluation.language")
    names = ("polis-vtaiwan-uberx", "polis-bowling-green", "openrice-senti-yue")
    parts = [
        sample_set(s, shared_data, seed=3).data.head(20)
        for s in SHARED_SETS
        if s.task == "language" and s.name in names
    ]
    data = tmp_path / "language.csv"
    pd.concat(parts)[["text", "label"]].to_csv(data, index=False)

    result = CliRunner().invoke(app, ["eval", "language", "--data", str(data), "--json"])

    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["task"] == "language" and out["n"] == 60
    confusion = out["metrics"]["confusion"]
    right = sum(confusion[c][c] for c in confusion)
    assert out["metrics"]["accuracy"] == pytest.approx(right / 60, abs=1e-4)
    # Issue 6's floors: en/zh recall >= 0.99 (here: all 20 of each), Cantonese vs written Chinese >= 0.90.
    assert confusion["en"]["en"] == 20 and confusion["zh"]["zh"] == 20
    assert out["metrics"]["yue_vs_written"]["accuracy"] >= 0.9
