"""The analyst notebooks executed with papermill on the demo round, as `consult notebook` does it."""

import nbformat
import pytest

from analyze.notebook import BRIEF_NOTEBOOK, EXPLORE_NOTEBOOK, execute_brief_notebook, execute_notebook

pytestmark = pytest.mark.slow


def _outputs(nb, mime: str) -> list[str]:
    return [
        out["data"][mime]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if mime in out.get("data", {})
    ]


def _errors(nb) -> list:
    return [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]


def test_brief_notebook_runs_on_the_demo_round(demo_round):
    path = execute_brief_notebook(demo_round, language="zh")
    nb = nbformat.read(path, as_version=4)

    assert path.name == BRIEF_NOTEBOOK and path.parent.name == "demo"
    assert not _errors(nb)
    assert len(_outputs(nb, "image/png")) >= 2  # theme sizes and sentiment charts at least
    headings = "\n".join(_outputs(nb, "text/markdown"))
    assert "## 摘要" in headings and "## 收到的意見" in headings and "Executive summary" not in headings
    html = "\n".join(_outputs(nb, "text/html"))
    assert "<blockquote>" in html and "[r-" in html  # quotes cited by response_id


def test_explore_notebook_looks_up_a_theme_and_compares_groups(demo_round):
    nb = nbformat.read(execute_notebook(EXPLORE_NOTEBOOK, demo_round), as_version=4)
    assert not _errors(nb)
    html = "\n".join(_outputs(nb, "text/html"))
    assert "topic_prob" in html and "respondent_type" in html


def test_shipped_notebooks_have_no_outputs_and_a_parameters_cell():
    from analyze.notebook import notebook_source

    for name in (BRIEF_NOTEBOOK, EXPLORE_NOTEBOOK):
        nb = nbformat.read(notebook_source(name), as_version=4)
        assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), name
        assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells), name
