"""The lexical view of Chinese texts and how the clustering graph blends it with the embeddings."""

import numpy as np
from sklearn.metrics import normalized_mutual_info_score

from analyze.topics.lexical import chinese_view, lexical_view
from analyze.topics.space import GraphClusterer, _neighbours

TOPICS = {
    "zh": ["街頭的人臉識別鏡頭", "房屋租金升得比工資快", "學校考試令學生壓力太大"],
    "en": [
        "facial recognition cameras watch every street corner",
        "housing rents rise faster than wages this year",
        "school exams put too much pressure on pupils",
    ],
}


def topic_texts(lang: str, n: int = 90) -> tuple[list[str], list[int]]:
    """n texts of three topics, each its topic's sentence plus a number, so the words tell the topics apart."""
    labels = [i % 3 for i in range(n)]
    return [f"{TOPICS[lang][t]} {i}" for i, t in enumerate(labels)], labels


def test_lexical_view_is_unit_rows_and_shares_characters_across_scripts():
    view = lexical_view(["人臉識別鏡頭", "人脸识别镜头", "房屋租金上升", "房屋租金太高"])
    assert view is not None and np.allclose(np.linalg.norm(view, axis=1), 1.0)
    sims = view @ view.T
    assert sims[0, 1] > 0.99  # Traditional and Simplified spelling of the same words
    assert sims[0, 1] > sims[0, 2]


def test_lexical_view_is_none_without_shared_terms():
    assert lexical_view(["alpha", "beta", "gamma"]) is None


def test_chinese_view_has_zero_rows_for_other_texts():
    texts = ["人臉識別鏡頭", "facial recognition", "人臉識別系統"]
    view = chinese_view(texts, np.array([True, False, True]))
    assert view is not None and view.shape[0] == 3 and not view[1].any()
    assert chinese_view(texts, np.array([False, True, False])) is None


def test_characters_find_chinese_topics_the_embeddings_miss():
    texts, labels = topic_texts("zh")
    noise = np.random.default_rng(0).normal(size=(len(texts), 16))  # embeddings that carry no topic
    blind = GraphClusterer(min_cluster_size=5, lexical_weight=0.0).fit_predict(noise, texts=texts)
    reading = GraphClusterer(min_cluster_size=5, lexical_weight=0.5).fit_predict(noise, texts=texts)
    assert normalized_mutual_info_score(labels, reading) > 0.9
    assert normalized_mutual_info_score(labels, blind) < 0.5


def test_english_texts_are_clustered_by_their_embeddings_alone():
    texts, _ = topic_texts("en")
    noise = np.random.default_rng(0).normal(size=(len(texts), 16))
    blind = GraphClusterer(min_cluster_size=5, lexical_weight=0.0).fit_predict(noise, texts=texts)
    assert (GraphClusterer(min_cluster_size=5, lexical_weight=0.5).fit_predict(noise, texts=texts) == blind).all()


def test_lexical_similarity_counts_only_within_a_script():
    x = np.eye(4)[[0, 0, 1, 1]]  # rows 0-1 and 2-3 embed alike
    lexical = np.eye(4)[[2, 3, 2, 3]]  # but rows 0 and 2, 1 and 3 share their words
    is_zh = np.array([True, False, True, True])
    idx, sims = _neighbours(x, 3, lexical, is_zh, weight=0.5)
    by_row = [dict(zip(i.tolist(), s.tolist(), strict=True)) for i, s in zip(idx, sims, strict=True)]
    assert by_row[0] == {1: 1.0, 2: 0.5, 3: 0.0}  # both Chinese: half embedding (0), half characters (1)
    assert by_row[1] == {0: 1.0, 2: 0.0, 3: 0.0}  # rows 1 and 3 share terms but not a script: embedding alone
    assert by_row[2] == {0: 0.5, 1: 0.0, 3: 0.5}
    assert idx[3][0] == 2  # most similar first
