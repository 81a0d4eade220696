import math

import pandas as pd
import pytest

from analyze.evaluation import EvalError
from analyze.evaluation.sentiment import labels_of
from analyze.lexicon import lexicon_hits, lexicon_score
from analyze.ngram_model import NgramSentimentModel, char_ngrams, read_model, write_model
from analyze.sentences import split_sentences
from analyze.sentiment import SentimentModels, is_courtesy, label, score_sentiment, score_text


def _stand_in(chinese: float = -0.8) -> SentimentModels:
    """English: +1 for 'good', -1 for 'bad', else 0; Chinese/Cantonese: a constant; lexicon as shipped."""

    def english(s: str) -> float:
        return 1.0 if "good" in s.lower() else -1.0 if "bad" in s.lower() else 0.0

    return SentimentModels(english=english, chinese=lambda t: chinese, cantonese=lambda t: -chinese)


def test_polite_closing_line_does_not_flip_a_critical_letter():
    letter = "This is a bad plan. The costs are bad for families. Thank you, this was a good consultation."
    score, n = score_text(letter, "en", _stand_in())
    assert score < 0
    assert n == 2  # the courtesy line is left out
    assert (
        is_courtesy("Thank you for your time.")
        and is_courtesy("多謝！")
        and not is_courtesy("Thanks to the plan, I lost")
    )


def test_long_text_is_a_length_weighted_mean_of_sentences():
    score, n = score_text("Good. " + "This part is bad and it goes on for a long while. " * 3, "en", _stand_in())
    assert n == 4 and -1 < score < 0


def test_language_routes_to_chinese_or_cantonese_model():
    models = _stand_in(chinese=-0.8)
    assert score_text("政府應該交代清楚。", "zh", models)[0] < 0
    assert score_text("政府應該交代清楚。", "yue", models)[0] > 0  # the stand-in Cantonese model says +0.8


def test_code_mixed_text_combines_both_by_english_share():
    mixed, _ = score_text("This idea is good good good 但係政府應該交代。", "mixed", _stand_in(chinese=-1.0))
    assert -1.0 < mixed < 1.0


def test_stage_keeps_every_id_in_order_and_labels():
    df = pd.DataFrame({"response_id": ["b", "a", "c"], "text_norm": ["good", "bad", ""], "lang": ["en", "en", "empty"]})
    out = score_sentiment(df, _stand_in())
    assert list(out["response_id"]) == ["b", "a", "c"]
    assert list(out["sentiment_label"]) == ["positive", "negative", "neutral"]
    assert out["sentiment"].between(-1, 1).all()


def test_label_bands():
    assert [label(x) for x in (0.5, 0.01, -0.5)] == ["positive", "neutral", "negative"]


@pytest.mark.parametrize(
    ("text", "sign"),
    [("唔好食", -1), ("好好食", 1), ("唔錯", 1), ("非常好食", 1), ("我唔擔心", 1), ("侵犯私隱", -1), ("不太滿意", -1)],
)
def test_cantonese_lexicon_negation(text, sign):
    score = lexicon_score(text)
    assert score is not None and score * sign > 0


def test_lexicon_matches_simplified_too():
    assert lexicon_hits("侵犯隐私")[0][0] == "侵犯"
    assert lexicon_score("今日天氣晴") is None


def test_sentences_split_chinese_and_english():
    assert split_sentences("I support this. The cost of 3.5 million is high! 我支持。但係好貴！") == (
        "I support this.",
        "The cost of 3.5 million is high!",
        "我支持。",
        "但係好貴！",
    )


def test_ngram_model_round_trip_is_byte_stable(tmp_path):
    model = NgramSentimentModel(("negative", "positive"), (0.1,), {"好": (1.5,), "差": (-2.0,)}, 0.0, "test")
    a, b = write_model(model, tmp_path / "a.json.gz"), write_model(model, tmp_path / "b.json.gz")
    assert a.read_bytes() == b.read_bytes()
    loaded = read_model(a)
    assert loaded.score("好") > 0 > loaded.score("差")
    assert char_ngrams("好 吃") == {"好", "吃", "好吃"}


