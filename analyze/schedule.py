"""Run a round's stages in the order their inputs allow, on two lanes: this thread and one side process.

A stage may start once every stage it reads has ended; the first such stage in the run's order goes to whichever lane
asks for work first: the caller's thread takes one whenever it is free, the side process (analyze/stagelane.py) the
next. Which lane ran a stage does not change what it writes (stages are pure functions of their input tables).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from analyze.stagelane import SideProcess


class StageSchedule:
    """One run's stages: the first pending stage whose inputs are done goes to the lane that asks for work.

    `reads[stage]`: the stages whose tables it reads (those not in this run count as done). `prepare(stage)`: its
    fingerprint, or None when it is kept as it is (the caller records that). `record(result, fingerprint)`: called,
    under one lock, as each stage ends. `side_job(stage)`: what the side process runs (picklable). A failure stops
    new work and is raised in the caller's thread once the side lane is idle.
    """

    def __init__(
        self,
        stages: Iterable[str],
        reads: Mapping[str, Iterable[str]],
        prepare: Callable[[str], str | None],
        record: Callable[[Any, str], None],
        side: SideProcess | None = None,
        side_job: Callable[[str], Any] | None = None,
    ) -> None:
        self._pending, self._reads = list(stages), reads
        self._running: set[str] = set()
        self._prepare, self._record = prepare, record
        self._side, self._side_job, self._side_busy = side, side_job, False
        self._failure: BaseException | None = None
        self._lock = threading.Condition()

    def _claim(self) -> tuple[str, str] | None:
        """The next stage to run and its fingerprint; stages found current on the way are recorded as kept."""
        for stage in self._pending:
            if any(d in self._pending or d in self._running for d in self._reads[stage]):
                continue
            self._pending.remove(stage)
            if (fp := self._prepare(stage)) is None:
                return self._claim()  # kept: what it gated may now be ready
            self._running.add(stage)
            return stage, fp
        return None

    def _finish(self, job: tuple[str, str], result: Any) -> None:
        self._running.discard(job[0])
        self._record(result, job[1])

    def _feed_side(self) -> None:
        if self._side is None or self._side_busy or self._failure is not None or not (job := self._claim()):
            return
        self._side_busy = True
        self._side.submit(self._side_job, job[0]).add_done_callback(partial(self._side_done, job))

    def _side_done(self, job: tuple[str, str], future) -> None:
        with self._lock:
            self._side_busy = False
            try:
                if (err := future.exception()) is not None:
                    raise err
                self._finish(job, future.result())
                self._feed_side()
            except BaseException as err:  # noqa: BLE001 - raised in the caller's thread by _next_local
                self._failure = self._failure or err
            finally:
                self._lock.notify_all()

    def _next_local(self) -> tuple[str, str] | None:
        """This process's next stage (None: all done), handing the side lane the one after it; waits if need be."""
        with self._lock:
            while True:
                if self._failure is not None:
                    self._wait_side_idle()
                    raise self._failure
                job = self._claim()
                self._feed_side()
                if job or not self._side_busy:
                    return job
                self._lock.wait()

    def run(self, run_here: Callable[[str], Any]) -> None:
        """Run every stage: `run_here(stage)` in this thread, others on the side lane as it frees up."""
        while job := self._next_local():
            try:
                result = run_here(job[0])
            except Exception:  # an interrupt does not wait: closing the side lane kills its stage
                with self._lock:  # no new work; a side stage still running ends and is recorded
                    self._failure = self._failure or RuntimeError("stopped")
                    self._wait_side_idle()
                raise
            with self._lock:
                self._finish(job, result)

    def _wait_side_idle(self) -> None:
        while self._side_busy:
            self._lock.wait()
