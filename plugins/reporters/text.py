"""The text format: `path:line:col: severity ID [slug] message`, then a summary line.

The severity is written on every line, so that the output reads the same
without colour (CI logs) as with it; editors' problem matchers take
`^(.+):(\\d+):(\\d+): (error|warning|info) (\\S+) (.*)$`. A finding in a
rendered stream's document ends in `(rendered from TEMPLATE)`. Suppressed
findings are counted in the summary but printed only with
`report.show_suppressed`, then ending in `(suppressed: REASON)`. With
`report.show_source`, each finding is followed by its source line and a
caret under the span, as compilers print them.

Everything printed from the linted files (paths, names inside messages,
source lines) has its control characters escaped: a name holding a newline
and `::error …` or a terminal escape sequence prints as text, never as a
CI workflow command or a terminal instruction.
"""

from __future__ import annotations

from typing import Iterator

from linter import Report, Severity, escape_control

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(report: Report) -> str:
    """Render findings one per line; colour only when `report.color`."""
    return "".join(stream(report))


def stream(report: Report) -> Iterator[str]:
    """`render(report)` in pieces: each finding's lines (with its source excerpt), then the summary line."""
    source_lines: dict[str, list[str]] = {}  # each file split once, however many findings it has
    for finding in report.findings:
        if finding.suppression is not None and not report.show_suppressed:
            continue
        path = escape_control(finding.path)
        if path.startswith("::"):  # a line starting with `::` is a CI workflow command
            path = "./" + path
        location = f"{path}:{finding.span.line}:{finding.span.column}:"
        severity = finding.severity.value
        rule = f"{finding.rule_id} [{escape_control(finding.slug)}]"
        if report.color:
            location = f"{_BOLD}{location}{_RESET}"
            severity = f"{_COLORS[finding.severity]}{severity}{_RESET}"
            rule = f"{_COLORS[finding.severity]}{finding.rule_id}{_RESET} {_DIM}[{escape_control(finding.slug)}]{_RESET}"
        origin = f" (rendered from {escape_control(finding.origin)})" if finding.origin else ""
        suppressed = f" (suppressed: {escape_control(suppression_reason(finding.suppression))})" if finding.suppression else ""
        line = f"{location} {severity} {rule} {escape_control(finding.message)}{origin}{suppressed}\n"
        if report.show_source:
            if finding.path not in source_lines:
                source_lines[finding.path] = report.texts.get(finding.path, "").splitlines()
            line += "".join(excerpt + "\n" for excerpt in _source_excerpt(report, finding, source_lines[finding.path]))
        yield line
    yield summary_line(report) + "\n"


def _source_excerpt(report: Report, finding, source_lines: list[str]) -> list[str]:
    """The finding's first line with a caret under its span (ruff's and rustc's layout); [] when unknown."""
    span = finding.span
    if not 1 <= span.line <= len(source_lines):
        return []
    raw = source_lines[span.line - 1].rstrip()
    # Columns count characters of the raw line; escaping may widen what comes before the span.
    before = escape_control(raw[: max(span.column - 1, 0)]).expandtabs(1)
    end = span.end_column - 1 if span.end_line == span.line and span.end_column > span.column else len(raw)
    marked = escape_control(raw[max(span.column - 1, 0) : max(end, span.column)]).expandtabs(1)
    shown = escape_control(raw).expandtabs(1)
    gutter = " " * len(str(span.line))
    caret = "^" * max(len(marked.rstrip()), 1)
    if report.color:
        caret = f"{_COLORS[finding.severity]}{caret}{_RESET}"
    return [f"{gutter} |", f"{span.line} | {shown}", f"{gutter} | {' ' * len(before)}{caret}"]


def suppression_reason(suppression) -> str:
    """The reason a suppression gives, and where it is written: `legacy sizing (x.yaml:12)`."""
    reason = suppression.justification or "no reason given"
    return f"{reason} ({suppression.origin})" if suppression.origin else reason


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    """e.g. `Found 3 problems (1 error, 2 warnings) in 2 of 5 files (4 recognised as deployments); 2 suppressed.`

    Suppressed findings are not problems: they are only counted, after a
    `;`. Baseline entries that matched no finding add a sentence saying so.
    """
    return _problems(report) + _after(report)


def _after(report: Report) -> str:
    suppressed = len(report.suppressed)
    text = f"; {suppressed} suppressed." if suppressed else "."
    stale = report.baseline_stale
    if stale:
        text += (
            f" {_plural(stale, 'baseline entry').replace('entrys', 'entries')} "
            f"no longer {'matches' if stale == 1 else 'match'}: run --write-baseline to drop {'it' if stale == 1 else 'them'}."
        )
    return text


def _problems(report: Report) -> str:
    checked = len(report.files)
    recognised = sum(1 for item in report.files if item.deployments)
    files = f"{_plural(checked, 'file')} ({recognised} recognised as deployments)"
    active = report.active
    if not active:
        return f"No problems found in {files}"
    parts = [
        _plural(report.count(severity), word)
        for severity, word in ((Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.INFO, "info"))
        if report.count(severity)
    ]
    checked_paths = {item.path for item in report.files}
    files_with = len({finding.path for finding in active} & checked_paths)
    return (
        f"Found {_plural(len(active), 'problem')} ({', '.join(parts).replace('infos', 'info')}) "
        f"in {files_with} of {files}"
    )
