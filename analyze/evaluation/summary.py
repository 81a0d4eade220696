"""The evaluation summary published with every brief: reports/eval/summary.md and its summary.json twin.

A row (one task on one data set) has: task, dataset, language, n, sample, metrics (headline name -> value), target
(text), met (True, False or None when there is no target or no figure), status ("ok", "not available",
"no labelled data" or "error: ..."), source (origin, licence and label mapping). summary.json also keeps each row's
full metrics (`result`), `data_sha256`, `config` and `seconds`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collect.storage import write_json, write_text

_COLUMNS = ("task", "data set", "language", "n", "main metrics", "target", "met?")


def _cell(value: Any) -> str:
    """A Markdown table cell: no pipes or line breaks from error messages or file names."""
    return str(value).replace("|", "/").replace("\r", " ").replace("\n", " ")


def metrics_text(row: dict[str, Any]) -> str:
    """The headline metrics as "name value, ...", or the row's status when it has no figures."""
    if row["status"] != "ok":
        return row["status"]
    return ", ".join(f"{k} {v:.4g}" for k, v in row["metrics"].items())


def met_text(met: bool | None) -> str:
    """yes, **no** or n/a (no target, or the task does not report the target's metric)."""
    return {True: "yes", False: "**no**", None: "n/a"}[met]


def render_markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    """The summary as Markdown: the table, then each data set's origin, licence and label mapping."""
    lines = [
        "# Evaluation summary",
        "",
        f"consultkit {meta['version']}, `consult eval suite`, sampling seed {meta['seed']}. Each figure is measured",
        "against human labels (or documented planted labels) on the data set named; see summary.json for every metric.",
        f"Shared real data (../shared/data): {meta['shared_data']}.",
        "",
        "| " + " | ".join(_COLUMNS) + " |",
        "|" + "---|" * len(_COLUMNS),
    ]
    for r in rows:
        n = "" if r["n"] is None else f"{r['n']:,}"
        cells = (
            r["task"],
            r["dataset"],
            r["language"],
            n,
            metrics_text(r),
            r["target"] or "none set",
            met_text(r["met"]),
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", "## Data", ""]
    for r in rows:
        if r["dataset"]:
            lines.append(_cell(f"- {r['task']}, {r['dataset']}: {r['sample']}; {r['source']}"))
    return "\n".join(lines) + "\n"


def write_summary(rows: list[dict[str, Any]], meta: dict[str, Any], out: Path) -> Path:
    """Write `out` (Markdown) and `out` with a .json suffix, each atomically; return the Markdown path."""
    out = Path(out)
    write_json({**meta, "rows": rows}, out.with_suffix(".json"))
    return write_text(render_markdown(rows, meta), out)


def load_summary(path: Path = Path("reports/eval/summary.json")) -> list[dict[str, Any]]:
    """The summary rows for the brief's methodology appendix.

    Args:
        path: summary.json, or summary.md (its .json twin is read).

    Returns:
        The rows described in this module's docstring, in suite order; an empty list when no suite has run.
    """
    path = Path(path).with_suffix(".json")
    if not path.is_file():
        return []
    return json.loads(path.read_text(encoding="utf-8"))["rows"]
