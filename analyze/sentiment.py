"""Sentiment of each response in [-1, 1]: VADER for English, snownlp on OpenCC-simplified text for Chinese.

Code-mixed text combines both, weighted by its share of English words.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from analyze.normalise import has_cjk
from analyze.segment import to_simplified

SENTIMENT_COLUMNS = ["response_id", "sentiment", "sentiment_label"]
NEUTRAL_BAND = 0.05  # |score| below this is neutral (VADER's documented threshold for its compound score)


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def score_en(text: str) -> float:
    """VADER compound score."""
    return float(_vader().polarity_scores(text)["compound"])


def score_zh(text: str) -> float:
    """Snownlp's positive probability on the Simplified form, rescaled to [-1, 1]."""
    from snownlp import SnowNLP

    simp = to_simplified(text)
    return 2.0 * float(SnowNLP(simp).sentiments) - 1.0 if simp.strip() else 0.0


def score_text(text: str, en_share: float) -> float:
    """Score one text: English, Chinese, or both weighted by the share of English words."""
    if not text.strip():
        return 0.0
    if not has_cjk(text):
        return score_en(text)
    if en_share <= 0:
        return score_zh(text)
    return en_share * score_en(text) + (1 - en_share) * score_zh(text)


def label(score: float) -> str:
    """positive, negative or neutral."""
    if score >= NEUTRAL_BAND:
        return "positive"
    return "negative" if score <= -NEUTRAL_BAND else "neutral"


def score_sentiment(df: pd.DataFrame) -> pd.DataFrame:
    """Sentiment per response.

    Args:
        df: response_id, text_norm and en_share (from `detect_language`).

    Returns:
        response_id, sentiment (rounded to 4 places for stable output), sentiment_label.

    """
    scores = [
        round(score_text(t or "", float(s or 0.0)), 4) for t, s in zip(df["text_norm"], df["en_share"], strict=True)
    ]
    return pd.DataFrame(
        {
            "response_id": df["response_id"].to_numpy(),
            "sentiment": scores,
            "sentiment_label": [label(s) for s in scores],
        }
    )
