"""The topic stage: one topic space for Chinese and English, stable ids, themes, overrides, round-over-round diff.

Steps (each sub-model injected through `TopicModels`, BERTopic's slot names kept):
1. Campaign copies and repeated texts are fitted once: one document per campaign_id (or per distinct text).
2. Embed at most `sample_size` documents, a sample stratified by script of the first documents to arrive (a
   population that changes only when the round has grown by `refit_growth`; default: CC-CEDICT glosses over the
   packaged MiniLM), nudge them towards close codebook themes, remove the offset between scripts (space.py),
   cluster a k-NN graph (Louvain) and join every outlier close enough to the nearest topic. Documents outside the
   sample are placed by a text classifier trained on the sample's topics (transform.py).
3. Ids: numbered by size; with a previous round's topics, matched to them (rounds.py). Analyst overrides next.
4. Describe: bilingual c-TF-IDF keywords, representative responses per language, theme, secondary topics.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from analyze.duplicates.key import duplicate_keys
from analyze.duplicates.signature import near_groups, signatures
from analyze.embeddings import Embedder, default_embedder
from analyze.normalise import has_cjk
from analyze.topics.codebook import OTHER, Theme, guide, load_codebook, map_themes, theme_vectors
from analyze.topics.keywords import central_first, ranked_words, representative_ids, split_keywords, tokenize_texts
from analyze.topics.overrides import AUDIT_COLUMNS, apply_overrides
from analyze.topics.rounds import DIFF_COLUMNS, match_previous, topic_diff
from analyze.topics.space import (
    OUTLIER,
    GraphClusterer,
    Mixtures,
    centre_by_script,
    centroids,
    mixtures,
    nearest_topics,
    secondary_topics,
    unit_rows,
)
from analyze.topics.transform import default_transform_model, fit_population, stratified_sample, topic_probabilities

# Sampled texts at least this similar (MinHash Jaccard of shingles, the duplicates stage's campaign threshold) are
# one point of the fit: campaign variants count once there.
SAMPLE_NEAR = 0.5
# c-TF-IDF keywords of a topic without sampled documents (an analyst's new topic) from at most this many of its
# documents (by response id, a stable pseudo-random order): word shares settle long before that. Other topics are
# read from their sampled documents, at most `sample_size` in all.
KEYWORD_DOCS = 500
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
    vectorizer for keywords (default: counts of `keyword_tokenizer`'s tokens); keyword_tokenizer: texts -> token
    lists (default: `topic_tokens` of each); transform_model: a text classifier with fit,
    predict_proba and classes_ that places documents outside the embedded sample (default: n-gram logistic
    regression); memo: remembers the sample's guided points, the default clustering and the placement between runs
    (e.g. analyze.topicmemo.TopicMemo; default: nothing kept). Names follow BERTopic's.
    """

    embedder: Embedder | None = None
    umap_model: Any = None
    hdbscan_model: Any = None
    vectorizer_model: Any = None
    transform_model: Any = None
    keyword_tokenizer: Callable[[list[str]], list[list[str]]] | None = None
    memo: Any = None


class TopicFit(NamedTuple):
    """The topic stage's tables."""

    assignments: pd.DataFrame
    topics: pd.DataFrame
    overrides: pd.DataFrame
    diff: pd.DataFrame


@dataclass(frozen=True)
class _Space:
    raw: Mixtures  # unit embeddings of the unique documents (comparable across rounds)
    fit: Mixtures  # guided and script-centred: where topics are found
    embedded: np.ndarray  # True where the row was embedded; False: placed by the transform model


def _digest(texts: list[str]) -> str:
    return hashlib.sha256("\x1f".join(texts).encode("utf-8", "surrogatepass")).hexdigest()


def _remembered(memo: Any, name: str, texts: list[str], settings: dict, compute: Callable[[], Any]) -> np.ndarray:
    """`compute()`, an integer array that depends only on texts and settings: kept by the memo when there is one."""
    if memo is None:
        return np.asarray(compute(), dtype=np.int64)
    return memo.integers(name, json.dumps({"texts": _digest(texts), **settings}, sort_keys=True), compute)


def _guided_points(
    raw: np.ndarray, vectors: np.ndarray, seed_threshold: float, texts: list[str], memo: Any
) -> np.ndarray:
    """The sample's points guided towards close themes, then centred by script: kept by the memo when there is one.

    Within a step the points are the same, so a re-run reads them instead of measuring the offset between scripts
    again (mutual nearest neighbours of the sample, five rounds).
    """

    def compute() -> np.ndarray:
        return centre_by_script(guide(raw, vectors, seed_threshold), texts)

    if memo is None:
        return compute()
    settings = {"seed_threshold": seed_threshold, "texts": _digest(texts)}
    return memo.matrix("topic_space", (raw, vectors), settings, compute)


