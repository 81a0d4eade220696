"""What each stage loads before its first row (libraries, models), so that a lane about to wait can load it early.

A lane of the stage schedule (analyze/schedule.py) that has nothing to run while the other lane works loads its next
stages' libraries meanwhile: this process imports scikit-learn and matplotlib while the side process detects
languages (and computes the duplicate keys and signatures of the round's new texts, the duplicates stage's first
work, into its caches), and the side process loads lingua's models while this one imports the export. Each warm-up is
a module-level function or a partial of one, so it can be sent to the side process; what it loads or computes is what
the stage would anyway, so the tables are the same with or without it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collect.roundfile import RoundPaths


def import_modules(*modules: str) -> None:
    """Import `modules` (a stage's libraries are imported where used, so that a stage kept costs nothing)."""
    for module in modules:
        importlib.import_module(module)


def warm_language() -> None:
    """Import the stage runner (all of analyze's stages) and load lingua's models (~1.3 s, holding the GIL)."""
    import_modules("analyze.pipeline")
    from analyze.language import _lingua

    _lingua()


def warm_duplicates(paths: RoundPaths, num_perm: int, seed: int) -> None:
    """Import the stage's libraries, then compute and store the duplicate keys and signatures of the round's new texts.

    What the duplicates stage would compute first, done while this process waits for the language table
    (`stagecache.prefetch_duplicate_keys`).
    """
    import_modules("pyarrow.dataset", "scipy.sparse.csgraph")
    from analyze.stagecache import prefetch_duplicate_keys

    prefetch_duplicate_keys(paths.responses, paths.processed_table("language"), paths.cache, num_perm, seed)


LIBRARIES = {
    "topics": ("sklearn.feature_extraction.text", "sklearn.linear_model", "sklearn.pipeline"),
    "concerns": ("sklearn.cluster", "threadpoolctl"),
    "report": ("matplotlib.backends.backend_agg", "matplotlib.figure"),
}


def warm_ups(paths: RoundPaths, num_perm: int, seed: int) -> dict[str, Callable[[], object]]:
    """Each stage's warm-up for a round (`num_perm`, `seed`: its duplicates settings)."""
    return {
        "language": warm_language,
        "duplicates": partial(warm_duplicates, paths, num_perm, seed),
        **{stage: partial(import_modules, *modules) for stage, modules in LIBRARIES.items()},
    }
