"""The shipped analyst notebooks: where they live and how one is executed for a round (papermill)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from collect.roundfile import RoundPaths, load_round
from collect.storage import write_text

BRIEF_NOTEBOOK = "policy_brief.ipynb"
KERNEL = "python3"  # ipykernel's kernel in the project's environment; jupyter_client runs it with this Python


class NotebookError(RuntimeError):
    """A notebook cell failed; the message names the cell and the error in one line."""


def notebook_source(name: str) -> Path:
    """A shipped notebook: in a source checkout `notebooks/<name>`, in an installed wheel `analyze/_notebooks/`."""
    checkout = Path(__file__).resolve().parents[1] / "notebooks" / name
    if checkout.is_file():
        return checkout
    return Path(str(files("analyze").joinpath("_notebooks", name)))


def execute_brief_notebook(
    round_path: Path | str, *, language: str = "both", sections: str | None = None, progress: bool = False
) -> Path:
    """Execute the brief notebook for a round into `reports/<round>/policy_brief.ipynb`; return that path.

    Args:
        round_path: round folder or its round.yaml.
        language: headings and labels in "en", "zh" or "both".
        sections: comma-separated sections to show; None shows the notebook's default sections.
        progress: show papermill's per-cell progress bar.

    Raises:
        FileNotFoundError: the round has not been analysed yet.
        NotebookError: a cell failed (for example a stage table is missing: run the round first).

    """
    import nbformat
    import papermill

    cfg, root = load_round(round_path)
    paths = RoundPaths(root, cfg.round)
    if not paths.processed_table("topics").is_file():
        raise FileNotFoundError(f"no analysed tables in {paths.processed}: run `consult run {root}` first")
    out = paths.reports / BRIEF_NOTEBOOK
    params = {"round_dir": str(root.resolve()), "language": language}
    if sections is not None:
        params["sections"] = sections
    src = notebook_source(BRIEF_NOTEBOOK)
    try:
        executed = papermill.execute_notebook(
            str(src), None, parameters=params, kernel_name=KERNEL, cwd=str(src.parent), progress_bar=progress
        )
    except papermill.PapermillExecutionError as err:
        raise NotebookError(f"{src.name} failed in cell {err.exec_count}: {err.ename}: {err.evalue}") from None
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(nbformat.writes(executed), out)
    return out
