"""Per-text results remembered by content, so a re-run computes only the texts it has not seen before.

One store per namespace (language, pii, signatures, duplicate keys, sentiment, stance, embeddings, topic tokens, and
the topic memo's placements): `<round>/interim/cache/<namespace>.parquet` and the parts appended beside it
(analyze/cachestore.py), a table of `key` and the cached columns. A key is the first 16 bytes of
sha256(namespace, config, text), stored as binary, where `config` names the code (the package version and a digest
of its files, analyze/codeversion.py) and every setting the result depends on: other code, another model, parameter
or rule set never reuses a result. A store of an older layout (hex keys) is ignored and rebuilt. Vectors (embeddings,
MinHash signatures) are stored as one fixed-size binary value per row, the row's bytes: written from and read back
into numpy arrays as one buffer (a fixed-size list column of the 198,000 signatures of a 157,300-response round took
0.20 s to read, the same bytes as binary 0.04 s). A file that cannot be read is ignored with a warning and its rows
recomputed; `consult cache ROUND --clear` deletes them all (see README).
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

from analyze.cachestore import LARGE_SHARE, MAX_PARTS, store_files, write_rows
from analyze.codeversion import code_version
from collect.hashing import sha256_digests

log = logging.getLogger(__name__)
KEY = "key"
KEY_TYPE = pa.binary(16)
Texts = Sequence[str] | pa.Array | pa.ChunkedArray  # an Arrow string array is keyed from its UTF-8 bytes


def cache_config(**settings: object) -> str:
    """A store's config string: the code (version and files) and the settings its values depend on."""
    return json.dumps({"version": code_version(), **settings}, sort_keys=True, default=str)


def text_keys(namespace: str, config: str, texts: Texts) -> pa.FixedSizeBinaryArray:
    """The store key of each text: the first 16 bytes of a sha256 of the namespace, the config string and the text."""
    if isinstance(texts, pa.Array | pa.ChunkedArray):
        data = texts.cast(pa.large_binary()).to_pylist()
    else:
        try:
            data = list(map(str.encode, texts))
        except UnicodeEncodeError:  # a lone surrogate: keyed from its surrogatepass bytes
            data = [text.encode("utf-8", "surrogatepass") for text in texts]
    digests = sha256_digests(data, head=f"{namespace}\x1f{config}\x1f".encode())
    return pa.FixedSizeBinaryArray.from_buffers(
        KEY_TYPE, len(digests), [None, pa.py_buffer(np.ascontiguousarray(digests[:, :16]))]
    )


def vector_column(matrix: np.ndarray) -> pa.FixedSizeBinaryArray:
    """A 2-D array as one fixed-size binary value per row, the row's bytes (no Python number per cell)."""
    matrix = np.ascontiguousarray(matrix)
    width = matrix.shape[1] * matrix.itemsize
    return pa.FixedSizeBinaryArray.from_buffers(pa.binary(width), len(matrix), [None, pa.py_buffer(matrix)])


