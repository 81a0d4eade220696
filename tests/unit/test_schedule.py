"""The stage schedule starts a stage only after the stages it reads, runs each on its lane, and stops on a failure."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest

from analyze.pipeline import READS, SIDE_STAGES, STAGES
from analyze.schedule import StageSchedule


def thread_lane() -> ThreadPoolExecutor:
    """A side lane on one thread, jobs one after another as in the side process: the schedule only calls `submit`."""
    return ThreadPoolExecutor(max_workers=1)


def _schedule(events, kept=(), fail=None, side=True, seconds=0.02, stages=STAGES, warm_ups=None):
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
        thread_lane() if side else None,
        work("side"),
        SIDE_STAGES,
        warm_ups,
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


def _warm_ups(events, **behaviour):
    """A warm-up per stage that logs its start and end, or does what `behaviour[stage]` says instead."""
    lock = threading.Lock()

    def warm(stage):
        with lock:
            events.append(("warm", stage, threading.current_thread().name))
        behaviour.get(stage, lambda: time.sleep(0.01))()
        with lock:
            events.append(("warmed", stage, None))

    return {stage: partial(warm, stage) for stage in STAGES}


def test_a_lane_that_would_wait_warms_its_next_stages_up_first():
    events = []
    schedule, here, _ = _schedule(events, seconds=0.05, warm_ups=_warm_ups(events))
    here_thread = threading.current_thread().name
    schedule.run(here)
    at = {(what, stage): i for i, (what, stage, _) in enumerate(events)}
    lane = {stage: lane for what, stage, lane in events if what == "warm"}
    # the side lane loads language while collect runs here; this thread loads duplicates while language runs there
    assert at["warm", "language"] < at["end", "collect"] and at["warmed", "language"] < at["start", "language"]
    assert lane["language"] != here_thread
    assert at["end", "collect"] < at["warm", "duplicates"] < at["end", "language"]
    assert at["warmed", "duplicates"] < at["start", "duplicates"]
    assert lane["duplicates"] == here_thread and all(lane[s] == here_thread for s in lane if s not in SIDE_STAGES)
    assert all(at["warmed", s] < at["start", s] for s in lane)  # none warmed up after its stage started


def test_nothing_is_warmed_up_when_no_lane_waits():
    events = []
    schedule, here, recorded = _schedule(events, kept=STAGES, warm_ups=_warm_ups(events))
    schedule.run(here)
    assert recorded == [] and {what for what, _, _ in events} == {"kept"}
    events = []
    schedule, here, _ = _schedule(events, side=False, warm_ups=_warm_ups(events))
    schedule.run(here)
    assert {what for what, _, _ in events} == {"start", "end"}


def test_a_warm_up_that_fails_or_is_not_needed_holds_nothing_back():
    events, release = [], threading.Event()

    def fail():
        raise ValueError("no such library")

    # duplicates' warm-up fails here: the stage still runs, and reports its own failures
    schedule, here, recorded = _schedule(events, warm_ups=_warm_ups(events, duplicates=fail))
    schedule.run(here)
    assert {result for result, _ in recorded} == set(STAGES)
    # stance, kept in the end, is warmed up on the side lane while collect runs: the run does not wait for it
    events = []
    stuck = _warm_ups(events, stance=partial(release.wait, 10))
    schedule, here, recorded = _schedule(events, kept=("stance",), stages=("collect", "stance"), warm_ups=stuck)
    started = time.perf_counter()
    schedule.run(here)
    assert time.perf_counter() - started < 5 and ("warm", "stance") in {e[:2] for e in events}
    assert not release.is_set() and [result for result, _ in recorded] == ["collect"]
    release.set()
