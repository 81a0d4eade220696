"""Per-response stages on a Dask LocalCluster (2 worker processes) give exactly the local executor's tables."""

import pandas as pd
import pytest

from analyze.demo import copy_demo
from analyze.pipeline import run_round
from collect.storage import read_table

pytestmark = pytest.mark.slow
TABLES = ("language", "pii", "pii_audit", "sentiment")


def test_dask_cluster_results_equal_local(demo_round, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
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
