"""The brief's content and writers on small tables of real comments (vTaiwan zh-Hant, Seattle en) plus hostile text."""

import base64
import io
import re

import pandas as pd
import pytest

from analyze.brief import brief_context
from analyze.brief_html import render_brief_html
from analyze.brief_markdown import render_brief_markdown
from analyze.glossary import Term, load_glossary
from analyze.publish import FormatError, parse_formats
from analyze.workbook import neutralise, render_workbook

# A 1x1 PNG: charts are drawn by matplotlib in the integration tests; here a stand-in keeps the tests fast.
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SCRIPT = '<script>alert("x")</script> 我反對'
FORMULA = '=HYPERLINK("http://evil.example","click")'


def _tables(shared_data, stance: bool) -> dict[str, pd.DataFrame]:
    zh = pd.read_csv(shared_data / "polis-vtaiwan-uberx" / "comments.csv").sort_values("comment-id")
    en = pd.read_csv(shared_data / "polis-seattle-15-per-hour" / "comments.csv").sort_values("comment-id")
    texts = zh["comment-body"].head(4).tolist() + en["comment-body"].head(4).tolist() + [SCRIPT, FORMULA]
    ids = [f"r-{i:016x}" for i in range(len(texts))]
    langs = ["zh"] * 4 + ["en"] * 6
    topic = [0, 0, 1, 1, 0, 1, 0, 1, 0, 1]
    tables = {
        "responses": pd.DataFrame(
            {
                "response_id": ids,
                "submission_id": [f"s-{i}" for i in range(len(ids))],
                "question_id": ["general"] * len(ids),
                "respondent_type": ["individual"] * 8 + ["organisation"] * 2,
                "channel": ["form"] * len(ids),
                "text": texts,
            }
        ),
        "rejects": pd.DataFrame({"source": ["raw/a.csv"], "source_key": ["11"], "reason": ["empty text"]}),
        "language": pd.DataFrame({"response_id": ids, "text_norm": texts, "lang": langs}),
        "topic_assignments": pd.DataFrame({"response_id": ids, "topic_id": topic}),
        "sentiment": pd.DataFrame(
            {"response_id": ids, "sentiment": [-0.5, 0.2] * 5, "sentiment_label": ["negative", "positive"] * 5}
        ),
        "topics": pd.DataFrame(
            {
                "topic_id": [0, 1],
                "label_en": ["uber, taxi", "wage, hour"],
                "label_zh": ["計程車、司機", "工資、時薪"],
                "keywords_en": [["uber", "taxi"], ["wage", "hour"]],
                "keywords_zh": [["計程車", "司機"], ["工資", "時薪"]],
                "keywords_translated": [False, True],
                "size": [5, 5],
                "size_unique": [5, 4],
                "representative_ids": [[ids[0], ids[8]], [ids[5], ids[9]]],
            }
        ),
    }
    if stance:
        tables["stance"] = pd.DataFrame({"response_id": ids, "stance": ["support", "oppose"] * 5})
    return tables


def _stand_in(build) -> bytes:
    return TINY_PNG


@pytest.fixture(scope="module")
def context():
    from tests.conftest import SHARED_DATA

    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return brief_context(
        _tables(SHARED_DATA, stance=True),
        title=Term("Test round", "測試諮詢"),
        questions={"general": Term("Your views", "你的意見")},
        draw=_stand_in,
    )


def test_every_glossary_term_has_both_languages_and_the_same_placeholders():
    for key, t in load_glossary().items():
        assert t.en.strip() and t.zh.strip(), key
        assert re.search(r"[\u4e00-\u9fff]", t.zh), key
        assert set(re.findall(r"{(\w+)}", t.en)) == set(re.findall(r"{(\w+)}", t.zh)), key


def test_sections_follow_the_tables_that_exist(context, shared_data):
    ids = [s.id for s in context["sections"]]
    assert ids == ["summary", "counts", "themes", "sentiment", "stance", "breakdowns"]
    without = brief_context(_tables(shared_data, stance=False), title=Term("t", "測"), draw=_stand_in)
    assert "stance" not in [s.id for s in without["sections"]]
    assert context["counts"]["submissions_received"] == 11  # 10 kept + 1 rejected


