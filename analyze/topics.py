"""Topics of concern: BERTopic with every sub-model injected, one topic space for Chinese and English.

Documents are embedded by an injected `Embedder` (default: CC-CEDICT glosses over the packaged MiniLM), clustered
with UMAP + HDBSCAN (seeded), and described by c-TF-IDF over `topic_tokens` (English words and jieba-segmented
Chinese words in Traditional characters). Keywords are given in both languages: a topic's own words in each
language first, then dictionary translations of the other language's words (marked in the table) so that no
topic lacks a label in either language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from analyze.embeddings import Embedder, default_embedder
from analyze.normalise import has_cjk
from analyze.segment import to_traditional, topic_tokens

OUTLIER = -1
ASSIGNMENT_COLUMNS = ["response_id", "topic_id", "topic_prob"]
TOPIC_COLUMNS = [
    "topic_id",
    "label_en",
    "label_zh",
    "keywords_en",
    "keywords_zh",
    "keywords_translated",
    "size",
    "size_unique",
    "representative_ids",
]


@dataclass
class TopicModels:
    """The sub-models of the topic stage; any left as None gets the default for the corpus size."""

    embedder: Embedder | None = None
    umap_model: Any = None
    hdbscan_model: Any = None
    vectorizer_model: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def _default_models(n_docs: int, min_topic_size: int, seed: int) -> dict[str, Any]:
    from bertopic.dimensionality import BaseDimensionalityReduction
    from hdbscan import HDBSCAN
    from sklearn.cluster import KMeans
    from umap import UMAP

    if n_docs < 3 * min_topic_size:  # too few to find density: one topic, no reduction
        return {"umap_model": BaseDimensionalityReduction(), "hdbscan_model": KMeans(n_clusters=1, n_init=1)}
    return {
        "umap_model": UMAP(
            n_neighbors=min(15, n_docs - 1), n_components=5, min_dist=0.0, metric="cosine", random_state=seed
        ),
        # "leaf" finds the finer clusters a consultation has; "eom" merged the demo round into one or two topics.
        "hdbscan_model": HDBSCAN(
            min_cluster_size=min_topic_size, metric="euclidean", cluster_selection_method="leaf", prediction_data=True
        ),
    }


def _vectorizer():
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(tokenizer=topic_tokens, lowercase=False, token_pattern=None, min_df=1)


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


def _ranked_words(model: Any, topic_id: int) -> list[str]:
    """Every word of a topic with a positive c-TF-IDF score, best first (ties by word, for stable output)."""
    row = model.c_tf_idf_[topic_id + model._outliers].toarray().ravel()  # row 0 is the outlier topic if any
    words = model.vectorizer_model.get_feature_names_out()
    order = sorted(np.flatnonzero(row > 0), key=lambda i: (-row[i], words[i]))
    return [words[i] for i in order]


def _split_keywords(words: list[str], n: int) -> tuple[list[str], list[str], bool]:
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


def _quotes(group: pd.DataFrame, k: int) -> list[str]:
    """Up to k representative response ids, most central first, taking from each language in turn."""
    ranked = group.sort_values(["topic_prob", "response_id"], ascending=[False, True])
    by_lang = [list(g["response_id"]) for _, g in ranked.groupby(ranked["text_norm"].map(has_cjk), sort=True)]
    picked: list[str] = []
    while len(picked) < k and any(by_lang):
        for ids in by_lang:
            if ids and len(picked) < k:
                picked.append(ids.pop(0))
    return picked


def fit_topics(
    docs: pd.DataFrame,
    *,
    models: TopicModels | None = None,
    min_topic_size: int = 8,
    n_keywords: int = 8,
    quotes_per_topic: int = 3,
    seed: int = 42,
    embedding_model: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit topics on normalised texts.

    Args:
        docs: response_id, text_norm (empty texts are left out and get topic -1), optional campaign_id.
        models: injected sub-models; None = defaults for the corpus size.
        min_topic_size: smallest cluster HDBSCAN reports as a topic.
        n_keywords: keywords kept per language.
        quotes_per_topic: representative responses per topic.
        seed: seed for UMAP (and so for the whole fit).
        embedding_model: sentence-transformers name or local path. NOTE: ignored when models.embedder is given.

    Returns:
        (assignments, topics): assignments has response_id, topic_id, topic_prob for every input row; topics has
        topic_id, label_en, label_zh, keywords_en, keywords_zh, keywords_translated, size, size_unique,
        representative_ids, ranked by size.

    """
    from bertopic import BERTopic
    from bertopic.vectorizers import ClassTfidfTransformer

    models = models or TopicModels()
    usable = docs[docs["text_norm"].fillna("").str.strip().str.len() > 0].reset_index(drop=True)
    texts = usable["text_norm"].tolist()
    embedder = models.embedder or default_embedder(embedding_model)
    assignments = pd.DataFrame({"response_id": docs["response_id"], "topic_id": OUTLIER, "topic_prob": 0.0})
    if not texts:
        return assignments, pd.DataFrame(columns=TOPIC_COLUMNS)
    embeddings = embedder.encode(texts)
    defaults = _default_models(len(texts), min_topic_size, seed)
    model = BERTopic(
        embedding_model=None,
        language="multilingual",  # with "english", BERTopic strips every non-ASCII character before c-TF-IDF
        umap_model=models.umap_model or defaults["umap_model"],
        hdbscan_model=models.hdbscan_model or defaults["hdbscan_model"],
        vectorizer_model=models.vectorizer_model or _vectorizer(),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        top_n_words=n_keywords,
        calculate_probabilities=False,
        **models.extra,
    )
    topics, _ = model.fit_transform(texts, embeddings=embeddings)
    topics = np.asarray(topics)
    if (topics == OUTLIER).any() and len(set(topics) - {OUTLIER}):
        # Outliers go to the nearest topic when they are reasonably close, so few responses stay unassigned.
        topics = np.asarray(
            model.reduce_outliers(texts, list(topics), strategy="embeddings", embeddings=embeddings, threshold=0.3)
        )
        model.update_topics(
            texts,
            topics=list(topics),
            vectorizer_model=models.vectorizer_model or _vectorizer(),
            ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
            top_n_words=n_keywords,
        )
    usable["topic_id"] = topics.astype(int)
    usable["topic_prob"] = _centrality(embeddings, topics)
    assignments = assignments.drop(columns=["topic_id", "topic_prob"]).merge(
        usable[["response_id", "topic_id", "topic_prob"]], on="response_id", how="left"
    )
    assignments["topic_id"] = assignments["topic_id"].fillna(OUTLIER).astype(int)
    assignments["topic_prob"] = assignments["topic_prob"].fillna(0.0).astype(float)
    return assignments, _topic_table(model, usable, n_keywords, quotes_per_topic)


