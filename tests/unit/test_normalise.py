import pandas as pd
import pytest

from analyze.normalise import cjk_count, has_cjk, latin_words, normalise_text, text_array, texts_of


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＢＣ　１２３", "ABC 123"),  # full-width Latin and digits, ideographic space
        ("我同意，但係要小心。", "我同意，但係要小心。"),  # Chinese punctuation kept as written
        ("<p>Hello&nbsp;<b>world</b></p>", "Hello world"),
        ("意見<script>alert('x')</script><STYLE>p{}</STYLE>完", "意見 完"),
        ("好好食😋👍🏻 家庭👨‍👩‍👧", "好好食😋👍🏻 家庭👨‍👩‍👧"),  # emoji and their joiners kept
        ("line one\r\n\tline two", "line one line two"),
        ("abc\x00\x07def\u200b", "abcdef"),
        ("", ""),
    ],
)
def test_normalise_text(raw, expected):
    assert normalise_text(raw) == expected


def test_counts():
    text = "我覺得個 privacy policy 唔清楚"
    assert cjk_count(text) == 7 and latin_words(text) == ["privacy", "policy"] and has_cjk(text)


def test_texts_of_arrow_columns_match_object_columns():
    values = ["中文", None, "", "café"]
    expected = ["中文", "", "", "café"]
    for dtype in ("str", "string", object):
        column = pd.Series(values, dtype=dtype)
        assert texts_of(column) == expected, dtype
        assert text_array(column).to_pylist() == expected, dtype
    assert texts_of(pd.Series(["bad \udc80 byte", float("nan"), 3], dtype=object)) == ["bad ? byte", "", "3"]
