"""The side process runs jobs in another interpreter and gives back results, exceptions and deaths faithfully."""

import os
import threading
import time

import pytest

from analyze import stagelane
from analyze.stagelane import SideProcess, SideProcessDied

# Jobs are module-level functions the child can import: the stdlib's, as a test module is not on its path.


@pytest.fixture
def side():
    lane = SideProcess()
    yield lane
    lane.close()


def test_jobs_run_in_one_other_process_in_order_and_prints_do_not_spoil_replies(side):
    printed = side.submit(print, "a stage that prints writes to stderr, not into the replies")
    first, second = side.submit(os.getpid), side.submit(os.getpid)
    assert printed.result(timeout=60) is None
    assert first.result(timeout=60) == second.result(timeout=60) != os.getpid()


def test_an_exception_comes_back_with_its_type_and_the_remote_traceback(side):
    with pytest.raises(ValueError, match="invalid literal") as raised:
        side.submit(int, "no number").result(timeout=60)
    assert "raised in the side process" in "".join(raised.value.__notes__)
    assert side.submit(os.getpid).result(timeout=60) != os.getpid()  # the process serves on


def test_a_dead_process_is_an_error_not_a_hang(side):
    with pytest.raises(SideProcessDied, match="exit status -6"):  # SIGABRT
        side.submit(os.abort).result(timeout=60)


def test_close_without_jobs_starts_nothing():
    lane = SideProcess()
    lane.close()
    assert lane._proc is None


def test_close_stops_a_busy_process_at_once():
    lane = SideProcess()
    lane.submit(os.getpid).result(timeout=60)  # started and idle
    busy = lane.submit(time.sleep, 600)
    while not busy.running():
        time.sleep(0.01)
    started = time.monotonic()
    lane.close()
    assert time.monotonic() - started < 60  # killed, not waited for
    with pytest.raises(SideProcessDied):
        busy.result(timeout=0)


def test_a_value_that_cannot_be_sent_back_is_an_error(side):
    with pytest.raises(RuntimeError, match="could not send back"):
        side.submit(threading.Lock).result(timeout=60)  # a lock cannot be pickled


def test_a_reply_that_cannot_be_loaded_here_is_an_error_and_the_stream_stays_in_step(side, monkeypatch):
    def cannot_load(data):
        raise TypeError("a class that cannot be rebuilt here")

    monkeypatch.setattr(stagelane.pickle, "loads", cannot_load)
    with pytest.raises(RuntimeError, match="could not read the side process's reply"):
        side.submit(os.getpid).result(timeout=60)
    monkeypatch.undo()
    assert side.submit(os.getpid).result(timeout=60) != os.getpid()
