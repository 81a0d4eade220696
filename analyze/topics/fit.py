"""The topic stage: one topic space for Chinese and English, stable ids, themes, overrides, round-over-round diff.

Steps (each sub-model injected through `TopicModels`, BERTopic's slot names kept):
1. Campaign copies and repeated texts are fitted once: one document per campaign_id (or per distinct text).
2. Embed (default: CC-CEDICT glosses over the packaged MiniLM), nudge documents towards close codebook themes,
   centre each script on its mean (space.py), cluster a k-NN graph (Louvain) on at most `sample_size` documents
   and assign the rest, and every outlier close enough, to the nearest topic.
3. Ids: numbered by size; with a previous round's topics, matched to them (rounds.py). Analyst overrides next.
4. Describe: bilingual c-TF-IDF keywords, representative responses per language, theme, secondary topics.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analyze.embeddings import Embedder, default_embedder
from analyze.topics.codebook import OTHER, Theme, guide, load_codebook, map_themes, theme_vectors
from analyze.topics.keywords import ranked_words, representative_ids, split_keywords
from analyze.topics.overrides import AUDIT_COLUMNS, apply_overrides
from analyze.topics.rounds import DIFF_COLUMNS, match_previous, topic_diff
from analyze.topics.space import (
    OUTLIER,
    GraphClusterer,
    centre_by_script,
    centroids,
    nearest_topics,
    secondary_topics,
    unit_rows,
)

ASSIGNMENT_COLUMNS = ["response_id", "topic_id", "topic_prob", "secondary_topic_ids", "theme"]
TOPIC_COLUMNS = [
    "topic_id",
    "label_en",
    "label_zh",
    "keywords_en",
    "keywords_zh",
    "keywords_translated",
    "size",
    "size_unique",
    "theme",
    "theme_en",
    "theme_zh",
    "theme_score",
    "representative_ids",
    "centroid",
]


@dataclass
class TopicModels:
    """The sub-models of the topic stage; any left as None gets the default.

    umap_model: any reducer with fit_transform (default: none, the centred embeddings are clustered as they are);
    hdbscan_model: any clusterer with fit_predict (default: `GraphClusterer`); vectorizer_model: a scikit-learn
    vectorizer for keywords (default: `topic_tokens` counts). Names follow BERTopic's.
    """

    embedder: Embedder | None = None
    umap_model: Any = None
    hdbscan_model: Any = None
    vectorizer_model: Any = None


class TopicFit(NamedTuple):
    """The topic stage's tables."""

    assignments: pd.DataFrame
    topics: pd.DataFrame
    overrides: pd.DataFrame
    diff: pd.DataFrame


@dataclass(frozen=True)
class _Space:
    raw: np.ndarray  # unit embeddings of the unique documents (comparable across rounds)
    fit: np.ndarray  # guided and script-centred: where topics are found


def _cluster(space: np.ndarray, models: TopicModels, sample_size: int, seed: int, **graph: Any) -> np.ndarray:
    """Cluster labels for every row (-1 = outlier), numbered by size then first row; fitted on a seeded sample."""
    n = len(space)
    idx = np.arange(n)
    if n > sample_size:
        idx = np.sort(np.random.default_rng(seed).choice(n, sample_size, replace=False))
    x = space[idx]
    if models.umap_model is not None:
        x = models.umap_model.fit_transform(x)
    clusterer = models.hdbscan_model or GraphClusterer(seed=seed, **graph)
    found = np.asarray(clusterer.fit_predict(x), dtype=int)
    labels = np.full(n, OUTLIER, dtype=int)
    ranked = sorted(set(found.tolist()) - {OUTLIER}, key=lambda t: (-(found == t).sum(), np.argmax(found == t)))
    for new, old in enumerate(ranked):
        labels[idx[found == old]] = new
    return labels


def _describe(
    usable: pd.DataFrame, unique: np.ndarray, n_keywords: int, vectorizer: Any
) -> dict[int, tuple[list[str], list[str], bool]]:
    """Keywords (en, zh, translated) per topic from its distinct documents."""
    rows = usable[unique & (usable["topic_id"] != OUTLIER)]
    words = ranked_words(rows["text_norm"].tolist(), rows["topic_id"].astype(int).tolist(), vectorizer)
    return {t: split_keywords(w, n_keywords) for t, w in words.items()}


