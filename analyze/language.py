"""Language and script of each response: en, zh, yue, mixed, other, empty; hant, hans, latin, mixed.

lingua decides between English, Chinese and other languages; Cantonese is told from written Chinese by its
marker characters (lingua knows no Cantonese); the script comes from an OpenCC round trip; langdetect (seeded)
gives a second opinion on Latin-script text where lingua is unsure. See docs/adr/0002-language.md.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd

from analyze.normalise import cjk_chars, cjk_count, latin_words, normalised_texts
from analyze.segment import to_simplified, to_traditional

# Written Cantonese, counted as marker hits per Chinese character. Characters written Chinese does not use (嘅 咗
# 唔 喺 ...); 係 except in written words (關係, 係數); words and common respellings (呢度, 而家, 既 for 嘅, d for 啲,
# 黎 for 嚟 after a verb of motion). The threshold is measured: see docs/adr/0002-language.md and BENCHMARKS.md.
_YUE_MARKER = re.compile(
    r"[嘅咗唔喺哋冇嘢佢啲乜嗰咩嚟睇噉喎㗎嘞咁俾畀冧嚿攞諗搵揾佬嘥啱嬲瞓咪吖啩囉喇咋晒冚]"
    r"|(?<![關联聯維干])係(?![數数統])"
    r"|[呢邊](?=[度個間日次位啲種款隻])|幾(?=多|時|耐|好)|仲(?![裁介夏])|既(?![然是往定得而有])(?![^。，,]{0,12}[又也])"
    r"|而家|依家|點解|點樣|唔該|鍾意|中意|成日|琴日|聽日|尋日|屋企|埋單|即係"
    r"|(?<=[過落返番上入出行])黎|黎(?=到|食|講|試)"
    r"|(?<=[\u3400-\u9fff])[dD](?=[\u3400-\u9fff])"
)
YUE_MARKER_SHARE = 0.02
MIXED_EN_SHARE = 0.3  # share of English words among all words at or above which CJK text is "mixed"
LINGUA_SURE = 0.6
# Text without Chinese is English without asking lingua when it has at least this many words and this share of
# English function words (English prose runs at 0.4 to 0.5; French, German or Spanish text hardly reaches 0.1).
EN_FUNCTION_WORDS = frozenset(
    "the and of to is are was were that this these those for with be been not have has had they we you it its "
    "would should will shall on as or but by from at an my our their there which what about can do does if all "
    "more so than who also into because".split()
)
EN_FAST_MIN_WORDS = 8
EN_FAST_SHARE = 0.2
LINGUA_SAMPLE_CHARS = 500  # lingua's and langdetect's time grows with length; a few hundred characters settle it
LANGDETECT_SAMPLE_CHARS = 300
SCRIPT_SAMPLE_CHARS = 5_000
_KANA_HANGUL = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")

LANGUAGE_COLUMNS = ["response_id", "text_norm", "lang", "script", "lang_confidence", "en_share"]


@lru_cache(maxsize=1)
def _lingua():
    """The lingua detector, built once: by the side process's warm-up (analyze/warmups.py) or the first text needing it.

    Building it holds the GIL (lingua's Rust code keeps it: a Python loop in another thread ran 9 times in the 1.3 s
    of a build, measured), so it is built in the caller's thread: a thread of its own would hold up the process alike.
    """
    from lingua import Language, LanguageDetectorBuilder

    # lingua only sees text with Latin words and no Chinese (Chinese, kana and hangul are told by their characters),
    # so only Latin-script languages Hong Kong submissions arrive in. Their models are loaded at once, on two
    # threads: 0.9 s (1.3 s on one core) against 1.8 s when the first long text loads them one by one (measured).
    langs = [
        Language.ENGLISH,
        Language.FRENCH,
        Language.GERMAN,
        Language.SPANISH,
        Language.PORTUGUESE,
        Language.INDONESIAN,
        Language.TAGALOG,
        Language.VIETNAMESE,
    ]
    return LanguageDetectorBuilder.from_languages(*langs).with_preloaded_language_models().build()


def _langdetect(text: str) -> str | None:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0  # langdetect is random unless seeded
    try:
        return detect(text)
    except LangDetectException:
        return None


def yue_marker_count(text: str) -> int:
    """Number of written-Cantonese markers (characters, words, respellings) in a text."""
    return len(_YUE_MARKER.findall(text))


@lru_cache(maxsize=65_536)
def _char_script(char: str) -> int:
    """1 for a Traditional-only character, -1 for a Simplified-only one, 0 for one written alike in both."""
    if to_simplified(char) != char:
        return 1
    return -1 if to_traditional(char) != char else 0


def script_of(text: str) -> str:
    """hant, hans, latin or mixed, by which OpenCC direction changes the Chinese characters.

    Text whose characters are the same in both scripts counts as hant (the Hong Kong default).
    """
    han = cjk_chars(text)
    return _script(han[:SCRIPT_SAMPLE_CHARS], len(latin_words(text)), len(han))  # the same sample as the stage


def _script(han: list[str], n_latin: int, n_cjk: int) -> str:
    if n_cjk == 0:
        return "latin"
    if n_latin >= n_cjk:  # at least as many English words as Chinese characters
        return "mixed"
    return "hans" if sum(map(_char_script, han)) < 0 else "hant"


def _english_share(words: list[str]) -> float:
    """Share of words that are English function words (the, and, of ...): high in any English prose."""
    return sum(w.lower() in EN_FUNCTION_WORDS for w in words) / len(words) if words else 0.0


def _latin_language(text_norm: str, words: list[str]) -> tuple[str, float]:
    """English or other, for text without Chinese: function words first, lingua (and langdetect) when that is unsure."""
    share = _english_share(words)
    if len(words) >= EN_FAST_MIN_WORDS and share >= EN_FAST_SHARE:
        return "en", round(min(0.99, 0.5 + share), 3)
    sample = text_norm[:LINGUA_SAMPLE_CHARS]
    conf = {
        c.language.iso_code_639_1.name.lower(): c.value for c in _lingua().compute_language_confidence_values(sample)
    }
    best = max(conf, key=lambda k: (conf[k], k))
    if conf[best] < LINGUA_SURE and _langdetect(sample[:LANGDETECT_SAMPLE_CHARS]) == "en":
        best = "en"  # two detectors disagree on short text: English is the only Latin language of the round
    return ("en" if best == "en" else "other"), round(conf.get(best, 0.5), 3)


def classify(text_norm: str) -> tuple[str, float, float]:
    """Language of a normalised text: (lang, confidence, share of English words)."""
    return _classify(text_norm, latin_words(text_norm), cjk_count(text_norm))


def _classify(text_norm: str, words: list[str], n_cjk: int) -> tuple[str, float, float]:
    n_en = len(words)
    if n_cjk == 0 and n_en == 0:
        return ("empty", 1.0, 0.0) if not text_norm.strip(" .,!?-_*#") else ("other", 0.5, 0.0)
    # Chinese has no spaces: ~1.5 characters per word is the usual ratio for written Chinese.
    en_share = n_en / (n_en + n_cjk / 1.5)
    if n_cjk == 0:
        return (*_latin_language(text_norm, words), en_share)
    if _KANA_HANGUL.search(text_norm):
        return "other", 0.9, en_share
    if en_share >= MIXED_EN_SHARE and n_en >= 2:
        return "mixed", round(1 - abs(en_share - 0.5), 3), en_share
    markers = yue_marker_count(text_norm)
    if markers / n_cjk >= YUE_MARKER_SHARE:
        return "yue", round(min(1.0, 0.5 + markers / n_cjk * 10), 3), en_share
    return "zh", round(min(1.0, 0.6 + n_cjk / 50), 3), en_share


def detect_language(df: pd.DataFrame) -> pd.DataFrame:
    """Add language columns to responses.

    Args:
        df: responses with `response_id` and `text`.

    Returns:
        One row per response: response_id, text_norm, lang, script, lang_confidence, en_share.

    """
    norm = normalised_texts(df["text"])
    results, scripts = [], []
    for text in norm:
        words, han = latin_words(text), cjk_chars(text)
        results.append(_classify(text, words, len(han)))
        scripts.append(_script(han[:SCRIPT_SAMPLE_CHARS], len(words), len(han)))
    return pd.DataFrame(
        {
            "response_id": df["response_id"].to_numpy(),
            "text_norm": norm,
            "lang": [r[0] for r in results],
            "script": scripts,
            "lang_confidence": [float(r[1]) for r in results],
            "en_share": [round(float(r[2]), 3) for r in results],
        }
    )
