"""Failures the fuzzers know about: each has a strict-xfail reproducer in test_reproducers.py.

The CI slice and the corpus sweep fail on any failure not listed here, and
report the listed ones they still meet as a warning. Whoever fixes one sees
its reproducer flip to XPASS (a failure under `strict=True`): delete the
entry here and the xfail mark there in the same change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .harness import Failure


@dataclass(frozen=True)
class Known:
    """A class of failures: its kind, where it happens and what it says (regular expressions)."""

    reproducer: str  # a test function in test_reproducers.py
    kind: str
    where: str
    summary: str
    reason: str
    function: str = ""

    def matches(self, failure: Failure) -> bool:
        return (
            re.fullmatch(self.kind, failure.kind) is not None
            and re.search(self.where, failure.where) is not None
            and re.search(self.summary, failure.summary) is not None
            and re.search(self.function, failure.function) is not None
        )


# Every failure the fuzzers found is fixed (issue 10); a new one goes here with
# a strict-xfail reproducer in test_reproducers.py until it is.
KNOWN: tuple[Known, ...] = ()


def known(failure: Failure) -> Known | None:
    """The known class `failure` belongs to, or None for a new failure."""
    return next((entry for entry in KNOWN if entry.matches(failure)), None)
