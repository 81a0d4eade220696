"""The raw-file manifest: what was read, byte for byte, so a changed raw file is noticed."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from collect.storage import sha256_file

MANIFEST_COLUMNS = ["source", "sha256", "size_bytes"]


def build_manifest(round_dir: Path, files: Iterable[Path]) -> pd.DataFrame:
    """One row per raw file: path relative to the round folder, sha256, size. Raw files are only read."""
    rows = [
        {
            "source": Path(f).resolve().relative_to(round_dir).as_posix(),
            "sha256": sha256_file(f),
            "size_bytes": Path(f).stat().st_size,
        }
        for f in files
    ]
    return pd.DataFrame(rows, columns=MANIFEST_COLUMNS).sort_values("source", ignore_index=True)
