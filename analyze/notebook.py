"""The shipped analyst notebooks: where they live and how one is executed for a round (papermill)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from collect.roundfile import RoundPaths, load_round
from collect.storage import write_text

BRIEF_NOTEBOOK = "policy_brief.ipynb"
EXPLORE_NOTEBOOK = "explore.ipynb"
KERNEL = "python3"  # ipykernel's kernel in the project's environment; jupyter_client runs it with this Python


class NotebookError(RuntimeError):
    """A notebook cell failed; the message names the cell and the error in one line."""


def notebook_source(name: str) -> Path:
    """A shipped notebook: in a source checkout `notebooks/<name>`, in an installed wheel `analyze/_notebooks/`."""
    checkout = Path(__file__).resolve().parents[1] / "notebooks" / name
    if checkout.is_file():
        return checkout
    return Path(str(files("analyze").joinpath("_notebooks", name)))


def execute_notebook(name: str, round_path: Path | str, params: dict | None = None, progress: bool = False) -> Path:
    """Execute a shipped notebook for an analysed round into `reports/<round>/<name>`; return that path.

    Args:
        name: the notebook's file name (BRIEF_NOTEBOOK, EXPLORE_NOTEBOOK).
        round_path: round folder or its round.yaml.
        params: papermill parameters besides `round_dir`.
        progress: show papermill's per-cell progress bar.

    Raises:
        FileNotFoundError: the round has not been analysed yet.
        NotebookError: a cell failed.

    """
    import nbformat
    import papermill

    cfg, root = load_round(round_path)
    paths = RoundPaths(root, cfg.round)
    if not paths.processed_table("topics").is_file():
        raise FileNotFoundError(f"no analysed tables in {paths.processed}: run `consult run {root}` first")
    src = notebook_source(name)
    try:
        executed = papermill.execute_notebook(
            str(src),
            None,
            parameters={"round_dir": str(root.resolve()), **(params or {})},
            kernel_name=KERNEL,
            cwd=str(src.parent),
            progress_bar=progress,
        )
    except papermill.PapermillExecutionError as err:
        raise NotebookError(f"{src.name} failed in cell {err.exec_count}: {err.ename}: {err.evalue}") from None
    out = paths.reports / name
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text(nbformat.writes(executed), out)
    return out


def execute_brief_notebook(
    round_path: Path | str, *, language: str = "both", sections: str = "", progress: bool = False
) -> Path:
    """Execute the brief notebook for a round into `reports/<round>/policy_brief.ipynb` (see `execute_notebook`).

    Args:
        round_path: round folder or its round.yaml.
        language: headings and fixed text in "en", "zh" or "both".
        sections: comma-separated section ids to show; empty shows every section.
        progress: show papermill's per-cell progress bar.

    """
    params = {"language": language, "sections": sections}
    return execute_notebook(BRIEF_NOTEBOOK, round_path, params, progress)
