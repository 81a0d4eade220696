"""What each stage loads before its first row (libraries, models), so that a lane about to wait can load it early.

A lane of the stage schedule (analyze/schedule.py) that has nothing to run while the other lane works loads its next
stages' libraries meanwhile: this process imports scikit-learn and matplotlib while the side process detects
languages, and the side process loads lingua's models while this one imports the export. Each warm-up is a
module-level function or a partial of one, so it can be sent to the side process; what it loads is what the stage
would load anyway, so the tables are the same with or without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial


def import_modules(*modules: str) -> None:
    """Import `modules` (a stage's libraries are imported where used, so that a stage kept costs nothing)."""
    for module in modules:
        importlib.import_module(module)


def warm_language() -> None:
    """Import the stage runner (all of analyze's stages) and load lingua's models (~1.3 s, holding the GIL)."""
    import_modules("analyze.pipeline")
    from analyze.language import _lingua

    _lingua()


WARM_UPS: dict[str, Callable[[], object]] = {
    "language": warm_language,
    "duplicates": partial(import_modules, "pyarrow.dataset", "scipy.sparse.csgraph"),
    "topics": partial(import_modules, "sklearn.feature_extraction.text", "sklearn.linear_model", "sklearn.pipeline"),
    "concerns": partial(import_modules, "sklearn.cluster", "threadpoolctl"),
    "report": partial(import_modules, "matplotlib.backends.backend_agg", "matplotlib.figure"),
}