def test_html_shows_hostile_text_as_text_and_quotes_cite_ids(context):
    html = render_brief_html(context)
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "[r-0000000000000000]" in html and "摘要" in html and "Executive summary" in html
    assert html.count('src="data:image/png;base64,') == 3  # theme sizes, sentiment, stance
    assert 'lang="zh-Hant"' in html and "@media print" in html


def test_markdown_is_inert(context):
    md = render_brief_markdown(context)
    assert "<script>" not in md and "&lt;script&gt;" in md
    assert "## Executive summary / 摘要" in md and "![" in md


def test_workbook_neutralises_formulas(context):
    from openpyxl import load_workbook

    assert neutralise(FORMULA) == "'" + FORMULA and neutralise("-1 vote") == "'-1 vote" and neutralise(-1) == -1
    wb = load_workbook(io.BytesIO(render_workbook(context)))
    assert {"counts", "themes", "sentiment", "stance", "breakdown"} <= set(wb.sheetnames)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [c for c in cells if c.value.startswith(("=", "+", "-", "@")) or c.data_type == "f"]
    assert "'" + FORMULA in [c.value for c in wb["quotes"]["D"]]  # the quote is kept, as inert text


def test_format_list_is_checked():
    assert parse_formats("md, html,HTML") == ("html", "md")
    with pytest.raises(FormatError, match="unknown format odt"):
        parse_formats("html,odt")


def test_later_stage_sections_publish_only_named_columns(shared_data):
    tables = _tables(shared_data, stance=False)
    tables["duplicates"] = pd.DataFrame(
        {
            "response_id": tables["responses"]["response_id"],
            "exact_group": [0, 0, 1, 2, 3, 4, 5, 6, 7, 8],
            "near_group": [0, 0, 1, 2, 3, 4, 5, 6, 7, 8],
            "campaign_id": ["c-1", "c-1"] + [None] * 8,
        }
    )
    tables["campaigns"] = pd.DataFrame(
        {"campaign_id": ["c-1"], "size": [2], "template_text": ["call 9123 4567"]}
        | {"template_redacted": ["call [PHONE]"]}
    )
    tables["topic_diff"] = pd.DataFrame(
        {"topic_id": [0, 1], "label_en": ["a", "b"], "label_zh": ["甲", "乙"], "status": ["same", "new"]}
        | {"share_previous": [0.6, None], "share_current": [0.5, 0.5], "secret": ["x", "y"]}
    )
    context = brief_context(tables, title=Term("t", "測"), draw=_stand_in)
    sections = {s.id: s for s in context["sections"]}
    assert "changes" in sections and context["charts"][-1].name == "changes.png"
    assert [c.en for c in sections["changes"].tables()[0].columns] == [
        "Theme no.",
        "Theme (English)",
        "Theme (Chinese)",
        "Status",
        "Share, previous round",
        "Share, this round",
    ]
    assert context["counts"]["counted_once"] == 9 and context["counts"]["campaigns"] == 1
    html = render_brief_html(context)
    assert "call [PHONE]" in html and "9123" not in html


def test_shares_are_crosstabs_normalised_by_row():
    import numpy as np

    from analyze.brief import _row_shares

    rng = np.random.default_rng(0)
    columns = ["negative", "neutral", "positive"]
    for n in (0, 1, 7, 200):
        groups = pd.Series(rng.choice(["q2", "q1", "中"], n), dtype="str", name="question_id")
        outcomes = pd.Series(rng.choice(["negative", "positive", "other"], n), dtype="str", name="label")
        outcomes[(groups == "q1") | (rng.random(n) < 0.2)] = None  # q1: no outcome at all, so no row
        groups[rng.random(n) < 0.1] = None
        expected = pd.crosstab(groups, outcomes, normalize="index").reindex(columns=columns, fill_value=0.0)
        pd.testing.assert_frame_equal(_row_shares(groups, outcomes, columns), expected, check_exact=True)
        topics = pd.Series(rng.choice([3, -1, 12], n), name="topic_id")
        expected = pd.crosstab(topics, outcomes.fillna("neutral"), normalize="index").reindex(
            columns=columns, fill_value=0.0
        )
        pd.testing.assert_frame_equal(
            _row_shares(topics, outcomes.fillna("neutral"), columns), expected, check_exact=True
        )
