"""A wall-clock limit on one stage of work on one file.

A hostile file can make loading, an adapter or a rule run for minutes
(exponential intrinsics, pathological patterns). The engine runs each
file's stages under `time_limit`: past the limit `Overrun` is raised inside
the stage, the engine reports the file and the stage, and the run goes on.

`Overrun` derives from BaseException so that plugin isolation, which turns
a plugin's `Exception` into an MD002 finding, lets it through; if a plugin
swallows it anyway, it is raised again every `_REPEAT` seconds until the
stage gives up. The limit needs POSIX interval timers and the main thread
(as the command line has); elsewhere — a language server's worker thread,
Windows — stages run unlimited.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator

__all__ = ["Overrun", "time_limit"]

_REPEAT = 0.05


class Overrun(BaseException):
    """Raised inside a stage that ran past its time limit."""


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _raise_overrun(_signum, frame) -> None:
    # Never inside this module: raising while `time_limit` tears itself down
    # would leave the timer armed. The repeating timer tries again shortly.
    if frame is not None and frame.f_code.co_filename == __file__:
        return
    raise Overrun()


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise `Overrun` in the body once it has run `seconds` (no limit for None or 0).

    Nested limits are not supported: an inner limit replaces the outer one
    for its duration and restores it, unexpired, afterwards.
    """
    if not seconds or seconds <= 0 or not _usable():
        yield
        return
    previous_handler = signal.signal(signal.SIGALRM, _raise_overrun)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            signal.setitimer(signal.ITIMER_REAL, previous_delay, previous_interval)
