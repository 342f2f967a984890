"""The text format: `path:line:col: ID [slug] message`, then a summary line.

A finding in a rendered stream's document ends in `(rendered from TEMPLATE)`.
"""

from __future__ import annotations

from linter import Report, Severity

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(report: Report) -> str:
    """Render findings one per line; colour only when `report.color`."""
    lines = []
    for finding in report.findings:
        location = f"{finding.path}:{finding.span.line}:{finding.span.column}:"
        rule = f"{finding.rule_id} [{finding.slug}]"
        if report.color:
            location = f"{_BOLD}{location}{_RESET}"
            rule = f"{_COLORS[finding.severity]}{finding.rule_id}{_RESET} {_DIM}[{finding.slug}]{_RESET}"
        origin = f" (rendered from {finding.origin})" if finding.origin else ""
        lines.append(f"{location} {rule} {finding.message}{origin}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    """e.g. `Found 3 problems (1 error, 2 warnings) in 2 of 5 files.`"""
    checked = len(report.files)
    if not report.findings:
        return f"No problems found in {_plural(checked, 'file')}."
    parts = [
        _plural(report.count(severity), word)
        for severity, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "info"))
        if report.count(severity)
    ]
    checked_paths = {item.path for item in report.files}
    files_with = len({finding.path for finding in report.findings} & checked_paths)
    return (
        f"Found {_plural(len(report.findings), 'problem')} ({', '.join(parts).replace('infos', 'info')}) "
        f"in {files_with} of {_plural(checked, 'file')}."
    )
