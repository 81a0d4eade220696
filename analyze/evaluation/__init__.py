"""`consult eval`: measured accuracy of each stage against labelled CSV files.

Each task lives in its own module `analyze.evaluation.<task>` with two names:
    COLUMNS: tuple of required CSV columns (others are allowed and may be optional inputs);
    evaluate(data: pd.DataFrame, **options) -> dict: the metrics (JSON-serialisable; floats rounded).
`run_eval` loads the file, checks the columns, times the call and wraps the metrics with provenance.
`consult eval suite` (analyze.evaluation.suite) runs every task on the labelled real data and writes the summary.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from analyze import __version__
from collect.storage import sha256_file

TASKS = ("language", "pii", "duplicates", "topics", "sentiment", "stance")


class EvalError(ValueError):
    """The task or the labelled file is not usable; the message is one line for the user."""


class TaskUnavailable(EvalError):
    """The task's module is not part of this version (yet)."""


class Task(Protocol):
    """What a task module provides (a module satisfies it structurally)."""

    COLUMNS: tuple[str, ...]

    def evaluate(self, data: pd.DataFrame, **options: Any) -> dict[str, Any]:
        """Score the labelled rows; return JSON-serialisable metrics."""
        ...


def load_labelled(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    """Read a UTF-8 CSV of labelled examples and check it has the task's columns."""
    path = Path(path)
    if not path.is_file():
        raise EvalError(f"no such file: {path}")
    try:
        data = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise EvalError(f"{path.name}: not a UTF-8 CSV ({type(e).__name__})") from e
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise EvalError(f"{path.name}: needs column(s) {missing}; it has {list(data.columns)}")
    if data.empty:
        raise EvalError(f"{path.name}: no rows")
    return data


def load_task(task: str) -> Task:
    """Import the module `analyze.evaluation.<task>`.

    Raises:
        TaskUnavailable: the task is unknown or its module is not in this version.
        EvalError: the module exists but cannot be imported (a missing dependency).
    """
    if task not in TASKS:
        raise TaskUnavailable(f"unknown task {task!r}; tasks: {', '.join(TASKS)}")
    name = f"analyze.evaluation.{task}"
    try:
        return importlib.import_module(name)  # type: ignore[return-value]
    except ModuleNotFoundError as e:
        if e.name == name:
            raise TaskUnavailable(f"task {task!r} is not available in this version") from e
        raise EvalError(f"task {task!r} cannot load: {e}") from e


def evaluate_file(task: str, module: Task, data_path: Path, options: dict[str, Any]) -> dict[str, Any]:
    """Run an already loaded task module on one labelled file and wrap the metrics with provenance.

    Returns:
        task, n, metrics, seconds, data (file name), data_sha256, version, config (the options used).
    """
    data = load_labelled(data_path, module.COLUMNS)
    start = time.perf_counter()
    metrics = module.evaluate(data, **options)
    return {
        "task": task,
        "n": len(data),
        "metrics": metrics,
        "seconds": round(time.perf_counter() - start, 3),
        "data": Path(data_path).name,
        "data_sha256": sha256_file(Path(data_path)),
        "version": __version__,
        "config": options,
    }


def run_eval(task: str, data_path: Path, **options: Any) -> dict[str, Any]:
    """Run one task on one labelled file (see `evaluate_file` for the keys returned)."""
    return evaluate_file(task, load_task(task), data_path, options)