def column_matrix(column: pa.ChunkedArray | pa.Array, dtype: type = np.float32) -> np.ndarray:
    """A `vector_column` back as a 2-D array of `dtype` (rows x values per row), read from its buffer."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    width = array.type.byte_width
    data = np.frombuffer(array.buffers()[1], np.uint8)[array.offset * width : (array.offset + len(array)) * width]
    return data.view(dtype).reshape(len(array), width // np.dtype(dtype).itemsize)


class TextCache:
    """One namespace's store: read on first use, added to by `get`, its new rows written by `save`.

    Args:
        path: the store's main Parquet file (parts are appended beside it).
        namespace: what the store holds (part of every key).
        config: the version and settings the values depend on (part of every key).
        exclusive: keep only this config's values (files written under another are dropped), for values that
            belong to one fit and would only pile up.

    """

    def __init__(self, path: Path, namespace: str, config: str, exclusive: bool = False) -> None:
        self.path = Path(path)
        self.namespace = namespace
        self.config = config
        self.exclusive = exclusive
        self._table: pa.Table | None = None
        self._keys = pa.array([], KEY_TYPE)  # the store's key column, for lookups
        self._files: list[Path] = []  # the files the store was read from
        self._saved = 0  # rows of the table that are in those files
        self._rewrite = False  # some file was unusable (or in an old form): the next save rewrites the store
        self._loaded = False

    def _read(self, file: Path) -> pa.Table | None:
        """One file's rows; None (and a rewrite at the next save) when unreadable or under another config."""
        try:
            table = pq.read_table(file)
            if KEY not in table.column_names or table.schema.field(KEY).type != KEY_TYPE:
                raise ValueError(f"no {KEY} column of {KEY_TYPE}")
        except (OSError, ValueError, pa.ArrowException) as err:
            log.warning("cache %s unreadable (%s): ignored, its rows will be recomputed", file, err)
            self._rewrite = True
            return None
        if self.exclusive and (table.schema.metadata or {}).get(b"config") != self.config.encode():
            self._rewrite = True
            return None
        return table.replace_schema_metadata(None)

    def _load(self) -> pa.Table | None:
        if not self._loaded:
            self._loaded = True
            self._files = store_files(self.path)
            tables = [t for t in map(self._read, self._files) if t is not None]
            same = [t for t in tables if t.schema.equals(tables[0].schema)]
            if len(same) < len(tables):
                log.warning("cache %s has files in another layout: those are ignored", self.path)
                self._rewrite = True
            if same:
                self._table = pa.concat_tables(same)
                self._keys = self._table.column(KEY).combine_chunks()
                self._saved = self._table.num_rows
        return self._table

    def _rows(self, keys: pa.Array) -> np.ndarray:
        """Each key's row in the store, -1 where it has none."""
        return pc.index_in(keys, value_set=self._keys).fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)

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
        absent = rows < 0
        if absent.any():
            missing = keys.filter(pa.array(absent))
            unseen = pc.unique(missing)  # in order of first appearance
            first = pc.index_in(unseen, value_set=keys).to_numpy().tolist()  # each one's first row in texts
            new = compute(first).append_column(KEY, unseen)
            if table is not None and not table.schema.equals(new.schema):
                log.warning("cache %s was written in another layout (%s): rebuilt", self.path, table.schema.types)
                self._table, self._keys, self._saved, self._rewrite = None, pa.array([], KEY_TYPE), 0, True
                return self.get(texts, compute)
            start = 0 if table is None else table.num_rows
            self._table = new if table is None else pa.concat_tables([table, new])
            self._keys = pa.concat_arrays([self._keys, unseen])
            rows[absent] = start + pc.index_in(missing, value_set=unseen).to_numpy()
        if self._table is None:  # no texts at all
            return pa.table({})
        return self._table.drop_columns([KEY]).take(pa.array(rows, pa.int64()))

    def save(self) -> None:
        """Write the rows `get` added: as a new part, or the whole store when it is rewritten or compacted."""
        if self._table is None or self._saved == self._table.num_rows:
            return
        table = self._table.replace_schema_metadata({"config": self.config} if self.exclusive else None)
        new = table.slice(self._saved)
        whole = (
            self._rewrite
            or self.path not in self._files
            or len(self._files) > MAX_PARTS
            or new.num_rows >= LARGE_SHARE * table.num_rows
        )
        self._files = write_rows(self.path, table if whole else new, whole, self._files)
        self._saved, self._rewrite = table.num_rows, False


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
    texts: Texts,
    name: str,
    compute: Callable[[Texts], pa.Array],
    exclusive: bool = False,
) -> pa.ChunkedArray:
    """One value per text, the store's column `name`; `compute` is called once, on the texts not in the store.

    An Arrow array of texts is keyed from its bytes and `compute` gets the new ones as Arrow (no str per stored text).
    """

    def new(positions: list[int]) -> pa.Table:
        arrow = isinstance(texts, pa.Array | pa.ChunkedArray)
        return pa.table({name: compute(texts.take(positions) if arrow else [texts[i] for i in positions])})

    cache = TextCache(path, namespace, config, exclusive)
    table = cache.get(texts, new)
    cache.save()
    return table.column(name)
