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
import os
import signal
import threading
from time import monotonic
from typing import Iterator

__all__ = ["Overrun", "armed", "time_limit"]

_REPEAT = 0.05

# While `armed` keeps its repeating timer: the thread it was entered in, and
# when the innermost limited stage overruns (`monotonic()` time; None: no stage).
_armed_thread: int | None = None
_deadline: float | None = None


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


def _tick(signum, frame) -> None:
    deadline = _deadline
    if deadline is not None and monotonic() >= deadline:
        _raise_overrun(signum, frame)


def _forget_in_child() -> None:
    # A forked child has no interval timer (POSIX): its stages arm their own.
    global _armed_thread, _deadline
    _armed_thread = _deadline = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_in_child)


@contextlib.contextmanager
def armed() -> Iterator[None]:
    """Keep one repeating timer for the duration, so that `time_limit` inside costs no system call.

    A run enters this once: its thousands of limited stages then only set
    a deadline that the timer's handler compares with the clock every
    `_REPEAT` seconds (an overrun is seen at most that late). Outside the
    main thread, where limits do not apply, or when already armed, nothing
    changes. A timer that was set before is suspended and restored,
    unexpired, afterwards, with its handler.
    """
    global _armed_thread, _deadline
    if _armed_thread is not None or not _usable():
        yield
        return
    previous_handler = signal.signal(signal.SIGALRM, _tick)
    previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, _REPEAT, _REPEAT)
    _armed_thread, _deadline = threading.get_ident(), None
    try:
        yield
    finally:
        _armed_thread = _deadline = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous_handler)
        if previous_delay:
            signal.setitimer(signal.ITIMER_REAL, previous_delay, previous_interval)


class time_limit:  # noqa: N801 - used as a function: `with time_limit(seconds):`
    """Raise `Overrun` in the body once it has run `seconds` (no limit for None or 0).

    Nested limits are not supported: an inner limit replaces the outer one
    for its duration and restores it, unexpired, afterwards. Within `armed`
    (in its thread) this sets a deadline; elsewhere it sets a timer of its
    own (in the main thread) or does nothing.
    """

    __slots__ = ("_seconds", "_set_deadline", "_outer_left", "_own_timer")

    def __init__(self, seconds: float | None) -> None:
        self._seconds = seconds
        self._set_deadline = False
        self._outer_left: float | None = None
        self._own_timer: tuple | None = None

    def __enter__(self) -> None:
        global _deadline
        seconds = self._seconds
        if not seconds or seconds <= 0:
            return
        if _armed_thread is not None and _armed_thread == threading.get_ident():
            now = monotonic()
            self._outer_left = None if _deadline is None else _deadline - now
            self._set_deadline = True
            _deadline = now + seconds
            return
        if not _usable():
            return
        previous_handler = signal.signal(signal.SIGALRM, _raise_overrun)
        self._own_timer = (previous_handler, *signal.setitimer(signal.ITIMER_REAL, seconds, _REPEAT))

    def __exit__(self, *exc_info: object) -> None:
        global _deadline
        own_timer = self._own_timer
        if own_timer is not None:
            self._own_timer = None
            previous_handler, previous_delay, previous_interval = own_timer
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if previous_delay:
                signal.setitimer(signal.ITIMER_REAL, previous_delay, previous_interval)
        elif self._set_deadline:
            self._set_deadline = False
            if _armed_thread is not None:  # still armed: the outer stage's deadline again
                outer_left = self._outer_left
                _deadline = None if outer_left is None else monotonic() + outer_left
