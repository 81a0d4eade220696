"""The content cache (analyze/textcache.py) and the stages through it (analyze/stagecache.py).

Real text: data/eval/pii_planted.csv (real Polis and OpenRice comments with planted Hong Kong personal data; its
SOURCE note is data/eval/pii.SOURCE.md) and the demo round's export (data/demo/raw/submissions.csv, CC BY 4.0).
"""

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from analyze import cachestore
from analyze.cli import app
from analyze.duplicates import duplicate_key, find_campaigns
from analyze.duplicates.signature import signatures
from analyze.executor import partitions
from analyze.normalise import has_cjk, normalise_text, text_array
from analyze.pii import find_pii_spans
from analyze.sentiment import score_sentiment
from analyze.stagecache import (
    _stance_keys,
    cached_keyer,
    cached_pii_spans,
    cached_sentiment,
    cached_signer,
    cached_stance,
    cached_tokenizer,
    prefetch_duplicate_keys,
)
from analyze.stance import find_stance, stance_keys
from analyze.textcache import TextCache, cached_frame, column_matrix, text_keys, vector_column
from analyze.topics.keywords import tokenize_texts
from collect.storage import write_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def planted() -> pd.DataFrame:
    """200 real comments, a third with planted personal data, some repeated (as campaign copies are)."""
    rows = pd.read_csv(ROOT / "data" / "eval" / "pii_planted.csv", nrows=150)
    texts = [normalise_text(t) for t in rows["text"]] + [normalise_text(t) for t in rows["text"][:50]]
    return pd.DataFrame({"response_id": [f"r{i:03d}" for i in range(len(texts))], "text_norm": texts})


def lengths(texts: list[str], positions: list[int], seen: list[str]) -> pa.Table:
    seen += [texts[i] for i in positions]
    return pa.table({"chars": [len(texts[i]) for i in positions]})


def test_each_text_is_computed_once_and_a_new_instance_reads_the_store(tmp_path, planted):
    texts, seen = list(planted["text_norm"]), []
    cache = TextCache(tmp_path / "c.parquet", "lengths", "v1")
    first = cache.get(texts, lambda pos: lengths(texts, pos, seen))
    cache.save()
    assert first.column("chars").to_pylist() == [len(t) for t in texts]
    assert seen == list(dict.fromkeys(texts))  # repeats computed once
    again = TextCache(tmp_path / "c.parquet", "lengths", "v1").get(
        texts[::-1] + ["new"], lambda p: lengths(texts[::-1] + ["new"], p, seen)
    )
    assert seen[-1] == "new" and len(seen) == len(set(texts)) + 1
    assert again.column("chars").to_pylist() == [len(t) for t in texts[::-1]] + [3]


def test_another_config_never_reuses_a_value(tmp_path):
    path, seen = tmp_path / "c.parquet", []
    for config in ("v1", "v2"):
        cache = TextCache(path, "lengths", config)
        cache.get(["a text"], lambda pos: lengths(["a text"], pos, seen))
        cache.save()
    assert seen == ["a text", "a text"]


def test_a_corrupt_store_is_ignored_with_a_warning_and_rebuilt(tmp_path, caplog):
    path = tmp_path / "c.parquet"
    path.write_bytes(b"PAR1 not really parquet")
    cache = TextCache(path, "lengths", "v1")
    with caplog.at_level(logging.WARNING):
        out = cache.get(["abc", "de"], lambda pos: lengths(["abc", "de"], pos, []))
    cache.save()
    assert "unreadable" in caplog.text
    assert out.column("chars").to_pylist() == [3, 2]
    assert TextCache(path, "lengths", "v1").get(["de"], lambda pos: pytest.fail("not cached")).num_rows == 1


def add_one_at_a_time(path, texts, config="v1", exclusive=False, seen=None):
    """Each text added by its own run (a new instance), as re-runs with a few new texts each add them."""
    seen = [] if seen is None else seen
    for i in range(len(texts)):
        cache = TextCache(path, "lengths", config, exclusive)
        out = cache.get(texts[: i + 1], lambda pos, upto=i: lengths(texts[: upto + 1], pos, seen))
        cache.save()
        assert out.column("chars").to_pylist() == [len(t) for t in texts[: i + 1]]
    return seen


