"""The texts the topic stage reads: the redacted texts, placeholders removed, without a Python call per row.

At 100,000 responses a per-row Python call costs a good part of a re-run whose every text result is cached, and
all but a few hundred redacted texts hold neither a placeholder nor a space to fold.
"""

from __future__ import annotations

import pandas as pd

from analyze.pii import PLACEHOLDER, without_placeholders

# What str.split() splits on (str.isspace), the plain space left out: a character class for RE2 and Python alike.
OTHER_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def strip_placeholders(redacted: pd.Series) -> pd.Series:
    """`without_placeholders` of each text, called only for the texts it would change.

    Those hold a placeholder or whitespace other than single spaces between words; Arrow finds them in one pass.
    """
    out = redacted.astype("str")
    changed = out.str.contains(f"{PLACEHOLDER.pattern}|[{OTHER_SPACE}]|^ | $|  ", regex=True).to_numpy(dtype=bool)
    out[changed] = out[changed].map(without_placeholders)
    return out
