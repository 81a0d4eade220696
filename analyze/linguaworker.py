"""lingua's confidence values, in this process or in a worker process that loads its models beside the caller.

lingua (Rust) holds the GIL for the second and more it spends loading its language models, so a thread cannot overlap
that load with other work; a child process can. The worker reads one JSON list of texts per line on stdin and
answers one line on stdout, a JSON list of {ISO 639-1 code: confidence}; it stays up for the next request and exits
when its stdin closes. JSON carries the floats exactly (by repr); lingua's values themselves differ in their last
bits from one process to the next (its sums run in hash-map order), in-process too, far below the 3 digits kept.
This module imports nothing of the package: the worker runs it as a script (`python -I <this file>`).
"""

from __future__ import annotations

import atexit
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from functools import lru_cache

Confidences = dict[str, float]


@lru_cache(maxsize=1)
def detector():
    """Lingua for the Latin-script languages Hong Kong submissions arrive in (each one costs ~0.2 s to load)."""
    from lingua import Language, LanguageDetectorBuilder

    # lingua only sees text with Latin words and no Chinese (Chinese, kana and hangul are told by their characters).
    langs = [
        Language.ENGLISH,
        Language.FRENCH,
        Language.GERMAN,
        Language.SPANISH,
        Language.PORTUGUESE,
        Language.INDONESIAN,
        Language.TAGALOG,
        Language.VIETNAMESE,
    ]
    return LanguageDetectorBuilder.from_languages(*langs).build()


def confidences(text: str) -> Confidences:
    """Confidence of lingua in each language (ISO 639-1, lower case) for a text, computed in this process."""
    values = detector().compute_language_confidence_values(text)
    return {c.language.iso_code_639_1.name.lower(): c.value for c in values}


_worker: subprocess.Popen | None = None
_owner = 0  # the process that started _worker
_lock = threading.Lock()  # one request at a time: answers come back in the order asked


def _running_worker() -> subprocess.Popen:
    """This process's worker, started if there is none (a forked child does not share its parent's)."""
    global _worker, _owner
    if _worker is None or _worker.poll() is not None or _owner != os.getpid():
        _worker = subprocess.Popen(
            [sys.executable, "-I", __file__], stdin=subprocess.PIPE, stdout=subprocess.PIPE, encoding="utf-8"
        )
        _owner = os.getpid()
    return _worker


@atexit.register
def _stop() -> None:
    """End the worker (closing its stdin ends its loop), e.g. after a request whose answer was not read."""
    global _worker
    if _worker is not None and _owner == os.getpid():
        with suppress(OSError):  # it may have died already
            _worker.stdin.close()
        _worker.wait()
    _worker = None


@contextmanager
def in_worker(texts: list[str]) -> Iterator[Callable[[], list[Confidences]]]:
    """Within the block the worker computes `confidences` of each text; the function it yields waits for them.

    No worker is started for no texts.
    """
    if not texts:
        yield list
        return
    with _lock:
        worker = _running_worker()
        worker.stdin.write(json.dumps(texts) + "\n")
        worker.stdin.flush()
        answer: list[list[Confidences]] = []

        def wait() -> list[Confidences]:
            if not answer:
                line = worker.stdout.readline()
                if not line:
                    raise RuntimeError(f"lingua worker ended with exit code {worker.wait()}")
                answer.append(json.loads(line))
            return answer[0]

        try:
            yield wait
        finally:
            if not answer:  # its answer would be read as the next request's
                _stop()


def _serve() -> None:
    for line in sys.stdin:
        print(json.dumps([confidences(text) for text in json.loads(line)]), flush=True)


if __name__ == "__main__":
    _serve()
