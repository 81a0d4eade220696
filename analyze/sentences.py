"""Sentence splitting shared by sentiment and stance: Chinese and English sentence ends, line breaks, list bullets."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

# A sentence ends after 。！？!?；;… and any closing quotes or brackets that follow, at a line break, or at ". " before
# a capital, digit, Chinese character or opening quote. Decimal points (3.5) and "e.g. this" do not end a sentence.
_END = re.compile(r"([。！？!?；;…]+[」』”\"')）]*)\s*|(?<=\.)\s+(?=[A-Z0-9\u3400-\u9fff「『(（])")
_BREAK = "\x00"
T = TypeVar("T")
_MIN_CHARS = 2
_MEMO_CHARS = 1_000  # longest text `memo_short` keeps


def memo_short(maxsize: int) -> Callable[[Callable[[str], T]], Callable[[str], T]]:
    """An lru memo of a function of one text that keeps texts up to _MEMO_CHARS characters only.

    Campaign copies and the stages after sentiment meet the same short texts and sentences again; a long document
    is rarely repeated, and keeping maxsize of them would hold a round's worth of text (and results) after the stage.
    """

    def wrap(fn: Callable[[str], T]) -> Callable[[str], T]:
        kept = lru_cache(maxsize=maxsize)(fn)

        @wraps(fn)
        def call(text: str) -> T:
            return kept(text) if text and len(text) <= _MEMO_CHARS else fn(text)

        call.kept = kept  # type: ignore[attr-defined]  # its cache_info, for tests
        return call

    return wrap


@memo_short(1 << 14)  # sentiment and then stance split the same new texts in one run: each once
def split_sentences(text: str) -> tuple[str, ...]:
    """Sentences of a text in order, stripped; pieces shorter than 2 characters are joined to the one before."""
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
