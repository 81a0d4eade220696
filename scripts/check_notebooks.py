"""Fail when a committed notebook holds outputs: they can carry submissions' personal data (STYLE.md, Habits).

Usage: python scripts/check_notebooks.py [NOTEBOOK ...]   (default: every notebooks/*.ipynb)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def dirty_cells(path: Path) -> list[int]:
    """Indices of code cells with outputs or an execution count."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return [
        i
        for i, c in enumerate(cells)
        if c.get("cell_type") == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


def main(paths: list[str]) -> int:
    """Print each notebook with outputs; return 1 if any."""
    notebooks = [Path(p) for p in paths] or sorted(Path(__file__).resolve().parents[1].glob("notebooks/*.ipynb"))
    dirty = {p: cells for p in notebooks if (cells := dirty_cells(p))}
    for path, cells in dirty.items():
        print(f"{path}: outputs in code cells {cells}; clear them before committing")
    return 1 if dirty else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
