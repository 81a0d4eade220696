"""The brief notebook executed with papermill on the demo round, as `consult notebook` does it."""

import nbformat
import pytest

from analyze.notebook import execute_brief_notebook

pytestmark = pytest.mark.slow


def _outputs(nb, mime: str) -> list[str]:
    return [
        out["data"][mime]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if mime in out.get("data", {})
    ]


def test_brief_notebook_runs_on_the_demo_round(demo_round):
    path = execute_brief_notebook(demo_round, language="zh")
    nb = nbformat.read(path, as_version=4)

    assert path.name == "policy_brief.ipynb" and path.parent.name == "demo"
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert len(_outputs(nb, "image/png")) == 2  # theme sizes and sentiment charts
    headings = "\n".join(_outputs(nb, "text/markdown"))
    assert "收到的意見" in headings and "議題" in headings and "Sentiment" not in headings  # language="zh"
    tables = "\n".join(_outputs(nb, "text/html"))
    assert "label_zh" in tables and "r-" in tables  # topic table and quotes cited by response_id


def test_shipped_notebooks_have_no_outputs():
    from analyze.notebook import BRIEF_NOTEBOOK, notebook_source

    nb = nbformat.read(notebook_source(BRIEF_NOTEBOOK), as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells)
