"""A small linear sentiment model over Chinese character n-grams, stored as JSON and scored in pure Python.

The weights are fitted offline by scripts/train_sentiment_models.py (scikit-learn logistic regression on binary
character 1- to 3-gram features of the OpenCC-Simplified text, NB-scaled where cross-validation chose it, the
scale folded into the weights) and shipped in analyze/models/, so nothing is downloaded or trained at run time.
Scoring a text is a dictionary look-up per n-gram: thousands of texts a second.
"""

from __future__ import annotations

import gzip
import json
import math
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib.resources import files
from itertools import chain
from operator import add
from pathlib import Path

import numpy as np

MAX_N = 3
_BITS = 21  # a code point + 1 fits in 21 bits, so an n-gram of up to 3 characters is one uint64


def char_ngrams(text: str, max_n: int = MAX_N) -> set[str]:
    """Distinct character n-grams (1..max_n) of a text, spaces removed inside each n-gram window.

    Each n-gram is the (n-1)-gram at its position plus the next character, joined by `map` in C.
    """
    chars = "".join(text.split())
    grams: set[str] = set()
    longer = [""] * len(chars)
    for n in range(1, max_n + 1):
        longer = list(map(add, longer, chars[n - 1 :]))
        grams.update(longer)
    return grams


def _code_points(text: str) -> np.ndarray:
    """Each character's code point + 1 (never 0, so n-grams of different lengths get different ids)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32).astype(np.uint64) + 1


def ngram_ids(text: str) -> np.ndarray:
    """The distinct character n-grams (1..MAX_N) of `char_ngrams(text)`, each as one integer, sorted.

    Sorted and deduplicated by hand: `np.unique`'s own overhead costs more than the work on a text's few hundred.
    """
    points = _code_points("".join(text.split()))
    ids, longer = [points], points
    for n in range(1, MAX_N):
        longer = (longer[:-1] << np.uint64(_BITS)) | points[n:]
        ids.append(longer)
    ids = np.sort(np.concatenate(ids))
    first = np.ones(len(ids), bool)
    first[1:] = ids[1:] != ids[:-1]
    return ids[first]


def _gram_ids(grams: list[str]) -> np.ndarray:
    """The integer of each n-gram of 1..MAX_N characters, as `ngram_ids` numbers them."""
    points = _code_points("".join(grams))
    lengths = np.array([len(g) for g in grams], np.int64)
    starts = np.cumsum(lengths) - lengths
    ids = np.zeros(len(grams), np.uint64)
    for k in range(MAX_N):  # each n-gram's k-th character, where it has one
        has = lengths > k
        ids[has] = (ids[has] << np.uint64(_BITS)) | points[starts[has] + k]
    return ids


@dataclass(frozen=True)
class NgramSentimentModel:
    """Multinomial logistic regression over binary character n-gram features.

    Attributes:
        classes: class names in the order of `intercept` and of each weight vector (e.g. negative, neutral, positive).
        intercept: one bias per class.
        weights: n-gram -> one weight per class (binary classifiers keep one weight: the positive class's logit).
        neutral_band: half-width of the neutral zone on the model's own score scale, chosen on training data only.
        source: where the training data came from (shown in the method notes).

    """

    classes: tuple[str, ...]
    intercept: tuple[float, ...]
    weights: dict[str, tuple[float, ...]]
    neutral_band: float
    source: str

    def proba(self, text_simplified: str) -> dict[str, float]:
        """Class probabilities of an OpenCC-Simplified text."""
        # Each class's logit is its intercept plus its weights, summed exactly (fsum): the same value whatever order
        # the n-grams are found in (a plain sum over a set of strings, whose order follows Python's per-process hash
        # seed, differed between runs in the last bits, enough to flip a score's 4th decimal at a rounding boundary).
        ids, matrix = self._table
        ngrams = ngram_ids(text_simplified)
        at = np.searchsorted(ids, ngrams)
        found = matrix[at[ids[at] == ngrams]].T.tolist()  # one list per class: the weights of the known n-grams
        logits = [math.fsum(chain((bias,), column)) for bias, column in zip(self.intercept, found, strict=True)]
        if len(self.classes) == 2:  # binary: a single logit for the second class
            p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, logits[0]))))
            return {self.classes[0]: 1.0 - p, self.classes[1]: p}
        top = max(logits)
        exps = [math.exp(x - top) for x in logits]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps, strict=True)}

    @cached_property
    def _table(self) -> tuple[np.ndarray, np.ndarray]:
        """The n-grams' integers, sorted, and their weights in that order (one row each, one column per class).

        A last row of zeros under an integer no n-gram has (the largest uint64) ends the table, so every search
        lands on a row. N-grams `char_ngrams` never yields (longer than MAX_N, empty) cannot be found: left out.
        """
        grams = [g for g in self.weights if 0 < len(g) <= MAX_N]
        ids = np.append(_gram_ids(grams), np.iinfo(np.uint64).max)
        rows = [*(self.weights[g] for g in grams), (0.0,) * len(self.intercept)]
        order = np.argsort(ids, kind="stable")
        return ids[order], np.array(rows, np.float64).reshape(len(rows), len(self.intercept))[order]

    def score(self, text_simplified: str) -> float:
        """P(positive) - P(negative), in [-1, 1]; texts with no known n-gram score near the prior."""
        p = self.proba(text_simplified)
        return p.get("positive", 0.0) - p.get("negative", 0.0)

    def to_json(self) -> dict:
        """A JSON-serialisable form (weights rounded to 5 places, n-grams sorted for stable files)."""
        return {
            "classes": list(self.classes),
            "intercept": [round(x, 5) for x in self.intercept],
            "weights": {g: [round(x, 5) for x in self.weights[g]] for g in sorted(self.weights)},
            "neutral_band": round(self.neutral_band, 4),
            "source": self.source,
        }


def read_model(path: Path) -> NgramSentimentModel:
    """Load a model written by `write_model` (gzip-compressed JSON)."""
    with gzip.open(path, "rt", encoding="utf-8") as f:
        raw = json.load(f)
    return NgramSentimentModel(
        classes=tuple(raw["classes"]),
        intercept=tuple(raw["intercept"]),
        weights={g: tuple(w) for g, w in raw["weights"].items()},
        neutral_band=float(raw["neutral_band"]),
        source=raw["source"],
    )


def write_model(model: NgramSentimentModel, path: Path) -> Path:
    """Write a model as gzip-compressed JSON with a fixed timestamp (same weights, same bytes)."""
    data = json.dumps(model.to_json(), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(data)
    tmp.replace(path)
    return path


@lru_cache(maxsize=4)
def packaged_model(name: str) -> NgramSentimentModel:
    """A model shipped in analyze/models/ (`zh_sentiment` or `yue_sentiment`), loaded on first use."""
    return read_model(Path(str(files("analyze").joinpath("models", f"{name}.json.gz"))))
