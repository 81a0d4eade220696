"""Joins and sorts of stage tables by response_id, without hashing or sorting strings when they need not.

Every stage writes its table in the responses' order, so joining two of them with `merge` hashes 100,000s of ids to
find what their positions already say. These helpers check that cheaply (in Arrow) and fall back to pandas
otherwise; the result is always the one `merge` and `sort_values` give.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

ID = "response_id"


def _unique_ids(ids: pa.Array | pa.ChunkedArray) -> bool:
    return ids.null_count == 0 and len(pc.unique(ids)) == len(ids)  # unique: a hash set, faster than count_distinct


def _lined_up(left: pd.DataFrame, right: pd.DataFrame) -> bool:
    """Whether `right` adds only columns, and lists `left`'s ids (of the same dtype, none missing) in the same order."""
    if set(left.columns) & set(right.columns) != {ID} or len(left) != len(right) or left[ID].dtype != right[ID].dtype:
        return False  # merge gives object ids for two string dtypes
    a, b = pa.array(left[ID]), pa.array(right[ID])
    return a.type == b.type and a.null_count == b.null_count == 0 and pc.all(pc.equal(a, b)).as_py() is True


def merge_ids(left: pd.DataFrame, *rights: pd.DataFrame, how: str = "inner") -> pd.DataFrame:
    """`left.merge(right, on="response_id", how=how)` for each right in turn ("inner" or "left").

    A right that lines up is joined by position; the ids' uniqueness, without which merge would repeat rows, is
    checked once for the whole chain, since joining by position keeps them.
    """
    out, unique = left, False
    for right in rights:
        if _lined_up(out, right) and (unique or _unique_ids(pa.array(out[ID]))):
            out, unique = (
                pd.concat([out.reset_index(drop=True), right.drop(columns=ID).reset_index(drop=True)], axis=1),
                True,
            )
            out = out.set_axis(pd.RangeIndex(len(out)))
        else:
            out, unique = out.merge(right, on=ID, how=how), False
    return out


def ids_like(frame: pd.DataFrame, other: pd.DataFrame) -> pd.DataFrame:
    """`frame` with its ids in `other`'s dtype, for a join whose ids are only counted, not kept in the output.

    The collect stage's table holds its ids as pandas "string" and the stage tables as "str"; `merge` of the two
    gives object ids, and `merge_ids` then merges too, to give the same.
    """
    return frame.astype({ID: other[ID].dtype})


def unique_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame.drop_duplicates("response_id")`: the frame itself when its ids are already unique."""
    return frame if _unique_ids(pa.array(frame[ID])) else frame.drop_duplicates(ID)


def sort_ids(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame.sort_values("response_id", ignore_index=True)`, sorted in Arrow when the ids are unique strings.

    Unique ids have one sorted order, and Arrow's (by UTF-8 bytes) is Python's (by code points).
    """
    ids = pa.array(frame[ID])
    if pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type):
        order = pc.sort_indices(ids)
        ranked = ids.take(order)
        if ids.null_count == 0 and not pc.any(pc.equal(ranked[1:], ranked[:-1])).as_py():
            return frame.take(order.to_numpy()).reset_index(drop=True)
    return frame.sort_values(ID, ignore_index=True)


def factorize_sorted(
    values: pd.Series | Sequence | pa.Array | pa.ChunkedArray, *, arrow: bool = False
) -> tuple[np.ndarray, np.ndarray | pa.Array]:
    """`pd.factorize(values, sort=True)`: each value's place among the sorted distinct values, and those values.

    Strings without nulls (ids, duplicate keys) are sorted by Arrow, whose UTF-8 byte order is Python's code point
    order, without a Python string per value (sorting 160,000 of them took ~0.5 s); anything else by pandas. With
    `arrow`, the distinct values Arrow sorted stay an Arrow array (those pandas sorted are numpy's either way).
    """
    try:
        array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
        array = array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array  # Arrow-backed Series give one
    except (pa.ArrowException, ValueError, TypeError):  # e.g. a lone surrogate, or mixed types
        array = None
    if (
        array is None
        or array.null_count
        or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type))
    ):
        if isinstance(values, pa.Array | pa.ChunkedArray):
            values = values.to_pandas()
        elif not isinstance(values, pd.Series | np.ndarray):  # pandas factorizes its own and numpy's types only
            values = np.asarray(values, dtype=object)
        codes, uniques = pd.factorize(values, sort=True)
        return codes, np.asarray(uniques, dtype=object)
    encoded = array.dictionary_encode()
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    uniques = encoded.dictionary.take(order)
    return rank[encoded.indices.to_numpy()], uniques if arrow else uniques.to_numpy(zero_copy_only=False)
