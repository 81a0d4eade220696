"""The stage schedule starts a stage only after the stages it reads, runs each on its lane, and stops on a failure."""

import threading
import time
from concurrent.futures import Future

import pytest

from analyze.pipeline import READS, SIDE_STAGES, STAGES
from analyze.schedule import StageSchedule


class ThreadLane:
    """A side lane on a thread: the schedule only needs `submit(fn, *args) -> Future`."""

    def submit(self, fn, *args) -> Future:
        future = Future()

        def run():
            try:
                future.set_result(fn(*args))
            except Exception as err:  # handed to the future, as the side process does
                future.set_exception(err)

        threading.Thread(target=run).start()
        return future


def _schedule(events, kept=(), fail=None, side=True, seconds=0.02, stages=STAGES):
    lock = threading.Lock()

    def work(lane):
        def job(stage):
            with lock:
                events.append(("start", stage, lane))
            time.sleep(seconds)
            if stage == fail:
                raise ValueError(f"{stage} failed")
            with lock:
                events.append(("end", stage, lane))
            return stage

        return job

    def prepare(stage):
        if stage in kept:
            events.append(("kept", stage, None))
            return None
        return f"fingerprint of {stage}"

    recorded = []
    schedule = StageSchedule(
        stages,
        READS,
        prepare,
        lambda result, fp: recorded.append((result, fp)),
        ThreadLane() if side else None,
        work("side"),
        SIDE_STAGES,
    )
    return schedule, work("here"), recorded


def _done_at(events):
    return {stage: i for i, (what, stage, _) in enumerate(events) if what in ("end", "kept")}


def test_every_stage_starts_after_the_stages_it_reads_on_its_own_lane():
    events = []
    schedule, here, recorded = _schedule(events)
    schedule.run(here)
    done = _done_at(events)
    starts = {stage: (i, lane) for i, (what, stage, lane) in enumerate(events) if what == "start"}
    assert set(starts) == set(STAGES)
    for stage, (i, _) in starts.items():
        assert all(done[d] < i for d in READS[stage]), stage
    assert {stage for stage, (_, lane) in starts.items() if lane == "side"} == set(SIDE_STAGES)
    assert sorted(fp for _, fp in recorded) == sorted(f"fingerprint of {s}" for s in STAGES)


def test_kept_stages_do_not_run_and_free_what_reads_them():
    events = []
    schedule, here, recorded = _schedule(events, kept=("collect", "language"))
    schedule.run(here)
    assert [stage for what, stage, _ in events if what == "kept"] == ["collect", "language"]
    assert {result for result, _ in recorded} == set(STAGES) - {"collect", "language"}


def test_a_stage_kept_on_one_lane_frees_the_other_lanes_stages():
    events = []  # language is kept by this thread, and only sentiment is left: the side lane must still get it
    schedule, here, recorded = _schedule(events, kept=("language",), stages=("language", "sentiment"))
    schedule.run(here)
    assert [e for e in events if e[0] != "kept"] == [("start", "sentiment", "side"), ("end", "sentiment", "side")]
    events = []  # and back and forth: language, kept here, frees pii, kept on the side lane, which frees topics here
    schedule, here, recorded = _schedule(events, kept=("language", "pii"), stages=("language", "pii", "topics"))
    schedule.run(here)
    assert [e for e in events if e[0] != "kept"] == [("start", "topics", "here"), ("end", "topics", "here")]


def test_without_a_side_lane_stages_run_here_in_order():
    events = []
    schedule, here, _ = _schedule(events, side=False)
    schedule.run(here)
    assert [stage for what, stage, _ in events if what == "start"] == list(STAGES)
    assert {lane for _, _, lane in events} == {"here"}


@pytest.mark.parametrize("fail", ["sentiment", "duplicates"])
def test_a_failure_on_either_lane_is_raised_and_nothing_that_reads_it_starts(fail):
    events = []
    schedule, here, recorded = _schedule(events, fail=fail, seconds=0.05)
    with pytest.raises(ValueError, match=f"{fail} failed"):
        schedule.run(here)
    started = {stage for what, stage, _ in events if what == "start"}
    assert not any(fail in READS[stage] for stage in started)
    ended = {stage for what, stage, _ in events if what == "end"}
    assert {result for result, _ in recorded} == ended  # what ended was recorded, the side lane's stage too
