import json

import numpy as np
import pandas as pd

from analyze.breakdowns import break_down, contingency_test, meta_fields
from analyze.concerns import CONCERN_COLUMNS, find_concerns, quote_texts


def same_rows(x: np.ndarray, k: int, weights: np.ndarray) -> np.ndarray:
    """Stand-in for KMeans: identical feature rows share a cluster."""
    assert len(weights) == len(x) and len(np.unique(x, axis=0)) == len(x)  # each distinct row once, with its count
    return np.arange(len(x)) % k


def _round(n_per: int = 30):
    """Two clear groups: topic 0 negative and opposing, topic 1 positive and supporting."""
    ids = [f"r{i:03d}" for i in range(2 * n_per)]
    first = np.arange(2 * n_per) < n_per
    assignments = pd.DataFrame({"response_id": ids, "topic_id": np.where(first, 0, 1)})
    sentiment = pd.DataFrame({"response_id": ids, "sentiment": np.where(first, -0.7, 0.6)})
    stance = pd.DataFrame({"response_id": ids, "stance": np.where(first, "oppose", "support")})
    language = pd.DataFrame({"response_id": ids, "text_norm": ["same campaign text" if f else f"own {i}" for i, f in
                                                               zip(range(2 * n_per), first, strict=True)]})  # fmt: skip
    return ids, assignments, sentiment, stance, language


def test_clusters_separate_opposing_critics_from_supporters():
    ids, assignments, sentiment, stance, language = _round()
    topics = pd.DataFrame({"topic_id": [0, 1], "label_en": ["cameras", "parks"], "label_zh": ["鏡頭", "公園"]})
    texts = quote_texts(language)
    clusters, members = find_concerns(assignments, sentiment, stance, texts, topics, clusterer=same_rows)
    assert list(clusters.columns) == CONCERN_COLUMNS
    assert sorted(members["response_id"]) == ids
    oppose = clusters[clusters["oppose_share"] == 1.0].iloc[0]
    assert oppose["avg_sentiment"] == -0.7 and oppose["topics"] == ["0"] and "0 cameras / 鏡頭" in oppose["label"]
    assert oppose["size"] == 30 and oppose["size_unique"] == 1  # 30 copies of one text count once
    assert list(oppose["quotes"]) == ["same campaign text"]


def test_same_input_same_clusters():
    _, assignments, sentiment, stance, language = _round()
    a = find_concerns(assignments, sentiment, stance, quote_texts(language), clusterer=same_rows)[0]
    b = find_concerns(assignments, sentiment, stance, quote_texts(language), clusterer=same_rows)[0]
    pd.testing.assert_frame_equal(a, b)


def test_quotes_are_redacted_when_pii_ran():
    language = pd.DataFrame({"response_id": ["a", "b"], "text_norm": ["call me on 9123 4567", "fine"]})
    pii = pd.DataFrame({"response_id": ["a"], "text_redacted": ["call me on [PHONE]"]})
    texts = quote_texts(language, pii)
    assert list(texts["quote_text"]) == ["call me on [PHONE]", ""]  # never falls back to unredacted text


def test_empty_input_gives_empty_tables():
    empty = pd.DataFrame({"response_id": [], "topic_id": [], "sentiment": [], "stance": [], "text_norm": []})
    clusters, members = find_concerns(empty, empty, empty, quote_texts(empty))
    assert clusters.empty and members.empty


def test_chi_square_effect_size_and_small_cell_warning():
    groups = pd.Series(["org"] * 50 + ["individual"] * 50)
    outcome = pd.Series(["oppose"] * 45 + ["support"] * 5 + ["oppose"] * 10 + ["support"] * 40)
    strong = contingency_test(groups, outcome)
    assert strong["cramers_v"] > 0.6 and strong["p_value"] < 0.001 and strong["warning"] == ""
    small = contingency_test(pd.Series(["a", "a", "b", "b"]), pd.Series(["x", "y", "x", "y"]))
    assert small["small_cells"] == 4 and "unreliable" in small["warning"]
    single = contingency_test(pd.Series(["a", "a"]), pd.Series(["x", "y"]))
    assert "no test" in single["warning"]


