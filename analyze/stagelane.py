"""A second Python process that runs work beside this one, so a round's independent stages use two cores.

Started as `python -m analyze.stagelane` rather than through multiprocessing: the caller's script is never imported
again in the child (no `if __name__ == "__main__"` guard needed), and a stage's prints cannot mix with the replies.
Jobs and replies are pickled over the child's stdin and a private copy of its stdout (each inside a pickled bytes
object, so one that cannot be loaded does not break the stream): one job at a time, a job is a module-level
function and its arguments, a reply its return value or the exception it raised.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

_PACKAGE_ROOT = str(Path(__file__).resolve().parents[1])  # the folder that holds analyze/ and collect/


class SideProcessDied(RuntimeError):
    """The side process ended without answering (killed, or out of memory)."""


class SideProcess:
    """One child process, started on the first `submit` by a thread of this object that lives until `close`.

    The child is tied to that thread (Linux kills it when the thread or this process dies), so it cannot outlive
    the run that started it.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._proc: subprocess.Popen | None = None
        self._busy = self._closing = False
        self._lock = threading.Lock()  # between starting the child and `close`
        self._thread: threading.Thread | None = None

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        """Run fn(*args) in the side process, after the jobs before it; the future gets its result or exception."""
        future: Future = Future()
        self._jobs.put((future, pickle.dumps((fn, args), protocol=pickle.HIGHEST_PROTOCOL)))
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve_jobs, name="side-process", daemon=True)
            self._thread.start()
        return future

    def _serve_jobs(self) -> None:
        while (item := self._jobs.get()) is not None:
            future, job = item
            self._busy = True
            future.set_running_or_notify_cancel()
            try:
                reply = self._call(job)
            except Exception as err:  # noqa: BLE001 - end of input, a broken pipe, a reply cut short: all mean it died
                ok, value = False, SideProcessDied(f"the side process ended before it answered ({self._ended()})")
                value.__cause__ = err
            else:
                try:
                    ok, value = pickle.loads(reply)
                except Exception as err:  # noqa: BLE001 - e.g. an exception class that cannot be rebuilt here
                    ok, value = False, RuntimeError(f"could not read the side process's reply: {err!r}")
            self._busy = False
            (future.set_result if ok else future.set_exception)(value)

    def _ended(self) -> str:
        """How the child ended, for the error that says so."""
        try:
            code = self._proc.wait(timeout=5) if self._proc is not None else None
        except subprocess.TimeoutExpired:
            code = None
        how = "killed, out of memory?" if code == -9 else f"exit status {code}"
        return f"{how}; `executor: {{stage_processes: 1}}` in round.yaml runs every stage in this process"

    def _call(self, job: bytes) -> bytes:
        """Send a job, return the reply's pickled bytes (unpickled by the caller: a failure there cannot desync)."""
        with self._lock:
            if self._closing:
                raise EOFError("closed")
            if self._proc is None:
                env = dict(os.environ)
                env["PYTHONPATH"] = os.pathsep.join(p for p in (_PACKAGE_ROOT, env.get("PYTHONPATH")) if p)
                command = [sys.executable, "-P", "-m", "analyze.stagelane"]  # -P: no working folder on the path
                self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
            proc = self._proc
        pickle.dump(job, proc.stdin)
        proc.stdin.flush()
        return pickle.load(proc.stdout)

    def close(self) -> None:
        """Stop the child: at once if it is still working (an interrupted run), else by closing its input."""
        if self._thread is None:
            return
        with self._lock:
            self._closing = True
            if self._busy and self._proc is not None:
                self._proc.kill()
        self._jobs.put(None)
        self._thread.join()
        self._thread = None
        if self._proc is not None:
            self._proc.stdin.close()
            self._proc.wait()
            self._proc.stdout.close()
            self._proc = None
        self._closing = False


def _die_with_parent() -> None:
    """Linux: have the kernel kill this process when its parent dies (no orphan keeps writing a round's tables)."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def serve() -> None:
    """The child's loop: read a job, run it, write the reply, until the input ends."""
    _die_with_parent()
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # prints of the work go to stderr, not into the replies
    jobs = sys.stdin.buffer
    while True:
        try:
            job = pickle.load(jobs)
        except EOFError:
            return
        try:
            fn, args = pickle.loads(job)
            reply = (True, fn(*args))
        except BaseException as err:  # noqa: BLE001 - every failure goes back to the caller, which raises it
            err.add_note(f"raised in the side process:\n{traceback.format_exc()}")
            reply = (False, err)
        pickle.dump(_pickled(reply), replies)  # as bytes: the caller reads whole replies even if one cannot load
        replies.flush()


def _pickled(reply: tuple[bool, Any]) -> bytes:
    """The reply's bytes; a value or exception that cannot be pickled becomes an error the caller can read."""
    try:
        return pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as err:  # noqa: BLE001
        return pickle.dumps((False, RuntimeError(f"the side process could not send back {reply[1]!r}: {err}")))


if __name__ == "__main__":
    serve()
