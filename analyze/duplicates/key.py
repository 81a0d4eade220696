"""The duplicate key of a text and its character shingles.

Two submissions are exact duplicates when their keys are equal: the key is the normalised text folded to
Simplified characters, case-folded, with punctuation, symbols, width and whitespace removed. Near duplicates are
found on character shingles of the key, which work for Chinese without word segmentation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np
import pyarrow as pa

from analyze.normalise import has_cjk
from analyze.segment import to_simplified

# Shingle lengths: three Chinese characters are about one or two words; five Latin letters about one word.
CJK_SHINGLE = 3
LATIN_SHINGLE = 5
ROLL = np.uint32(0x01000193)  # FNV prime: the rolling multiplier of the shingle hash
_NOT_WORD = re.compile(r"[\W_]+")  # everything but letters and digits (of any script)


def duplicate_key(text: str) -> str:
    """Canonical form for exact-duplicate tests: Traditional/Simplified, case, width, punctuation, spaces folded.

    Args:
        text: normalised text (`text_norm`: NFKC width folding and HTML removal are done there).

    Returns:
        Letters and digits only, Simplified, case-folded ("" for a text with none).
    """
    if has_cjk(text):
        text = to_simplified(text)
    return _NOT_WORD.sub("", text.casefold())


def duplicate_keys(texts: Sequence[str] | pa.Array | pa.ChunkedArray) -> list[str]:
    """`duplicate_key` of each text: what `find_campaigns` calls, unless given a cached stand-in (stagecache.py)."""
    return [duplicate_key(t) for t in (texts.to_pylist() if isinstance(texts, pa.Array | pa.ChunkedArray) else texts)]


KeysOf = Callable[[Sequence[str] | pa.Array], Sequence[str] | pa.Array | pa.ChunkedArray]
"""Texts -> their duplicate keys: `duplicate_keys` or a cached stand-in for it."""


def key_digests(keys: Sequence[str] | pa.Array) -> np.ndarray:
    """Short stable hex digest of each duplicate key (the seed of group and campaign ids), as a "U12" array.

    `blake2b(key.encode("utf-8"), digest_size=6).hexdigest()`; an Arrow array's keys are hashed from its bytes.
    """
    data = keys.cast(pa.large_binary()).to_pylist() if isinstance(keys, pa.Array) else map(str.encode, keys)
    return np.array([hashlib.blake2b(k, digest_size=6).hexdigest() for k in data], dtype="U12")


def is_cjk(codes: np.ndarray) -> np.ndarray:
    """Which code points are Chinese characters (the ranges `analyze.normalise` counts)."""
    return (
        ((codes >= 0x3400) & (codes <= 0x4DBF))
        | ((codes >= 0x4E00) & (codes <= 0x9FFF))
        | ((codes >= 0xF900) & (codes <= 0xFAFF))
        | ((codes >= 0x20000) & (codes <= 0x2FA1F))
    )
