import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from datasketch import MinHash, MinHashLSH

from analyze import pii
from analyze.duplicates import campaign, duplicate_key, find_campaigns, signature, variants
from analyze.duplicates.key import key_digests
from analyze.duplicates.signature import ROLL, band_shape, permutations, shingles, signatures
from analyze.evaluation.duplicates import pairwise_scores
from analyze.normalise import normalise_text
from analyze.pii import redact_texts
from analyze.segment import to_simplified
from analyze.stagecache import cached_keyer, cached_redactor, cached_variants

FIXTURE = Path(__file__).parents[1] / "fixtures" / "duplicates" / "texts.csv"


@pytest.fixture
def texts() -> pd.DataFrame:
    """Real Polis (en, zh) comments and OpenRice (yue) reviews; see fixtures/duplicates/SOURCE.md."""
    return pd.read_csv(FIXTURE, dtype=str, keep_default_na=False)


def _reference_shingles(key: str) -> list[int]:
    """The shingle hashes by their definition, one window at a time."""
    k = min(3 if 2 * sum("\u4e00" <= c <= "\u9fff" for c in key) >= len(key) else 5, len(key))
    out = []
    for i in range(len(key) - k + 1):
        h = 0
        for c in key[i : i + k]:
            h = (h * int(ROLL) + ord(c)) % 2**32
        out.append(h)
    return out


def _docs(rows: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"response_id": [f"r{i:03d}" for i in range(len(rows))], "text_norm": rows})


def _round(texts: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[int]]]:
    """Two planted campaigns (English and Chinese) of perturbed copies among real singles and an empty text."""
    en = list(texts.loc[texts["lang"] == "en", "text"])
    zh = list(texts.loc[texts["lang"] == "zh", "text"])
    yue = list(texts.loc[texts["lang"] == "yue", "text"])
    en_t, zh_t = "\n\n".join(en[:4]), "\n\n".join(zh[:4])
    rows = {
        "en": [
            en_t,
            en_t,
            en_t + "\n\n" + en[6],  # an added personal sentence
            "Dear Sir or Madam,\n\n" + en_t + "\n\nRegards, Tai Man Chan",
            "\n\n".join([en[2], en[0], en[3], en[1]]),  # paragraphs reordered
            en_t.replace(",", "").replace(".", " !"),
        ],
        "zh": [
            zh_t,
            to_simplified(zh_t),
            zh_t + "\n\n" + zh[6],
            "敬啟者：\n\n" + zh_t + "\n\n此致 陳大文",
            "\n\n".join([zh[3], zh[1], zh[0], zh[2]]),
        ],
        "single": [en[4], en[5], en[7], zh[4], zh[5], zh[7], *yue],
        "empty": ["", "  "],
    }
    flat, where = [], {}
    for name, group in rows.items():
        where[name] = list(range(len(flat), len(flat) + len(group)))
        flat += [normalise_text(t) for t in group]
    return _docs(flat), where


def test_key_folds_script_width_punctuation_and_space(texts):
    zh = texts.loc[texts["lang"] == "zh", "text"].iloc[2]
    variant = to_simplified(zh).replace("。", ".") + "  ！"
    assert duplicate_key(normalise_text(variant)) == duplicate_key(normalise_text(zh))
    assert duplicate_key(normalise_text("ＵＢＥＲ  Should,  PAY tax!")) == "ubershouldpaytax"
    assert duplicate_key(zh) != duplicate_key(texts.loc[texts["lang"] == "zh", "text"].iloc[3])


def test_signatures_equal_datasketch_minhash(texts):
    keys = [duplicate_key(normalise_text(t)) for t in texts["text"]] + ["ab"]
    sig = signatures(keys, num_perm=32, seed=7)
    hashes, offsets = shingles(keys)
    for i, key in enumerate(keys):
        reference = MinHash(num_perm=32, seed=7, hashfunc=lambda x: x)
        reference.update_batch(_reference_shingles(key))
        assert np.array_equal(sig[i], reference.hashvalues), key
        stop = offsets[i + 1] if i + 1 < len(keys) else len(hashes)
        assert sorted(hashes[offsets[i] : stop].tolist()) == sorted(_reference_shingles(key))


def test_signatures_do_not_depend_on_batching(texts, monkeypatch):
    keys = [duplicate_key(normalise_text(t)) for t in texts["text"]] + ["ab"]
    whole = signatures(keys, num_perm=32, seed=7)
    monkeypatch.setattr(signature, "_BATCH_CELLS", 32 * 40)  # batches of 40 characters, longer keys alone
    assert max(map(len, keys)) > 40
    assert np.array_equal(signatures(keys, num_perm=32, seed=7), whole)