def test_breakdowns_use_respondent_type_channel_and_categorical_meta():
    ids = [f"r{i}" for i in range(40)]
    responses = pd.DataFrame(
        {
            "response_id": ids,
            "respondent_type": ["individual", "organisation"] * 20,
            "channel": ["form"] * 40,
            "meta": [json.dumps({"age": ["18-29", "30-49", "50+"][i % 3], "email_id": f"m{i}"}) for i in range(40)],
        }
    )
    sentiment = pd.DataFrame({"response_id": ids, "sentiment_label": ["negative", "positive"] * 20})
    stance = pd.DataFrame({"response_id": ids, "stance": ["oppose"] * 40})
    out = break_down(responses, sentiment, stance)
    assert set(out["dimension"]) == {"respondent_type", "channel", "meta:age"}  # the id-like field is left out
    row = out[(out["dimension"] == "respondent_type") & (out["outcome"] == "sentiment_label")].iloc[0]
    assert row["cramers_v"] == 1.0 and json.loads(row["table"])["individual"] == {"negative": 20, "positive": 0}
    assert list(meta_fields(responses["meta"]).columns) == ["age"]


def test_concern_chart_draws_one_bar_per_cluster_and_stance():
    from analyze.charts import fig_concern_clusters, png_bytes

    _, assignments, sentiment, stance, language = _round()
    clusters, _ = find_concerns(assignments, sentiment, stance, quote_texts(language), clusterer=same_rows)
    fig = fig_concern_clusters(clusters)
    assert len(fig.axes[0].patches) == 4 * len(clusters)  # one segment per stance per cluster
    assert png_bytes(fig).startswith(b"\x89PNG")


def test_breakdowns_never_publish_personal_or_tiny_groups():
    import json

    import pandas as pd

    from analyze.breakdowns import meta_fields

    rows = [
        {"district": d, "author": a, "age_group": g}
        for d, a, g in zip(
            ["Kowloon"] * 6 + ["Sha Tin"] * 6,
            [f"Person {i % 2}" for i in range(12)],
            ["18-29"] * 11 + ["70+"],
            strict=True,
        )
    ]
    fields = meta_fields(pd.Series([json.dumps(r) for r in rows]))
    assert list(fields.columns) == ["district"]  # author: personal field; age_group: a group of one


def test_meta_fields_keep_each_row_when_meta_strings_repeat_or_are_invalid():
    import json

    import pandas as pd

    from analyze.breakdowns import meta_fields

    metas = [json.dumps({"district": d}) for d in ["Kowloon", "Sha Tin"] * 6] + [None, "not json", "[1]", "{}"]
    fields = meta_fields(pd.Series(metas, index=range(100, 116)))
    assert list(fields.index) == list(range(100, 116))
    assert fields["district"].tolist()[:12] == ["Kowloon", "Sha Tin"] * 6
    assert fields["district"].iloc[12:].isna().all()


def test_distinct_rows_are_numpy_uniques_rows_inverse_and_counts():
    import numpy as np

    from analyze.concerns import distinct, distinct_rows

    rng = np.random.default_rng(0)
    for _ in range(100):
        x = rng.integers(-2, 3, (rng.integers(1, 60), rng.integers(1, 6))) * 0.5
        x[rng.random(x.shape) < 0.2] *= -1  # -0.0 equals 0.0, as in np.unique
        assert distinct_rows(x) == len(np.unique(x, axis=0))
        rows, inverse, counts = distinct(x)
        assert np.array_equal(rows[inverse], x) and counts.sum() == len(x)
        assert np.array_equal(counts, np.bincount(inverse)) and len(np.unique(rows, axis=0)) == len(rows)
    assert distinct_rows(np.empty((0, 3))) == 0


def test_contingency_counts_are_crosstabs_and_ignore_row_order():
    rng = np.random.default_rng(0)
    groups = pd.Series(rng.choice(["b", "a", "中", "c"], 300), dtype="str")
    outcomes = pd.Series(rng.choice(["oppose", "support", "neutral"], 300), dtype="str")
    outcomes[groups == "c"] = "support"  # empty cells stay in the table as zeros
    groups[:5], outcomes[5:9] = None, None  # pairs with a missing value are left out, as crosstab leaves them
    crosstab = pd.crosstab(groups, outcomes).sort_index().sort_index(axis=1)
    result = contingency_test(groups, outcomes)
    counts = {str(g): {str(o): int(v) for o, v in row.items()} for g, row in crosstab.iterrows()}
    assert result["table"] == json.dumps(counts, ensure_ascii=False) and result["dof"] == 6
    order = rng.permutation(len(groups))
    assert contingency_test(groups.iloc[order], outcomes.iloc[order]) == result


