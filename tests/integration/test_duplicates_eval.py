import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyze.cli import app

EVAL = Path(__file__).parents[2] / "data" / "eval" / "duplicates.csv"


@pytest.mark.slow
def test_eval_duplicates_on_planted_campaigns_meets_target():
    """The committed planted-campaign set (data/eval/duplicates.SOURCE.md): pairwise F1 >= 0.95 (issue 7)."""
    result = CliRunner().invoke(app, ["eval", "duplicates", "--data", str(EVAL), "--baseline", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output.strip().splitlines()[-1])
    metrics = report["metrics"]
    assert report["n"] == 1294 and metrics["labelled_groups"] == 744
    assert metrics["near_groups"]["f1"] >= 0.95
    assert metrics["campaigns"]["f1"] >= 0.95 and metrics["campaigns_found"] == 24
    assert min(metrics["copy_recall_by_perturbation"].values()) >= 0.9
    assert metrics["baseline_exact_groups"]["recall"] < 0.5  # exact matching alone misses most copies


def test_eval_duplicates_rejects_a_file_without_the_columns(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nhello,a\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "duplicates", "--data", str(bad)])
    assert result.exit_code == 2 and "needs column(s) ['group']" in result.output
