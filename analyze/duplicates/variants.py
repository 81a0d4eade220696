"""Variant sentences of a campaign: the sentences its members added to the template, most frequent first.

Every campaign's variants are derived from up to VARIANT_TEXTS member texts, splitting each into sentences and
keying every sentence; `stagecache.cached_variants` remembers each campaign's result by the content it depends on
(template, member texts and their copies), so a re-run computes only the campaigns whose members changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence

from analyze.duplicates.key import duplicate_key

VARIANT_SENTENCES = 10  # added sentences reported per campaign
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")
_ENDS = "。！？!?；;"  # the characters _SENTENCE_END splits after
_STOP_SPACE = re.compile(r"\.(?=\s)")
_MARK = "\x00"  # where `_sentences` splits

Campaign = tuple[str, Sequence[str], Sequence[int]]
"""(template text, member texts, copies of each member text)."""
VariantsOf = Callable[[list[Campaign]], list[str]]
"""Campaigns -> their variant sentences as JSON: `variant_sentences` or a cached stand-in for it."""


def _sentences(text: str) -> list[str]:
    """The stripped, non-empty pieces of `_SENTENCE_END.split(text)`.

    Found by marking where it splits with str.replace and one regex that starts with a literal, then splitting at
    the marks: its zero-width look-behinds tried at every character cost four times as much. The whitespace it
    removes is stripped from the pieces here.
    """
    if _MARK in text:
        return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]
    for end in _ENDS:
        if end in text:
            text = text.replace(end, end + _MARK)
    text = _STOP_SPACE.sub("." + _MARK, text.replace("\n", _MARK))
    return [s for s in map(str.strip, text.split(_MARK)) if s]


def _added(template: str, texts: Sequence[str], copies: Sequence[int], seen: dict[str, str]) -> str:
    """One campaign's added sentences as JSON [{text, count}]; `seen` holds the key of each sentence met so far."""
    known = duplicate_key(template)
    tally: dict[str, list] = {}
    for text, n in zip(texts, copies, strict=True):
        for sentence in _sentences(text):
            key = seen.get(sentence)
            if key is None:
                key = seen[sentence] = duplicate_key(sentence)
            if len(key) >= 4 and key not in known:  # a substring test: sentence splits need not agree
                tally.setdefault(key, [sentence, 0])[1] += int(n)
    top = sorted(tally.values(), key=lambda v: (-v[1], v[0]))[:VARIANT_SENTENCES]
    return json.dumps([{"text": t, "count": c} for t, c in top], ensure_ascii=False)


def variant_sentences(campaigns: list[Campaign]) -> list[str]:
    """Per campaign, the sentences members added to the template, most frequent (copies counted) first, as JSON.

    Members repeat the template's sentences, so each distinct sentence is keyed once across all campaigns.
    """
    seen: dict[str, str] = {}
    return [_added(template, texts, copies, seen) for template, texts, copies in campaigns]