def test_texts_are_found_by_response_id_in_any_order():
    ids, assignments, sentiment, stance, language = _round()
    language["text_norm"] = [f"text {i % 7}" for i in range(len(ids))]
    texts = quote_texts(language).sample(frac=1, random_state=0).iloc[3:]  # another order, 3 responses without
    clusters = find_concerns(assignments, sentiment, stance, texts, clusterer=same_rows)[0]
    by_id = texts.set_index("response_id").reindex(ids)  # what a left merge gives each response
    for first, cluster in (
        (True, clusters[clusters["oppose_share"] == 1.0]),
        (False, clusters[clusters["support_share"] == 1.0]),
    ):
        rows = by_id[(np.arange(len(ids)) < 30) == first]
        keys = rows["unique_key"].fillna(pd.Series(rows.index, index=rows.index))
        quotes = list(dict.fromkeys(str(t) for t in rows["quote_text"]))[:3]
        assert cluster["size_unique"].item() == keys.nunique() and list(cluster["quotes"].item()) == quotes


def test_distinct_rows_up_to_a_limit_from_the_first_rows(monkeypatch):
    from analyze import concerns
    from analyze.concerns import distinct_rows

    rng = np.random.default_rng(1)
    for head in (1, 3, 8, 100):
        monkeypatch.setattr(concerns, "DISTINCT_HEAD", head)
        for _ in range(50):
            x = rng.integers(0, 4, (rng.integers(1, 40), 2)) / 3
            limit = int(rng.integers(0, 8))
            assert concerns._distinct_up_to(x, limit) == min(limit, distinct_rows(x.round(1)))


def test_breakdowns_leave_out_groups_and_outcomes_never_paired():
    ids = [f"r{i}" for i in range(40)]
    channel = [None if i % 4 == 2 else "form" if i < 30 else "email" for i in range(40)]
    responses = pd.DataFrame(
        {"response_id": ids, "respondent_type": ["individual", "organisation"] * 20, "channel": channel, "meta": None}
    )
    labels = ["negative", "positive", "neutral", "positive"] * 10  # neutral: only where the channel is missing
    sentiment = pd.DataFrame({"response_id": ids, "sentiment_label": labels})
    stance = pd.DataFrame({"response_id": ids[::2], "stance": ["oppose", "support"] * 10})  # organisations: none
    out = break_down(responses, sentiment, stance).set_index(["dimension", "outcome"])
    assert json.loads(out.loc[("respondent_type", "stance"), "table"]) == {"individual": {"oppose": 10, "support": 10}}
    assert out.loc[("respondent_type", "stance"), "warning"] == "only one group or one outcome: no test"
    expected = pd.crosstab(pd.Series(channel), pd.Series(labels))
    assert json.loads(out.loc[("channel", "sentiment_label"), "table"]) == {
        str(g): {str(o): int(v) for o, v in row.items()} for g, row in expected.iterrows()
    }
    assert "neutral" not in expected.columns and out.loc[("channel", "sentiment_label"), "dof"] == 1


def test_kmeans_clusters_each_distinct_row_once_and_maps_it_back_to_every_copy():
    rng = np.random.default_rng(2)
    sizes = {("0", "oppose", -0.8): 70, ("1", "support", 0.7): 25, ("2", "neutral", 0.0): 5}
    rows = [key for key, n in sizes.items() for _ in range(n)]
    order = rng.permutation(len(rows))
    ids = [f"r{i:03d}" for i in range(len(rows))]
    topic, stance, score = (np.array([r[i] for r in rows], dtype=object)[order] for i in range(3))
    score = score.astype(float) + rng.normal(0, 1e-5, len(rows))  # below FEATURE_DECIMALS: still one row per group
    language = pd.DataFrame({"response_id": ids, "text_norm": [f"text {t}" for t in topic]})
    clusters, members = find_concerns(
        pd.DataFrame({"response_id": ids, "topic_id": topic}),
        pd.DataFrame({"response_id": ids, "sentiment": score}),
        pd.DataFrame({"response_id": ids, "stance": stance}),
        quote_texts(language),
        max_clusters=3,
    )
    assert clusters["size"].tolist() == [70, 25, 5] and clusters["topics"].tolist() == [["0"], ["1"], ["2"]]
    by_id = members.set_index("response_id")["concern_id"]
    assert all(by_id[i] == f"C{'012'.index(t) + 1}" for i, t in zip(ids, topic, strict=True))
