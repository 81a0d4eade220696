"""The topic stage's clustering and placement, remembered between runs (see `TopicMemo`)."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

from analyze import __version__
from analyze.textcache import TextCache, column_matrix, vector_column
from collect.storage import write_bytes


def _config(**settings: object) -> str:
    """The version and settings a remembered result depends on."""
    return json.dumps({"version": __version__, **settings}, sort_keys=True, default=str)


class TopicMemo:
    """The topic stage's clustering and placement, remembered by their inputs in `folder`.

    The clustering is kept for the exact vectors and settings it was found for (one entry: the last fit); the
    placement keeps each placed text's topic probabilities under the fit's key (training texts, their topics, the
    classifier's settings), dropped when the fit changes. A re-run that adds texts but keeps the sample reads both
    and places only the new texts.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def labels(self, x: np.ndarray, settings: dict, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Cluster labels of the rows of x under these settings: from the store, or `compute()` and kept."""
        digest = hashlib.sha256(_config(**settings).encode())
        digest.update(np.ascontiguousarray(x).tobytes())
        key, path = digest.hexdigest(), self.folder / "topic_labels.npz"
        try:
            with np.load(path) as stored:
                if str(stored["key"]) == key:
                    return stored["labels"]
        except (OSError, KeyError, ValueError):
            pass  # absent or unreadable: computed again
        labels = compute()
        buffer = io.BytesIO()
        np.savez(buffer, key=np.array(key), labels=labels)
        write_bytes(buffer.getvalue(), path)
        return labels

    def probabilities(self, fit_key: str, texts: list[str], compute: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Each text's topic probabilities under the fit `fit_key`; `compute` is called once, for the texts not kept."""
        cache = TextCache(self.folder / "topic_proba.parquet", "topic_proba", _config(fit=fit_key), exclusive=True)
        table = cache.get(texts, lambda pos: pa.table({"proba": vector_column(compute([texts[i] for i in pos]))}))
        cache.save()
        return column_matrix(table.column("proba"), np.float64)
