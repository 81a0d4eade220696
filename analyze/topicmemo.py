"""The topic stage's clustering and placement, remembered between runs (see `TopicMemo`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from analyze.textcache import cache_config, cached_column, column_matrix, vector_column
from collect.storage import parquet_writer


def _key(settings: dict, *arrays: np.ndarray) -> str:
    """sha256 of the settings (the code's version included) and of each array's exact float64 values and shape."""
    digest = hashlib.sha256(cache_config(**settings).encode())
    for x in arrays:
        x = np.ascontiguousarray(x, dtype=np.float64)
        digest.update(f"{x.shape}".encode())
        digest.update(x.tobytes())
    return digest.hexdigest()


class TopicMemo:
    """The topic stage's clustering and placement, remembered by their inputs in `folder`.

    The clustering is kept for the exact vectors and settings it was found for (one entry: the last fit), and so
    are the draw of the sample and its near-duplicate points (`integers`) and the points' guided, script-centred
    vectors (`matrix`); the placement keeps each placed text's topic probabilities under the fit's key (training
    texts, their topics, the classifier's settings), dropped when the fit changes. A re-run that adds texts but
    keeps the sample reads all of them and places only the new texts.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def labels(self, x: np.ndarray, settings: dict, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Cluster labels of the rows of x under these settings: from the store, or `compute()` and kept."""
        return self.integers("topic_labels", _key(settings, x), compute)

    def matrix(
        self, name: str, inputs: tuple[np.ndarray, ...], settings: dict, compute: Callable[[], np.ndarray]
    ) -> np.ndarray:
        """A float array that depends only on `inputs` and settings (the code's version included).

        From `name`.parquet when it was kept for them (the last key asked), else `compute()` and kept.
        """
        key = _key(settings, *inputs)
        kept = self.arrays(name, key)
        if kept is not None and "values" in kept:
            return kept["values"].copy()  # writable, as computed
        values = np.asarray(compute(), dtype=np.float64)
        self.keep_arrays(name, key, {"values": values})
        return values

    def integers(self, name: str, key: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """An integer array kept in `name`.parquet for the last `key` asked: from there, or `compute()` and kept.

        For results that stay the same while a round grows within a step of the sample (its draw, its clustering).
        """
        path = self.folder / f"{name}.parquet"
        try:
            stored = pq.read_table(path)
            if (stored.schema.metadata or {}).get(b"key") == key.encode():
                return stored.column("label").to_numpy()
        except (OSError, KeyError, pa.ArrowException):
            pass  # absent or unreadable: computed again
        values = np.asarray(compute(), dtype=np.int64)
        table = pa.table({"label": values}).replace_schema_metadata({"key": key})
        with parquet_writer(path, table.schema) as writer:
            writer.write_table(table)
        return values

    def arrays(self, name: str, key: str) -> dict[str, np.ndarray] | None:
        """The arrays `keep_arrays` kept in `name`.parquet for `key`; None if absent, for another key or unreadable.

        For the fitted placement model (analyze.topics.modelstate): each array as its dtype, shape and raw bytes, so
        the file holds data only (nothing is unpickled) and `consult cache --clear` deletes it with the stores.
        """
        try:
            stored = pq.read_table(self.folder / f"{name}.parquet")
            if (stored.schema.metadata or {}).get(b"key") != key.encode():
                return None
            rows = zip(*(stored.column(c).to_pylist() for c in ("name", "dtype", "shape", "data")), strict=True)
            return {n: np.frombuffer(data, dtype=np.dtype(d)).reshape(shape) for n, d, shape, data in rows}
        except (OSError, KeyError, ValueError, TypeError, pa.ArrowException):
            return None  # absent or unreadable: computed again

    def keep_arrays(self, name: str, key: str, arrays: dict[str, np.ndarray]) -> None:
        """Keep `arrays` in `name`.parquet for `key`, replacing what it held (temp file + rename)."""
        table = pa.table(
            {
                "name": list(arrays),
                "dtype": [a.dtype.str for a in arrays.values()],
                "shape": [list(a.shape) for a in arrays.values()],
                "data": pa.array([np.ascontiguousarray(a).tobytes() for a in arrays.values()], pa.large_binary()),
            }
        ).replace_schema_metadata({"key": key})
        with parquet_writer(self.folder / f"{name}.parquet", table.schema) as writer:
            writer.write_table(table)

    def probabilities(self, fit_key: str, texts: list[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Each text's topic probabilities under the fit `fit_key`; `compute` is called once, for the texts not kept."""
        path, config = self.folder / "topic_proba.parquet", cache_config(fit=fit_key)
        column = cached_column(
            path, "topic_proba", config, texts, "proba", lambda new: vector_column(compute(new)), exclusive=True
        )
        return column_matrix(column, np.float64)