def _cluster(x: np.ndarray, texts: list[str], models: TopicModels, seed: int, **graph: Any) -> np.ndarray:
    """Cluster labels for every row (-1 = outlier), numbered by size then first row."""
    if models.umap_model is not None:
        x = models.umap_model.fit_transform(x)
    clusterer = models.hdbscan_model or GraphClusterer(seed=seed, **graph)
    extra = {"texts": texts} if isinstance(clusterer, GraphClusterer) else {}  # its lexical view reads them
    if models.memo is not None and models.hdbscan_model is None and models.umap_model is None:
        settings = {"seed": seed, "texts": _digest(texts), **graph}
        found = models.memo.labels(x, settings, lambda: clusterer.fit_predict(x, **extra))
    else:  # an injected model's settings are not known here: nothing kept
        found = clusterer.fit_predict(x, **extra)
    found = np.asarray(found, dtype=int)
    labels = np.full(len(found), OUTLIER, dtype=int)
    ranked = sorted(set(found.tolist()) - {OUTLIER}, key=lambda t: (-(found == t).sum(), np.argmax(found == t)))
    for new, old in enumerate(ranked):
        labels[found == old] = new
    return labels


def _fit_space(
    texts: list[str],
    members: pd.DataFrame,
    embedder: Embedder,
    vectors: np.ndarray,
    models: TopicModels,
    *,
    seed: int,
    seed_threshold: float,
    outlier_threshold: float,
    executor: Any,
    **graph: Any,
) -> tuple[_Space, np.ndarray]:
    """Embed the sample's texts (`members`: doc, text) and cluster them; the transform model places the rest.

    Sampled texts that are near duplicates of each other (campaign variants) are one point, at their mean: grouped
    among the sample alone, so the points stay put however the round's campaigns regroup. A document with sampled
    texts takes the point of its first. Returns the space of every unique document and its topic labels (numbered
    by size, -1 = outlier).
    """
    member_texts = members["text"].tolist()
    point = _remembered(
        models.memo,
        "topic_points",
        member_texts,
        {"near": SAMPLE_NEAR},
        lambda: near_groups(signatures(duplicate_keys(member_texts)), SAMPLE_NEAR) if member_texts else [],
    )
    vectors_m = unit_rows(np.asarray(embedder.encode(member_texts), dtype=np.float64))
    points, first_member = np.unique(point, return_index=True)
    raw_p = np.zeros((len(points), vectors_m.shape[1]))
    np.add.at(raw_p, point, vectors_m)
    raw_p = unit_rows(raw_p)
    point_texts = [member_texts[i] for i in first_member]
    fit_p = _guided_points(raw_p, vectors, seed_threshold, point_texts, models.memo)
    labels_p = _cluster(fit_p, point_texts, models, seed, **graph)
    ids, centres = centroids(fit_p, labels_p)
    joined = nearest_topics(unit_rows(fit_p) @ centres.T, ids, outlier_threshold)
    labels_p = np.where(labels_p == OUTLIER, joined, labels_p)
    firsts = members.assign(point=point).drop_duplicates("doc")
    sample, of = firsts["doc"].to_numpy(), firsts["point"].to_numpy()
    embedded = np.zeros(len(texts), dtype=bool)
    embedded[sample] = True
    labels = np.full(len(texts), OUTLIER, dtype=int)
    labels[sample] = labels_p[of]
    rest = np.flatnonzero(~embedded) if ids else np.zeros(0, dtype=int)
    ids, centres = centroids(fit_p, labels_p)
    _, raw_centres = centroids(raw_p, labels_p)
    proba = np.zeros((0, len(ids)))
    if len(rest):
        proba = topic_probabilities(
            models.transform_model or default_transform_model(seed),
            point_texts,
            labels_p,
            [texts[i] for i in rest],
            executor,
            models.memo,
        )
    fit = mixtures(len(texts), sample, of, fit_p, rest, proba, centres)
    raw = mixtures(len(texts), sample, of, raw_p, rest, proba, raw_centres)
    labels[rest] = nearest_topics(fit.similarity(centres, rest), ids, outlier_threshold)
    return _Space(raw, fit, embedded), labels


