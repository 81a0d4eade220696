"""A content-cache store on disk: a main Parquet file plus the part files later runs appended beside it.

A run that adds a few texts to a store of 100k+ rows would otherwise rewrite the whole file (the MinHash signature
store alone is tens of MB): its rows are written as `<namespace>.partN.parquet` instead, and a store is read as its
main file followed by its parts in order. The parts are compacted into the main file when more than MAX_PARTS would
pile up, when the new rows are a large share of the store, or when some file could not be used. Every file is
written through a temp file and renamed, so readers never see a partial one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from collect.storage import parquet_writer

MAX_PARTS = 8  # parts beside the main file before they are compacted into it
LARGE_SHARE = 0.25  # new rows at least this share of the store are written with it, not as a part
_PART = re.compile(r"^(?P<store>.+)\.part(?P<n>\d+)\.parquet$")


def store_name(file: Path) -> str:
    """The store a file belongs to: its name without `.partN` and `.parquet`."""
    part = _PART.match(file.name)
    return part["store"] if part else file.stem


def parts(path: Path) -> list[Path]:
    """The part files beside the main file `path`, oldest first."""
    found = (_PART.match(p.name) for p in path.parent.glob(f"{path.stem}.part*.parquet"))
    numbered = sorted((int(m["n"]), m.string) for m in found if m and m["store"] == path.stem)
    return [path.parent / name for _, name in numbered]


def store_files(path: Path) -> list[Path]:
    """The files of the store `path`, in the order their rows are read: the main file, then its parts."""
    path = Path(path)
    return ([path] if path.is_file() else []) + parts(path)


def store_rows(path: Path) -> int:
    """How many rows a store holds: its main file's and its parts' (0 when it has none)."""
    return sum(pq.ParquetFile(file).metadata.num_rows for file in store_files(path))


def write_rows(path: Path, table: pa.Table, whole: bool, read: list[Path]) -> list[Path]:
    """Write a store's rows; returns the files its rows are now read from.

    Args:
        path: the store's main file.
        table: the whole store (`whole`) or only the rows to append as a new part.
        whole: rewrite the main file with `table`, then delete the other files in `read` (the parts it holds).
        read: the files the store was read from.

    """
    if whole:
        _write(path, table)
        for file in read:
            if file != path:
                file.unlink(missing_ok=True)
        return [path]
    numbers = [int(_PART.match(p.name)["n"]) for p in parts(path)]
    part = path.with_name(f"{path.stem}.part{max(numbers, default=0) + 1}.parquet")
    _write(part, table)
    return [*read, part]


def _write(path: Path, table: pa.Table) -> None:
    with parquet_writer(path, table.schema) as writer:
        writer.write_table(table)


def describe_cache(folder: Path) -> list[dict]:
    """One dict per store: namespace, entries (None when some file is unreadable), bytes, files (main and parts)."""
    out: dict[str, dict] = {}
    for path in cache_files(folder):
        try:
            rows: int | None = pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            rows = None
        store = out.setdefault(store_name(path), {"namespace": store_name(path), "entries": 0, "bytes": 0, "files": 0})
        store["entries"] = None if rows is None or store["entries"] is None else store["entries"] + rows
        store["bytes"] += path.stat().st_size
        store["files"] += 1
    return list(out.values())


def cache_files(folder: Path) -> list[Path]:
    """The files of the stores in a round's cache folder (main files and parts), by name."""
    return sorted(Path(folder).glob("*.parquet")) if Path(folder).is_dir() else []


def clear_cache(folder: Path) -> list[Path]:
    """Delete every store file (main, part or temp file) in the cache folder; returns what was deleted."""
    folder = Path(folder)
    gone = cache_files(folder) + (sorted(folder.glob(".*.tmp")) if folder.is_dir() else [])
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
