"""Per-text results remembered by content, so a re-run computes only the texts it has not seen before.

One store per namespace (language, pii, signatures, duplicate keys, sentiment, stance, embeddings, topic tokens, and
the topic memo's placements): `<round>/interim/cache/<namespace>.parquet`, a table of `key` and the cached columns.
A key is sha256(namespace, config, text), where `config` names the package version and every setting the result
depends on: another model, parameter or rule set never reuses a result. Vectors (embeddings, MinHash signatures) are
stored as fixed-size list columns, written from and read back into numpy arrays without a Python object per number.
A store that cannot be read is ignored with a warning and rebuilt; `consult cache ROUND --clear` deletes them all
(see README).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from analyze import __version__
from collect.hashing import sha256_hex
from collect.storage import parquet_writer

log = logging.getLogger(__name__)
KEY = "key"
Texts = Sequence[str] | pa.Array | pa.ChunkedArray  # an Arrow string array is keyed from its UTF-8 bytes


def cache_config(**settings: object) -> str:
    """A store's config string: the package version and the settings its values depend on."""
    return json.dumps({"version": __version__, **settings}, sort_keys=True, default=str)


def text_keys(namespace: str, config: str, texts: Texts) -> pa.StringArray:
    """The store key of each text: a hash of the namespace, the config string and the text (32 hex digits)."""
    if not isinstance(texts, pa.Array | pa.ChunkedArray):
        texts = pa.array([text.encode("utf-8", "surrogatepass") for text in texts], pa.large_binary())
    return sha256_hex(texts, 32, head=f"{namespace}\x1f{config}\x1f".encode())


def vector_column(matrix: np.ndarray) -> pa.FixedSizeListArray:
    """A 2-D array as one fixed-size list per row, built from the array's buffer (no Python number per cell)."""
    matrix = np.ascontiguousarray(matrix)
    return pa.FixedSizeListArray.from_arrays(pa.array(matrix.reshape(-1)), matrix.shape[1])


def column_matrix(column: pa.ChunkedArray | pa.Array, dtype: type = np.float32) -> np.ndarray:
    """A fixed-size list column back as a 2-D array (rows x list size)."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    return array.flatten().to_numpy(zero_copy_only=False).astype(dtype, copy=False).reshape(len(array), -1)


class TextCache:
    """One namespace's store: read on first use, added to by `get`, written back by `save` (atomically, once).

    Args:
        path: the store's Parquet file.
        namespace: what the store holds (part of every key).
        config: the version and settings the values depend on (part of every key).
        exclusive: keep only this config's values (a store written under another is dropped), for values that
            belong to one fit and would only pile up.

    """

    def __init__(self, path: Path, namespace: str, config: str, exclusive: bool = False) -> None:
        self.path = Path(path)
        self.namespace = namespace
        self.config = config
        self.exclusive = exclusive
        self._table: pa.Table | None = None
        self._keys = pa.array([], pa.string())  # the store's key column, for lookups
        self._added = False

    def _load(self) -> pa.Table | None:
        if self._table is None and self.path.is_file():
            try:
                table = pq.read_table(self.path)
                if KEY not in table.column_names:
                    raise ValueError(f"no {KEY} column")
            except (OSError, ValueError, pa.ArrowException) as err:
                log.warning("cache %s unreadable (%s): ignored, it will be rebuilt", self.path, err)
                return None
            if self.exclusive and (table.schema.metadata or {}).get(b"config") != self.config.encode():
                return None
            self._table = table.replace_schema_metadata(None)
            self._keys = self._table.column(KEY).combine_chunks().cast(pa.string())
        return self._table

    def _rows(self, keys: pa.StringArray) -> np.ndarray:
        """Each key's row in the store, -1 where it has none."""
        return pc.index_in(keys, value_set=self._keys).fill_null(-1).to_numpy(zero_copy_only=False)

    def get(self, texts: Texts, compute: Callable[[list[int]], pa.Table]) -> pa.Table:
        """The cached columns of each text, in the order given.

        Args:
            texts: the texts the values depend on (one per row).
            compute: given the positions (into `texts`) of one row per text not in the store, returns a table of
                the values of those rows in that order.

        Returns:
            One row per text, the store's columns without `key`.

        """
        keys = text_keys(self.namespace, self.config, texts)
        table = self._load()
        rows = self._rows(keys)
        missing = keys.filter(pa.array(rows < 0))
        if len(missing):
            unseen = pc.unique(missing)  # in order of first appearance
            first = pc.index_in(unseen, value_set=keys).to_numpy().tolist()  # each one's first row in texts
            new = compute(first).append_column(KEY, unseen)
            if table is not None and not table.schema.equals(new.schema):
                log.warning("cache %s was written in another layout (%s): rebuilt", self.path, table.schema.types)
                table = None
            table = new if table is None else pa.concat_tables([table, new])
            self._table, self._keys, self._added = table, table.column(KEY).combine_chunks(), True
            rows = self._rows(keys)
        if table is None:  # no texts at all
            return pa.table({})
        return table.drop_columns([KEY]).take(pa.array(rows, pa.int64()))

    def save(self) -> None:
        """Write the store if `get` added to it (temp file + rename)."""
        if self._added and self._table is not None:
            table = self._table.replace_schema_metadata({"config": self.config} if self.exclusive else None)
            with parquet_writer(self.path, table.schema) as writer:
                writer.write_table(table)
            self._added = False


