import pandas as pd
import pytest

import analyze.language as language
from analyze.language import LANGUAGE_COLUMNS, classify, detect_language, script_of, yue_marker_count
from analyze.normalise import has_cjk, normalise_text
from analyze.warmups import warm_language


@pytest.fixture
def no_lingua(monkeypatch):
    """Fail if lingua is asked: these texts must be decided by characters, markers or English function words."""

    def refuse():
        raise AssertionError("lingua was loaded")

    monkeypatch.setattr(language, "_lingua", refuse)


def _csv(path, **kw) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, **kw)


def test_traditional_chinese_polis_comments_are_zh_hant(shared_data, no_lingua):
    df = _csv(shared_data / "polis-vtaiwan-uberx" / "comments.csv")
    texts = [normalise_text(t) for t in df["comment-body"].head(60) if has_cjk(t)]  # one comment is a bare URL
    assert [classify(t)[0] for t in texts].count("zh") >= len(texts) - 1
    assert {script_of(t) for t in texts if classify(t)[0] == "zh"} == {"hant"}


def test_cantonese_openrice_reviews_are_yue(shared_data, no_lingua):
    df = _csv(shared_data / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3)
    langs = [classify(normalise_text(t))[0] for t in df["text_a"].head(40)]
    assert langs.count("yue") >= 38


def test_simplified_is_hans_and_traditional_is_hant(shared_data):
    sib = _csv(shared_data / "topics-labelled" / "sib200_en_zh_yue" / "data.csv").head(200)
    for code, script in (("zho_Hans", "hans"), ("zho_Hant", "hant")):
        texts = sib.loc[sib["lang"] == code, "text"]
        assert (texts.map(script_of) == script).all()


def test_english_letters_need_no_language_model(shared_data, no_lingua):
    df = _csv(shared_data / "regsgov-cms-2022-0163-en" / "comments.csv")
    texts = [normalise_text(t) for t in df["comment"] if len(t.split()) >= 40][:30]
    assert {classify(t)[0] for t in texts} == {"en"}


def test_code_mixed_cantonese_keeps_an_english_share(no_lingua):
    lang, _, en_share = classify("我覺得個 privacy policy 唔清楚，佢哋應該講清楚啲")
    assert lang == "yue" and 0 < en_share < 0.3
    lang, _, en_share = classify("The privacy policy 唔清楚 and the data retention period is not stated")
    assert lang == "mixed" and en_share > 0.5


def test_written_words_with_cantonese_characters_are_not_markers():
    assert yue_marker_count("關係和係數") == 0
    assert yue_marker_count("佢係我朋友，而家喺度") == 4  # 佢 係 喺 and the word 而家


@pytest.mark.parametrize(
    ("text", "expected"),
    [("", "empty"), ("   ", "empty"), ("...!!", "empty"), ("😀🙏🏻👍", "other"), ("\x00\x01\x1f", "empty")],
)
def test_bad_input_is_empty_or_other(text, expected, no_lingua):
    assert detect_language(pd.DataFrame({"response_id": ["r"], "text": [text]}))["lang"][0] == expected


def test_surrogates_control_characters_and_huge_text_never_crash(no_lingua):
    texts = pd.Series(
        ["abc\ud800def 政府應該公開資料", "政府\x00\x07應該\u200b公開", "佢哋" * 175_000, None], dtype=object
    )
    out = detect_language(pd.DataFrame({"response_id": ["a", "b", "c", "d"], "text": texts}))
    assert list(out.columns) == LANGUAGE_COLUMNS
    assert list(out["lang"]) == ["zh", "zh", "yue", "empty"]
    assert "".join(out["text_norm"]).encode("utf-8")  # writable: no lone surrogates left (encode would raise)


def test_deterministic(shared_data, no_lingua):
    df = _csv(shared_data / "openrice-senti-yue" / "valid.tsv", sep="\t", quoting=3).head(30)
    responses = pd.DataFrame({"response_id": [f"r{i}" for i in range(30)], "text": df["text_a"]})
    assert detect_language(responses).equals(detect_language(responses))


def test_the_language_warm_up_builds_the_detector_that_texts_then_use():
    language._lingua.cache_clear()
    warm_language()
    assert language._lingua.cache_info().currsize == 1
    assert classify("Bonjour à tous, merci")[0] == "other"
    assert language._lingua.cache_info().misses == 1  # built once, by the warm-up
