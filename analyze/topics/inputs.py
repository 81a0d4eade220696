"""What the topic stage reads from the stages before it, joined and cleaned without a Python pass over every row.

A round has one row per response and every table repeats them: at 100,000 responses a per-row Python call or a
hash join costs a good part of a re-run whose every text result is cached.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analyze.pii import PLACEHOLDER, without_placeholders

ID = "response_id"
# What str.split() splits on (str.isspace), the plain space left out: a character class for RE2 and Python alike.
OTHER_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def join_on_id(left: pd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """`left.merge(right, on="response_id", how="left")`: side by side when both list the same ids in order.

    Stage tables keep the order of the table they were made from, so most joins need no hashing of ids.
    """
    ids = left[ID]
    same = np.array_equal(ids.to_numpy(), right[ID].to_numpy())  # by value: a merge may leave ids as objects
    aligned = same and ids.is_unique and not set(left.columns) & set(right.columns) - {ID}
    if not aligned:
        return left.merge(right, on=ID, how="left")
    out = pd.concat([left.reset_index(drop=True), right.drop(columns=ID).reset_index(drop=True)], axis=1)
    if ids.dtype != right[ID].dtype:  # as the merge does: keys of two dtypes come out as objects
        out[ID] = out[ID].astype(object)
    return out


def strip_placeholders(redacted: pd.Series) -> pd.Series:
    """`without_placeholders` of each text, called only for the texts it would change.

    Those hold a placeholder or whitespace other than single spaces between words; Arrow finds them in one pass.
    """
    out = redacted.astype("str")
    changed = out.str.contains(f"{PLACEHOLDER.pattern}|[{OTHER_SPACE}]|^ | $|  ", regex=True).to_numpy(dtype=bool)
    out[changed] = out[changed].map(without_placeholders)
    return out