def test_additions_are_appended_as_parts_read_back_in_order_and_compacted(tmp_path, planted):
    path, texts = tmp_path / "c.parquet", list(dict.fromkeys(planted["text_norm"]))
    cache, seen = TextCache(path, "lengths", "v1"), []
    cache.get(texts[:100], lambda pos: lengths(texts, pos, []))  # a store of 100 texts: adding one is a small share
    cache.save()
    before = path.read_bytes()
    add_one_at_a_time(path, texts[:100] + ["x1", "x2"], seen=seen)
    assert seen == ["x1", "x2"] and path.read_bytes() == before  # appended beside the main file, not rewritten
    assert [p.name for p in cachestore.parts(path)] == ["c.part1.parquet", "c.part2.parquet"]
    assert cachestore.store_rows(path) == 102  # what `consult bench` counts as embedded: main file and parts
    more = texts[:100] + ["x1", "x2"] + [f"y{i}" for i in range(cachestore.MAX_PARTS - 1)]
    add_one_at_a_time(path, more, seen=seen)
    assert len(seen) == 1 + cachestore.MAX_PARTS  # nothing computed twice
    assert cachestore.parts(path) == [] and path.read_bytes() != before  # a part past MAX_PARTS: compacted instead
    assert cachestore.store_rows(path) == len(more) and cachestore.store_rows(tmp_path / "none.parquet") == 0
    again = TextCache(path, "lengths", "v1").get(more[::-1], lambda pos: pytest.fail("not cached"))
    assert again.column("chars").to_pylist() == [len(t) for t in more[::-1]]


def test_an_unreadable_part_is_ignored_with_a_warning_its_rows_recomputed_and_compacted_away(tmp_path, caplog):
    path, seen = tmp_path / "c.parquet", []
    texts = [f"text {i}" for i in range(20)]
    add_one_at_a_time(path, texts, seen=seen)
    last = cachestore.parts(path)[-1]
    last.write_bytes(b"PAR1 junk")
    with caplog.at_level(logging.WARNING):
        add_one_at_a_time(path, texts, seen=seen)
    assert "unreadable" in caplog.text and seen[len(texts) :] == [texts[-1]]  # only the lost row again
    assert not last.exists() and cachestore.parts(path) == []  # the store was rewritten without the bad part


def test_an_exclusive_store_keeps_one_config_across_its_parts(tmp_path):
    path, seen = tmp_path / "c.parquet", []
    texts = [f"text {i}" for i in range(20)]
    add_one_at_a_time(path, texts, "fit1", exclusive=True, seen=seen)
    assert cachestore.parts(path)
    add_one_at_a_time(path, texts[:1], "fit2", exclusive=True, seen=seen)
    assert cachestore.store_files(path) == [path]  # the other fit's files are gone
    add_one_at_a_time(path, texts[:2], "fit1", exclusive=True, seen=seen)
    assert seen == texts + texts[:1] + texts[:2]  # nothing of the other fit was reused


def test_a_store_with_hex_keys_is_ignored_with_a_warning_and_rebuilt(tmp_path, planted, caplog):
    texts, path = list(planted["text_norm"])[:20], tmp_path / "c.parquet"
    hexed = [k.hex() for k in text_keys("lengths", "v1", texts).to_pylist()]  # the layout an older release wrote
    write_table(pd.DataFrame({"chars": [len(t) for t in texts], "key": hexed}), path)
    seen = []
    cache = TextCache(path, "lengths", "v1")
    out = cache.get(texts, lambda pos: lengths(texts, pos, seen))
    cache.save()
    assert out.column("chars").to_pylist() == [len(t) for t in texts] and len(seen) == len(set(texts))
    assert "unreadable" in caplog.text and pq.read_schema(path).field("key").type == pa.binary(16)


