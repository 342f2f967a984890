"""What a reporter receives and returns: the contract of output formats."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping

from linter.rules import Finding, Rule, Severity

__all__ = ["Reporter", "Report", "FileSummary", "escape_control"]


@dataclass(frozen=True)
class FileSummary:
    """One file of the run: whether any adapter recognised something in it, and how many deployments."""

    path: str
    recognised: bool
    deployments: int = 0


@dataclass(frozen=True)
class Report:
    """Everything a reporter may render, in a stable order.

    `findings` are sorted and already filtered by selection; `rules` are the
    enabled rules (for SARIF rule metadata); `color` is True only when the
    output is a terminal that wants colour. `texts` maps each linted file's
    path to its text, for reporters that show source lines
    (`show_source`).
    """

    findings: tuple[Finding, ...]
    files: tuple[FileSummary, ...]
    rules: tuple[Rule, ...]
    tool_version: str
    fail_on: Severity | None = Severity.WARNING
    color: bool = False
    working_directory: str = ""
    texts: Mapping[str, str] = field(default_factory=dict)
    show_source: bool = False
    # Findings carrying a `suppression` are part of `findings`; text shows
    # them only with `show_suppressed`, machine formats always (marked).
    show_suppressed: bool = False
    category: str = ""  # SARIF automationDetails.id (`--category`)
    exit_code: int = 0  # what the run exits with (SARIF invocations)
    baseline_stale: int = 0  # baseline entries that matched no finding

    def count(self, severity: Severity) -> int:
        """Findings of `severity` that are not suppressed."""
        return sum(1 for finding in self.findings if finding.severity is severity and finding.suppression is None)

    @property
    def active(self) -> tuple[Finding, ...]:
        """The findings that are not suppressed (the ones that count)."""
        return tuple(finding for finding in self.findings if finding.suppression is None)

    @property
    def suppressed(self) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.suppression is not None)


@dataclass(frozen=True)
class Reporter:
    """An output format: `render(report)` returns the whole output text.

    `stream(report)`, when a reporter has it, gives the same text in pieces
    (an iterable of `str` whose concatenation is exactly `render(report)`),
    made as they are asked for. The command line then writes each piece as
    it comes, so that a large report is never held whole in memory (the
    atomic `--output` file stays whole or absent). Without it, the command
    line writes what `render` returns. A stream that fails half-way has
    written its first pieces to standard output; the run still fails
    (exit 2).
    """

    name: str
    description: str
    render: Callable[[Report], str] = field(repr=False)
    stream: Callable[[Report], Iterable[str]] | None = field(default=None, repr=False)


# C0 controls (tab and newline included), DEL, C1 controls, the Unicode line
# and paragraph separators, and the bidirectional overrides that make text
# read differently from what it is.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_control(text: str) -> str:
    """`text` with every control character written as an escape (`\\n`, `\\x1b`, `\\u202e`).

    For every human-readable output: a value from a linted file can then
    never end a line, start a CI workflow command (`::error …`) or send a
    terminal escape sequence. Machine formats (JSON, SARIF) keep text exact.
    """
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_escape_one, text)


def _escape_one(match: "re.Match[str]") -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