def test_eval_labels_binary_and_named():
    assert labels_of(pd.Series(["1", "0", "1"])) == (["positive", "negative", "positive"], True)
    assert labels_of(pd.Series(["1", "-1"])) == (["positive", "negative"], True)
    assert labels_of(pd.Series(["smile", "ok", "cry"]))[0] == ["positive", "neutral", "negative"]
    with pytest.raises(EvalError):
        labels_of(pd.Series(["great", "1"]))


def test_lexicon_negation_reaches_back_from_the_first_word():
    assert lexicon_hits("前言前言沒有太滿意") == [("滿意", -0.4)]  # 2-character negator, 1 character between
    assert lexicon_hits("沒有太滿意，好失望") == [("滿意", -0.4), ("失望", -0.8)]
    assert lexicon_hits("前言前言，完全冇提及") == []


def test_sentences_keep_closing_quotes():
    assert split_sentences("佢話「好好食！」下次再嚟。") == ("佢話「好好食！」", "下次再嚟。")


def test_char_ngrams_are_every_window_of_one_to_three_characters_without_spaces():
    for text in ("政府 應該交代清楚，唔好再拖。", "abcabc d", "好", ""):
        chars = "".join(text.split())
        assert char_ngrams(text) == {chars[i : i + n] for n in range(1, 4) for i in range(len(chars) - n + 1)}


def test_ngram_logits_are_the_exact_sum_of_the_intercept_and_each_known_ngram():
    # 0.1 + 1e16 - 1e16 is 0.0 summed left to right but 0.1 exactly: the sum must not depend on the set's order
    weights = {"好": (0.1, -0.3, 1e16), "好食": (0.2, 0.05, -1e16), "食": (-0.4, 0.0, 0.1)}
    model = NgramSentimentModel(("negative", "neutral", "positive"), (0.3, 0.1, -0.2), weights, 0.1, "test")
    logits = [math.fsum([b, *(weights[g][k] for g in weights)]) for k, b in enumerate((0.3, 0.1, -0.2))]
    exps = [math.exp(x - max(logits)) for x in logits]
    assert model.proba("好食嘢") == dict(zip(model.classes, [e / sum(exps) for e in exps], strict=True))


def test_ngram_model_finds_each_distinct_known_ngram_once():
    # the model numbers n-grams by their code points: astral characters, repeats and spaces must find the same
    # n-grams as char_ngrams, and a weight whose key char_ngrams never yields (4 characters) is never found; each
    # weight is a distinct power of two, so the logit tells which n-grams were counted and how often
    weights = {g: (2**i / 16,) for i, g in enumerate(["好", "好食", "😀", "好😀", "ab", "食好食", "好食好食"])}
    model = NgramSentimentModel(("negative", "positive"), (0.0,), weights, 0.0, "test")
    for text in ("好食 好食😀", "好😀 ab ab", "食好食好食", "", "x"):
        logit = math.fsum(weights.get(g, (0.0,))[0] for g in char_ngrams(text))
        assert model.proba(text)["positive"] == 1.0 / (1.0 + math.exp(-logit)), text


def test_stage_scores_each_distinct_sentence_once():
    calls = []

    def english(s: str) -> float:
        calls.append(s)
        return 0.5

    models = SentimentModels(english=english, chinese=lambda t: 0.0, cantonese=lambda t: 0.0)
    texts = ["Same opening here. First ending.", "Same opening here. Second ending.", "First ending."]
    df = pd.DataFrame({"response_id": ["a", "b", "c"], "text_norm": texts, "lang": "en"})
    assert score_sentiment(df, models)["sentiment"].tolist() == [0.5, 0.5, 0.5]
    assert sorted(calls) == ["First ending.", "Same opening here.", "Second ending."]


def test_only_short_texts_are_kept_by_the_sentence_memo():
    from analyze import sentences

    long_text = "我支持。" * (sentences._MEMO_CHARS // 4 + 1)
    short_text = "I support this. 但係好貴！"
    before = split_sentences.kept.cache_info().currsize
    assert split_sentences(long_text) == ("我支持。",) * (sentences._MEMO_CHARS // 4 + 1)
    assert split_sentences.kept.cache_info().currsize == before  # a long text is split, not kept
    assert split_sentences(short_text) == ("I support this.", "但係好貴！")
    assert split_sentences(short_text) is split_sentences(short_text)  # a short one is kept
