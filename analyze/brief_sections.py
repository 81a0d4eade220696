"""Brief sections for the tables of later stages: campaigns, concern clusters, breakdown tests, changes.

Each publishes only the columns named here, never a whole stage table (e.g. never an unredacted template).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from analyze.charts import fig_concern_clusters, fig_ranked_bars
from analyze.document import Chart, Figure, Section, Table, pick_table
from analyze.glossary import term

CAMPAIGN_COLUMNS = ["campaign_id", "size", "unique_texts", "template_response_id", "template_redacted", "first_seen_at"]
CONCERN_COLUMNS = ["concern_id", "label", "size", "size_unique", "avg_sentiment", "support_share", "oppose_share"]
TEST_COLUMNS = ["dimension", "outcome", "n", "chi2", "dof", "p_value", "cramers_v", "warning"]
DIFF_COLUMNS = ["topic_id", "label_en", "label_zh", "status", "size_previous", "size_current", "share_previous"]
DIFF_COLUMNS += ["share_current"]
TEMPLATE_CHARS = 160


def campaigns_table(campaigns: pd.DataFrame) -> Table:
    """Campaigns and their sizes, with the redacted template text shortened."""
    shown = campaigns.copy()
    if "template_redacted" in shown.columns:
        shown["template_redacted"] = shown["template_redacted"].fillna("").str.slice(0, TEMPLATE_CHARS)
    return pick_table(shown, "campaigns", term("campaigns"), CAMPAIGN_COLUMNS)


def breakdown_tests_table(breakdowns: pd.DataFrame) -> Table:
    """The breakdown stage's association tests (chi-square, Cramér's V, small-cell warnings)."""
    return pick_table(breakdowns, "breakdown_tests", term("breakdown_tests"), TEST_COLUMNS)


def concerns_section(concerns: pd.DataFrame, draw: Callable[[Callable[[], Any]], bytes]) -> tuple[Section, Chart]:
    """Concern clusters: a chart of sizes by stance and a table."""
    chart = Chart("concern_clusters.png", draw(lambda: fig_concern_clusters(concerns)), term("chart_concerns"))
    table = pick_table(concerns, "concerns", term("concerns"), CONCERN_COLUMNS)
    return Section("concerns", term("concerns"), (Figure(chart), table)), chart


def changes_section(diff: pd.DataFrame, draw: Callable[[Callable[[], Any]], bytes]) -> tuple[Section, Chart]:
    """Round-over-round changes: each theme's change in share (percentage points) and a table."""
    change = (diff["share_current"].fillna(0) - diff["share_previous"].fillna(0)) * 100
    order = change.abs().sort_values(ascending=False, kind="stable").index
    labels = [f"{diff.at[i, 'topic_id']}: {diff.at[i, 'label_en']} / {diff.at[i, 'label_zh']}" for i in order]
    values = [float(change[i]) for i in order]
    title, xlabel = term("changes").show(), term("chart_changes").show(sep="\n")
    chart = Chart("changes.png", draw(lambda: fig_ranked_bars(labels, values, title, xlabel)), term("chart_changes"))
    table = pick_table(diff, "changes", term("changes"), DIFF_COLUMNS)
    return Section("changes", term("changes"), (Figure(chart), table)), chart
