"""The texts the topic stage reads: the redacted texts, placeholders removed, without a Python call per row.

At 100,000 responses a per-row Python call costs a good part of a re-run whose every text result is cached, and
all but a few hundred redacted texts hold neither a placeholder nor a space to fold.
"""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyze.pii import PLACEHOLDER, without_placeholders

# What str.split() splits on (str.isspace), the plain space left out: a character class for RE2 and Python alike.
OTHER_SPACE = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def strip_placeholders(redacted: pd.Series) -> pd.Series:
    """`without_placeholders` of each text, called only for the texts it would change.

    Those hold a placeholder or whitespace other than single spaces between words; Arrow's RE2 finds them in one
    pass. Called directly: for a pattern with `$`, pandas first checks every text for a newline (~0.15 s at 164,000
    texts) to send them to Python's `re`, whose `$` also matches before a final newline; such a text matches this
    pattern by its newline in both engines.
    """
    out = redacted.astype("str")
    pattern = f"{PLACEHOLDER.pattern}|[{OTHER_SPACE}]|^ | $|  "
    changed = pc.match_substring_regex(pa.array(out), pattern).fill_null(False).to_numpy(zero_copy_only=False)
    out[changed] = out[changed].map(without_placeholders)
    return out