def cached_frame(
    df: pd.DataFrame,
    fn: Callable[[pd.DataFrame], pd.DataFrame],
    texts: Texts,
    cache: TextCache,
    map_frame: Callable[[Callable[[pd.DataFrame], pd.DataFrame], pd.DataFrame], pd.DataFrame],
) -> pd.DataFrame:
    """`fn(df)` for a row-wise stage whose every column but `response_id` depends only on the row's text.

    Rows whose text is in the store take their values from it; one row per new text goes through
    `map_frame(fn, rows)` (an executor's, so new texts can run on a cluster). The store is saved once.

    Args:
        df: the stage's input, with `response_id`.
        fn: the stage function; returns one row per input row, in order, `response_id` first.
        texts: what each row's values depend on (same length as df).
        cache: the stage's store.
        map_frame: how fn is applied (e.g. `executor.map_frame`).

    Returns:
        What `fn(df)` returns.

    """
    if df.empty:
        return map_frame(fn, df)

    def compute(positions: list[int]) -> pa.Table:
        out = map_frame(fn, df.iloc[positions]).drop(columns="response_id")
        return pa.Table.from_pandas(out, preserve_index=False)

    values = cache.get(texts, compute).to_pandas()
    cache.save()
    values.insert(0, "response_id", df["response_id"].to_numpy())
    return values


def cached_column(
    path: Path,
    namespace: str,
    config: str,
    texts: list[str],
    name: str,
    compute: Callable[[list[str]], pa.Array],
    exclusive: bool = False,
) -> pa.ChunkedArray:
    """One value per text, the store's column `name`; `compute` is called once, on the texts not in the store."""
    cache = TextCache(path, namespace, config, exclusive)
    table = cache.get(texts, lambda positions: pa.table({name: compute([texts[i] for i in positions])}))
    cache.save()
    return table.column(name)


def cache_files(folder: Path) -> list[Path]:
    """The stores in a round's cache folder, by name."""
    return sorted(Path(folder).glob("*.parquet")) if Path(folder).is_dir() else []


def describe_cache(folder: Path) -> list[dict]:
    """One dict per store: namespace, entries (None when unreadable), bytes."""
    out = []
    for path in cache_files(folder):
        try:
            entries: int | None = pq.ParquetFile(path).metadata.num_rows
        except (OSError, pa.ArrowException):
            entries = None
        out.append({"namespace": path.stem, "entries": entries, "bytes": path.stat().st_size})
    return out


def clear_cache(folder: Path) -> list[Path]:
    """Delete every store (and temp file) in the cache folder; returns what was deleted."""
    folder = Path(folder)
    gone = cache_files(folder) + (sorted(folder.glob(".*.tmp")) if folder.is_dir() else [])
    for path in gone:
        path.unlink(missing_ok=True)
    return gone