def test_vectors_round_trip_without_loss():
    rng = np.random.default_rng(0)
    for matrix in (rng.random((5, 384), dtype=np.float32), rng.integers(0, 2**32, (4, 64), dtype=np.uint32)):
        column = vector_column(matrix)
        assert column.type.byte_width == matrix.shape[1] * matrix.itemsize
        np.testing.assert_array_equal(column_matrix(pa.chunked_array([column]), matrix.dtype), matrix)
        # a slice (a store's rows taken from the middle) reads its own rows
        np.testing.assert_array_equal(column_matrix(column.slice(1, 2), matrix.dtype), matrix[1:3])


def test_cached_pii_audit_is_byte_identical_cold_and_warm(tmp_path, planted):
    direct = find_pii_spans(planted)
    assert len(direct) > 40  # the planted data is there to be found
    for run in ("cold", "warm"):
        audit = cached_pii_spans(planted, tmp_path / "cache")
        pd.testing.assert_frame_equal(audit, direct, check_exact=True)
        a, b = write_table(audit, tmp_path / f"{run}.parquet"), write_table(direct, tmp_path / "direct.parquet")
        assert a.read_bytes() == b.read_bytes(), run


def test_a_frame_stage_gives_the_same_table_on_partitions_and_from_the_store(tmp_path, planted, caplog):
    seen = []

    def stage(df):
        seen.extend(df["text_norm"])
        text = df["text_norm"]
        return pd.DataFrame(
            {"response_id": df["response_id"].to_numpy(), "n": text.str.len(), "lower": text.str.lower()}
        )

    def in_partitions(fn, df):  # what the Dask executor does, without a cluster
        return pd.concat([fn(p) for p in partitions(df, 16)], ignore_index=True)

    def through_cache(df):
        cache = TextCache(tmp_path / "c.parquet", "n", "v1")  # a new instance reads the store from disk
        return cached_frame(df, stage, list(df["text_norm"]), cache, in_partitions)

    half = through_cache(planted.iloc[:100])
    with caplog.at_level(logging.WARNING):
        full = through_cache(planted)
    assert not caplog.text  # the store's layout matched: added to, not rebuilt
    assert len(seen) == planted["text_norm"].nunique()  # the first half was not computed again
    pd.testing.assert_frame_equal(half, full.iloc[:100], check_exact=True)
    pd.testing.assert_frame_equal(full, stage(planted), check_exact=True)


