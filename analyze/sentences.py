"""Sentence splitting shared by sentiment and stance: Chinese and English sentence ends, line breaks, list bullets."""

from __future__ import annotations

import re

# A sentence ends at 。！？!? (with closing quotes), at ; ；, at a line break, or at ". " before the next sentence.
# Decimal points and abbreviations like "e.g." survive because "." must be followed by a space and a capital/CJK.
_SPLIT = re.compile(r"(?<=[。！？!?；;…])[」』”\"')）]*\s*|(?<=\.)\s+(?=[A-Z0-9\u3400-\u9fff「『(（])|\n+")
_MIN_CHARS = 2


def split_sentences(text: str) -> list[str]:
    """Sentences of a text in order, stripped; pieces shorter than 2 characters are joined to the one before."""
    out: list[str] = []
    for piece in _SPLIT.split(text or ""):
        piece = piece.strip()
        if not piece:
            continue
        if len(piece) < _MIN_CHARS and out:
            out[-1] += piece
        else:
            out.append(piece)
    return out
