"""A CPU-time bound for the tests of hostile input: what an input costs must not grow past a limit.

A regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import contextlib
import signal
import time
from typing import Iterator

DEADLINE_SECONDS = 0.5


class _Overran(Exception):
    pass


@contextlib.contextmanager
def within(seconds: float = DEADLINE_SECONDS) -> Iterator[list[float]]:
    """Fail (rather than hang) when the block takes more than `seconds` of CPU time; yields the measured time."""

    def overran(signum, frame):
        raise _Overran(f"took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, overran)
    signal.setitimer(signal.ITIMER_REAL, seconds * 10)  # a hang stops here; the assert below is the real bound
    elapsed = [0.0]
    # CPU time of this process: what the input costs, whatever else the machine is running.
    start = time.process_time()
    try:
        yield elapsed
    finally:
        elapsed[0] = time.process_time() - start
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert elapsed[0] < seconds, f"took {elapsed[0]:.2f} s"
