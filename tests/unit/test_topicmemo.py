"""The topic stage's memo: a re-run reads the clustering and the placement instead of redoing them, same tables."""

import numpy as np
import pandas as pd

from analyze.topicmemo import TopicMemo
from analyze.topics import TopicModels, fit_topics
from tests.unit.test_topics import blob_docs


class Counting:
    def __init__(self, fn):
        self.fn, self.calls = fn, []

    def __call__(self, *args):
        self.calls.append(args)
        return self.fn(*args)


def test_labels_are_kept_for_the_same_vectors_and_settings(tmp_path):
    memo, x = TopicMemo(tmp_path), np.arange(12.0).reshape(4, 3)
    compute = Counting(lambda: np.array([0, 0, 1, 1]))
    for _ in range(2):
        assert memo.labels(x, {"seed": 1}, compute).tolist() == [0, 0, 1, 1]
    assert len(compute.calls) == 1
    memo.labels(x, {"seed": 2}, compute)
    memo.labels(x + 1, {"seed": 2}, compute)
    assert len(compute.calls) == 3
    (tmp_path / "topic_labels.parquet").write_bytes(b"not parquet")  # unreadable: computed again, not a crash
    assert memo.labels(x, {"seed": 1}, compute).tolist() == [0, 0, 1, 1] and len(compute.calls) == 4


def test_probabilities_are_computed_once_per_text_and_fit(tmp_path):
    memo = TopicMemo(tmp_path)
    compute = Counting(lambda rows: np.array([[len(t) / 10, 1 - len(t) / 10] for t in rows]))
    first = memo.probabilities("fit-a", ["a", "bb"], compute)
    again = memo.probabilities("fit-a", ["bb", "ccc", "a"], compute)
    assert compute.calls == [(["a", "bb"],), (["ccc"],)]
    np.testing.assert_array_equal(again[[2, 0]], first)
    memo.probabilities("fit-b", ["a"], compute)  # another fit: nothing of fit-a is reused...
    assert compute.calls[-1] == (["a"],)
    memo.probabilities("fit-a", ["bb"], compute)  # ...nor kept: the store holds one fit
    assert compute.calls[-1] == (["bb"],)


def test_a_re_run_with_the_memo_gives_the_tables_of_a_fresh_fit(tmp_path):
    docs, emb, _ = blob_docs(n=400)
    first, grown = docs.iloc[:300], docs.iloc[:330]  # same ladder step: the sample stays, 30 texts are new
    memo = TopicMemo(tmp_path)

    def fit(d, memo=None):
        return fit_topics(d, models=TopicModels(embedder=emb, memo=memo), codebook=(), sample_size=120)

    for d in (first, grown):
        fresh, cold, warm = fit(d), fit(d, memo), fit(d, memo)
        for a, b in ((fresh, cold), (fresh, warm)):
            pd.testing.assert_frame_equal(a.assignments, b.assignments)
            pd.testing.assert_frame_equal(a.topics, b.topics)
    kept = ("topic_labels", "topic_proba", "topic_sample", "topic_points", "topic_space")
    assert all((tmp_path / f"{name}.parquet").is_file() for name in kept)
    assert (tmp_path / "topic_model.parquet").is_file()  # the placement model, restored by the grown round's re-runs


def test_integers_are_kept_for_the_last_key_of_each_name(tmp_path):
    memo = TopicMemo(tmp_path)
    compute = Counting(lambda: np.array([3, 1, 2]))
    for key in ("a", "a", "b", "a"):
        assert memo.integers("topic_sample", key, compute).tolist() == [3, 1, 2]
    assert len(compute.calls) == 3  # a, then b replaced it, then a again
    assert memo.integers("topic_points", "a", compute).tolist() == [3, 1, 2] and len(compute.calls) == 4


def test_a_matrix_is_kept_for_the_same_inputs_and_settings(tmp_path):
    memo, x = TopicMemo(tmp_path), np.linspace(-1, 1, 12).reshape(4, 3)
    compute = Counting(lambda: x * 2)
    for _ in range(2):
        kept = memo.matrix("topic_space", (x, x[:1]), {"t": 0.5}, compute)
        np.testing.assert_array_equal(kept, x * 2)
        kept[0, 0] = 9.0  # a writable copy: the next read is unchanged
    assert len(compute.calls) == 1
    memo.matrix("topic_space", (x, x[:1]), {"t": 0.6}, compute)
    memo.matrix("topic_space", (x, x[:2]), {"t": 0.6}, compute)
    memo.matrix("topic_space", (x.reshape(3, 4), x[:2]), {"t": 0.6}, compute)  # same numbers, another shape
    assert len(compute.calls) == 4
