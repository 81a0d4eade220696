"""Variant sentences of a campaign: the sentences its members added to the template, most frequent first.

Every campaign's variants are re-derived on each run from up to VARIANT_TEXTS member texts, splitting each into
sentences and keying every sentence; `cached_variants` remembers each campaign's result by the content it depends on
(template, member texts and their copies), so a re-run computes only the campaigns whose members changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa

from analyze.duplicates.key import _NOT_WORD, duplicate_key
from analyze.textcache import cache_config, cached_column

VARIANT_SENTENCES = 10  # added sentences reported per campaign
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=\.)\s+|\n+")

Campaign = tuple[str, Sequence[str], Sequence[int]]
"""(template text, member texts, copies of each member text)."""
VariantsOf = Callable[[list[Campaign]], list[str]]
"""Campaigns -> their variant sentences as JSON: `variant_sentences` or a cached stand-in for it."""


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


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


def _content(campaign: Campaign) -> str:
    """What a campaign's variants depend on, as one string to key the cache by (a digest of its texts and copies)."""
    template, texts, copies = campaign
    h = hashlib.sha256(template.encode("utf-8", "surrogatepass"))
    for text, n in zip(texts, copies, strict=True):
        h.update(f"\x1e{int(n)}\x1f".encode())
        h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def cached_variants(folder: Path) -> VariantsOf:
    """A drop-in for `variant_sentences` keeping each campaign's result in `folder`/variant_sentences.parquet."""

    def variants_of(campaigns: list[Campaign]) -> list[str]:
        if not campaigns:
            return []
        contents = [_content(c) for c in campaigns]
        where = {c: i for i, c in enumerate(contents)}
        config = cache_config(
            sentence_end=_SENTENCE_END.pattern,
            pattern=_NOT_WORD.pattern,
            opencc=version("OpenCC"),
            top=VARIANT_SENTENCES,
        )
        column = cached_column(
            Path(folder) / "variant_sentences.parquet",
            "variant_sentences",
            config,
            contents,
            "variant_sentences",
            lambda new: pa.array(variant_sentences([campaigns[where[c]] for c in new]), pa.string()),
        )
        return column.to_pylist()

    return variants_of
