"""Text normalisation shared by every analyze stage: one canonical form of a submission's text."""

from __future__ import annotations

import html
import re
import unicodedata

import pandas as pd
import pyarrow as pa

_TAG = re.compile(r"<[^>]{0,500}>")
_SCRIPT_BLOCK = re.compile(r"<(script|style)\b[^>]{0,500}>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)  # code, not text
_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'\-]+")
# Ideographic punctuation that NFKC would otherwise turn into ASCII look-alikes; Chinese text keeps its own.
_CJK_PUNCT = "，。：；！？（）"
_PLACEHOLDERS = [(c, chr(0xE000 + i)) for i, c in enumerate(_CJK_PUNCT)]  # private-use stand-ins during NFKC


def _swap(text: str, pairs: list[tuple[str, str]]) -> str:
    # a chain of str.replace is several times faster than str.translate with a dict on long texts
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def normalise_text(text: str) -> str:
    """NFKC (full-width Latin and digits to half-width), HTML tags and entities removed, whitespace collapsed.

    Chinese punctuation (，。：；！？（）) is kept as written; emoji are kept.
    """
    if not text:
        return ""
    text = html.unescape(_TAG.sub(" ", _SCRIPT_BLOCK.sub(" ", text)))
    protected = _swap(text, _PLACEHOLDERS)
    text = _SPACE.sub(" ", _swap(unicodedata.normalize("NFKC", protected), [(b, a) for a, b in _PLACEHOLDERS]))
    if not text.isprintable():  # rare: control, format or unassigned characters, lone surrogates (slow path)
        text = _SPACE.sub(" ", "".join(c for c in text if unicodedata.category(c)[0] != "C" or c == "\u200d"))
    return text.strip()


def _arrow_strings(values: object) -> bool:
    """Whether values is a Series of pandas' Arrow-backed strings, which cannot hold a lone surrogate."""
    dtype = getattr(values, "dtype", None)
    return isinstance(values, pd.Series) and isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"


def texts_of(values) -> list[str]:
    """Cell values as text: missing values as "", lone surrogates (undecodable bytes) as "?".

    Pandas' Arrow-backed strings (and Parquet) refuse lone surrogates, so they are replaced before any table is built.
    """
    if _arrow_strings(values):  # valid UTF-8 already: no value to check
        return values.fillna("").tolist()
    out = []
    for value in values:
        text = "" if value is None or (isinstance(value, float) and value != value) else str(value)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            text = text.encode("utf-8", "replace").decode("utf-8")
        out.append(text)
    return out


def normalised_texts(values) -> list[str]:
    """`normalise_text` of each cell value (`texts_of`): a response's `text_norm`, as the language stage writes it."""
    return [normalise_text(text) for text in texts_of(values)]


def text_array(values) -> pa.Array:
    """`texts_of(values)` as an Arrow large_string array; an Arrow-backed column is taken without a str per value."""
    if _arrow_strings(values):
        return pa.array(values).cast(pa.large_string()).fill_null("")
    return pa.array(texts_of(values), pa.large_string())


def cjk_chars(text: str) -> list[str]:
    """The Chinese characters of a text, in order."""
    return _CJK.findall(text)


def cjk_count(text: str) -> int:
    """Number of Chinese characters."""
    return len(_CJK.findall(text))


def latin_words(text: str) -> list[str]:
    """Latin-script words of two letters or more."""
    return _LATIN_WORD.findall(text)


def has_cjk(text: str) -> bool:
    """Whether the text holds any Chinese character."""
    return _CJK.search(text) is not None
