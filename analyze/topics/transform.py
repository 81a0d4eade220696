"""Fit on a sample, transform the rest: which distinct texts are embedded, and how the others are placed.

Embedding is what makes the topic stage slow on big rounds: MiniLM reads about 60 to 100 texts a second on two
CPU cores, so a 130,000-response round would spend half an hour on it. Above `sample_size` distinct texts, only a
sample stratified by script (Chinese, other) is embedded and clustered; a linear classifier over word and Chinese
character n-grams, trained on the sample's topics, places every other text at the probability-weighted mean of
the topic centres. Topic ids, `topic_prob`, secondary topics and the outlier threshold then read the same way for
every response, and only the sample's texts ever reach the embedding model (or its cache).

The sample is drawn from the distinct texts of the round's first responses to arrive (`fit_population`): while a
round grows by less than `refit_growth` (default a quarter) those texts, hence the sample and the embeddings it
needs, stay the same and the new texts are only placed; past each step of that ladder a new sample is drawn. The
sample is chosen by a hash of each text, not by a random draw: the same round gives the same sample.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from analyze.executor import Executor, LocalExecutor
from analyze.topics.modelstate import model_state, restore_model
from analyze.topics.space import OUTLIER

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def fit_population(n: int, size: int, growth: float | None) -> int:
    """How many of a round's n first-arrived responses topics are found on.

    The largest step of the ladder size, size*growth, size*growth**2 ... that is at most n (all n when n <= size,
    or growth is None or <= 1). A deterministic function of the round's size, so a re-run gives the same topics
    whether or not it ran before.
    """
    if growth is None or growth <= 1 or n <= size:
        return n
    step = size
    while (bigger := max(step + 1, int(step * growth))) <= n:
        step = bigger
    return step


def stratified_sample(keys: Sequence[str], strata: Sequence[Any], size: int) -> np.ndarray:
    """Sorted row indices of at most `size` rows; each stratum gets its share by largest remainder.

    Within a stratum, rows are ranked by the SHA-256 of their key, so the choice is stable across runs and rounds.
    """
    n = len(keys)
    if n <= size:
        return np.arange(n)
    groups: dict[Any, list[int]] = {}
    for i, stratum in enumerate(strata):
        groups.setdefault(stratum, []).append(i)
    names = sorted(groups)
    exact = {s: len(groups[s]) * size / n for s in names}
    quota = {s: int(exact[s]) for s in names}
    for s in sorted(names, key=lambda s: quota[s] - exact[s])[: size - sum(quota.values())]:
        quota[s] += 1
    picked: list[int] = []
    for s in names:
        ranked = sorted(groups[s], key=lambda i: hashlib.sha256(keys[i].encode("utf-8", "surrogatepass")).digest())
        picked += ranked[: quota[s]]
    return np.sort(np.asarray(picked, dtype=int))


def ngram_text(text: str) -> str:
    """Lower-cased text with spaces around each Chinese character, so word n-grams are character n-grams there.

    One substitution per run of Chinese characters: a template replacement per character is expanded in Python
    for every match, and was the larger part of placing a text.
    """
    return _CJK_RUN.sub(_spaced, text.lower())


def _spaced(run: re.Match) -> str:
    return " " + "  ".join(run.group()) + " "  # " a " + " b " for each character of the run


def default_transform_model(seed: int = 42) -> Any:
    """Logistic regression (one vs rest, fitted by SGD) over TF-IDF of hashed word (Chinese: character) 1-2-grams.

    Hashed features keep memory flat however many texts are transformed; the model is picklable, so a Dask
    executor can transform partitions on its workers. SGD rather than L-BFGS: on a million hashed features the
    latter took 12 to 24 CPU seconds for four topics where SGD takes 0.3, at the same accuracy (AG News, 1,900
    texts learnt, 5,700 placed: 0.849 with the default alpha vs 0.843), and L-BFGS grows with the number of topics.
    """
    from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
    from sklearn.linear_model import SGDClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        HashingVectorizer(
            preprocessor=ngram_text,
            token_pattern=r"(?u)\b\w+\b",
            ngram_range=(1, 2),
            n_features=2**20,
            alternate_sign=False,
            norm=None,
        ),
        TfidfTransformer(sublinear_tf=True),
        SGDClassifier(loss="log_loss", random_state=seed),
    )


def _proba_frame(model: Any, frame: pd.DataFrame) -> pd.DataFrame:
    """One partition's topic probabilities (columns: the model's classes)."""
    return pd.DataFrame(model.predict_proba(frame["text"].tolist()), columns=list(model.classes_))


def fit_key(model: Any, texts: list[str], labels: np.ndarray) -> str:
    """What a fitted transform model depends on: its settings (functions by name), training texts and topics."""
    params = model.get_params(deep=True) if hasattr(model, "get_params") else {}
    settings = json.dumps(
        {"model": type(model).__qualname__, **{k: v for k, v in params.items() if "__" in k or not hasattr(v, "fit")}},
        sort_keys=True,
        default=lambda v: getattr(v, "__qualname__", type(v).__qualname__),
    )
    digest = hashlib.sha256(settings.encode())
    digest.update("\x1f".join(texts).encode("utf-8", "surrogatepass"))
    digest.update(np.asarray(labels, dtype=np.int64).tobytes())
    return digest.hexdigest()


def topic_probabilities(
    model: Any,
    texts: list[str],
    labels: np.ndarray,
    others: list[str],
    executor: Executor | None = None,
    memo: Any = None,
) -> np.ndarray:
    """Fit the model on labelled texts (outliers, -1, left out) and give each other text its probability per topic.

    With a memo (analyze.topicmemo.TopicMemo), texts placed by the same fit before are read from it, and the model
    is used only when some text is new: restored from the state kept for this fit when it is the default model,
    else fitted (and its state kept).

    Returns:
        An array with one row per text in `others` and one column per topic id of `labels`, in sorted id order.

    """
    ids = sorted(set(labels.tolist()) - {OUTLIER})
    if len(ids) < 2:  # one topic (or none): nothing to choose between
        return np.ones((len(others), len(ids)))
    known = labels != OUTLIER
    learn = [t for t, k in zip(texts, known, strict=True) if k]
    key = fit_key(model, learn, labels[known]) if memo is not None else None

    def place(rows: list[str]) -> np.ndarray:
        _fit(model, learn, labels[known], memo, key)
        proba = (executor or LocalExecutor()).map_frame(partial(_proba_frame, model), pd.DataFrame({"text": rows}))
        return proba.reindex(columns=ids, fill_value=0.0).to_numpy(dtype=np.float64)

    if memo is None or not others:
        return place(others)
    return memo.probabilities(key, others, place)


def _fit(model: Any, texts: list[str], labels: np.ndarray, memo: Any, key: str | None) -> None:
    """Fit the model, or restore the state the memo kept for this fit (`key`): the default model only (modelstate)."""
    state = memo.arrays("topic_model", key) if memo is not None else None
    if state is not None and restore_model(model, state):
        return
    model.fit(texts, labels)
    if memo is not None and (state := model_state(model)) is not None:
        memo.keep_arrays("topic_model", key, state)
