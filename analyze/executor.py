"""Where per-response stages run: in this process (default) or on an existing Dask cluster.

Per-response stage functions (language, PII, sentiment) are pure `DataFrame -> DataFrame` maps over rows, so a
table can be cut into contiguous partitions, mapped anywhere and put back in order: the result is identical to a
local run. `executor: {kind: dask, address: tcp://scheduler:8786}` in round.yaml selects the cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

import pandas as pd

Frame = Callable[[pd.DataFrame], pd.DataFrame]


@runtime_checkable
class Executor(Protocol):
    """Runs a row-wise stage function over a table."""

    def map_frame(self, fn: Frame, df: pd.DataFrame) -> pd.DataFrame:
        """Apply fn to df; rows come back in the order a single local call gives."""
        ...

    def close(self) -> None:
        """Release what the executor holds (connections)."""
        ...


class LocalExecutor:
    """In-process: one call on the whole table."""

    def map_frame(self, fn: Frame, df: pd.DataFrame) -> pd.DataFrame:
        """Call fn once."""
        return fn(df)

    def close(self) -> None:
        """Nothing to release."""


def partitions(df: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    """Contiguous slices of at most `rows` rows (at least one slice, possibly empty)."""
    return [df.iloc[i : i + rows] for i in range(0, len(df), rows)] or [df]


def _apply(fn: Frame, part: pd.DataFrame) -> pd.DataFrame:
    """Call fn on one partition (on a worker)."""
    return fn(part)


class DaskExecutor:
    """Maps partitions on a Dask cluster; the client connects on first use.

    Workers need consultkit installed in the same version (they import the stage functions by name).
    """

    def __init__(self, address: str | None = None, partition_rows: int = 10_000, client=None) -> None:
        self.address = address
        self.partition_rows = partition_rows
        self._client = client
        self._owns_client = client is None

    def _connect(self):
        if self._client is None:
            from distributed import Client

            self._client = Client(self.address)
        return self._client

    def map_frame(self, fn: Frame, df: pd.DataFrame) -> pd.DataFrame:
        """Map fn over partitions on the cluster and concatenate the results in partition order.

        The function (which may carry a fitted model) goes to each worker once and the partitions are scattered,
        so neither travels inside the task graph.
        """
        client = self._connect()
        parts = client.scatter(partitions(df, self.partition_rows))
        remote_fn = client.scatter(fn, broadcast=True, hash=False)
        futures = client.map(_apply, [remote_fn] * len(parts), parts, pure=False)
        return pd.concat(client.gather(futures), ignore_index=True)

    def close(self) -> None:
        """Close the client if this executor opened it."""
        if self._client is not None and self._owns_client:
            self._client.close()
        self._client = None


def make_executor(kind: str = "local", address: str | None = None, partition_rows: int = 10_000) -> Executor:
    """The executor a round asks for."""
    if kind == "dask":
        return DaskExecutor(address, partition_rows)
    return LocalExecutor()
