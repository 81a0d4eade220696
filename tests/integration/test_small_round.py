"""A small round with hostile text: the brief shows submission text as inert text."""

import pandas as pd
import pytest

from analyze.pipeline import run_round
from collect.roundfile import RoundPaths, load_round

pytestmark = pytest.mark.slow

ROUND = """
round: tiny
title: {en: "Tiny round", zh: "小型諮詢"}
sources:
  - {name: f, kind: form, path: raw/export.csv, mapping: {text: views, id: ref}}
topics: {min_topic_size: 5}
publish: {quotes_per_topic: 10}
"""
# Closed tags are removed by normalisation; the unclosed one survives and must reach the page escaped.
HOSTILE = '<script>alert("x")</script> I oppose facial recognition {{ 7*7 }} <img src=x onerror=alert(1)'


def test_hostile_text_is_escaped_and_counts_reconcile(tmp_path, shared_data):
    comments = pd.read_csv(shared_data / "polis-seattle-15-per-hour" / "comments.csv").sort_values("comment-id")
    texts = comments["comment-body"].head(8).tolist() + [HOSTILE, ""]
    root = tmp_path / "tiny"
    (root / "raw").mkdir(parents=True)
    pd.DataFrame({"ref": range(len(texts)), "views": texts}).to_csv(root / "raw" / "export.csv", index=False)
    (root / "round.yaml").write_text(ROUND, encoding="utf-8")

    run_round(root)

    cfg, _ = load_round(root)
    html = (RoundPaths(root, cfg.round).reports / "brief.html").read_text(encoding="utf-8")
    # Every usable text is quoted (one topic, 10 quotes allowed), so the hostile one is on the page: as text.
    assert "I oppose facial recognition" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)" in html
    assert "{{ 7*7 }}" in html  # template syntax in a submission is shown, never evaluated
    assert ">10<" in html.replace(" ", "")  # 9 kept + 1 rejected (empty answer) = 10 received
