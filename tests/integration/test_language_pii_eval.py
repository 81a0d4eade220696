"""Issue 6's accuracy floors, measured through `consult eval` on the committed labelled sets (data/eval)."""

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from analyze.cli import app
from analyze.language import classify
from analyze.segment import segment_zh, topic_tokens

EVAL = Path(__file__).resolve().parents[2] / "data" / "eval"


def _eval(task: str, path: Path) -> dict:
    result = CliRunner().invoke(app, ["eval", task, "--data", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_pii_held_out_recall_and_precision_per_type():
    out = _eval("pii", EVAL / "pii_planted_holdout.csv")
    per_type = out["metrics"]["per_type"]
    assert set(per_type) >= {"HKID", "PHONE", "EMAIL", "PASSPORT", "CARD", "BANK", "ADDRESS", "NAME", "URL"}
    for kind, scores in per_type.items():
        assert scores["recall"] >= 0.98 and scores["precision"] >= 0.95, kind


@pytest.mark.slow
def test_language_held_out_sample(tmp_path):
    data = pd.read_csv(EVAL / "language_holdout.csv", dtype=str, keep_default_na=False)
    sample = pd.concat(g.sample(min(len(g), 100), random_state=6) for _, g in data.groupby("label"))
    sample.to_csv(tmp_path / "sample.csv", index=False)
    metrics = _eval("language", tmp_path / "sample.csv")["metrics"]
    assert metrics["per_class"]["en"]["recall"] >= 0.99 and metrics["per_class"]["zh"]["recall"] >= 0.99
    assert metrics["yue_vs_written"]["accuracy"] >= 0.9


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Agree.", "en"),
        ("Totally support this!", "en"),
        ("Je ne suis pas d'accord avec cette proposition du gouvernement.", "other"),
        ("Ich bin gegen diesen Vorschlag, weil er die Privatsphäre verletzt.", "other"),
    ],
)
def test_short_latin_text_goes_to_lingua(text, lang):
    assert classify(text)[0] == lang


@pytest.mark.slow
def test_cantonese_segmentation_keeps_cantonese_words():
    words = segment_zh("我哋覺得個私隱政策真係唔清楚", lang="yue")
    assert {"我哋", "真係", "清楚"} <= set(words)
    assert "私隱" in "".join(topic_tokens("政府嘅私隱政策真係唔清楚", lang="yue"))
    assert "".join(segment_zh("私隱政策")) == "私隱政策"  # jieba path: Traditional stays Traditional
