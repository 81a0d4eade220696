import json

import pandas as pd
import pytest

from analyze.stance import _CUES, find_stance, form_answer, sentence_cue, text_stance

PROPOSAL = "The government should introduce facial recognition cameras in public housing estates"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I do not support this proposal.", "oppose"),
        ("We strongly object to the new database.", "oppose"),
        ("本會支持政府的方案。", "support"),
        ("我唔支持呢個建議，因為會侵犯私隱。", "oppose"),
        ("我哋不反對呢個安排。", "support"),
        ("I support the aim. I oppose the method.", "unclear"),
        ("When will the results be published?", "neutral"),
        ("", "unclear"),
    ],
)
def test_cues_with_negation(text, expected):
    assert text_stance(text).stance == expected


def test_evidence_is_the_deciding_sentence():
    found = text_stance("I have lived here for 20 years. I object to this plan. Thank you.")
    assert found.stance == "oppose" and found.evidence == "I object to this plan." and found.source == "cue"


def test_proposal_should_sentences_count_relative_to_the_question():
    against = text_stance("Facial recognition cameras should not be used in housing estates.", question=PROPOSAL)
    assert (against.stance, against.source) == ("oppose", "proposal")
    assert text_stance("Facial recognition cameras should be introduced everywhere.", question=PROPOSAL).stance == (
        "support"
    )


def test_strong_sentiment_decides_only_without_cues():
    assert text_stance("This is a disaster for everyone here.", sentiment=-0.8).stance == "oppose"
    assert text_stance("This is a disaster for everyone here.", sentiment=-0.2).stance == "neutral"
    assert text_stance("I support it, though it is a mess.", sentiment=-0.9).stance == "support"


def test_closed_form_answer_wins_over_text():
    meta = json.dumps({"q1_stance": "Strongly disagree", "district": "Sha Tin"})
    found = form_answer(meta, "q1")
    assert found is not None and found.stance == "oppose" and found.evidence == "q1_stance: Strongly disagree"
    assert form_answer(json.dumps({"q1": "反對"}), "q1").stance == "oppose"
    assert form_answer("not json", "q1") is None and form_answer(json.dumps({"q1": "maybe"}), "q1") is None


def test_stage_returns_every_response_once():
    responses = pd.DataFrame(
        {
            "response_id": ["r1", "r2", "r3"],
            "question_id": ["q1", "q1", "general"],
            "meta": [json.dumps({"stance": "支持"}), "{}", None],
        }
    )
    language = pd.DataFrame({"response_id": ["r1", "r2", "r3"], "text_norm": ["我反對", "I welcome this.", None]})
    sentiment = pd.DataFrame({"response_id": ["r1", "r2", "r3"], "sentiment": [-0.5, 0.3, None]})
    out = find_stance(responses, language, sentiment, {"q1": PROPOSAL})
    assert list(out["response_id"]) == ["r1", "r2", "r3"]
    assert list(out["stance"]) == ["support", "support", "unclear"]
    assert list(out["stance_source"]) == ["form", "cue", "none"]


def test_eval_rejects_unknown_stance_labels():
    from analyze.evaluation import EvalError
    from analyze.evaluation.stance import evaluate

    with pytest.raises(EvalError, match="unknown stance label"):
        evaluate(pd.DataFrame({"text": ["I support it"], "label": ["maybe"]}))


def test_evidence_comes_from_redacted_text_when_present():
    responses = pd.DataFrame({"response_id": ["r1"], "question_id": ["q1"], "meta": ["{}"]})
    language = pd.DataFrame(
        {
            "response_id": ["r1"],
            "text_norm": ["We at 9123 4567 oppose it."],
            "text_redacted": ["We at [PHONE] oppose it."],
        }
    )
    sentiment = pd.DataFrame({"response_id": ["r1"], "sentiment": [0.0]})
    out = find_stance(responses, language, sentiment)
    assert out["evidence"].tolist() == ["We at [PHONE] oppose it."] and out["stance"].tolist() == ["oppose"]


def test_every_chinese_cue_verb_is_read_with_and_without_negation():
    support = "支持 贊成 赞成 同意 認同 认同 歡迎 欢迎 擁護 拥护 贊同 赞同 撐".split()
    oppose = "反對 反对 抗議 抗议 否決 否决 杯葛".split()
    for verbs, expected, negated in ((support, "support", "oppose"), (oppose, "oppose", "support")):
        for verb in verbs:
            assert text_stance(f"我{verb}呢個建議。").stance == expected, verb
            assert text_stance(f"本人絕不{verb}此方案").stance == negated, verb


@pytest.mark.parametrize(
    "sentence",
    ["We are not against it, 我支持", "I'm for it", "It supports families", "本人反對", "Not a bad idea", "唔同意",
     "A good idea, 我哋都贊成", "My view: we disagree", "撤回此計劃", "US cities", "Drop this plan",
     "It should GO AHEAD", "Go ahead with it", "The fees should be scrapped", "SCRAP THE SCHEMES", "A great step",
     "It ſhould proceed", "A sensible İdea", "Steps ahead", "An awful plan"],
)  # fmt: skip
def test_sentence_cue_skips_only_cues_that_cannot_match(sentence):
    first = next((d for p, d in _CUES if p.search(sentence)), 0)
    assert sentence_cue(sentence, frozenset())[0] == first
