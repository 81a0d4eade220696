"""A small Cantonese and written-Chinese sentiment lexicon with negation (唔/冇/未/不/沒/無/非).

The trained n-gram models learn restaurant and shopping reviews; consultation letters talk about privacy, cost and
fairness. This word list, written by hand for that register, covers what those reviews never say (侵犯私隱, 濫用)
and handles Cantonese negation explicitly: 唔好 is negative although 好 is positive, 唔擔心 is not negative.
Words are listed in Traditional characters; Simplified forms are derived, so both scripts match.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analyze.segment import to_simplified

# word -> polarity weight in [-1, 1]. Grouped by meaning; Cantonese forms first in each group.
WORDS: dict[str, float] = {
    # positive: quality, satisfaction, approval
    "好正": 1.0, "正": 0.5, "掂": 0.6, "好味": 0.8, "好食": 0.8, "抵食": 0.8, "抵": 0.5, "讚": 0.8, "啱": 0.4,
    "開心": 0.8, "滿意": 0.8, "喜歡": 0.7, "鍾意": 0.7, "推介": 0.6, "推薦": 0.6, "值得": 0.6, "不錯": 0.6,
    "唔錯": 0.6, "出色": 0.8, "優秀": 0.8, "完善": 0.5, "有效": 0.5, "改善": 0.4, "進步": 0.5, "受惠": 0.6,
    "保障": 0.4, "方便": 0.5, "公平": 0.5, "透明": 0.4, "清晰": 0.4, "感謝": 0.4, "歡迎": 0.6, "期待": 0.4,
    "支持": 0.5, "贊成": 0.5, "同意": 0.4, "好處": 0.5, "安心": 0.6, "信任": 0.5, "合理": 0.5, "高效": 0.5,
    # negative: quality, harm, worry, anger
    "中伏": -1.0, "伏": -0.5, "難食": -0.9, "差勁": -0.9, "差": -0.5, "衰": -0.7, "嬲": -0.8, "激嬲": -1.0,
    "離譜": -0.9, "垃圾": -0.9, "失望": -0.8, "唔抵": -0.7, "貴": -0.3, "難頂": -0.8, "頂唔順": -0.8,
    "麻煩": -0.5, "擔心": -0.6, "憂慮": -0.7, "恐懼": -0.8, "害怕": -0.7, "不滿": -0.8, "反對": -0.5,
    "侵犯": -0.9, "濫用": -0.9, "洩漏": -0.8, "外洩": -0.8, "監控": -0.5, "監視": -0.6, "歧視": -0.8,
    "不公": -0.8, "危險": -0.7, "風險": -0.4, "問題": -0.3, "浪費": -0.7, "混亂": -0.7, "失敗": -0.8,
    "荒謬": -0.9, "可惜": -0.5, "唔好": -0.6, "壞": -0.6, "痛苦": -0.8, "投訴": -0.5, "欺騙": -0.9,
}  # fmt: skip
NEGATORS = ("唔", "冇", "未", "不", "沒", "沒有", "無", "非", "毋須", "未必", "並非")
# Characters that turn a negator into another word: 非常 (very), 不過 (but), 無論, 不斷, 未來, 唔該, 不少, 不但, 不僅.
_NOT_NEGATION = "常過論斷來来該该少但僅仅只"
# Words whose first character is itself a negator are matched whole and never negated again (唔錯 = not bad).
_NEGATION_WINDOW = 2  # characters allowed between a negator and the word it negates (唔太好, 不是很滿意)


@lru_cache(maxsize=1)
def _patterns() -> tuple[dict[str, float], re.Pattern[str], re.Pattern[str], int]:
    """The word table, the pattern of a word and its negation, the bare words' pattern, a hit's reach before its word.

    The full pattern starts with an optional group, so the regex engine tries it at every position; the bare words
    start with literals, which it skips to. Every hit holds a word, so the full scan starts where the first word
    could have its negator (none: no hit), and finds the same hits as from the text's start.
    """
    table = {w: v for word, v in WORDS.items() for w in {word, to_simplified(word)}}
    words = "|".join(map(re.escape, sorted(table, key=lambda w: (-len(w), w))))  # longest first: 好味 before 好
    negators = sorted({n for neg in NEGATORS for n in {neg, to_simplified(neg)}}, key=lambda n: (-len(n), n))
    pattern = re.compile(
        "(?P<neg>(?:" + "|".join(map(re.escape, negators)) + f")(?![{_NOT_NEGATION}]).{{0,{_NEGATION_WINDOW}}}?)?"
        f"(?P<word>{words})"
    )
    return table, pattern, re.compile(words), len(negators[0]) + _NEGATION_WINDOW


def lexicon_hits(text: str) -> list[tuple[str, float]]:
    """Each sentiment word found, with its polarity after negation (negated words flip at half strength)."""
    table, pattern, word, reach = _patterns()
    if (first := word.search(text)) is None:
        return []
    hits = []
    for m in pattern.finditer(text, max(0, first.start() - reach)):
        value = table[m["word"]]
        if m["neg"] and not m["word"].startswith(tuple(NEGATORS)):
            value = -0.5 * value  # 唔好食 is bad, but 唔差 is only mildly good
        hits.append((m["word"], value))
    return hits


def lexicon_score(text: str) -> float | None:
    """Mean polarity of the sentiment words in a text, in [-1, 1]; None when it holds none."""
    hits = lexicon_hits(text)
    if not hits:
        return None
    return sum(v for _, v in hits) / len(hits)
