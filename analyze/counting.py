"""How submissions are counted: the one place that says what a total, a unique text and a campaign are.

The rules (docs/adr/0007-campaigns-and-counting.md):
- A response is one answer text (a submission with five answers is five responses); a submission is one
  respondent's letter, e-mail or form.
- Every response counts in "all" figures, campaign copies included: copies must not vanish.
- "Counted once" figures count each campaign once and each other distinct text (exact-duplicate group) once,
  so a campaign's copies cannot drown the themes. Empty responses count in neither unique figure.
"""

from __future__ import annotations

import pandas as pd

from analyze.aligned import ids_like, merge_ids


def unique_key(duplicates: pd.DataFrame) -> pd.Series:
    """The key under which a response counts once: its campaign, else its exact-duplicate group.

    Args:
        duplicates: response_id, exact_group, campaign_id (the duplicates stage's table).

    Returns:
        One key per row ("campaign:<id>" or "text:<exact_group>"); missing for empty texts.
    """
    text = ("text:" + duplicates["exact_group"].astype("string")).astype(object)
    campaign = ("campaign:" + duplicates["campaign_id"].astype("string")).astype(object)
    return campaign.where(duplicates["campaign_id"].notna(), text).where(duplicates["exact_group"].notna(), None)


def count_round(responses: pd.DataFrame, duplicates: pd.DataFrame) -> dict[str, int]:
    """The headline counts of a round.

    Args:
        responses: response_id, submission_id (the collect stage's table).
        duplicates: response_id, exact_group, near_group, campaign_id (the duplicates stage's table).

    Returns:
        submissions, responses, empty_responses, unique_texts (distinct exact groups), near_groups, campaigns,
        campaign_copies (responses in a campaign), counted_once (campaigns once plus other distinct texts).
    """
    rows = merge_ids(ids_like(responses[["response_id", "submission_id"]], duplicates), duplicates, how="left")
    text, campaign = rows["exact_group"].notna(), rows["campaign_id"].notna()
    return {
        "submissions": int(rows["submission_id"].nunique()),
        "responses": len(rows),
        "empty_responses": int((~text).sum()),
        "unique_texts": int(rows["exact_group"].nunique()),
        "near_groups": int(rows["near_group"].nunique()),
        "campaigns": int(rows["campaign_id"].nunique()),
        "campaign_copies": int(campaign.sum()),
        # unique_key(rows).nunique(), without a key string per row: campaigns and texts never share a key
        "counted_once": int(rows.loc[text & campaign, "campaign_id"].nunique())
        + int(rows.loc[text & ~campaign, "exact_group"].nunique()),
    }


def theme_sizes(assignments: pd.DataFrame, duplicates: pd.DataFrame, by: str = "topic_id") -> pd.DataFrame:
    """Size of each theme (or topic) counted both ways.

    Args:
        assignments: response_id and the `by` column (one theme per response).
        duplicates: response_id, exact_group, campaign_id.
        by: the column that names the theme.

    Returns:
        One row per theme, largest first: `by`, size (all responses, copies included), size_unique (each
        campaign and each other distinct text once), campaigns (distinct campaigns in the theme),
        campaign_copies (responses in the theme that belong to a campaign).
    """
    rows = assignments[["response_id", by]].merge(
        duplicates[["response_id", "exact_group", "campaign_id"]], on="response_id", how="left"
    )
    rows["key"] = unique_key(rows)
    sizes = rows.groupby(by, sort=True).agg(
        size=("response_id", "size"),
        size_unique=("key", "nunique"),
        campaigns=("campaign_id", "nunique"),
        campaign_copies=("campaign_id", "count"),
    )
    return sizes.reset_index().sort_values(["size", by], ascending=[False, True], ignore_index=True)
