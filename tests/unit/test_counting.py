import pandas as pd
import pytest

from analyze.counting import count_round, theme_sizes, unique_key
from analyze.pipeline import run_duplicates
from collect.roundfile import RoundFileError, RoundPaths, load_round
from collect.storage import read_table, write_table

ROUND = """
round: r1
title: {en: "Round one", zh: "第一輪"}
sources:
  - {name: f, kind: form, path: raw/a.csv, mapping: {text: views}}
"""


@pytest.fixture
def duplicates() -> pd.DataFrame:
    """Six responses: a campaign of three (two identical), one repeated text, one single, one empty."""
    return pd.DataFrame(
        {
            "response_id": ["a", "b", "c", "d", "e", "f"],
            "exact_group": ["x-1", "x-1", "x-2", "x-3", "x-3", None],
            "near_group": ["n-1", "n-1", "n-1", "n-3", "n-3", None],
            "campaign_id": ["c-1", "c-1", "c-1", None, None, None],
        }
    )


def test_unique_key_is_campaign_else_exact_group(duplicates):
    assert unique_key(duplicates).tolist() == [
        "campaign:c-1",
        "campaign:c-1",
        "campaign:c-1",
        "text:x-3",
        "text:x-3",
        None,
    ]


def test_count_round_counts_copies_in_totals_and_once_in_unique(duplicates):
    responses = pd.DataFrame({"response_id": list("abcdef"), "submission_id": ["s1", "s2", "s3", "s4", "s5", "s5"]})
    assert count_round(responses, duplicates) == {
        "submissions": 5,
        "responses": 6,
        "empty_responses": 1,
        "unique_texts": 3,
        "near_groups": 2,
        "campaigns": 1,
        "campaign_copies": 3,
        "counted_once": 2,
    }


def test_theme_sizes_both_ways(duplicates):
    assignments = pd.DataFrame({"response_id": list("abcdef"), "topic_id": [0, 0, 1, 1, 1, 2]})
    sizes = theme_sizes(assignments, duplicates).set_index("topic_id")
    assert sizes.loc[1].to_dict() == {"size": 3, "size_unique": 2, "campaigns": 1, "campaign_copies": 1}
    assert sizes.loc[0].to_dict() == {"size": 2, "size_unique": 1, "campaigns": 1, "campaign_copies": 2}
    assert sizes.loc[2, "size_unique"] == 0  # an empty text is a submission, but not a text
    assert sizes["size"].sum() == len(assignments)


def test_duplicate_settings_validated(tmp_path):
    (tmp_path / "round.yaml").write_text(ROUND + "duplicates: {min_campaign_size: 3, threshold: 0.6}\n", "utf-8")
    cfg, _ = load_round(tmp_path)
    assert (cfg.duplicates.min_campaign_size, cfg.duplicates.threshold, cfg.duplicates.num_perm) == (3, 0.6, 64)
    (tmp_path / "round.yaml").write_text(ROUND + "duplicates: {threshold: 1.5}\n", "utf-8")
    with pytest.raises(RoundFileError, match="duplicates.threshold"):
        load_round(tmp_path)


def test_run_duplicates_writes_both_tables(tmp_path):
    (tmp_path / "round.yaml").write_text(ROUND + "duplicates: {min_campaign_size: 3}\n", "utf-8")
    cfg, root = load_round(tmp_path)
    paths = RoundPaths(root, cfg.round)
    text = "我覺得載客的車子上應該要有明確標示。我覺得載客的司機都應該保意外險。"  # Polis vTaiwan UberX, CC BY 4.0
    ids = [f"r{i}" for i in range(5)]
    write_table(
        pd.DataFrame({"response_id": ids, "channel": "form", "received_at": pd.Timestamp("2026-01-01", tz="UTC")}),
        paths.responses,
    )
    norm = [text, text, text + "多謝", "Most local officials run for office to serve the public good.", ""]
    write_table(pd.DataFrame({"response_id": ids, "text_norm": norm, "lang": "zh"}), paths.processed_table("language"))
    result = run_duplicates(cfg, paths)
    assert (result.rows_in, result.rows_out) == (5, 5)
    groups = read_table(paths.processed_table("duplicates"))
    campaigns = read_table(paths.processed_table("campaigns"))
    assert groups["is_campaign_copy"].tolist() == [True, True, True, False, False]
    assert campaigns["size"].tolist() == [3] and campaigns["languages"].iat[0] == '{"zh": 3}'
