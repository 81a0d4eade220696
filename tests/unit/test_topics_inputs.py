"""The topic stage's texts: placeholders stripped only where present, the same texts as stripping every one."""

import re
import sys

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analyze.pii import without_placeholders
from analyze.topics.inputs import OTHER_SPACE, strip_placeholders


def test_other_space_is_python_whitespace_but_the_space_in_both_regex_engines():
    chars = [chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    expected = np.array([ch.isspace() and ch != " " for ch in chars])
    in_python = np.array([re.fullmatch(f"[{OTHER_SPACE}]", ch) is not None for ch in chars])
    in_arrow = pc.match_substring_regex(pa.array(chars), f"^[{OTHER_SPACE}]$").to_numpy(zero_copy_only=False)
    assert (in_python == expected).all() and (in_arrow == expected).all()


def test_strip_placeholders_is_without_placeholders_of_each_text():
    texts = ["a  b", " a", "a ", "a\tb", "[NAME] said", "plain words", "a\u3000b", "", "x [PHONE]", "[a] [B1]"]
    texts += ["a \n", "line\nbreak", "end [ID]\n"]  # newlines: where Python's `$` and RE2's differ
    redacted = pd.Series(texts, index=range(10, 10 + len(texts)), dtype="str")
    pd.testing.assert_series_equal(strip_placeholders(redacted), redacted.map(without_placeholders))