def _centrality(embeddings: np.ndarray, topics: np.ndarray) -> np.ndarray:
    """Cosine similarity of each document to its topic's centroid (0 for outliers), rounded for stable bytes."""
    out = np.zeros(len(topics), dtype=float)
    for t in set(topics.tolist()) - {OUTLIER}:
        idx = topics == t
        centre = embeddings[idx].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        norms = np.linalg.norm(embeddings[idx], axis=1)
        out[idx] = embeddings[idx] @ centre / np.where(norms == 0, 1, norms)
    return np.round(out, 6)


def _topic_table(model: Any, usable: pd.DataFrame, n_keywords: int, quotes_per_topic: int) -> pd.DataFrame:
    rows = []
    # Counted once: each campaign (when the duplicates stage has run) and each distinct normalised text.
    unique_key = usable["text_norm"]
    if "campaign_id" in usable:
        unique_key = usable["campaign_id"].where(usable["campaign_id"].notna(), "text:" + usable["text_norm"])
    for topic_id, group in usable[usable["topic_id"] != OUTLIER].groupby("topic_id", sort=True):
        en, zh, translated = _split_keywords(_ranked_words(model, int(topic_id)), n_keywords)
        rows.append(
            {
                "topic_id": int(topic_id),
                "label_en": ", ".join(en[:3]),
                "label_zh": "、".join(zh[:3]),
                "keywords_en": en,
                "keywords_zh": zh,
                "keywords_translated": translated,
                "size": len(group),
                "size_unique": int(unique_key.loc[group.index].nunique()),
                "representative_ids": _quotes(group, quotes_per_topic),
            }
        )
    table = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
    return table.sort_values(["size", "topic_id"], ascending=[False, True], ignore_index=True)
