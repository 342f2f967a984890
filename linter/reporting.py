"""What a reporter receives and returns: the contract of output formats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from linter.rules import Finding, Rule, Severity

__all__ = ["Reporter", "Report", "FileSummary"]


@dataclass(frozen=True)
class FileSummary:
    """One file of the run: whether any adapter recognised it."""

    path: str
    recognised: bool
    deployments: int = 0


@dataclass(frozen=True)
class Report:
    """Everything a reporter may render, in a stable order.

    `findings` are sorted and already filtered by selection; `rules` are the
    enabled rules (for SARIF rule metadata); `color` is True only when the
    output is a terminal that wants colour.
    """

    findings: tuple[Finding, ...]
    files: tuple[FileSummary, ...]
    rules: tuple[Rule, ...]
    tool_version: str
    fail_on: Severity | None = Severity.WARNING
    color: bool = False
    working_directory: str = ""

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity is severity)


@dataclass(frozen=True)
class Reporter:
    """An output format: `render(report)` returns the whole output text."""

    name: str
    description: str
    render: Callable[[Report], str] = field(repr=False)
