"""What the results were computed by: the package version plus a digest of the package's own files.

Stage fingerprints and content-cache keys name it, so a result is reused only by the code that made it: editing a
source checkout (or pulling a commit) without changing the version re-runs every stage and recomputes every cached
value, instead of keeping tables and values the new code might not give.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from analyze import __version__

PACKAGES = ("analyze", "collect")  # every file in them (code, models, codebooks, templates), bytecode caches aside


def files_digest(root: Path, packages: tuple[str, ...] = PACKAGES) -> str:
    """12 hex digits of a sha256 over every file of the packages under `root` (relative path and bytes).

    Bytecode caches are left out: they follow the sources and differ between Python builds.
    """
    h = hashlib.sha256()
    for package in packages:
        files = (p for p in (root / package).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        for path in sorted(p for p in files if p.suffix != ".pyc"):
            h.update(f"{path.relative_to(root).as_posix()}\x1f".encode())
            h.update(path.read_bytes())
            h.update(b"\x1e")
    return h.hexdigest()[:12]


@lru_cache(maxsize=1)
def code_version() -> str:
    """`<version>+<12 hex digits>`: the version and `files_digest` of the installed (or checked-out) packages."""
    return f"{__version__}+{files_digest(Path(__file__).resolve().parents[1])}"
