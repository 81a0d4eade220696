"""String work on whole Arrow columns that gives exactly what the same Python, value by value, would give.

The form importer runs on blocks of 50,000 rows; doing `str.strip`, `json.dumps` and string building once per column
instead of once per cell is what lets a 1,000,000-row export import at over 100,000 rows/s (BENCHMARKS.md, Import).
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# What Python's str.strip() removes: every character whose str.isspace() is true (tests check the list is complete).
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)


def strip(values: pa.Array) -> pa.Array:
    """`str.strip()` of every value."""
    return pc.utf8_trim(values, characters=WHITESPACE)


def blank(n: int) -> pa.Array:
    """A column of `n` empty strings."""
    return pa.repeat(pa.scalar("", pa.string()), n)


def filled(values: pa.Array) -> np.ndarray:
    """Which values are not empty, as a numpy bool array."""
    return pc.not_equal(values, "").to_numpy(zero_copy_only=False)


def pick(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """The values where `mask` is true (the column itself when it keeps them all: no copy)."""
    return values if mask.all() else values.filter(pa.array(mask))


def json_strings(values: pa.Array) -> pa.Array:
    """`json.dumps(v, ensure_ascii=False)` of every value, each distinct value encoded once."""
    coded = values.dictionary_encode()
    encoded = [json.dumps(v, ensure_ascii=False) for v in coded.dictionary.to_pylist()]
    return pa.array(encoded, pa.string()).take(coded.indices)


def concat(*parts: pa.Array | str) -> pa.Array:
    """Values built piece by piece, row by row: each part is a column or a text repeated on every row."""
    return pc.binary_join_element_wise(*parts, "")