def _stable_ids(
    usable: pd.DataFrame,
    unique: np.ndarray,
    space: _Space,
    previous: pd.DataFrame,
    threshold: float,
    n_keywords: int,
    models: TopicModels,
) -> dict[int, int]:
    """This fit's topic ids -> the previous round's ids where topics match, new ids otherwise."""
    words = _describe(usable, unique, n_keywords, models.vectorizer_model)
    ids, centres = centroids(space.raw, usable.loc[unique, "topic_id"].to_numpy())
    current = pd.DataFrame(
        {
            "topic_id": ids,
            "keywords_en": [words[t][0] for t in ids],
            "keywords_zh": [words[t][1] for t in ids],
            "centroid": list(centres),
        }
    )
    return {OUTLIER: OUTLIER} | match_previous(current, previous, threshold)


def _tables(
    usable: pd.DataFrame,
    unique: np.ndarray,
    rep_of: np.ndarray,
    space: _Space,
    themes: tuple[Theme, ...],
    vectors: np.ndarray,
    label_edits: dict[int, dict[str, str]],
    *,
    n_keywords: int,
    quotes: int,
    ratio: float,
    limit: int,
    theme_threshold: float,
    vectorizer: Any,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The topic table and the per-response assignments, from the final topic ids in `usable`."""
    labels = usable["topic_id"].to_numpy()
    fit_x, raw_x = space.fit[rep_of], space.raw[rep_of]
    ids, centres = centroids(fit_x[unique], labels[unique])
    prob, secondary = secondary_topics(fit_x, labels, ids, centres, ratio, limit)
    usable = usable.assign(topic_prob=prob, secondary_topic_ids=secondary)
    words = _describe(usable, unique, n_keywords, vectorizer)
    raw_ids, raw_centres = centroids(raw_x[unique], labels[unique])
    mapped = dict(
        zip(
            raw_ids,
            map_themes(raw_centres, [words[t][0] + words[t][1] for t in raw_ids], themes, vectors, theme_threshold),
            strict=True,
        )
    )
    names = {t.id: (t.name_en, t.name_zh) for t in themes} | {OTHER: ("Other", "其他")}
    rows = []
    for topic, group in usable[usable["topic_id"] != OUTLIER].groupby("topic_id", sort=True):
        en, zh, translated = words.get(topic, ([], [], False))
        theme, score = mapped.get(topic, (OTHER, 0.0))
        edits = label_edits.get(int(topic), {})
        rows.append(
            {
                "topic_id": int(topic),
                "label_en": edits.get("label_en", ", ".join(en[:3])),
                "label_zh": edits.get("label_zh", "、".join(zh[:3])),
                "keywords_en": en,
                "keywords_zh": zh,
                "keywords_translated": translated,
                "size": len(group),
                "size_unique": int(unique[group.index].sum()),
                "theme": theme,
                "theme_en": names[theme][0],
                "theme_zh": names[theme][1],
                "theme_score": score,
                "representative_ids": representative_ids(group, quotes),
                "centroid": [round(float(v), 6) for v in raw_centres[raw_ids.index(topic)]],
            }
        )
    topics = pd.DataFrame(rows, columns=TOPIC_COLUMNS)
    topics = topics.sort_values(["size", "topic_id"], ascending=[False, True], ignore_index=True)
    usable["theme"] = usable["topic_id"].map(dict(zip(topics["topic_id"], topics["theme"], strict=True)))
    return topics, usable


def fit_topics(
    docs: pd.DataFrame,
    *,
    models: TopicModels | None = None,
    min_topic_size: int = 8,
    n_keywords: int = 8,
    quotes_per_topic: int = 3,
    seed: int = 42,
    embedding_model: str | None = None,
    n_neighbors: int = 15,
    resolution: float = 1.0,
    sample_size: int = 5000,
    outlier_threshold: float = 0.1,
    secondary_ratio: float = 0.9,
    max_secondary: int = 2,
    codebook: Sequence[Theme] | None = None,
    seed_threshold: float = 0.5,
    theme_threshold: float = 0.45,
    previous: pd.DataFrame | None = None,
    match_threshold: float = 0.5,
    overrides: Sequence[Mapping[str, Any]] = (),
) -> TopicFit:
    """Fit topics on normalised texts.

    Args:
        docs: response_id, text_norm (empty texts get topic -1), optional campaign_id (copies fitted once).
        models: injected sub-models; None = defaults.
        min_topic_size: smallest group reported as a topic.
        n_keywords: keywords kept per language.
        quotes_per_topic: representative responses per topic.
        seed: seed of the sample and the graph clustering.
        embedding_model: sentence-transformers name or local path. NOTE: ignored when models.embedder is given.
        n_neighbors: neighbours per document in the clustering graph.
        resolution: Louvain resolution; higher gives more, smaller topics.
        sample_size: most documents clustered; the rest are assigned to the nearest topic.
        outlier_threshold: least cosine similarity (centred space) for assigning a document to its nearest topic.
        secondary_ratio: a secondary topic is at least this fraction as similar as the main topic.
        max_secondary: most secondary topics per response.
        codebook: themes; None = the shipped AI ethics & privacy codebook, empty = no themes.
        seed_threshold: least similarity to a theme's seed words for guiding a document towards it.
        theme_threshold: least score for mapping a topic to a theme (else "other").
        previous: the previous round's topics table; its ids are kept for matching topics.
        match_threshold: least similarity for matching a topic to a previous one.
        overrides: analyst edits (see analyze.topics.overrides).

    Returns:
        TopicFit: assignments (ASSIGNMENT_COLUMNS, one row per input row), topics (TOPIC_COLUMNS, largest first),
        overrides (the audit trail) and diff (round-over-round, empty without `previous`).

    """
    models = models or TopicModels()
    themes = tuple(load_codebook() if codebook is None else codebook)
    usable = docs[docs["text_norm"].fillna("").str.strip().str.len() > 0].reset_index(drop=True)
    # Fitted and counted once per key: the counting rules' key when the duplicates stage gave one, else the
    # campaign, else the normalised text.
    key = "text:" + usable["text_norm"]
    if "campaign_id" in usable:
        key = usable["campaign_id"].where(usable["campaign_id"].notna(), key)
    if "unique_key" in usable:
        key = usable["unique_key"].where(usable["unique_key"].notna(), key)
    unique = ~key.duplicated().to_numpy()
    rep_of = key.map({k: i for i, k in enumerate(key[unique])}).to_numpy()
    texts = usable.loc[unique, "text_norm"].tolist()
    usable["topic_id"] = OUTLIER
    if texts:
        embedder = models.embedder or default_embedder(embedding_model)
        raw = unit_rows(np.asarray(embedder.encode(texts), dtype=np.float64))
        vectors = theme_vectors(themes, embedder)
        space = _Space(raw, centre_by_script(guide(raw, vectors, seed_threshold), texts))
        labels = _cluster(
            space.fit,
            models,
            sample_size,
            seed,
            n_neighbors=n_neighbors,
            resolution=resolution,
            min_cluster_size=min_topic_size,
        )
        ids, centres = centroids(space.fit, labels)
        labels = np.where(labels == OUTLIER, nearest_topics(space.fit, ids, centres, outlier_threshold), labels)
        usable["topic_id"] = labels[rep_of]
        if previous is not None and len(previous):
            usable["topic_id"] = usable["topic_id"].map(
                _stable_ids(usable, unique, space, previous, match_threshold, n_keywords, models)
            )
    topic_ids, label_edits, audit = apply_overrides(usable, overrides)
    usable["topic_id"] = topic_ids.astype(int)
    if texts:
        topics, assigned = _tables(
            usable,
            unique,
            rep_of,
            space,
            themes,
            vectors,
            label_edits,
            n_keywords=n_keywords,
            quotes=quotes_per_topic,
            ratio=secondary_ratio,
            limit=max_secondary,
            theme_threshold=theme_threshold,
            vectorizer=models.vectorizer_model,
        )
    else:
        topics, assigned = pd.DataFrame(columns=TOPIC_COLUMNS), usable.assign(topic_prob=0.0)
    assignments = docs[["response_id"]].merge(
        assigned.reindex(columns=ASSIGNMENT_COLUMNS), on="response_id", how="left"
    )
    assignments["topic_id"] = assignments["topic_id"].fillna(OUTLIER).astype(int)
    assignments["topic_prob"] = assignments["topic_prob"].fillna(0.0).astype(float)
    assignments["secondary_topic_ids"] = assignments["secondary_topic_ids"].map(
        lambda v: list(v) if isinstance(v, list) else []
    )
    assignments["theme"] = assignments["theme"].astype(object).fillna(OTHER)
    diff = topic_diff(previous, topics) if previous is not None else pd.DataFrame(columns=DIFF_COLUMNS)
    return TopicFit(assignments, topics, audit.reindex(columns=AUDIT_COLUMNS), diff)
