"""Topic stage with a stand-in embedder over make_blobs vectors (BERTopic's own test habit): no model loads."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import normalized_mutual_info_score

from analyze.normalise import has_cjk
from analyze.topics import (
    AUDIT_COLUMNS,
    DIFF_COLUMNS,
    OUTLIER,
    TOPIC_COLUMNS,
    CodebookError,
    Theme,
    TopicModels,
    fit_topics,
    load_codebook,
)
from analyze.topics.keywords import central_first, representative_ids, tokenize_texts
from analyze.topics.space import centroids, mixtures, secondary_topics, unit_rows

# Each blob is one concern, written in English and in Traditional Chinese (half the texts each), so language and
# topic are independent, as they are in a bilingual consultation.
CONCERNS = [
    ("facial recognition cameras in public places", "公眾地方的人臉識別鏡頭"),
    ("personal data privacy and retention", "個人資料私隱及保留期限"),
    ("jobs replaced by automation and retraining", "自動化取代工作及再培訓"),
    ("cost of the procurement and the vendor", "採購成本及供應商"),
]


class StandIn:
    """Looks each text up in a table of vectors; texts it does not know (codebook seeds) get a zero vector."""

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table
        self.seen: list[str] = []

    def encode(self, texts: list[str]) -> np.ndarray:
        self.seen += texts
        dim = len(next(iter(self.table.values())))
        return np.stack([self.table.get(t, np.zeros(dim)) for t in texts])


def filler(i: int, words: int = 6) -> str:
    """Pseudo-words unique to text i, so no two texts are near duplicates (the fit would make them one point)."""
    rng = np.random.default_rng(i)
    return " ".join("".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 6)) for _ in range(words))


def blob_docs(n: int = 160, centers: int = 4, seed: int = 0, prefix: str = "r") -> tuple[pd.DataFrame, StandIn, list]:
    x, y = make_blobs(n_samples=n, centers=centers, n_features=24, cluster_std=1.0, random_state=seed)
    texts = [f"{CONCERNS[c][i % 2]} ({i}) {filler(i)}" for i, c in enumerate(y)]
    docs = pd.DataFrame({"response_id": [f"{prefix}{i:04d}" for i in range(n)], "text_norm": texts})
    return docs, StandIn(dict(zip(texts, x, strict=True))), list(y)


def fit(docs, embedder, **kw):
    return fit_topics(docs, models=TopicModels(embedder=embedder), codebook=kw.pop("codebook", ()), **kw)


def test_recovers_bilingual_blobs_with_keywords_in_both_languages():
    docs, emb, y = blob_docs()
    out = fit(docs, emb)
    assert list(out.assignments["response_id"]) == list(docs["response_id"])
    assert normalized_mutual_info_score(y, out.assignments["topic_id"]) > 0.95
    assert list(out.topics.columns) == TOPIC_COLUMNS
    assert len(out.topics) == 4
    for _, t in out.topics.iterrows():
        assert t.keywords_en and t.keywords_zh and t.label_en and t.label_zh
        assert not t.keywords_translated  # each topic has words of its own in both languages
    faces = out.topics[out.topics["keywords_en"].map(lambda k: "facial" in k)].iloc[0]
    assert "人臉識別" in faces.keywords_zh  # Traditional characters, as written


def test_same_input_same_ids_and_numbers():
    docs, emb, _ = blob_docs()
    a, b = fit(docs, emb), fit(docs, emb)
    pd.testing.assert_frame_equal(a.assignments, b.assignments)
    pd.testing.assert_frame_equal(a.topics, b.topics)
    assert list(a.topics["topic_id"]) == [0, 1, 2, 3]  # numbered by size


def test_empty_texts_stay_as_unassigned_rows():
    docs, emb, _ = blob_docs()
    docs.loc[[3, 7], "text_norm"] = ["", None]
    out = fit(docs, emb)
    assert len(out.assignments) == len(docs)
    assert set(out.assignments.loc[[3, 7], "topic_id"]) == {OUTLIER}
    assert set(out.assignments.loc[[3, 7], "theme"]) == {"other"}


def test_no_usable_text_gives_empty_tables():
    docs = pd.DataFrame({"response_id": ["a", "b"], "text_norm": ["", "  "]})
    out = fit(docs, StandIn({"x": np.ones(3)}))
    assert list(out.assignments["topic_id"]) == [OUTLIER, OUTLIER]
    assert out.topics.empty and list(out.topics.columns) == TOPIC_COLUMNS


def test_campaign_copies_are_fitted_once_and_counted_once():
    docs, emb, _ = blob_docs()
    copy = docs.iloc[0]["text_norm"]
    copies = pd.DataFrame({"response_id": [f"c{i:03d}" for i in range(50)], "text_norm": copy})
    docs = pd.concat([docs.assign(campaign_id=None), copies.assign(campaign_id="camp-1")], ignore_index=True)
    docs.loc[0, "campaign_id"] = "camp-1"
    out = fit(docs, emb)
    assert emb.seen.count(copy) == 1
    campaign_topic = out.assignments.loc[0, "topic_id"]
    assert (out.assignments.tail(50)["topic_id"] == campaign_topic).all()
    row = out.topics.set_index("topic_id").loc[campaign_topic]
    assert row["size"] == row["size_unique"] + 50


def test_big_rounds_embed_a_sample_and_transform_the_rest():
    docs, emb, y = blob_docs(n=300)
    out = fit(docs, emb, sample_size=120)
    embedded = [t for t in emb.seen if t in set(docs["text_norm"])]
    assert len(embedded) == 120  # only the sample reached the embedder
    assert 50 <= sum(has_cjk(t) for t in embedded) <= 70  # stratified by script: half the texts are Chinese
    assert (out.assignments["topic_id"] != OUTLIER).mean() > 0.95
    assert normalized_mutual_info_score(y, out.assignments["topic_id"]) > 0.9
    assert out.assignments["topic_prob"].between(-1, 1).all()
    for ids in out.topics["representative_ids"]:  # quotes come from embedded texts first
        assert set(docs.set_index("response_id").loc[ids, "text_norm"]) <= set(embedded)


def test_a_growing_round_keeps_its_topics_until_it_grows_a_step():
    docs, emb, _ = blob_docs(n=400)
    first, later = docs.iloc[:300], docs.iloc[300:]  # sample 120 of the first 291 (ladder 120 * 1.25**k)
    before = fit(first, emb, sample_size=120)
    seen, emb.seen = set(emb.seen), []
    grown = fit(pd.concat([first, later.iloc[:20]]), emb, sample_size=120)
    assert set(emb.seen) <= seen  # the same sample: nothing new was embedded, the new texts were placed
    pd.testing.assert_frame_equal(grown.assignments.iloc[:300], before.assignments)
    assert sorted(grown.topics["topic_id"]) == sorted(before.topics["topic_id"])  # sizes and centroids grow
    # Arrival is received_at where the rows have it (then row order), not the order of the table.
    dated = pd.concat([first, later.iloc[:20]]).assign(received_at=pd.date_range("2026-01-01", periods=320, freq="h"))
    shuffled = fit(dated.sample(frac=1, random_state=1), emb, sample_size=120)
    by_id = shuffled.assignments.set_index("response_id").loc[first["response_id"]].reset_index()
    pd.testing.assert_frame_equal(by_id, before.assignments)
    emb.seen = []
    fit(pd.concat([first, later.iloc[:70]]), emb, sample_size=120)  # 370 texts: the next step (363) is reached
    assert set(emb.seen) - seen
    emb.seen = []
    fit(pd.concat([first, later.iloc[:20]]), emb, sample_size=120, refit_growth=None)  # drawn from every text
    assert set(emb.seen) - seen


def _recording_models(emb) -> tuple[TopicModels, list[str]]:
    """Models with `emb` and a keyword tokenizer that records every text it is asked to segment."""
    read: list[str] = []

    def tokenize(texts):
        read.extend(texts)
        return tokenize_texts(texts)

    return TopicModels(embedder=emb, keyword_tokenizer=tokenize), read


def test_texts_arriving_within_a_step_change_no_keyword_and_are_not_segmented():
    docs, emb, _ = blob_docs(n=400)
    models, read = _recording_models(emb)
    words = ["topic_id", "keywords_en", "keywords_zh"]
    before = fit_topics(docs.iloc[:300], models=models, codebook=(), sample_size=120)
    read.clear()
    grown = fit_topics(docs.iloc[:320], models=models, codebook=(), sample_size=120)  # same step: the first 291
    assert read and not set(read) & set(docs["text_norm"].iloc[291:320])
    pd.testing.assert_frame_equal(
        grown.topics[words].sort_values("topic_id", ignore_index=True),
        before.topics[words].sort_values("topic_id", ignore_index=True),
    )


def test_campaigns_regrouping_within_a_step_segment_no_new_text():
    docs, emb, _ = blob_docs(n=300)
    models, read = _recording_models(emb)
    grouped = docs.assign(campaign_id=["camp-1"] * 30 + [None] * 270)  # one document, shown by its first sampled text
    fit_topics(grouped, models=models, codebook=(), sample_size=120)
    assert len(set(emb.seen) & set(docs["text_norm"].iloc[:30])) >= 2  # the campaign has several sampled texts
    before, read[:] = set(read), []
    fit_topics(docs.assign(campaign_id=None), models=models, codebook=(), sample_size=120)  # each its own document
    assert read and set(read) <= before  # every sampled text was read by the first fit


def test_secondary_topics_for_a_response_between_two_topics():
    docs, emb, y = blob_docs()
    first = {c: emb.table[docs.loc[y.index(c), "text_norm"]] for c in (0, 1)}
    emb.table["between"] = (first[0] + first[1]) / 2
    docs = pd.concat([docs, pd.DataFrame({"response_id": ["mid"], "text_norm": ["between"]})], ignore_index=True)
    out = fit(docs, emb, secondary_ratio=0.5).assignments.set_index("response_id")
    assert len(out.loc["mid", "secondary_topic_ids"]) == 1
    assert out.loc["mid", "topic_id"] not in out.loc["mid", "secondary_topic_ids"]
    assert out["topic_prob"].between(-1, 1).all()


def test_overrides_apply_in_order_with_an_audit_trail():
    docs, emb, _ = blob_docs()
    base = fit(docs, emb).assignments
    overrides = [
        {"action": "merge", "topics": [2, 3], "into": 2, "label_en": "Jobs and cost", "note": "one concern"},
        {"action": "split", "topics": [0], "keyword": "(1"},
        {"action": "move", "response_ids": ["r0000"], "into": -1},
        {"action": "rename", "topics": [9]},
    ]
    out = fit(docs, emb, overrides=overrides)
    audit = out.overrides
    assert list(audit.columns) == AUDIT_COLUMNS and list(audit["step"]) == [1, 2, 3, 4]
    assert audit.loc[0, "responses_changed"] == (base["topic_id"] == 3).sum()
    assert 3 not in set(out.assignments["topic_id"])
    assert out.topics.set_index("topic_id").loc[2, "label_en"] == "Jobs and cost"
    split_id = audit.loc[1, "into"]
    moved = out.assignments[out.assignments["topic_id"] == split_id]
    assert len(moved) == audit.loc[1, "responses_changed"] > 0
    assert moved["response_id"].isin(base.loc[base["topic_id"] == 0, "response_id"]).all()
    assert out.assignments.set_index("response_id").loc["r0000", "topic_id"] == OUTLIER
    assert audit.loc[3, "status"].startswith("skipped")


def test_previous_round_ids_are_kept_and_new_topics_get_new_ids():
    docs, emb, y = blob_docs()
    first = fit(docs, emb)
    keep = [i for i, c in enumerate(y) if c != 3]  # concern 3 is gone in round 2
    x5, _ = make_blobs(n_samples=40, centers=1, n_features=24, center_box=(30, 40), random_state=9)
    new_texts = [f"deepfake scams 深度偽造詐騙 ({i}) {filler(1000 + i)}" for i in range(40)]
    emb.table |= dict(zip(new_texts, x5, strict=True))
    round2 = pd.concat(
        [docs.iloc[keep[::-1]], pd.DataFrame({"response_id": [f"n{i}" for i in range(40)], "text_norm": new_texts})],
        ignore_index=True,
    )
    second = fit(round2, emb, previous=first.topics)
    before = first.assignments.set_index("response_id")["topic_id"]
    after = second.assignments.set_index("response_id")["topic_id"]
    common = before.index.intersection(after.index)
    assert (before[common] == after[common]).all()
    assert set(after[[f"n{i}" for i in range(40)]]) == {first.topics["topic_id"].max() + 1}
    diff = second.diff.set_index("topic_id")
    assert list(second.diff.columns) == DIFF_COLUMNS
    gone = first.assignments.loc[[i for i, c in enumerate(y) if c == 3], "topic_id"].iloc[0]
    assert diff.loc[gone, "status"] == "gone" and diff.loc[gone, "size_current"] == 0
    assert diff.loc[first.topics["topic_id"].max() + 1, "status"] == "new"


def test_shipped_codebook_covers_the_issue_themes_in_both_languages():
    themes = load_codebook()
    assert len(themes) >= 13
    assert {"privacy", "surveillance", "bias", "misinformation", "jobs_skills", "trust"} <= {t.id for t in themes}
    assert all(t.seeds_en and t.seeds_zh and t.name_zh for t in themes)


def test_codebook_errors_and_extension(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("themes: [{id: x}]", encoding="utf-8")
    with pytest.raises(CodebookError, match="name.en"):
        load_codebook(bad)
    with pytest.raises(CodebookError, match="no codebook"):
        load_codebook(tmp_path / "missing.yaml")
    own = tmp_path / "own.yaml"
    own.write_text(
        "themes:\n  - {id: housing, name: {en: Housing, zh: 房屋}, seeds: {en: [rent], zh: [租金]}}\n", encoding="utf-8"
    )
    assert [t.id for t in load_codebook(own)] == ["housing"]
    extended = load_codebook(own, extend=True)
    assert extended[-1].id == "housing" and len(extended) == len(load_codebook()) + 1


def test_topics_map_to_the_closest_theme_or_other():
    docs, emb, y = blob_docs()
    theme = Theme("surveillance", "Surveillance", "監控", "", ("camera",), ("鏡頭",))
    faces = np.mean([emb.table[t] for t, c in zip(docs["text_norm"], y, strict=True) if c == 0], axis=0)
    emb.table[theme.seed_text] = faces
    out = fit(docs, emb, codebook=(theme,))
    topic = out.assignments.loc[y.index(0), "topic_id"]
    themes = out.topics.set_index("topic_id")["theme"]
    assert themes[topic] == "surveillance"
    assert (themes.drop(topic) == "other").all()
    assert (out.assignments.loc[[i for i, c in enumerate(y) if c == 0], "theme"] == "surveillance").all()


def _secondary_by_row(x, labels, ids, centres, ratio, limit):
    """The definition, one row at a time: what the vectorised secondary_topics must agree with."""
    sims = unit_rows(x) @ centres.T
    prob, secondary = np.zeros(len(x)), []
    for row, label in enumerate(labels.tolist()):
        if label == OUTLIER:
            secondary.append([])
            continue
        own = prob[row] = sims[row, ids.index(label)]
        order = np.argsort(-sims[row], kind="stable")
        close = [ids[j] for j in order if ids[j] != label and sims[row, j] > 0 and sims[row, j] >= ratio * own]
        secondary.append(close[:limit])
    return np.round(prob, 6), secondary


@pytest.mark.parametrize("limit", [0, 1, 2, 5])
def test_secondary_topics_agree_with_their_definition_row_by_row(limit):
    rng = np.random.default_rng(limit)
    ids = [0, 2, 3, 7, 9]
    centres = unit_rows(rng.normal(size=(5, 4)))
    x = np.vstack([rng.normal(size=(300, 4)), centres[[1, 1, 3]], (centres[0] + centres[2])[None], np.zeros((1, 4))])
    labels = rng.choice(ids + [OUTLIER], size=len(x))
    prob, secondary = secondary_topics(unit_rows(x) @ centres.T, labels, ids, 0.5, limit)
    expected_prob, expected = _secondary_by_row(x, labels, ids, centres, 0.5, limit)
    assert prob.tolist() == expected_prob.tolist() and secondary == expected
    assert any(secondary) or limit == 0


def test_mixtures_equal_the_rows_they_stand_for():
    """Sampled rows are their points, placed rows unit mixes of the centres, a zero mix stays zero: measured alike."""
    rng = np.random.default_rng(3)
    points, centres = unit_rows(rng.normal(size=(6, 5))), unit_rows(rng.normal(size=(3, 5)))
    sample, of = np.array([4, 0, 7]), np.array([2, 5, 2])
    rest = np.array([1, 2, 3, 5, 6])
    proba = rng.dirichlet(np.ones(3), size=len(rest))
    proba[2] = 0.0
    rows = np.zeros((8, 5))
    rows[sample], rows[rest] = points[of], unit_rows(proba @ centres)
    mixed = mixtures(8, sample, of, points, rest, proba, centres)
    np.testing.assert_allclose(mixed.similarity(centres), rows @ centres.T, atol=1e-12)
    np.testing.assert_allclose(mixed.similarity(centres, rest[::-1]), rows[rest[::-1]] @ centres.T, atol=1e-12)
    labels = np.array([0, 2, OUTLIER, 0, 1, 2, 0, 1])
    ids, means = mixed.centroids(labels)
    expected_ids, expected = centroids(rows, labels)
    assert ids == expected_ids == [0, 1, 2]
    np.testing.assert_allclose(means, expected, atol=1e-12)


def test_representative_responses_reach_a_language_that_ranks_low():
    n = 600  # past the first rows read: Chinese responses rank last here
    group = pd.DataFrame(
        {
            "response_id": [f"r{i:04d}" for i in range(n)],
            "text_norm": ["privacy"] * (n - 2) + ["私隱", "私隱保障"],
            "embedded": True,
            "topic_prob": np.linspace(1, 0, n),
        }
    )
    ranked = central_first(group.iloc[::-1])
    assert representative_ids(ranked, 3) == ["r0000", "r0598", "r0001"]
    assert representative_ids(ranked.iloc[:5], 3) == ["r0000", "r0001", "r0002"]


def test_central_first_ranks_embedded_rows_then_by_similarity_then_by_id():
    rows = pd.DataFrame(
        {
            "response_id": ["b", "a", "c", "d", "e"],
            "embedded": [False, False, True, True, False],
            "topic_prob": [0.9, 0.9, 0.1, 0.5, 0.95],
        }
    )
    expected = rows.sort_values(["embedded", "topic_prob", "response_id"], ascending=[False, False, True])
    assert central_first(rows)["response_id"].tolist() == expected["response_id"].tolist() == list("dceab")