@pytest.mark.parametrize(
    "text",
    [
        "One. Two.  Three!Four?五。六！七？八；nine;ten",
        "a.\u3000b\n\n\nc. \n d.e",
        " .\t. 。\n。 ",
        "end。\n",
        "",
        "mark\x00inside. too",
    ],
)
def test_sentences_are_the_pieces_of_the_sentence_end_split(text):
    pieces = [s.strip() for s in variants._SENTENCE_END.split(text) if s and s.strip()]
    assert variants._sentences(text) == pieces


@pytest.mark.parametrize(("num_perm", "seed"), [(64, 42), (32, 7), (128, 1)])
def test_permutations_equal_datasketch(num_perm, seed):
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme="affine32").permutations
    ours = permutations(num_perm, seed)
    assert [p.dtype for p in ours] == [np.uint32, np.uint32]
    assert np.array_equal(ours[0], a) and np.array_equal(ours[1], b)


@pytest.mark.parametrize("num_perm", [16, 64, 128])
def test_band_shape_equals_datasketch_lsh(num_perm):
    for threshold in np.round(np.arange(0.05, 1.0, 0.05), 2):
        try:
            lsh = MinHashLSH(threshold=float(threshold), num_perm=num_perm)
        except ValueError:  # datasketch refuses a single band
            continue
        assert band_shape(float(threshold), num_perm) == (lsh.b, lsh.r), threshold


def test_campaigns_keep_perturbed_copies_and_leave_singles(texts):
    docs, where = _round(texts)
    groups, campaigns = find_campaigns(docs, min_campaign_size=5)
    assert list(groups["response_id"]) == list(docs["response_id"])
    for name in ("en", "zh"):
        ids = groups.loc[where[name], "campaign_id"]
        assert ids.notna().all() and ids.nunique() == 1, name
        assert groups.loc[where[name], "is_campaign_copy"].all()
    assert groups.loc[where["en"], "campaign_id"].iat[0] != groups.loc[where["zh"], "campaign_id"].iat[0]
    assert not groups.loc[where["single"], "is_campaign_copy"].any()
    assert groups.loc[where["single"], "near_group"].nunique() == len(where["single"])
    assert groups.loc[where["empty"], ["exact_group", "near_group", "campaign_id"]].isna().all().all()
    # Exact copies share an exact group; the Simplified copy folds onto the Traditional template.
    assert groups.loc[where["en"][0], "exact_group"] == groups.loc[where["en"][1], "exact_group"]
    assert groups.loc[where["zh"][0], "exact_group"] == groups.loc[where["zh"][1], "exact_group"]
    assert set(campaigns["size"]) == {6, 5}
    en = campaigns.set_index("campaign_id").loc[groups.loc[where["en"][0], "campaign_id"]]
    assert en["template_text"] == docs.loc[where["en"][0], "text_norm"]  # the medoid is the plain template
    assert en["unique_texts"] == 4  # the punctuation-only variant has the template's key
    added = [v["text"] for v in json.loads(en["variant_sentences"])]
    assert normalise_text(texts.loc[texts["lang"] == "en", "text"].iloc[6]) in added
    assert groups.loc[where["en"][0], "template_similarity"] == 1.0
    assert 0.5 <= groups.loc[where["en"], "template_similarity"].min() < 1.0


def test_group_below_min_size_is_near_group_not_campaign(texts):
    docs, where = _round(texts)
    groups, campaigns = find_campaigns(docs, min_campaign_size=6)
    assert len(campaigns) == 1
    zh = groups.loc[where["zh"]]
    assert zh["near_group"].nunique() == 1 and zh["campaign_id"].isna().all()


def test_ids_do_not_depend_on_row_order(texts):
    docs, _ = _round(texts)
    first, _ = find_campaigns(docs)
    shuffled, _ = find_campaigns(docs.sample(frac=1.0, random_state=3))
    merged = first.merge(shuffled, on="response_id", suffixes=("", "_2"))
    for column in ("exact_group", "near_group", "campaign_id"):
        assert merged[column].fillna("").equals(merged[column + "_2"].fillna("")), column


def test_campaign_texts_are_quoted_redacted_when_given_a_redactor(texts):
    docs, where = _round(texts)
    docs["channel"] = ["form"] * 8 + ["email"] * (len(docs) - 8)
    docs["received_at"] = pd.date_range("2026-01-01", periods=len(docs), freq="D", tz="UTC")
    _, campaigns = find_campaigns(docs, redact=lambda quoted: [t.replace("Tai Man Chan", "[NAME]") for t in quoted])
    assert campaigns["template_redacted"].notna().all()
    assert find_campaigns(docs)[1]["template_redacted"].isna().all()
    variants = " ".join(campaigns["variant_sentences"])
    assert "Tai Man Chan" not in variants and "[NAME]" in variants
    en = campaigns.loc[campaigns["size"] == 6].iloc[0]
    assert json.loads(en["channels"]) == {"form": 6}
    assert en["first_seen_at"] == docs.loc[where["en"][0], "received_at"]


