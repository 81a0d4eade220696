"""Property-based fuzzing of the language and PII stages with any Unicode (lone surrogates, NUL, controls included).

The stages load lingua for short Latin texts, so this lives with the integration tests; scripts/fuzz.py runs the
same check on many more strings.
"""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyze.language import detect_language
from analyze.pii import redact_pii

ANY_TEXT = st.text(alphabet=st.characters(exclude_categories=[]), max_size=200)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, database=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(ANY_TEXT, min_size=1, max_size=10))
def test_language_and_pii_stages_keep_one_row_per_input_for_any_unicode(texts):
    df = pd.DataFrame({"response_id": [f"r{i}" for i in range(len(texts))], "text": pd.Series(texts, dtype=object)})
    lang = detect_language(df)
    red = redact_pii(lang)
    assert list(red["response_id"]) == list(df["response_id"])
    assert red["text_redacted"].map(type).eq(str).all()
    assert lang["lang"].isin(["en", "zh", "yue", "mixed", "other", "empty"]).all()
