"""Analyst look-ups on small tables of real comments (see test_brief): a theme's responses, groups compared."""

import pytest

from analyze.explore import compare_groups, theme_responses
from tests.unit.test_brief import SCRIPT, _tables


@pytest.fixture
def tables(shared_data):
    t = _tables(shared_data, stance=True)
    t["topic_assignments"]["topic_prob"] = [0.9, 0.5, 0.8, 0.7, 0.6, 0.4, 0.3, 0.2, 0.95, 0.1]
    return t


def test_theme_responses_most_typical_first_with_sentiment_and_stance(tables):
    rows = theme_responses(tables, 0)
    assert rows["response_id"].tolist()[:2] == ["r-0000000000000008", "r-0000000000000000"]
    assert set(rows["topic_prob"]) == {0.95, 0.9, 0.5, 0.6, 0.3}
    assert {"lang", "sentiment", "stance", "text"} <= set(rows.columns)
    assert rows.loc[0, "text"] == SCRIPT  # shown as data; the notebook's DataFrame view escapes it


def test_theme_responses_prefer_redacted_text(tables):
    tables["pii"] = tables["language"][["response_id"]].assign(text_redacted="[REDACTED]")
    assert set(theme_responses(tables, 1)["text"]) == {"[REDACTED]"}


def test_compare_groups_gives_shares_per_group(tables):
    shares = compare_groups(tables, by="respondent_type", outcome="stance")
    assert shares.loc["individual", "n"] == 8 and shares.loc["organisation", "n"] == 2
    assert shares[["oppose", "support"]].sum(axis=1).round(6).eq(1).all()