def test_cached_stance_is_byte_identical_cold_and_warm_and_reads_only_new_rows(tmp_path, planted, monkeypatch):
    n = len(planted)
    responses = pd.DataFrame(
        {
            "response_id": planted["response_id"],
            "question_id": ["q1", "q2"] * (n // 2),
            "meta": [json.dumps({"stance": "反對"}) if i % 7 == 0 else None if i % 5 == 0 else "{}" for i in range(n)],
        }
    )
    sentiment = pd.DataFrame({"response_id": planted["response_id"], "sentiment": np.linspace(-1, 1, n)})
    sentiment.loc[3, "sentiment"] = None
    questions = {"q1": "Comments should be moderated before they are published", "q2": "禁止匿名留言"}
    direct = find_stance(responses, planted, sentiment, questions)
    assert set(direct["stance_source"]) >= {"form", "cue", "sentiment", "none"}  # every path is exercised
    cold = cached_stance(responses.iloc[:150], planted, sentiment, questions, tmp_path)
    pd.testing.assert_frame_equal(cold, direct.iloc[:150], check_exact=True)
    monkeypatch.setattr("analyze.stance.text_stance", lambda *a: pytest.fail("read again"))
    warm = cached_stance(responses.iloc[:150], planted, sentiment, questions, tmp_path)
    a, b = write_table(warm, tmp_path / "warm.parquet"), write_table(direct.iloc[:150], tmp_path / "direct.parquet")
    assert a.read_bytes() == b.read_bytes()
    monkeypatch.undo()
    full = cached_stance(responses, planted, sentiment, questions, tmp_path)
    assert write_table(full, a).read_bytes() == write_table(direct, b).read_bytes()
    questions["q2"] = "推行匿名留言"  # no longer a ban: praise now supports it, so cached results must not be reused
    reworded = cached_stance(responses, planted, sentiment, questions, tmp_path)
    assert not reworded.equals(full)
    pd.testing.assert_frame_equal(reworded, find_stance(responses, planted, sentiment, questions), check_exact=True)


def test_text_keys_hash_namespace_config_and_text_from_python_or_arrow_texts(planted):
    texts = [*planted["text_norm"], "", "bad \udc80 byte"]
    expected = [hashlib.sha256(f"ns\x1fv1\x1f{t}".encode("utf-8", "surrogatepass")).digest()[:16] for t in texts]
    assert text_keys("ns", "v1", texts).to_pylist() == expected
    assert text_keys("ns", "v1", text_array(planted["text_norm"])).to_pylist() == expected[: len(planted)]
    assert text_keys("ns", "v2", texts[:1]).to_pylist() != expected[:1]


def test_stance_keys_are_the_row_by_row_keys(planted):
    n = len(planted)
    table = planted.assign(
        question_id=["q1", "q2", "q3", "q1"] * (n // 4),
        meta=[None, "{}"] * (n // 2),
        sentiment=[0.0, -0.0, float("nan"), 0.1 + 0.2] * (n // 4),
    )
    table.loc[5, "text_norm"] = None
    questions = {"q1": "Ban anonymous comments", "q2": "禁止匿名留言"}
    rows = [(q, questions.get(q, ""), meta, text, repr(score)) for q, meta, text, score in stance_keys(table)]
    assert _stance_keys(table, questions).to_pylist() == ["\x1f".join(row) for row in rows]
    assert rows[0][4] != rows[1][4]  # 0.0 and -0.0 are told apart, as repr() tells them


def test_cached_sentiment_equals_direct_and_a_warm_store_scores_nothing(tmp_path, planted, monkeypatch):
    docs = planted.assign(
        lang=[("zh-Hant" if has_cjk(t) else "en") if i % 9 else None for i, t in enumerate(planted["text_norm"])]
    )
    direct = score_sentiment(docs)
    pd.testing.assert_frame_equal(cached_sentiment(docs, tmp_path), direct, check_exact=True)
    monkeypatch.setattr("analyze.sentiment.score_sentiment", lambda df: pytest.fail("scored again"))
    pd.testing.assert_frame_equal(cached_sentiment(docs, tmp_path), direct, check_exact=True)


def test_cached_signatures_equal_direct_and_depend_on_num_perm(tmp_path, planted):
    keys = [k for k in dict.fromkeys(duplicate_key(t) for t in planted["text_norm"]) if k]
    sign = cached_signer(tmp_path)
    np.testing.assert_array_equal(sign(keys, num_perm=64, seed=42), signatures(keys, 64, 42))
    np.testing.assert_array_equal(sign(keys[::-1], num_perm=64, seed=42), signatures(keys[::-1], 64, 42))
    assert sign(keys, num_perm=32, seed=42).shape == (len(keys), 32)


def test_cached_duplicate_keys_give_byte_identical_tables_and_a_warm_store_folds_nothing(
    tmp_path, planted, monkeypatch
):
    chinese = [normalise_text(t) for t in pd.read_csv(ROOT / "data" / "eval" / "pii_planted.csv")["text"] if has_cjk(t)]
    texts = planted["text_norm"].tolist() + chinese[:30] + chinese[:10] + [""]
    docs = pd.DataFrame({"response_id": [f"r{i:03d}" for i in range(len(texts))], "text_norm": texts})
    direct = find_campaigns(docs, min_campaign_size=2)
    assert len(direct[1]) > 5  # the repeats form campaigns
    for run in ("cold", "warm"):
        found = find_campaigns(docs, min_campaign_size=2, keys_of=cached_keyer(tmp_path))
        for name, got, want in zip(("groups", "campaigns"), found, direct, strict=True):
            a, b = write_table(got, tmp_path / f"{run}_{name}.parquet"), write_table(want, tmp_path / f"{name}.parquet")
            assert a.read_bytes() == b.read_bytes(), (run, name)
        monkeypatch.setattr("analyze.duplicates.key.duplicate_key", lambda text: pytest.fail("folded again"))


def test_prefetched_keys_and_signatures_are_what_the_duplicates_stage_then_reads(tmp_path, monkeypatch):
    """The texts of responses the last language table lacks, normalised as the language stage does, are keyed."""
    raw = pd.read_csv(ROOT / "data" / "eval" / "pii_planted.csv")["text"].tolist()[:120]
    texts = raw + raw[:20] + ["", "<p>Hello&nbsp; <b>world</b></p>", "Ｈｅｌｌｏ world"]  # copies, empty, markup, width
    ids = [f"r{i:03d}" for i in range(len(texts))]
    write_table(pd.DataFrame({"response_id": ids, "text": texts}), tmp_path / "responses.parquet")
    norms = [normalise_text(t) for t in texts]
    write_table(pd.DataFrame({"response_id": ids[:60], "text_norm": norms[:60]}), tmp_path / "language.parquet")
    cache, new = tmp_path / "cache", set(norms[60:])
    responses, last = tmp_path / "responses.parquet", tmp_path / "language.parquet"
    assert prefetch_duplicate_keys(responses, last, cache, 64, 42) == len(new)
    assert cachestore.store_rows(cache / "duplicate_keys.parquet") == len(new)  # the last run's texts left out
    every = prefetch_duplicate_keys(responses, tmp_path / "none.parquet", tmp_path / "c2", 64, 42)
    assert every == len(set(norms))  # without a language table every response is new
    docs = pd.DataFrame({"response_id": ids[60:], "text_norm": norms[60:]})
    direct = find_campaigns(docs, min_campaign_size=2)
    monkeypatch.setattr("analyze.duplicates.key.duplicate_key", lambda text: pytest.fail("folded again"))
    monkeypatch.setattr("analyze.stagecache.signatures", lambda *a: pytest.fail("signed again"))
    found = find_campaigns(docs, min_campaign_size=2, keys_of=cached_keyer(cache), sign=cached_signer(cache))
    for got, want in zip(found, direct, strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_cached_topic_tokens_equal_direct_and_a_warm_store_segments_nothing(tmp_path, planted, monkeypatch):
    chinese = [t for t in pd.read_csv(ROOT / "data" / "eval" / "pii_planted.csv")["text"] if has_cjk(t)][:40]
    texts = planted["text_norm"].tolist()[:60] + [normalise_text(t) for t in chinese]
    direct = tokenize_texts(texts)
    assert cached_tokenizer(tmp_path)(texts) == direct
    assert any(has_cjk(w) for toks in direct for w in toks)  # real Chinese comments are among them
    monkeypatch.setattr("analyze.topics.keywords.topic_tokens", lambda *a: pytest.fail("segmented again"))
    assert cached_tokenizer(tmp_path)(texts[::-1]) == direct[::-1]


def test_cache_command_lists_and_clears(tmp_path, planted):
    (tmp_path / "round.yaml").write_text("round: r1\ntitle: {en: a, zh: b}\nsources: []\n", encoding="utf-8")
    cached_pii_spans(planted.iloc[:150], tmp_path / "interim" / "cache")
    cached_pii_spans(
        planted.iloc[150:160].assign(text_norm=lambda d: d["text_norm"] + "!"), tmp_path / "interim" / "cache"
    )
    assert len(cachestore.parts(tmp_path / "interim" / "cache" / "pii.parquet")) == 1
    (tmp_path / "interim" / "cache" / "language.parquet").write_bytes(b"junk")
    runner = CliRunner()
    listed = runner.invoke(app, ["cache", str(tmp_path)])
    assert listed.exit_code == 0
    assert f"{planted['text_norm'].iloc[:150].nunique() + 10} entries" in listed.output  # main file and part
    assert "(2 files)" in listed.output and "unreadable" in listed.output
    cleared = runner.invoke(app, ["cache", str(tmp_path), "--clear"])
    assert cleared.exit_code == 0 and "cleared 3 files" in cleared.output
    assert not list((tmp_path / "interim" / "cache").iterdir())
    assert "no caches" in runner.invoke(app, ["cache", str(tmp_path)]).output