def _fit_sample(
    usable: pd.DataFrame, key: pd.Series, unique: np.ndarray, size: int, growth: float | None, memo: Any = None
) -> tuple[list[str], pd.DataFrame]:
    """The text each distinct document is shown by, and the sample: which texts are embedded, for which document.

    Above `size` documents, the sample is drawn from the distinct texts of the first `fit_population` responses to
    arrive (received_at, undated last, then row order), stratified by script and ranked by a hash of the text; a
    document (campaign, exact group) with sampled texts is shown by its first. Neither later responses nor
    campaigns regrouping old copies change which texts are embedded, so a growing round needs no new embeddings
    until it grows a step.
    """
    texts = usable.loc[unique, "text_norm"]
    if len(texts) <= size:
        return texts.tolist(), pd.DataFrame({"doc": np.arange(len(texts)), "text": texts.to_numpy()})
    when = pd.to_datetime(usable["received_at"], utc=True) if "received_at" in usable else pd.NaT
    order = pd.DataFrame({"when": when, "row": np.arange(len(usable))}).sort_values(
        ["when", "row"], na_position="last", kind="stable"
    )["row"]
    first = usable["text_norm"].iloc[order.to_numpy()[: fit_population(len(usable), size, growth)]]
    first_texts = first.tolist()
    candidates = list(dict.fromkeys(first_texts))  # distinct, in order of arrival
    picked = _remembered(
        memo,
        "topic_sample",
        candidates,
        {"size": size},
        lambda: stratified_sample(candidates, [has_cjk(t) for t in candidates], size),
    )
    chosen = {candidates[i] for i in picked.tolist()}
    sampled = first[[t in chosen for t in first_texts]].drop_duplicates()
    doc_of = pd.Series(np.arange(len(texts)), index=key[unique].to_numpy())
    members = pd.DataFrame({"doc": doc_of[key[sampled.index]].to_numpy(), "text": sampled.to_numpy()})
    first_sampled = members.drop_duplicates("doc")
    shown = texts.tolist()
    for doc, text in zip(first_sampled["doc"].tolist(), first_sampled["text"].tolist(), strict=True):
        shown[doc] = text
    return shown, members


def _with_sample(
    tokenize: Callable[[list[str]], list[list[str]]], sample: list[str]
) -> Callable[[list[str]], list[list[str]]]:
    """An injected `tokenize`, asked for every text of the sample along with the texts given.

    A document is shown by its first sampled text, and which text is first changes when campaigns regroup; asking
    for the whole sample each time lets a caching tokenizer (the pipeline's) keep every text a document may be
    shown by within a step, so a re-run segments no text. The default tokenizer keeps nothing: it is asked only
    for the texts read.
    """

    def tokens_of(texts: list[str]) -> list[list[str]]:
        asked = list(dict.fromkeys([*sample, *texts]))
        tokens = dict(zip(asked, tokenize(asked), strict=True))
        return [tokens[t] for t in texts]

    return tokens_of


def _describe(
    usable: pd.DataFrame, unique: np.ndarray, sample: list[str], n_keywords: int, models: TopicModels
) -> dict[int, tuple[list[str], list[str], bool]]:
    """Keywords (en, zh, translated) per topic from its distinct documents.

    Only documents with an embedded text are read, by that text (`keyword_text`, one of the `sample`'s texts):
    within a step of the sample's ladder those stay the same however the round grows or its campaigns regroup, so a
    re-run segments no new text and late texts change no keyword. A topic with none (an analyst's new topic) is
    read from at most KEYWORD_DOCS of its documents.
    """
    topical = unique & (usable["topic_id"] != OUTLIER).to_numpy()
    read = topical & usable["keyword_text"].notna().to_numpy()
    others = usable[topical & ~usable["topic_id"].isin(usable.loc[read, "topic_id"]).to_numpy()]
    others = others.sort_values("response_id").groupby("topic_id", sort=False).head(KEYWORD_DOCS)
    rows = pd.concat([usable[read].assign(text_norm=usable.loc[read, "keyword_text"]), others])
    rows = rows.sort_values("response_id")
    words = ranked_words(
        rows["text_norm"].tolist(),
        rows["topic_id"].astype(int).tolist(),
        models.vectorizer_model,
        tokenize_texts if models.keyword_tokenizer is None else _with_sample(models.keyword_tokenizer, sample),
    )
    return {t: split_keywords(w, n_keywords) for t, w in words.items()}


