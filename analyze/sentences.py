"""Sentence splitting shared by sentiment and stance: Chinese and English sentence ends, line breaks, list bullets."""

from __future__ import annotations

import re
from functools import lru_cache

# A sentence ends after 。！？!?；;… and any closing quotes or brackets that follow, at a line break, or at ". " before
# a capital, digit, Chinese character or opening quote. Decimal points (3.5) and "e.g. this" do not end a sentence.
_END = re.compile(r"([。！？!?；;…]+[」』”\"')）]*)\s*|(?<=\.)\s+(?=[A-Z0-9\u3400-\u9fff「『(（])")
_BREAK = "\x00"
_MIN_CHARS = 2
# Sentiment and then stance split the same new texts in one run: texts up to this long are split once and kept (at
# most 16,384 of them, so the memo holds tens of MB at worst, not a round of long documents).
_MEMO_CHARS = 1_000


def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a text in order, stripped; pieces shorter than 2 characters are joined to the one before."""
    return _split_kept(text) if text and len(text) <= _MEMO_CHARS else _split(text)


def _split(text: str) -> tuple[str, ...]:
    marked = _END.sub(lambda m: (m.group(1) or "") + _BREAK, (text or "").replace(_BREAK, " "))
    out: list[str] = []
    for piece in re.split(rf"{_BREAK}|\n+", marked):
        piece = piece.strip()
        if not piece:
            continue
        if len(piece) < _MIN_CHARS and out:
            out[-1] += piece
        else:
            out.append(piece)
    return tuple(out)


_split_kept = lru_cache(maxsize=1 << 14)(_split)
