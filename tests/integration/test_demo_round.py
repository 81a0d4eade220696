"""The walking skeleton end to end on the shipped demo round (real Polis comments, zh-Hant and en)."""

import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from analyze.normalise import has_cjk
from collect.roundfile import RoundPaths, load_round
from collect.storage import read_table

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def paths(demo_round):
    cfg, root = load_round(demo_round)
    return RoundPaths(root, cfg.round)


def test_counts_reconcile_with_the_raw_export(paths):
    raw = pd.read_csv(paths.raw / "submissions.csv", dtype=str, keep_default_na=False)
    responses, rejects = read_table(paths.responses), read_table(paths.rejects)
    assert responses["submission_id"].nunique() + len(rejects) == len(raw)
    manifest = read_table(paths.manifest)
    assert manifest["source"].tolist() == ["raw/submissions.csv"]


def test_every_response_has_language_topic_and_sentiment(paths):
    ids = set(read_table(paths.responses)["response_id"])
    for table in ("language", "topic_assignments", "sentiment"):
        assert set(read_table(paths.processed_table(table))["response_id"]) == ids, table
    language = read_table(paths.processed_table("language"))
    assert {"en", "zh"} <= set(language["lang"])


def test_topics_have_keywords_in_both_languages(paths):
    topics = read_table(paths.processed_table("topics"))
    assert len(topics) >= 3
    for t in topics.itertuples():
        assert len(t.keywords_en) > 0 and len(t.keywords_zh) > 0, t.topic_id
        assert all(has_cjk(w) for w in t.keywords_zh)
        assert t.label_en and t.label_zh
    # Topics fitted on Chinese text carry the respondents' own Traditional Chinese words, not only translations.
    own_zh = topics[~topics["keywords_translated"]]
    assert len(own_zh) >= 1
    assert "計程車" in {w for ws in topics["keywords_zh"] for w in ws}


def test_outliers_are_few(paths):
    assignments = read_table(paths.processed_table("topic_assignments"))
    assert (assignments["topic_id"] == -1).mean() <= 0.10


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.chunks, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.chunks.append(data)


def test_brief_has_counts_topics_quotes_in_both_languages_and_charts(paths):
    html = (paths.reports / "brief.html").read_text(encoding="utf-8")
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.chunks)
    assert "收到的意見" in text and "Submissions received" in text
    ids = set(read_table(paths.responses)["response_id"])
    cited = set(re.findall(r"\[(r-[0-9a-f]{16})\]", text))
    assert len(cited) >= 6 and cited <= ids
    language = read_table(paths.processed_table("language")).set_index("response_id")
    assert {"zh", "en"} <= set(language.loc[sorted(cited), "lang"])
    assert html.count('src="data:image/png;base64,') >= 2
    for chart in ("topic_sizes.png", "sentiment_by_topic.png"):
        assert (paths.reports / chart).read_bytes().startswith(b"\x89PNG")
    assert "script" not in parser.tags


def test_same_input_gives_byte_identical_tables(demo_round, tmp_path):
    from analyze.demo import copy_demo
    from analyze.pipeline import STAGES, run_round

    again = copy_demo(tmp_path)
    run_round(again, stages=STAGES[:-1])  # everything but the report
    tables = ["interim/responses.parquet"] + [
        f"processed/{name}.parquet"
        for name in ("language", "pii", "duplicates", "topics", "topic_assignments", "sentiment", "stance")
    ]
    for name in tables:
        a, b = read_table(demo_round / name), read_table(again / name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert (demo_round / name).read_bytes() == (again / name).read_bytes(), name