def _stable_ids(
    usable: pd.DataFrame,
    unique: np.ndarray,
    space: _Space,
    sample: list[str],
    previous: pd.DataFrame,
    threshold: float,
    n_keywords: int,
    models: TopicModels,
) -> dict[int, int]:
    """This fit's topic ids -> the previous round's ids where topics match, new ids otherwise."""
    words = _describe(usable, unique, sample, n_keywords, models)
    ids, centres = space.raw.centroids(usable.loc[unique, "topic_id"].to_numpy())
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
    sample: list[str],
    themes: tuple[Theme, ...],
    vectors: np.ndarray,
    label_edits: dict[int, dict[str, str]],
    *,
    n_keywords: int,
    quotes: int,
    ratio: float,
    limit: int,
    theme_threshold: float,
    models: TopicModels,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The topic table and the per-response assignments, from the final topic ids in `usable`."""
    labels = usable["topic_id"].to_numpy()
    ids, centres = space.fit.centroids(labels[unique])  # a document's first row is its row of the space
    # A row is placed by its document's vector and its own topic (overrides may move single rows): each distinct
    # pair is measured once.
    _, pair_rows, pair_of = np.unique(rep_of * (labels.max() + 2) + labels + 1, return_index=True, return_inverse=True)
    sims = space.fit.similarity(centres, rep_of[pair_rows])
    prob, secondary = secondary_topics(sims, labels[pair_rows], ids, ratio, limit)
    usable = usable.assign(topic_prob=prob[pair_of], secondary_topic_ids=[secondary[i] for i in pair_of.tolist()])
    words = _describe(usable, unique, sample, n_keywords, models)
    raw_ids, raw_centres = space.raw.centroids(labels[unique])
    mapped = dict(
        zip(
            raw_ids,
            map_themes(raw_centres, [words[t][0] + words[t][1] for t in raw_ids], themes, vectors, theme_threshold),
            strict=True,
        )
    )
    names = {t.id: (t.name_en, t.name_zh) for t in themes} | {OTHER: ("Other", "其他")}
    rows = []
    read = ["response_id", "text_norm", "topic_id", "topic_prob", "embedded"]  # the columns ranked and quoted
    ranked = central_first(usable.loc[usable["topic_id"] != OUTLIER, read])
    for topic, group in ranked.groupby("topic_id", sort=True):
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


def _document_keys(usable: pd.DataFrame) -> pd.Series:
    """Each row's document (fitted and counted once): its counting key, else its campaign, else "text:" + its text.

    The counting rules' key comes from the duplicates stage, which keys nearly every row; the campaign and the text are
    read only for the rows still without a key (prefixing every text, to drop nearly all, cost more than the rest).
    """
    key = pd.Series(None, index=usable.index, dtype=object)
    for column in ("unique_key", "campaign_id"):
        if column in usable:
            key = key.where(key.notna(), usable[column])
    missing = key.isna().to_numpy()
    if missing.any():
        key[missing] = "text:" + usable.loc[missing, "text_norm"]
    return key


def _assignments(docs: pd.DataFrame, kept: np.ndarray, assigned: pd.DataFrame) -> pd.DataFrame:
    """ASSIGNMENT_COLUMNS for every row of docs: the rows where `kept` from `assigned` (in order), the rest -1."""
    n, at = len(docs), np.flatnonzero(kept)
    topic, prob, theme = np.full(n, OUTLIER), np.zeros(n), np.full(n, OTHER, dtype=object)
    topic[at] = assigned["topic_id"].to_numpy()
    prob[at] = assigned["topic_prob"].to_numpy(dtype=float)
    theme[at] = assigned["theme"].astype(object).fillna(OTHER).to_numpy()
    # The lists of `assigned` as they are (the rows of one document share its list): a new list per row made the
    # collector sweep the whole heap, ~0.2 s at 164,000 rows.
    secondary = np.empty(n, dtype=object)
    secondary[at] = assigned["secondary_topic_ids"].to_numpy(dtype=object)
    for row in np.flatnonzero([not isinstance(ids, list) for ids in secondary]).tolist():
        secondary[row] = []
    columns = {"topic_id": topic, "topic_prob": prob, "secondary_topic_ids": secondary}
    out = docs[["response_id"]].reset_index(drop=True).assign(**columns)
    out["theme"] = pd.Series(theme, dtype=object)  # as before: object, not inferred as str (the file's metadata)
    return out


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
    lexical_weight: float = 0.4,
    sample_size: int = 3000,
    refit_growth: float | None = 1.25,
    outlier_threshold: float = 0.1,
    secondary_ratio: float = 0.9,
    max_secondary: int = 2,
    codebook: Sequence[Theme] | None = None,
    seed_threshold: float = 0.5,
    theme_threshold: float = 0.45,
    previous: pd.DataFrame | None = None,
    match_threshold: float = 0.5,
    overrides: Sequence[Mapping[str, Any]] = (),
    executor: Any = None,
) -> TopicFit:
    """Fit topics on normalised texts.

    Args:
        docs: response_id, text_norm (empty texts get topic -1), optional campaign_id (copies fitted once),
            optional received_at (arrival order; else row order).
        models: injected sub-models; None = defaults.
        min_topic_size: smallest group reported as a topic.
        n_keywords: keywords kept per language.
        quotes_per_topic: representative responses per topic.
        seed: seed of the sample and the graph clustering.
        embedding_model: sentence-transformers name or local path. NOTE: ignored when models.embedder is given.
        n_neighbors: neighbours per document in the clustering graph.
        resolution: Louvain resolution; higher gives more, smaller topics.
        lexical_weight: share of shared characters in the similarity of two Chinese documents in the clustering
            graph (0 = embeddings alone; see analyze.topics.lexical).
        sample_size: most distinct documents embedded and clustered (a sample stratified by script); the others
            are placed by `models.transform_model`, trained on the sample's topics.
        refit_growth: the sample is drawn from the documents of the first N responses to arrive, N the largest
            of sample_size * refit_growth**k within the round, so topics stay put until the round grows by this
            factor; None or 1 = draw from every document.
        outlier_threshold: least cosine similarity (centred space) for assigning a document to its nearest topic.
        secondary_ratio: a secondary topic is at least this fraction as similar as the main topic.
        max_secondary: most secondary topics per response.
        codebook: themes; None = the shipped AI ethics & privacy codebook, empty = no themes.
        seed_threshold: least similarity to a theme's seed words for guiding a document towards it.
        theme_threshold: least score for mapping a topic to a theme (else "other").
        previous: the previous round's topics table; its ids are kept for matching topics.
        match_threshold: least similarity for matching a topic to a previous one.
        overrides: analyst edits (see analyze.topics.overrides).
        executor: where documents outside the sample are transformed (analyze.executor; None = here).

    Returns:
        TopicFit: assignments (ASSIGNMENT_COLUMNS, one row per input row), topics (TOPIC_COLUMNS, largest first),
        overrides (the audit trail) and diff (round-over-round, empty without `previous`).

    """
    models = models or TopicModels()
    themes = tuple(load_codebook() if codebook is None else codebook)
    kept = (docs["text_norm"].fillna("").str.strip().str.len() > 0).to_numpy(dtype=bool)
    usable = docs[kept].reset_index(drop=True)
    key = _document_keys(usable)
    unique = ~key.duplicated().to_numpy()
    rep_of = pd.factorize(key)[0]  # each row's document: codes in order of first appearance, as `unique`
    usable["topic_id"] = OUTLIER
    if unique.any():
        embedder = models.embedder or default_embedder(embedding_model)
        vectors = theme_vectors(themes, embedder)
        shown, members = _fit_sample(usable, key, unique, sample_size, refit_growth, models.memo)
        sample = members["text"].tolist()
        sampled = np.unique(members["doc"].to_numpy())
        usable["keyword_text"] = pd.Series(
            np.asarray(shown, dtype=object)[sampled], index=np.flatnonzero(unique)[sampled]
        )
        space, labels = _fit_space(
            shown,
            members,
            embedder,
            vectors,
            models,
            seed=seed,
            seed_threshold=seed_threshold,
            outlier_threshold=outlier_threshold,
            executor=executor,
            n_neighbors=n_neighbors,
            resolution=resolution,
            lexical_weight=lexical_weight,
            min_cluster_size=min_topic_size,
        )
        usable["topic_id"] = labels[rep_of]
        usable["embedded"] = space.embedded[rep_of]
        if previous is not None and len(previous):
            usable["topic_id"] = usable["topic_id"].map(
                _stable_ids(usable, unique, space, sample, previous, match_threshold, n_keywords, models)
            )
    topic_ids, label_edits, audit = apply_overrides(usable, overrides)
    usable["topic_id"] = topic_ids.astype(int)
    if unique.any():
        topics, assigned = _tables(
            usable,
            unique,
            rep_of,
            space,
            sample,
            themes,
            vectors,
            label_edits,
            n_keywords=n_keywords,
            quotes=quotes_per_topic,
            ratio=secondary_ratio,
            limit=max_secondary,
            theme_threshold=theme_threshold,
            models=models,
        )
    else:
        topics, assigned = pd.DataFrame(columns=TOPIC_COLUMNS), usable.assign(topic_prob=0.0)
    assignments = _assignments(docs, kept, assigned.reindex(columns=ASSIGNMENT_COLUMNS))
    diff = topic_diff(previous, topics) if previous is not None else pd.DataFrame(columns=DIFF_COLUMNS)
    return TopicFit(assignments, topics, audit.reindex(columns=AUDIT_COLUMNS), diff)
