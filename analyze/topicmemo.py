"""The topic stage's clustering and placement, remembered between runs (see `TopicMemo`)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from analyze.textcache import cache_config, cached_column, column_matrix, vector_column
from collect.storage import parquet_writer, write_bytes

_KEY = "__key__"


class TopicMemo:
    """The topic stage's clustering and placement, remembered by their inputs in `folder`.

    The clustering is kept for the exact vectors and settings it was found for (one entry: the last fit), and so
    are the draw of the sample and its near-duplicate points (`integers`); the placement keeps each placed text's
    topic probabilities under the fit's key (training texts, their topics, the classifier's settings), dropped
    when the fit changes. A re-run that adds texts but keeps the sample reads all of them and places only the new
    texts.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def labels(self, x: np.ndarray, settings: dict, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Cluster labels of the rows of x under these settings: from the store, or `compute()` and kept."""
        digest = hashlib.sha256(cache_config(**settings).encode())
        digest.update(np.ascontiguousarray(x).tobytes())
        return self.integers("topic_labels", digest.hexdigest(), compute)

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
        """The named arrays kept in `name`.npz for `key` (by `keep_arrays`), or None (absent, another key, unreadable).

        For the fitted placement model (analyze.topics.modelstate): read without pickle, so the file holds data only.
        """
        try:
            with np.load(self.folder / f"{name}.npz", allow_pickle=False) as stored:
                if stored[_KEY].item() == key:
                    return {k: stored[k] for k in stored.files if k != _KEY}
        except (OSError, KeyError, ValueError, zipfile.BadZipFile):
            pass  # absent or unreadable: computed again
        return None

    def keep_arrays(self, name: str, key: str, arrays: dict[str, np.ndarray]) -> None:
        """Keep `arrays` in `name`.npz for `key`, replacing what it held (temp file + rename)."""
        buffer = io.BytesIO()
        np.savez(buffer, **arrays, **{_KEY: np.asarray(key)})
        write_bytes(buffer.getvalue(), self.folder / f"{name}.npz")

    def probabilities(self, fit_key: str, texts: list[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Each text's topic probabilities under the fit `fit_key`; `compute` is called once, for the texts not kept."""
        path, config = self.folder / "topic_proba.parquet", cache_config(fit=fit_key)
        column = cached_column(
            path, "topic_proba", config, texts, "proba", lambda new: vector_column(compute(new)), exclusive=True
        )
        return column_matrix(column, np.float64)
