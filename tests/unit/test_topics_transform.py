"""The sample the topic stage embeds, and the classifier that places the other texts."""

from pathlib import Path

import numpy as np
import pandas as pd

from analyze.executor import partitions
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
