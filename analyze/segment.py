"""Chinese word segmentation shared by topics and duplicates: OpenCC to Simplified, jieba, original characters back.

jieba's dictionary is Simplified; segmenting the Simplified form and slicing the *original* text at the same
offsets keeps Traditional words exactly as the respondent wrote them (OpenCC's character conversion keeps length).
Cantonese (lang="yue") is segmented by pycantonese, trained on Hong Kong Cantonese (HKCanCor): jieba splits
Cantonese words such as 我哋 or 真係 into characters.
"""

from __future__ import annotations

import re
from functools import lru_cache

from analyze.normalise import has_cjk

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'\-]+|[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")

# Function words that carry no topic in written Chinese and Cantonese (Traditional forms; Simplified are
# derived). Kept short on purpose: content words must survive, so only grammatical words are listed.
ZH_STOPWORDS = frozenset(
    """
的 了 是 在 我 你 他 她 它 我們 你們 他們 這 那 這個 那個 這些 那些 就 都 也 和 與 及 或 而 但 但是 所以 因為 為 會 要
可以 沒有 有 不 很 更 最 還 又 再 被 把 讓 對 於 於是 以 之 其 一個 一些 什麼 怎麼 如何 如果 雖然 因此 以及 並 並且 而且
已經 可能 應該 需要 覺得 認為 我覺得 就是 還是 只是 這樣 那樣 一樣 自己 大家 是否 能 能夠 時候 現在 目前 如此 這種 那種
嘅 咗 唔 喺 哋 啲 係 佢 佢哋 咁 呢 嗰 就係 我哋 你哋 冇 都係 唔係 點解 乜嘢 嘢 咩 囉 喎 㗎 啦 吖 呀 嘛 吓 噉
""".split()
)


@lru_cache(maxsize=1)
def _converters():
    import opencc

    return opencc.OpenCC("t2s"), opencc.OpenCC("s2hk")


def to_simplified(text: str) -> str:
    """Traditional (and Hong Kong) forms to Simplified."""
    return _converters()[0].convert(text)


def to_traditional(text: str) -> str:
    """Simplified to Hong Kong Traditional forms."""
    return _converters()[1].convert(text)


@lru_cache(maxsize=1)
def _stop_simplified() -> frozenset[str]:
    return ZH_STOPWORDS | {to_simplified(w) for w in ZH_STOPWORDS}


def segment_zh(text: str, lang: str | None = None) -> list[str]:
    """Words of a Chinese text in its own script (Traditional stays Traditional).

    Args:
        text: Chinese (or mixed) text.
        lang: "yue" for Cantonese (pycantonese); anything else uses jieba.

    """
    if lang == "yue":
        import pycantonese

        return [w for w in pycantonese.segment(text) if w.strip()]
    import jieba

    jieba.setLogLevel(60)  # jieba prints its dictionary-loading notice at INFO; the CLI owns output
    simp = to_simplified(text)
    if len(simp) != len(text):  # phrase-level conversion changed length: fall back to converting each word
        return [to_traditional(w) for w in jieba.cut(simp)]
    return [text[s:e] for _, s, e in jieba.tokenize(simp)]


def topic_tokens(text: str, lang: str | None = None) -> list[str]:
    """Content words for topic modelling: English words (lower-case) and Chinese words of two characters or more.

    Chinese words come back in Traditional characters, so topic words for Traditional text are never empty or
    Simplified. `lang="yue"` segments Chinese runs with pycantonese.
    """
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    out: list[str] = []
    for run in _TOKEN.findall(text):
        if not has_cjk(run):
            word = run.lower().strip("'-")
            if len(word) > 1 and word not in ENGLISH_STOP_WORDS:
                out.append(word)
            continue
        for word in segment_zh(run, lang):
            if len(word) > 1 and word not in _stop_simplified():
                out.append(to_traditional(word))
    return out
