"""A re-run of the demo round on a warm content cache computes no text again and writes byte-identical tables.

The cold run (the `demo_round` fixture) runs stages side by side in two processes, the warm one in one process:
the same bytes also show the lanes do not change what the stages write."""

import shutil

import pytest

from analyze import embeddings, language, pii, sentiment, stagecache
from analyze.demo import copy_demo
from analyze.pipeline import STAGES, run_round

pytestmark = pytest.mark.slow
TABLES = ("language", "pii", "pii_audit", "duplicates", "campaigns", "topics", "topic_assignments", "sentiment")


def test_warm_cache_computes_nothing_and_gives_the_same_bytes(demo_round, tmp_path, monkeypatch):
    again = copy_demo(tmp_path)
    with open(again / "round.yaml", "a", encoding="utf-8") as f:  # one process: the patches below must reach stages
        f.write("executor: {stage_processes: 1}\n")
    shutil.copytree(demo_round / "interim" / "cache", again / "interim" / "cache")

    def recomputed(*args, **kwargs):
        raise AssertionError("a cached text was computed again")

    for module, name in (
        (language, "detect_language"),
        (pii, "find_pii_spans"),
        (sentiment, "score_sentiment"),
        (stagecache, "signatures"),
    ):
        monkeypatch.setattr(module, name, recomputed)
    monkeypatch.setattr(embeddings.SentenceTransformerEmbedder, "encode", recomputed)
    run_round(again, stages=STAGES[:-1])  # everything but the report
    for name in TABLES:
        cold, warm = demo_round / "processed" / f"{name}.parquet", again / "processed" / f"{name}.parquet"
        assert warm.read_bytes() == cold.read_bytes(), name


def test_tables_through_the_cache_equal_direct_calls_byte_for_byte(demo_round, tmp_path):
    from collect.storage import read_table, write_table

    responses = read_table(demo_round / "interim" / "responses.parquet")
    direct = {"language": language.detect_language(responses)}
    direct["pii_audit"] = pii.find_pii_spans(direct["language"])
    direct["sentiment"] = sentiment.score_sentiment(direct["language"])
    for name, table in direct.items():
        written = write_table(table, tmp_path / f"{name}.parquet")
        assert written.read_bytes() == (demo_round / "processed" / f"{name}.parquet").read_bytes(), name
