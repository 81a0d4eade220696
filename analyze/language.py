"""Language and script of each response: en, zh, yue, mixed, other, empty; hant, hans, latin, mixed.

lingua decides between English, Chinese and other languages; Cantonese is told from written Chinese by its
marker characters (lingua knows no Cantonese); the script comes from an OpenCC round trip; langdetect (seeded)
gives a second opinion on Latin-script text where lingua is unsure. See docs/adr/0002-language.md.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from analyze.normalise import cjk_count, latin_words, normalise_text
from analyze.segment import to_simplified, to_traditional

# Characters that written Chinese does not use but Cantonese writing does. 係 is left out: it is common in
# written Chinese too (關係). The threshold is a share of the Chinese characters.
YUE_MARKERS = frozenset("嘅咗唔喺哋冇嘢佢啲乜嗰咩嚟睇噉喎㗎嘞咁俾畀冧嚿攞諗搵揾佬嘥啱嘈")
YUE_MARKER_SHARE = 0.02
MIXED_EN_SHARE = 0.3  # share of English words among all words at or above which CJK text is "mixed"
LINGUA_SURE = 0.6
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")

LANGUAGE_COLUMNS = ["response_id", "text_norm", "lang", "script", "lang_confidence", "en_share"]


@lru_cache(maxsize=1)
def _lingua():
    from lingua import Language, LanguageDetectorBuilder

    # Languages Hong Kong submissions arrive in besides English and Chinese, so "other" can be recognised.
    langs = [
        Language.ENGLISH,
        Language.CHINESE,
        Language.JAPANESE,
        Language.KOREAN,
        Language.FRENCH,
        Language.GERMAN,
        Language.SPANISH,
        Language.PORTUGUESE,
        Language.INDONESIAN,
        Language.TAGALOG,
        Language.HINDI,
        Language.URDU,
        Language.THAI,
        Language.VIETNAMESE,
    ]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def _langdetect(text: str) -> str | None:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    try:
        return detect(text)
    except LangDetectException:
        return None


def script_of(text: str) -> str:
    """hant, hans, latin or mixed, by which OpenCC direction changes the Chinese characters.

    Text whose characters are the same in both scripts counts as hant (the Hong Kong default).
    """
    n_cjk = cjk_count(text)
    n_latin = len(latin_words(text))
    if n_cjk == 0:
        return "latin"
    if n_latin >= n_cjk:  # at least as many English words as Chinese characters
        return "mixed"
    trad = sum(a != b for a, b in zip(text, to_simplified(text), strict=False))
    simp = sum(a != b for a, b in zip(text, to_traditional(text), strict=False))
    return "hans" if simp > trad else "hant"


def classify(text_norm: str) -> tuple[str, float, float]:
    """Language of a normalised text: (lang, confidence, share of English words)."""
    n_cjk = cjk_count(text_norm)
    n_en = len(latin_words(text_norm))
    if n_cjk == 0 and n_en == 0:
        return ("empty", 1.0, 0.0) if not text_norm.strip(" .,!?-_*#") else ("other", 0.5, 0.0)
    # Chinese has no spaces: ~1.5 characters per word is the usual ratio for written Chinese.
    en_share = n_en / (n_en + n_cjk / 1.5)
    if n_cjk and _KANA_HANGUL.search(text_norm):
        return "other", 0.9, en_share
    if n_cjk and en_share >= MIXED_EN_SHARE and n_en >= 2:
        return "mixed", round(1 - abs(en_share - 0.5), 3), en_share
    if n_cjk:
        markers = sum(c in YUE_MARKERS for c in text_norm)
        if markers / n_cjk >= YUE_MARKER_SHARE:
            return "yue", round(min(1.0, 0.5 + markers / n_cjk * 10), 3), en_share
        return "zh", round(min(1.0, 0.6 + n_cjk / 50), 3), en_share
    conf = {
        c.language.iso_code_639_1.name.lower(): c.value for c in _lingua().compute_language_confidence_values(text_norm)
    }
    best = max(conf, key=lambda k: (conf[k], k))
    if conf[best] < LINGUA_SURE and (second := _langdetect(text_norm)) is not None:
        if second == "en" and best != "en":
            best = "en"  # two detectors disagree on short text: English is the only Latin language of the round
    return ("en" if best == "en" else "other"), round(conf.get(best, 0.5), 3), en_share


def detect_language(df: pd.DataFrame) -> pd.DataFrame:
    """Add language columns to responses.

    Args:
        df: responses with `response_id` and `text`.

    Returns:
        One row per response: response_id, text_norm, lang, script, lang_confidence, en_share.

    """
    norm = df["text"].fillna("").astype(str).map(normalise_text)
    results = [classify(t) for t in norm]
    return pd.DataFrame(
        {
            "response_id": df["response_id"].to_numpy(),
            "text_norm": norm.to_numpy(),
            "lang": [r[0] for r in results],
            "script": [script_of(t) for t in norm],
            "lang_confidence": [float(r[1]) for r in results],
            "en_share": [round(float(r[2]), 3) for r in results],
        }
    )
