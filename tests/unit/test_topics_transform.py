"""The sample the topic stage embeds, and the classifier that places the other texts."""

import pickle
from pathlib import Path

import numpy as np
import pandas as pd

from analyze.executor import partitions
from analyze.topicmemo import TopicMemo
from analyze.topics.modelstate import model_state, restore_model
from analyze.topics.transform import (
    default_transform_model,
    fit_population,
    ngram_text,
    stratified_sample,
    topic_probabilities,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "topics" / "sib200_excerpt.csv"


def test_sample_keeps_each_stratum_in_proportion():
    keys = [f"k{i}" for i in range(1000)]
    strata = ["zh" if i % 4 == 0 else "en" for i in range(1000)]
    picked = stratified_sample(keys, strata, 200)
    assert len(picked) == 200 and list(picked) == sorted(set(picked))
    assert sum(strata[i] == "zh" for i in picked) == 50


def test_sample_is_stable_when_a_round_grows():
    keys = [f"text {i}" for i in range(5000)]
    before = {keys[i] for i in stratified_sample(keys, [0] * 5000, 1000)}
    grown = keys + [f"new text {i}" for i in range(500)]
    after = {grown[i] for i in stratified_sample(grown, [0] * 5500, 1000)}
    assert len(before & after) >= 850  # about 1000 / 1.1 stay: a re-run embeds mostly cached texts
    assert stratified_sample(keys, [0] * 5000, 6000).tolist() == list(range(5000))


def test_fit_population_climbs_a_ladder_of_round_sizes():
    assert [fit_population(n, 3000, 1.25) for n in (10, 3000, 3749, 3750, 10_000, 10_999)] == [
        10,
        3000,
        3000,
        3750,
        9152,
        9152,
    ]
    assert fit_population(10_000, 3000, None) == fit_population(10_000, 3000, 1.0) == 10_000
    assert fit_population(3003, 3000, 1.00001) == 3003  # a tiny factor still climbs, one text at a time


def test_chinese_characters_become_tokens():
    assert ngram_text("反對 Facial 人臉識別") == " 反  對  facial  人  臉  識  別 "


class Partitioned:
    """Maps a function over small partitions, as the Dask executor does."""

    def map_frame(self, fn, df):
        return pd.concat([fn(p) for p in partitions(df, 7)], ignore_index=True)


def test_classifier_places_texts_and_partitions_change_nothing():
    # Real sentences (SIB-200, tests/fixtures/topics/SOURCE.md): learn two topics from English and Traditional
    # Chinese, place the Cantonese versions of the same sentences.
    rows = pd.read_csv(FIXTURE)
    rows = rows[rows["label"].isin(["politics", "health"])]
    learn = rows[rows["lang"].isin(["eng_Latn", "zho_Hant"])]
    place = rows[rows["lang"] == "yue_Hant"]
    labels = (learn["label"] == "health").to_numpy(dtype=int)
    args = (learn["text"].tolist(), labels, place["text"].tolist())
    whole = topic_probabilities(default_transform_model(), *args)
    split = topic_probabilities(default_transform_model(), *args, Partitioned())
    assert whole.shape == (len(place), 2)
    np.testing.assert_allclose(whole.sum(axis=1), 1.0)
    np.testing.assert_array_equal(whole, split)
    assert (whole.argmax(axis=1) == (place["label"] == "health").to_numpy()).mean() >= 0.75


def test_one_topic_needs_no_classifier():
    proba = topic_probabilities(default_transform_model(), ["a", "b"], np.array([0, -1]), ["c", "d", "e"])
    assert proba.shape == (3, 1) and (proba == 1).all()


def _sib_topics(labels):
    """SIB-200 sentences: English and Traditional Chinese to learn `labels` from, the Cantonese ones to place."""
    rows = pd.read_csv(FIXTURE)
    rows = rows[rows["label"].isin(labels)]
    learn = rows[rows["lang"].isin(["eng_Latn", "zho_Hant"])]
    topic = learn["label"].map({name: i for i, name in enumerate(labels)}).to_numpy()
    return learn["text"].tolist(), topic, rows.loc[rows["lang"] == "yue_Hant", "text"].tolist()


def _unfittable():
    model = default_transform_model()
    model.fit = None  # a call would fail: the model must be restored
    return model


def test_a_kept_model_places_new_texts_bit_for_bit_as_a_fresh_fit(tmp_path):
    for labels in (["politics", "health"], ["politics", "health", "sports", "travel"]):  # binary and one vs rest
        texts, topic, others = _sib_topics(labels)
        fresh = topic_probabilities(default_transform_model(), texts, topic, others)
        memo = TopicMemo(tmp_path / str(len(labels)))
        first = topic_probabilities(default_transform_model(), texts, topic, others[:10], memo=memo)
        later = topic_probabilities(_unfittable(), texts, topic, others, memo=memo)  # 10 kept, the rest new
        np.testing.assert_array_equal(first, fresh[:10])
        np.testing.assert_array_equal(later, fresh)
        assert fresh.shape == (len(others), len(labels))


def test_a_model_is_refitted_when_its_fit_or_state_changes(tmp_path):
    texts, topic, others = _sib_topics(["politics", "health", "sports"])
    memo = TopicMemo(tmp_path)
    topic_probabilities(default_transform_model(), texts, topic, others[:5], memo=memo)
    swapped = np.where(topic == 0, 1, np.where(topic == 1, 0, topic))  # another fit: the kept state is not used
    fresh = topic_probabilities(default_transform_model(), texts, swapped, others)
    np.testing.assert_array_equal(
        topic_probabilities(default_transform_model(), texts, swapped, others, memo=memo), fresh
    )
    (tmp_path / "topic_model.parquet").write_bytes(b"not parquet")  # unreadable: fitted again, not a crash
    (tmp_path / "topic_proba.parquet").unlink()
    np.testing.assert_array_equal(
        topic_probabilities(default_transform_model(), texts, swapped, others, memo=memo), fresh
    )


def test_only_the_default_pipeline_has_a_state():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, topic, _ = _sib_topics(["politics", "health"])
    other = make_pipeline(TfidfVectorizer(), LogisticRegression()).fit(texts, topic)
    assert model_state(other) is None and not restore_model(other, {})
    fitted = default_transform_model().fit(texts, topic)
    state = model_state(fitted)
    assert not restore_model(default_transform_model(), state | {"sklearn_version": np.asarray("0.0")})
    restored = default_transform_model()
    assert restore_model(restored, state)
    shipped = pickle.loads(pickle.dumps(restored))  # as a Dask executor sends it to its workers
    np.testing.assert_array_equal(shipped.predict_proba(texts), fitted.predict_proba(texts))


def test_an_injected_model_without_a_state_is_fitted_each_time(tmp_path):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    texts, topic, others = _sib_topics(["politics", "health"])
    memo = TopicMemo(tmp_path)
    for rows in (others[:5], others):
        model = make_pipeline(TfidfVectorizer(), LogisticRegression())
        fresh = topic_probabilities(make_pipeline(TfidfVectorizer(), LogisticRegression()), texts, topic, rows)
        np.testing.assert_array_equal(topic_probabilities(model, texts, topic, rows, memo=memo), fresh)
    assert not (tmp_path / "topic_model.parquet").exists()
