import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from check_notebooks import dirty_cells, main  # noqa: E402


def test_committed_notebooks_hold_no_outputs():
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert notebooks
    assert {p.name: dirty_cells(p) for p in notebooks} == {p.name: [] for p in notebooks}


def test_a_notebook_with_outputs_is_caught(tmp_path):
    nb = {"cells": [{"cell_type": "code", "execution_count": 3, "outputs": [{"text": "陳大文 9123 4567"}]}]}
    path = tmp_path / "x.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert dirty_cells(path) == [0]
    assert main([str(path)]) == 1
