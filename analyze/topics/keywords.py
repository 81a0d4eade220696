"""Topic words in both languages: c-TF-IDF over each topic's documents, split into English and Chinese.

Words come from `topic_tokens` (English words and jieba-segmented Chinese words in Traditional characters). A
topic's own words in each language come first; a language with no word of its own gets dictionary translations
of the other language's words (CC-CEDICT, flagged `keywords_translated`), so no topic lacks a label in either.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd

from analyze.aligned import factorize_sorted
from analyze.normalise import has_cjk
from analyze.segment import to_traditional, topic_tokens


def tokenize_texts(texts: list[str]) -> list[list[str]]:
    """`topic_tokens` of each text (the default keyword tokenizer; the pipeline's remembers tokens per text)."""
    return [topic_tokens(t) for t in texts]


def _given_tokens(tokens: list[str]) -> list[str]:
    return tokens


@lru_cache(maxsize=1)
def _en_to_zh() -> dict[str, str]:
    """English gloss word -> the most frequent Chinese word (Traditional) that CC-CEDICT glosses with it."""
    import jieba

    from analyze.embeddings import _cedict

    jieba.initialize()
    freq = jieba.dt.FREQ
    best: dict[str, tuple[int, str]] = {}
    for zh, gloss in _cedict().items():
        word = gloss.lower().removeprefix("to ").strip()
        if " " in word or len(zh) < 2:
            continue
        score = freq.get(zh, 0)
        if score and (word not in best or score > best[word][0]):
            best[word] = (score, zh)
    return {w: to_traditional(zh) for w, (_, zh) in best.items()}


def class_tfidf(counts: np.ndarray) -> np.ndarray:
    """BERTopic's c-TF-IDF with `reduce_frequent_words`: sqrt of in-class frequency x log(1 + avg words / count).

    Written out (ten lines) because importing BERTopic for it costs tens of seconds on a loaded machine.
    """
    totals = counts.sum(axis=0)
    idf = np.log(max(int(counts.sum(axis=1).mean()), 1) / np.where(totals == 0, 1, totals) + 1)
    tf = counts / np.where(counts.sum(axis=1, keepdims=True) == 0, 1, counts.sum(axis=1, keepdims=True))
    return np.sqrt(tf) * idf


def ranked_words(
    texts: list[str],
    labels: list[int],
    vectorizer=None,
    tokenize: Callable[[list[str]], list[list[str]]] = tokenize_texts,
) -> dict[int, list[str]]:
    """Every word of each topic with a positive c-TF-IDF score, best first (ties by word, for stable output).

    Words come from `tokenize` (texts -> token lists) unless a scikit-learn `vectorizer` is given, which then
    counts each topic's joined texts.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    ids = sorted(set(labels))
    if not ids:
        return {}
    members: dict[int, list[int]] = {t: [] for t in ids}
    for i, lab in enumerate(labels):
        members[lab].append(i)
    if vectorizer is None:
        tokens = tokenize(texts)
        joined = [[w for i in members[t] for w in tokens[i]] for t in ids]
        vectorizer = CountVectorizer(analyzer=_given_tokens, lowercase=False, min_df=1)
    else:
        joined = [" ".join(texts[i] for i in members[t]) for t in ids]
    try:
        counts = vectorizer.fit_transform(joined)
    except ValueError:  # no topic has a single content word (e.g. only emoji or numbers)
        return {t: [] for t in ids}
    scores = class_tfidf(counts.toarray().astype(float))
    words = vectorizer.get_feature_names_out()
    out = {}
    for row, topic in enumerate(ids):
        order = sorted(np.flatnonzero(scores[row] > 0), key=lambda i, r=scores[row]: (-r[i], words[i]))
        out[topic] = [str(words[i]) for i in order]
    return out


def split_keywords(words: list[str], n: int) -> tuple[list[str], list[str], bool]:
    """The best n words in each language; a language with no word of its own gets dictionary translations."""
    from analyze.embeddings import _cedict

    en = [w for w in words if not has_cjk(w)][:n]
    zh = [w for w in words if has_cjk(w)][:n]
    translated = False
    if not zh and en:
        zh = list(dict.fromkeys(t for w in en if (t := _en_to_zh().get(w))))
        translated = True
    if not en and zh:
        en = list(dict.fromkeys(g for w in zh if (g := _cedict().get(w))))
        translated = True
    return en[:n], zh[:n], translated


_SCAN = 256  # rows of a topic read at a time while looking for its representative responses


def central_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Rows in the order representative responses are chosen: embedded, then by topic_prob, then response_id.

    Embedded documents (`embedded`) come first: their `topic_prob` is a measured similarity, where a placed
    document's reflects the classifier's confidence. One sort of numbers for a whole round (ids ranked once).
    """
    ids = factorize_sorted(rows["response_id"])[0]
    prob, embedded = rows["topic_prob"].to_numpy(dtype=float), rows["embedded"].to_numpy(dtype=bool)
    return rows.iloc[np.lexsort((ids, -prob, ~embedded))]


def representative_ids(ranked: pd.DataFrame, k: int) -> list[str]:
    """Up to k response ids of a topic's rows, ranked by `central_first`, taking from each language in turn."""
    firsts: tuple[list[str], list[str]] = ([], [])  # the first k of each language (other, Chinese), in rank order
    for start in range(0, len(ranked), _SCAN):  # a few rows usually find both: no need to read a topic's every text
        rows = ranked.iloc[start : start + _SCAN]
        for rid, text in zip(rows["response_id"].tolist(), rows["text_norm"].tolist(), strict=True):
            if len(bucket := firsts[has_cjk(text)]) < k:
                bucket.append(rid)
        if min(map(len, firsts)) >= k:
            break
    by_lang = [ids for ids in firsts if ids]
    picked: list[str] = []
    while len(picked) < k and any(by_lang):
        for ids in by_lang:
            if ids and len(picked) < k:
                picked.append(ids.pop(0))
    return picked
