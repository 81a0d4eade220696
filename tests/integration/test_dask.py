"""Per-response stages and the topic transform on a Dask LocalCluster (2 worker processes) give exactly the local
executor's tables."""

import numpy as np
import pandas as pd
import pytest

from analyze.demo import copy_demo
from analyze.executor import DaskExecutor
from analyze.pipeline import run_round
from analyze.topics import TopicModels, fit_topics
from collect.storage import read_table

pytestmark = pytest.mark.slow
TABLES = ("language", "pii", "pii_audit", "sentiment")


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as running:
        yield running


def test_dask_cluster_results_equal_local(demo_round, tmp_path, cluster):
    round_dir = copy_demo(tmp_path)
    yml = round_dir / "round.yaml"
    yml.write_text(
        yml.read_text(encoding="utf-8")
        + f"executor: {{kind: dask, address: '{cluster.scheduler_address}', partition_rows: 64}}\n",
        encoding="utf-8",
    )
    before = cluster.scheduler.transition_counter
    run_round(round_dir, stages=("collect", "language", "pii", "sentiment"))
    assert cluster.scheduler.transition_counter > before  # the partitions really went through the cluster
    for name in TABLES:
        local = read_table(demo_round / "processed" / f"{name}.parquet")
        on_dask = read_table(round_dir / "processed" / f"{name}.parquet")
        pd.testing.assert_frame_equal(on_dask, local, check_exact=True)


class HashedWords:
    """A cheap deterministic embedder (hashed word counts): the test is about where the transform runs."""

    def encode(self, texts: list[str]) -> np.ndarray:
        from sklearn.feature_extraction.text import HashingVectorizer

        return HashingVectorizer(n_features=256, alternate_sign=False).transform(texts).toarray()


def test_topics_fitted_on_a_sample_and_transformed_on_dask_equal_local(demo_round, cluster):
    from distributed import Client

    docs = read_table(demo_round / "processed" / "language.parquet")[["response_id", "text_norm"]]
    options = {"models": TopicModels(embedder=HashedWords()), "sample_size": 150, "codebook": ()}
    local = fit_topics(docs, **options)
    with Client(cluster) as client:
        before = cluster.scheduler.transition_counter
        on_dask = fit_topics(docs, executor=DaskExecutor(client=client, partition_rows=50), **options)
        assert cluster.scheduler.transition_counter > before
    pd.testing.assert_frame_equal(on_dask.assignments, local.assignments, check_exact=True)
    pd.testing.assert_frame_equal(on_dask.topics, local.topics, check_exact=True)
    assert local.assignments["topic_id"].nunique() > 1
