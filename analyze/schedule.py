"""Run a round's stages in the order their inputs allow, on two lanes: this thread and one side process.

A stage may start once every stage it reads has ended. Each stage has its lane: the stages named `side_stages` run in
the side process (analyze/stagelane.py), the others in the caller's thread, each lane taking its first ready stage in
the run's order; without a side process every stage runs here. A lane that would wait for the other runs the warm-up
of its next stage instead (analyze/warmups.py: its libraries and models), one stage's at a time, and the run does not
wait for a warm-up that ends up unneeded. Which lane ran a stage does not change what it writes (stages are pure
functions of their input tables).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from functools import partial
from typing import Any

from analyze.stagelane import SideProcess


class StageSchedule:
    """One run's stages: each lane takes its first pending stage whose inputs are done.

    `reads[stage]`: the stages whose tables it reads (those not in this run count as done). `prepare(stage)`: its
    fingerprint, or None when it is kept as it is (the caller records that). `record(result, fingerprint)`: called,
    under one lock, as each stage ends. `side_job(stage)`: what the side process runs (picklable), for the stages in
    `side_stages`. `warm_ups[stage]`: what to load before the stage while its lane would wait (picklable, for the
    side lane's); a warm-up that fails is left to the stage to report. A failure stops new work and is raised in the
    caller's thread once the side lane is idle.
    """

    def __init__(
        self,
        stages: Iterable[str],
        reads: Mapping[str, Iterable[str]],
        prepare: Callable[[str], str | None],
        record: Callable[[Any, str], None],
        side: SideProcess | None = None,
        side_job: Callable[[str], Any] | None = None,
        side_stages: Iterable[str] = (),
        warm_ups: Mapping[str, Callable[[], Any]] | None = None,
    ) -> None:
        self._pending, self._reads = list(stages), reads
        self._side_stages = frozenset(side_stages) if side is not None else frozenset()
        self._running: set[str] = set()
        self._prepare, self._record = prepare, record
        self._side, self._side_job, self._side_busy = side, side_job, False
        self._warm_ups, self._warmed, self._side_warming = dict(warm_ups or {}), set(), False
        self._failure: BaseException | None = None
        self._lock = threading.Condition()

    def _lane(self, side: bool) -> list[str]:
        """The pending stages of one lane (the side process's, or this thread's), in the run's order."""
        return [stage for stage in self._pending if (stage in self._side_stages) == side]

    def _claim(self, side: bool) -> tuple[str, str] | None:
        """A lane's next stage to run and its fingerprint; stages found current on the way are recorded as kept."""
        for stage in self._lane(side):
            if any(d in self._pending or d in self._running for d in self._reads[stage]):
                continue
            self._pending.remove(stage)
            if (fp := self._prepare(stage)) is None:
                return self._claim(side)  # kept: what it gated may now be ready
            self._running.add(stage)
            return stage, fp
        return None

    def _to_warm(self, side: bool) -> str | None:
        """The lane's first pending stage with a warm-up not yet started (marked started)."""
        for stage in self._lane(side):
            if stage in self._warm_ups and stage not in self._warmed:
                self._warmed.add(stage)
                return stage
        return None

    def _finish(self, job: tuple[str, str], result: Any) -> None:
        self._running.discard(job[0])
        self._record(result, job[1])

    def _feed_side(self) -> None:
        if self._side is None or self._side_busy or self._failure is not None:
            return
        if job := self._claim(side=True):  # queued behind a warm-up still running, if any
            self._side_busy = True
            self._side.submit(self._side_job, job[0]).add_done_callback(partial(self._side_done, job))
        elif self._running and not self._side_warming and (stage := self._to_warm(side=True)):
            self._side_warming = True
            self._side.submit(self._warm_ups[stage]).add_done_callback(self._side_warmed)

    def _side_warmed(self, _future) -> None:  # a failed warm-up is left to its stage to report
        with self._lock:
            self._side_warming = False
            self._side_ended(lambda: None)

    def _warm_here(self, stage: str) -> None:
        """Run a warm-up in this thread, the lock released meanwhile so that the side lane is fed as it frees up."""
        self._lock.release()
        try:
            with suppress(Exception):  # the stage itself reports what failed
                self._warm_ups[stage]()
        finally:
            self._lock.acquire()

    def _side_done(self, job: tuple[str, str], future) -> None:
        with self._lock:
            self._side_busy = False
            self._side_ended(lambda: self._finish(job, future.result()))  # result() raises the stage's exception

    def _side_ended(self, settle: Callable[[], None]) -> None:
        """Under the lock: settle what the side lane ended, then hand it its next work; wake the caller's thread."""
        try:
            settle()
            self._feed_side()
        except BaseException as err:  # noqa: BLE001 - raised in the caller's thread by _next_local
            self._failure = self._failure or err
        finally:
            self._lock.notify_all()

    def _next_local(self) -> tuple[str, str] | None:
        """This process's next stage (None: all done), handing the side lane its next one; waits if need be."""
        with self._lock:
            while True:
                if self._failure is not None:
                    self._wait_side_idle()
                    raise self._failure
                left = len(self._pending)
                self._feed_side()
                job = self._claim(side=False)
                self._feed_side()  # a stage either lane found kept may have freed one of the other's
                if job or not self._pending and not self._side_busy:
                    return job
                if self._side_busy:
                    if (stage := self._to_warm(side=False)) is None:
                        self._lock.wait()
                    else:
                        self._warm_here(stage)
                elif len(self._pending) == left:
                    raise RuntimeError(f"no lane can run {self._pending}: they read each other")

    def run(self, run_here: Callable[[str], Any]) -> None:
        """Run every stage: `run_here(stage)` in this thread, the side lane's on the side process as it frees up."""
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
