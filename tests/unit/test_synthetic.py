"""The benchmark round generator: seeded, with the mix it promises, from the real sentence pools in ../shared."""

import numpy as np
import pandas as pd
import pytest

from analyze.synthetic import CAMPAIGN_SHARE, ORGANISATION_SHARE, generate_submissions, load_pools


@pytest.fixture(scope="module")
def pools(shared_data):
    return load_pools(shared_data)


def test_the_same_seed_gives_the_same_rows_and_another_seed_other_rows(pools):
    first = generate_submissions(500, pools, seed=0)
    pd.testing.assert_frame_equal(first, generate_submissions(500, pools, seed=0))
    assert (first["views"] != generate_submissions(500, pools, seed=1)["views"]).mean() > 0.5


def test_rows_follow_the_campaign_and_organisation_shares_and_number_on(pools):
    rows = generate_submissions(5000, pools, seed=0, first_ref=100)
    assert rows["ref"].is_unique and rows["ref"].iloc[0] == "b0000100"
    assert abs(rows["kind"].str.startswith("campaign:").mean() - CAMPAIGN_SHARE) < 0.03
    assert abs((rows["organisation"] != "").mean() - ORGANISATION_SHARE) < 0.02
    originals = rows.loc[rows["kind"] == "original", "views"]
    assert originals.str.contains(r"[\u4e00-\u9fff]").mean() == pytest.approx(0.60, abs=0.05)  # zh, yue and mixed


def test_pools_are_object_arrays_of_real_sentences(pools):
    # a list would be copied into a fixed-width array by every rng.choice call (minutes for a 130k round)
    for pool in (pools.en, pools.zh, pools.yue, pools.organisations):
        assert isinstance(pool, np.ndarray) and pool.dtype == object and len(pool) > 100
        assert all(isinstance(s, str) and s for s in pool[:50])