def test_empty_input_gives_empty_tables():
    groups, campaigns = find_campaigns(_docs([]))
    assert groups.empty and campaigns.empty
    groups, campaigns = find_campaigns(_docs(["", "!!"]))
    assert groups["exact_group"].isna().all() and campaigns.empty


def test_pairwise_scores_from_contingency():
    scores = pairwise_scores(pd.Series(list("aabb")), pd.Series(["x", "x", "x", None]))
    assert scores["true_pairs"] == 2 and scores["predicted_pairs"] == 3
    assert scores["precision"] == pytest.approx(1 / 3, abs=1e-4) and scores["recall"] == 0.5


def test_cached_variants_equal_direct_and_reuse_the_store(texts, tmp_path, monkeypatch):
    docs, _ = _round(texts)
    direct = find_campaigns(docs)
    cached = find_campaigns(docs, variants_of=cached_variants(tmp_path))
    pd.testing.assert_frame_equal(cached[1], direct[1])
    assert (tmp_path / "variant_sentences.parquet").is_file()

    def fail(campaigns):
        raise AssertionError(f"recomputed {len(campaigns)} campaigns")

    monkeypatch.setattr(variants, "variant_sentences", fail)
    pd.testing.assert_frame_equal(find_campaigns(docs, variants_of=cached_variants(tmp_path))[1], direct[1])
    docs.loc[0, "text_norm"] += " One more sentence of my own."  # a member changed: its campaign is recomputed
    with pytest.raises(AssertionError, match="recomputed 1 campaigns"):
        find_campaigns(docs, variants_of=cached_variants(tmp_path))


def test_cached_redactor_quotes_what_pii_redaction_gives_and_reuses_the_store(texts, tmp_path, monkeypatch):
    docs, _ = _round(texts)
    docs.loc[docs.index[:3], "text_norm"] += " Call me on 9123 4567."  # campaign copies with a phone number
    direct = find_campaigns(docs, redact=redact_texts)
    assert any("[PHONE]" in t for t in direct[1]["variant_sentences"]) and not any(
        "9123 4567" in t for t in direct[1]["variant_sentences"]
    )
    pd.testing.assert_frame_equal(find_campaigns(docs, redact=cached_redactor(tmp_path))[1], direct[1])
    monkeypatch.setattr(pii, "redact_texts", lambda quoted: pytest.fail(f"redacted {len(quoted)} texts again"))
    pd.testing.assert_frame_equal(find_campaigns(docs, redact=cached_redactor(tmp_path))[1], direct[1])


def test_arrow_and_object_text_columns_give_the_same_tables_and_share_the_key_store(texts, tmp_path, monkeypatch):
    docs, _ = _round(texts)
    assert isinstance(docs["text_norm"].dtype, pd.StringDtype)  # Arrow-backed: keys_of is given an Arrow array
    as_objects = docs.astype({"text_norm": object})
    direct = find_campaigns(docs)
    for frame in (as_objects, docs, as_objects):
        for got, want in zip(find_campaigns(frame, keys_of=cached_keyer(tmp_path)), direct, strict=True):
            pd.testing.assert_frame_equal(got, want, check_exact=True)
        monkeypatch.setattr("analyze.duplicates.key.duplicate_key", lambda text: pytest.fail("folded again"))


def test_medoids_of_groups_at_once_equal_one_at_a_time():
    rng = np.random.default_rng(3)
    sig = rng.integers(0, 3, size=(600, 16)).astype(np.uint32)  # few values: many ties in agreement
    counts = rng.integers(1, 4, size=600)
    sizes = [1, 2, 5, 40, 100, 101, 250, 3, 98]
    order = rng.permutation(600)
    groups = np.split(order[: sum(sizes)], np.cumsum(sizes)[:-1])
    groups = [g[np.lexsort((g, -counts[g]))] for g in groups]  # most copied first, as _campaign_rows gives them
    expected = [campaign._medoid(g, counts, sig) for g in groups]
    assert campaign._medoids(groups, counts, sig).tolist() == expected
    assert campaign._medoids([], counts, sig).tolist() == []


def test_digests_and_signatures_of_arrow_keys_equal_those_of_strings(texts):
    keys = [duplicate_key(normalise_text(t)) for t in texts["text"]]
    keys = [k for k in keys if k]
    assert key_digests(pa.array(keys)).tolist() == key_digests(keys).tolist()
    assert key_digests(["abc"]).tolist() == [hashlib.blake2b(b"abc", digest_size=6).hexdigest()]
    assert np.array_equal(signatures(pa.array(keys)), signatures(keys))
