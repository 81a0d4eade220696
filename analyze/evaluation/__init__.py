"""`consult eval`: measured accuracy of each stage against labelled CSV files.

Each task lives in its own module `analyze.evaluation.<task>` with two names:
    COLUMNS: tuple of required CSV columns (others are allowed and may be optional inputs);
    evaluate(data: pd.DataFrame, **options) -> dict: the metrics (JSON-serialisable; floats rounded).
`run_eval` loads the file, checks the columns, times the call and wraps the metrics with provenance.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path
from typing import Any

import pandas as pd

from analyze import __version__
from collect.storage import sha256_file

TASKS = ("language", "pii", "duplicates", "topics", "sentiment", "stance")


class EvalError(ValueError):
    """The task or the labelled file is not usable; the message is one line for the user."""


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


def run_eval(task: str, data_path: Path, **options: Any) -> dict[str, Any]:
    """Run one task on one labelled file.

    Returns:
        task, n, metrics, seconds, data (file name), data_sha256, version, config (the options used).
    """
    if task not in TASKS:
        raise EvalError(f"unknown task {task!r}; tasks: {', '.join(TASKS)}")
    try:
        module = importlib.import_module(f"analyze.evaluation.{task}")
    except ModuleNotFoundError as e:
        raise EvalError(f"task {task!r} is not available in this version") from e
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
